//! The HTTP side of the CTG API: one `reqwest` client, the bearer token
//! (fetched with the signed token call, cached until shortly before its
//! `expire`, one refresh at a time for all concurrent calls, fetched again
//! once after a 401), JSON bodies, the `{code, message, data}` envelope,
//! retries of retryable failures (`provider::retry`), and one cap on the
//! calls in flight for the whole client.

use super::error::{self as cerr, Effect, VENDOR};
use super::signer;
use super::CtgConfig;
use crate::model::Secret;
use crate::provider::retry::{self, RetryPolicy};
use crate::provider::{CallObserver, ErrorKind, ProviderError};
use reqwest::{Method, Url};
use serde_json::{json, Value};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

pub const DEFAULT_ENDPOINT: &str = "https://ctgcdn.esurfingcloud.com";
pub const TOKEN_PATH: &str = "/API/OAuth/token";
/// A cached token is replaced this long before its `expire`.
const EXPIRY_MARGIN_SECS: i64 = 120;
/// MODELLED: token lifetime when an answer carries no `expire` (2 hours).
const DEFAULT_LIFETIME_SECS: i64 = 7200;
/// Calls one client keeps in flight at most, all callers together.
/// ASSUMPTION: CTG documents no rate limit and no limit on concurrent
/// connections (see API-NOTES, CTG); 64 keeps a refresh of `-parallelism`
/// domains (16 calls each) from opening hundreds of connections at once,
/// while leaving enough in flight that a read costs one round trip.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 64;

/// How the client sleeps between retries; injected by tests so that waits
/// take no time and can be inspected.
pub type SleepFn = Arc<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

fn tokio_sleep() -> SleepFn {
    Arc::new(|d| Box::pin(tokio::time::sleep(d)))
}

/// One API call: method, path, query, optional JSON body.
#[derive(Clone, Debug)]
pub struct Call {
    pub method: Method,
    pub path: &'static str,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Value>,
    pub effect: Effect,
}

impl Call {
    pub fn get(path: &'static str, query: Vec<(&'static str, String)>) -> Call {
        Call {
            method: Method::GET,
            path,
            query,
            body: None,
            effect: Effect::Read,
        }
    }

    pub fn write(method: Method, path: &'static str, body: Option<Value>) -> Call {
        Call {
            method,
            path,
            query: Vec::new(),
            body,
            effect: Effect::Write,
        }
    }

    /// `PUT /API/domain/origin`.
    pub fn action(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

#[derive(Clone)]
struct Token {
    value: Secret,
    /// Unix seconds.
    expire: i64,
    /// Replace it this many seconds before `expire`: two minutes for the
    /// usual two-hour token, less for short-lived ones (a tenth of their
    /// lifetime) so they are not renewed on every call.
    margin: i64,
}

pub struct Client {
    http: reqwest::Client,
    base: Url,
    access_key: String,
    secret_key: Secret,
    retry: RetryPolicy,
    observer: Option<Arc<dyn CallObserver>>,
    /// Held across a refresh, so concurrent calls wait for one token call.
    token: tokio::sync::Mutex<Option<Token>>,
    /// One permit per HTTP exchange in flight (`max_in_flight`); held for
    /// the exchange only, never across a retry's wait or the token mutex.
    in_flight: Semaphore,
    max_in_flight: usize,
    sleep: SleepFn,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .field("access_key", &self.access_key)
            .field("secret_key", &self.secret_key)
            .field("retry", &self.retry)
            .field("max_in_flight", &self.max_in_flight)
            .finish_non_exhaustive()
    }
}

fn config_error(message: String) -> ProviderError {
    ProviderError::new(VENDOR, "configure", ErrorKind::Invalid, message)
}

/// The base URL (see `provider::endpoint`).
pub fn parse_endpoint(endpoint: &str) -> Result<Url, ProviderError> {
    crate::provider::endpoint::parse_endpoint(VENDOR, endpoint)
}

impl Client {
    #[allow(clippy::result_large_err)]
    pub fn new(config: &CtgConfig) -> Result<Self, ProviderError> {
        let base = parse_endpoint(&config.endpoint)?;
        if config.access_key.trim().is_empty() || config.secret_key.expose().trim().is_empty() {
            return Err(config_error(
                "ctg access_key and secret_key must both be set".into(),
            ));
        }
        if config.max_in_flight == 0 {
            return Err(config_error("ctg max_in_flight must be at least 1".into()));
        }
        let http = crate::provider::endpoint::http_client(VENDOR)?;
        Ok(Client {
            http,
            base,
            access_key: config.access_key.clone(),
            secret_key: config.secret_key.clone(),
            retry: config.retry.clone(),
            observer: config.observer.clone(),
            token: tokio::sync::Mutex::new(None),
            in_flight: Semaphore::new(config.max_in_flight),
            max_in_flight: config.max_in_flight,
            sleep: tokio_sleep(),
        })
    }

    /// Replace how the client sleeps between retries (tests: record, return
    /// at once).
    #[cfg(test)]
    pub fn set_sleep(&mut self, sleep: SleepFn) {
        self.sleep = sleep;
    }

    pub fn observer(&self) -> Option<&dyn CallObserver> {
        self.observer.as_deref()
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The call with retries of retryable errors; writes also retry a lost
    /// answer when `idempotent`. Returns the envelope's `data`.
    pub async fn call(&self, call: &Call, idempotent: bool) -> Result<Value, ProviderError> {
        self.call_if(call, |e| {
            e.kind.is_retryable() || (idempotent && e.kind == ErrorKind::OutcomeUnknown)
        })
        .await
    }

    /// The call with retries of the errors `should_retry` accepts.
    pub async fn call_if(
        &self,
        call: &Call,
        should_retry: impl Fn(&ProviderError) -> bool,
    ) -> Result<Value, ProviderError> {
        let sleep = self.sleep.clone();
        retry::retry_with(
            &self.retry,
            self.observer.as_deref(),
            should_retry,
            move |d| sleep(d),
            rand::random::<f64>,
            || self.attempt(call),
        )
        .await
    }

    /// One attempt; a 401 invalidates the token, and the call is made once
    /// more with a fresh one.
    async fn attempt(&self, call: &Call) -> Result<Value, ProviderError> {
        let token = self.token().await?;
        match self.exchange(call, &token).await {
            Err(e) if e.http_status == Some(401) => {
                self.invalidate(&token).await;
                let token = self.token().await?;
                self.exchange(call, &token).await
            }
            other => other,
        }
    }

    /// The cached token, or a new one. Concurrent callers queue on the
    /// mutex, so only the first of them makes the token call.
    async fn token(&self) -> Result<Secret, ProviderError> {
        let mut cached = self.token.lock().await;
        let now = chrono::Utc::now().timestamp();
        if let Some(t) = cached.as_ref().filter(|t| t.expire - t.margin > now) {
            return Ok(t.value.clone());
        }
        let fresh = self.authenticate().await?;
        let value = fresh.value.clone();
        *cached = Some(fresh);
        Ok(value)
    }

    /// Forget `used` (refused with a 401) unless another call replaced it.
    async fn invalidate(&self, used: &Secret) {
        let mut cached = self.token.lock().await;
        if cached.as_ref().is_some_and(|t| t.value == *used) {
            *cached = None;
        }
    }

    fn url(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        url.set_path(&format!("{}{path}", self.base.path().trim_end_matches('/')));
        url
    }

    /// `POST /API/OAuth/token` with the signed date.
    async fn authenticate(&self) -> Result<Token, ProviderError> {
        let action = format!("POST {TOKEN_PATH}");
        if let Some(o) = &self.observer {
            o.on_call(VENDOR, &action);
        }
        let date = signer::request_date(chrono::Utc::now());
        let signature = signer::sign(&date, &self.access_key, &self.secret_key);
        let body = json!({"access_key": self.access_key, "signature": signature});
        let req = self
            .http
            .post(self.url(TOKEN_PATH))
            .header("x-request-date", &date)
            .json(&body);
        let secrets = [self.secret_key.expose(), signature.as_str()];
        let (status, parsed, retry_after) = self.send(req, &action, Effect::Read, &secrets).await?;
        if matches!(status, 401 | 403) {
            let detail = parsed
                .as_ref()
                .ok()
                .and_then(|b| b["error"].as_str())
                .map(|d| format!(": {}", cerr::scrub(d, &secrets)))
                .unwrap_or_default();
            let mut e = ProviderError::new(
                VENDOR,
                action,
                ErrorKind::Auth,
                format!(
                    "the credentials were refused (access key {:?}){detail}; check access_key and secret_key",
                    self.access_key
                ),
            );
            e.http_status = Some(status);
            return Err(e);
        }
        let data = Self::data(&action, status, parsed, retry_after, Effect::Read, &secrets)?;
        let value = data["token"]
            .as_str()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| cerr::malformed(&action, "no data.token", Effect::Read))?;
        let expire = match &data["expire"] {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
        .unwrap_or_else(|| chrono::Utc::now().timestamp() + DEFAULT_LIFETIME_SECS);
        let lifetime = expire - chrono::Utc::now().timestamp();
        Ok(Token {
            value: Secret::new(value),
            expire,
            margin: EXPIRY_MARGIN_SECS.min(lifetime / 10).max(0),
        })
    }

    async fn exchange(&self, call: &Call, token: &Secret) -> Result<Value, ProviderError> {
        let action = call.action();
        if let Some(o) = &self.observer {
            o.on_call(VENDOR, &action);
        }
        let mut req = self
            .http
            .request(call.method.clone(), self.url(call.path))
            .bearer_auth(token.expose())
            .header("Content-Type", "application/json");
        if !call.query.is_empty() {
            req = req.query(&call.query);
        }
        if let Some(body) = &call.body {
            req = req.json(body);
        }
        let secrets = [self.secret_key.expose(), token.expose()];
        let (status, parsed, retry_after) = self.send(req, &action, call.effect, &secrets).await?;
        Self::data(&action, status, parsed, retry_after, call.effect, &secrets)
    }

    /// Send, returning the status, the parsed body (or why it is not JSON)
    /// and any Retry-After.
    async fn send(
        &self,
        req: reqwest::RequestBuilder,
        action: &str,
        effect: Effect,
        secrets: &[&str],
    ) -> Result<(u16, Result<Value, String>, Option<Duration>), ProviderError> {
        // Held until the whole answer is read: the call is in flight until then.
        let _permit = self
            .in_flight
            .acquire()
            .await
            .expect("the in-flight semaphore is never closed");
        let response = req.send().await.map_err(|e| {
            let sent = !e.is_connect() && !e.is_builder();
            let what = if e.is_timeout() {
                "timed out"
            } else if e.is_connect() {
                "could not connect"
            } else {
                "connection failed"
            };
            cerr::transport(
                action,
                format!("{what}: {}", describe(e, secrets)),
                sent,
                effect,
            )
        })?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = response.text().await.map_err(|e| {
            let m = format!("answer lost while reading: {}", describe(e, secrets));
            cerr::transport(action, m, true, effect)
        })?;
        Ok((
            status,
            crate::provider::answer::parse_json(&text),
            retry_after,
        ))
    }

    /// The envelope's `data` of a success, or the error the answer means.
    fn data(
        action: &str,
        status: u16,
        parsed: Result<Value, String>,
        retry_after: Option<Duration>,
        effect: Effect,
        secrets: &[&str],
    ) -> Result<Value, ProviderError> {
        let success = (200..300).contains(&status);
        let why = match &parsed {
            Err(why) => why.clone(),
            Ok(_) => "no {code, message, data} envelope".into(),
        };
        match parsed.ok() {
            Some(mut body) if success && cerr::envelope_code(&body) == Some(1) => {
                Ok(body["data"].take())
            }
            Some(body) if success && cerr::envelope_code(&body).is_some() => Err(
                cerr::from_answer(action, status, Some(&body), retry_after, secrets),
            ),
            _ if success => Err(cerr::malformed(action, why, effect)),
            None => {
                let mut e = cerr::from_answer(action, status, None, retry_after, secrets);
                e.message = crate::provider::answer::no_error_message(status, Some(&why));
                Err(e)
            }
            body => Err(cerr::from_answer(
                action,
                status,
                body.as_ref(),
                retry_after,
                secrets,
            )),
        }
    }
}

/// An HTTP error's causes, without its URL, scrubbed of the secrets.
fn describe(e: reqwest::Error, secrets: &[&str]) -> String {
    let e = e.without_url();
    let mut out = String::new();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&s.to_string());
        source = s.source();
    }
    if out.is_empty() {
        out = e.to_string();
    }
    cerr::scrub(&out, secrets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        assert_eq!(
            parse_endpoint(DEFAULT_ENDPOINT).unwrap().as_str(),
            "https://ctgcdn.esurfingcloud.com/"
        );
        assert!(parse_endpoint("ctgcdn.esurfingcloud.com").is_ok());
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
        ] {
            assert!(parse_endpoint(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://ctgcdn.esurfingcloud.com",
            "http://10.0.0.1",
            "ftp://127.0.0.1",
            "",
            "https://x.com?a=b",
        ] {
            assert_eq!(
                parse_endpoint(bad).unwrap_err().kind,
                ErrorKind::Invalid,
                "{bad}"
            );
        }
    }
}
