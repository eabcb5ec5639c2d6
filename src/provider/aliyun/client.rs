//! The HTTP side of the Alibaba RPC API: one `reqwest` client, the common
//! parameters, a fresh signature (nonce, timestamp) for every attempt, a
//! form-encoded POST, and the answer as JSON-shaped `Value` or a
//! `ProviderError`. Retries follow `provider::retry`.

use super::error::{self as aerr, Effect, VENDOR};
use super::{body, signer, AliyunConfig};
use crate::model::Secret;
use crate::provider::retry::{self, RetryPolicy};
use crate::provider::window::Window;
use crate::provider::{CallObserver, ProviderError};
use chrono::{DateTime, Utc};
use reqwest::Url;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The API version every request names.
pub const API_VERSION: &str = "2018-05-10";
pub const DEFAULT_ENDPOINT: &str = "https://cdn.aliyuncs.com/";
/// Waits for a call limit this long or longer are reported to the observer.
const REPORT_WAIT: Duration = Duration::from_millis(500);

pub struct Client {
    http: reqwest::Client,
    endpoint: Url,
    access_key_id: String,
    secret: Secret,
    retry: RetryPolicy,
    observer: Option<Arc<dyn CallObserver>>,
    /// One sliding window per limited action.
    windows: Mutex<BTreeMap<&'static str, Window>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.endpoint.as_str())
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &self.secret)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

fn config_error(message: String) -> ProviderError {
    ProviderError::new(
        VENDOR,
        "configure",
        crate::provider::ErrorKind::Invalid,
        message,
    )
}

/// The base URL (see `provider::endpoint`).
pub fn parse_endpoint(endpoint: &str) -> Result<Url, ProviderError> {
    crate::provider::endpoint::parse_endpoint(VENDOR, endpoint)
}

/// All parameters of one attempt, `Signature` included: common parameters,
/// the action's own, then the signature over them (method POST).
pub fn signed_params(
    access_key_id: &str,
    secret: &Secret,
    action: &str,
    params: &[(&str, String)],
    now: DateTime<Utc>,
    nonce: &str,
) -> BTreeMap<String, String> {
    let mut all: BTreeMap<String, String> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    for (k, v) in [
        ("Action", action),
        ("Format", "JSON"),
        ("Version", API_VERSION),
        ("AccessKeyId", access_key_id),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", nonce),
    ] {
        all.insert(k.into(), v.into());
    }
    all.insert(
        "Timestamp".into(),
        now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    );
    let signature = signer::sign("POST", &all, secret);
    all.insert("Signature".into(), signature);
    all
}

impl Client {
    // The shared ProviderError is past clippy's size threshold (see
    // `client::parse_endpoint`).
    #[allow(clippy::result_large_err)]
    pub fn new(config: &AliyunConfig) -> Result<Self, ProviderError> {
        let endpoint = parse_endpoint(&config.endpoint)?;
        if config.access_key_id.trim().is_empty() {
            return Err(config_error("aliyun access_key_id is empty".into()));
        }
        if config.access_key_secret.is_empty() {
            return Err(config_error("aliyun access_key_secret is empty".into()));
        }
        let http = crate::provider::endpoint::http_client(VENDOR)?;
        Ok(Client {
            http,
            endpoint,
            access_key_id: config.access_key_id.clone(),
            secret: config.access_key_secret.clone(),
            retry: config.retry.clone(),
            observer: config.observer.clone(),
            windows: Mutex::new(
                config
                    .call_limits
                    .iter()
                    .map(|(action, limit)| (*action, Window::new(*limit)))
                    .collect(),
            ),
        })
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    pub fn observer(&self) -> Option<&dyn CallObserver> {
        self.observer.as_deref()
    }

    /// Call with retries of retryable errors (reads, and writes whose
    /// failure surely took no effect).
    pub async fn call(
        &self,
        action: &str,
        params: &[(&str, String)],
        effect: Effect,
    ) -> Result<Value, ProviderError> {
        retry::retry(&self.retry, self.observer(), || {
            self.call_once(action, params, effect)
        })
        .await
    }

    /// Call with retries of the errors `should_retry` accepts.
    pub async fn call_if(
        &self,
        action: &str,
        params: &[(&str, String)],
        effect: Effect,
        should_retry: impl Fn(&ProviderError) -> bool,
    ) -> Result<Value, ProviderError> {
        retry::retry_if(&self.retry, self.observer(), should_retry, || {
            self.call_once(action, params, effect)
        })
        .await
    }

    /// Wait for a start within `action`'s call limit, if it has one.
    async fn keep_to_limit(&self, action: &str) {
        let at = match self.windows.lock().expect("limit lock").get_mut(action) {
            Some(w) => w.reserve(Instant::now()),
            None => return,
        };
        let wait = at.saturating_duration_since(Instant::now());
        if wait.is_zero() {
            return;
        }
        if wait >= REPORT_WAIT {
            if let Some(o) = self.observer() {
                o.on_rate_limit_wait(VENDOR, action, wait);
            }
        }
        tokio::time::sleep(wait).await;
    }

    /// One attempt, freshly signed (new nonce, current time).
    pub async fn call_once(
        &self,
        action: &str,
        params: &[(&str, String)],
        effect: Effect,
    ) -> Result<Value, ProviderError> {
        self.keep_to_limit(action).await;
        if let Some(o) = self.observer() {
            o.on_call(VENDOR, action);
        }
        let nonce = uuid::Uuid::new_v4().to_string();
        let all = signed_params(
            &self.access_key_id,
            &self.secret,
            action,
            params,
            Utc::now(),
            &nonce,
        );
        let form = signer::form_encode(all.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let response = self
            .http
            .post(self.endpoint.clone())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(reqwest::header::ACCEPT, "application/json, application/xml")
            .body(form)
            .send()
            .await
            .map_err(|e| send_error(action, &e, effect))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = response.text().await.map_err(|e| {
            aerr::transport(
                action,
                format!("answer lost while reading: {}", describe(&e)),
                true,
                effect,
            )
        })?;
        let parsed = body::parse(&text);
        if (200..300).contains(&status) {
            parsed.map_err(|why| aerr::malformed(action, status, why, effect))
        } else {
            let unreadable = parsed.as_ref().err().cloned();
            let mut e =
                aerr::from_answer(action, status, parsed.ok().as_ref(), retry_after, effect);
            if let Some(why) = unreadable {
                e.message = crate::provider::answer::no_error_message(status, Some(&why));
            }
            Err(e)
        }
    }
}

/// A send that failed: before the connection was made nothing reached the
/// server; after it, the request may have been processed.
fn send_error(action: &str, e: &reqwest::Error, effect: Effect) -> ProviderError {
    let sent = !e.is_connect() && !e.is_builder();
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "connection failed"
    };
    aerr::transport(action, format!("{what}: {}", describe(e)), sent, effect)
}

/// The error's causes ("connection refused", "certificate..."); the URL is
/// left out (it is the endpoint, which the error already names by vendor).
fn describe(e: &reqwest::Error) -> String {
    let mut out = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&s.to_string());
        source = s.source();
    }
    if out.is_empty() {
        out = "request failed".into();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn endpoints() {
        for ok in [
            "https://cdn.aliyuncs.com",
            "cdn.aliyuncs.com",
            "http://127.0.0.1:8080",
            "http://127.3.4.5:1/",
            "http://localhost:9000",
            "http://LOCALHOST",
            "http://[::1]:8080",
        ] {
            assert!(parse_endpoint(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            parse_endpoint("cdn.aliyuncs.com").unwrap().as_str(),
            "https://cdn.aliyuncs.com/"
        );
        for bad in [
            "http://cdn.aliyuncs.com",
            "http://10.0.0.1",
            "http://128.0.0.1",
            "http://localhost.evil.com",
            "http://[::2]",
            "ftp://127.0.0.1",
            "",
            "https://user:pw@cdn.aliyuncs.com",
        ] {
            let e = parse_endpoint(bad).unwrap_err();
            assert_eq!(e.kind, crate::provider::ErrorKind::Invalid, "{bad}");
        }
        let e = parse_endpoint("http://cdn.aliyuncs.com").unwrap_err();
        assert!(e.message.contains("loopback"), "{e}");
    }

    #[test]
    fn common_params_and_signature() {
        let now = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
        let p = signed_params(
            "testid",
            &Secret::new("testsecret"),
            "DescribeCdnDomainDetail",
            &[("DomainName", "a.example.com".to_string())],
            now,
            "nonce-1",
        );
        let keys: Vec<&str> = p.keys().map(|k| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "AccessKeyId",
                "Action",
                "DomainName",
                "Format",
                "Signature",
                "SignatureMethod",
                "SignatureNonce",
                "SignatureVersion",
                "Timestamp",
                "Version"
            ]
        );
        assert_eq!(p["Timestamp"], "2024-01-02T03:04:05Z");
        assert_eq!(p["Version"], "2018-05-10");
        assert_eq!(p["Format"], "JSON");
        let mut unsigned = p.clone();
        unsigned.remove("Signature");
        assert_eq!(
            p["Signature"],
            signer::sign("POST", &unsigned, &Secret::new("testsecret"))
        );
    }
}
