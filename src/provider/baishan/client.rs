//! The HTTP side of the Baishan v2 API: one `reqwest` client, the token in
//! the query string, JSON bodies, the `{code, message, data}` envelope, the
//! shared rate limiter (waits reported to the observer), 429 answers waited
//! out, and retries of other retryable failures (`provider::retry`).

use super::error::{self as berr, Effect, VENDOR};
#[cfg(test)]
use super::rate_limit::RateLimits;
use super::rate_limit::{Class, Limiter, RateHeaders};
use super::BaishanConfig;
use crate::model::Secret;
use crate::provider::retry::{self, RetryPolicy};
use crate::provider::{CallObserver, ErrorKind, ProviderError};
use reqwest::{Method, Url};
use serde_json::Value;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const DEFAULT_ENDPOINT: &str = "https://cdn.api.baishan.com/v2";
/// Rate-limit waits longer than this are reported to the observer.
const REPORT_WAIT: Duration = Duration::from_secs(1);
/// 429 answers in a row to one call before it gives up as throttled.
const MAX_THROTTLED: u32 = 10;

/// How the client sleeps; injected by tests so that waits take no time.
pub type SleepFn = Arc<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// One API call: method and path below the base URL, query parameters
/// (the token is added), an optional JSON body.
#[derive(Clone, Debug)]
pub struct Call {
    pub method: Method,
    pub path: &'static str,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Value>,
    pub class: Class,
    pub effect: Effect,
}

impl Call {
    pub fn get(path: &'static str, query: Vec<(&'static str, String)>) -> Call {
        Call {
            method: Method::GET,
            path,
            query,
            body: None,
            class: Class::General,
            effect: Effect::Read,
        }
    }

    pub fn write(method: Method, path: &'static str, body: Option<Value>) -> Call {
        Call {
            method,
            path,
            query: Vec::new(),
            body,
            class: Class::General,
            effect: Effect::Write,
        }
    }

    /// The name errors and the observer use: `POST /domain/config`.
    pub fn action(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

pub struct Client {
    http: reqwest::Client,
    base: Url,
    token: Secret,
    retry: RetryPolicy,
    observer: Option<Arc<dyn CallObserver>>,
    limiter: Mutex<Limiter>,
    sleep: SleepFn,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .field("token", &self.token)
            .field("retry", &self.retry)
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

fn tokio_sleep() -> SleepFn {
    Arc::new(|d| Box::pin(tokio::time::sleep(d)))
}

/// What one HTTP exchange gave: the envelope's data, or a 429 to wait out.
enum Answer {
    Data(Value),
    TooMany(Option<Duration>),
}

impl Client {
    #[allow(clippy::result_large_err)]
    pub fn new(config: &BaishanConfig) -> Result<Self, ProviderError> {
        let base = parse_endpoint(&config.endpoint)?;
        if config.token.expose().trim().is_empty() {
            return Err(config_error("baishan token is empty".into()));
        }
        let http = crate::provider::endpoint::http_client(VENDOR)?;
        Ok(Client {
            http,
            base,
            token: config.token.clone(),
            retry: config.retry.clone(),
            observer: config.observer.clone(),
            limiter: Mutex::new(Limiter::new(config.limits)),
            sleep: tokio_sleep(),
        })
    }

    /// Replace how the client sleeps (tests: record, return at once).
    #[cfg(test)]
    pub fn set_sleep(&mut self, sleep: SleepFn) {
        self.sleep = sleep;
    }

    #[cfg(test)]
    pub fn set_limits(&mut self, limits: RateLimits) {
        self.limiter = Mutex::new(Limiter::new(limits));
    }

    pub fn observer(&self) -> Option<&dyn CallObserver> {
        self.observer.as_deref()
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Sleep as the client sleeps (tests replace it).
    pub fn sleep(&self, wait: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        (self.sleep)(wait)
    }

    /// The call with retries of retryable errors; writes also retry a lost
    /// answer when `idempotent`. Returns the envelope's `data`.
    pub async fn call(&self, call: &Call, idempotent: bool) -> Result<Value, ProviderError> {
        self.call_if(call, |e| {
            e.kind.is_retryable() || (idempotent && e.kind == ErrorKind::OutcomeUnknown)
        })
        .await
    }

    /// The call with retries of the errors `should_retry` accepts (429
    /// answers are waited out within each attempt all the same).
    pub async fn call_if(
        &self,
        call: &Call,
        should_retry: impl Fn(&ProviderError) -> bool,
    ) -> Result<Value, ProviderError> {
        let sleep = self.sleep.clone();
        retry::retry_with(
            &self.retry,
            self.observer(),
            should_retry,
            move |d| sleep(d),
            rand::random::<f64>,
            || self.attempt(call),
        )
        .await
    }

    /// One attempt: 429 answers are waited out here (they are the rate
    /// limit speaking, not a failure), up to `MAX_THROTTLED` in a row.
    async fn attempt(&self, call: &Call) -> Result<Value, ProviderError> {
        let action = call.action();
        let mut throttled = 0;
        loop {
            self.acquire(call.class, &action).await;
            if let Some(o) = self.observer() {
                o.on_call(VENDOR, &action);
            }
            match self.exchange(call, &action).await? {
                Answer::Data(v) => return Ok(v),
                Answer::TooMany(after) => {
                    throttled += 1;
                    let wait = after.unwrap_or(Duration::from_secs(1));
                    if throttled >= MAX_THROTTLED {
                        let mut e = ProviderError::new(
                            VENDOR,
                            action,
                            ErrorKind::Throttled,
                            format!("still rate limited after {throttled} waits"),
                        );
                        e.http_status = Some(429);
                        e.retry_after = Some(wait);
                        return Err(e);
                    }
                    self.limiter
                        .lock()
                        .unwrap()
                        .block(call.class, Instant::now() + wait);
                }
            }
        }
    }

    /// Wait for a slot of `class` (a config write: its own limit, then the
    /// per-token one).
    async fn acquire(&self, class: Class, action: &str) {
        if class == Class::Config {
            let at = self
                .limiter
                .lock()
                .unwrap()
                .reserve(Class::Config, Instant::now());
            self.wait_until(at, action).await;
        }
        let at = self
            .limiter
            .lock()
            .unwrap()
            .reserve(Class::General, Instant::now());
        self.wait_until(at, action).await;
    }

    async fn wait_until(&self, at: Instant, action: &str) {
        let wait = at.saturating_duration_since(Instant::now());
        if wait.is_zero() {
            return;
        }
        if wait > REPORT_WAIT {
            if let Some(o) = self.observer() {
                o.on_rate_limit_wait(VENDOR, action, wait);
            }
        }
        (self.sleep)(wait).await;
    }

    fn url(&self, call: &Call) -> Url {
        let mut url = self.base.clone();
        url.set_path(&format!(
            "{}{}",
            self.base.path().trim_end_matches('/'),
            call.path
        ));
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("token", self.token.expose());
            for (k, v) in &call.query {
                q.append_pair(k, v);
            }
        }
        url
    }

    async fn exchange(&self, call: &Call, action: &str) -> Result<Answer, ProviderError> {
        let url = self.url(call);
        let mut req = self.http.request(call.method.clone(), url);
        if let Some(body) = &call.body {
            req = req.json(body);
        }
        let response = req
            .send()
            .await
            .map_err(|e| self.send_error(action, e, call.effect))?;
        let status = response.status().as_u16();
        let headers = RateHeaders::from_headers(response.headers());
        self.limiter
            .lock()
            .unwrap()
            .observe(call.class, Instant::now(), &headers);
        let text = response.text().await.map_err(|e| {
            berr::transport(
                action,
                format!("answer lost while reading: {}", self.describe(e)),
                true,
                call.effect,
            )
        })?;
        let body = crate::provider::answer::parse_json(&text);
        let parsed: Option<Value> = body.as_ref().ok().cloned();
        let code = parsed.as_ref().and_then(berr::envelope_code);
        if status == 429 || code == Some(429) {
            return Ok(Answer::TooMany(headers.retry_after));
        }
        match (&parsed, code) {
            (Some(body), Some(0)) if (200..300).contains(&status) => {
                Ok(Answer::Data(body["data"].clone()))
            }
            (None, _) | (Some(_), None) if (200..300).contains(&status) => Err(berr::malformed(
                action,
                body.err()
                    .unwrap_or_else(|| "no {code, message, data} envelope".into()),
                call.effect,
            )),
            _ => {
                let mut e = berr::from_answer(
                    action,
                    status,
                    parsed.as_ref(),
                    headers.retry_after,
                    self.token.expose(),
                );
                if let Err(why) = &body {
                    e.message = crate::provider::answer::no_error_message(status, Some(why));
                }
                Err(e)
            }
        }
    }

    /// A send that failed: before the connection was made nothing reached
    /// the server; after it, the request may have been processed.
    fn send_error(&self, action: &str, e: reqwest::Error, effect: Effect) -> ProviderError {
        let sent = !e.is_connect() && !e.is_builder();
        let what = if e.is_timeout() {
            "timed out"
        } else if e.is_connect() {
            "could not connect"
        } else {
            "connection failed"
        };
        let url = e.url().map(berr::redact_url);
        let mut message = format!("{what}: {}", self.describe(e));
        if let Some(u) = url {
            message.push_str(&format!(" ({u})"));
        }
        berr::transport(action, message, sent, effect)
    }

    /// The error's causes, without its URL (which carries the token), and
    /// scrubbed of the token in case a cause quotes it.
    fn describe(&self, e: reqwest::Error) -> String {
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
        berr::scrub(&out, self.token.expose())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        assert_eq!(
            parse_endpoint(DEFAULT_ENDPOINT).unwrap().as_str(),
            "https://cdn.api.baishan.com/v2"
        );
        assert_eq!(
            parse_endpoint("cdn.api.baishan.com/v2/").unwrap().as_str(),
            "https://cdn.api.baishan.com/v2"
        );
        for ok in [
            "http://127.0.0.1:8080/v2",
            "http://localhost:1",
            "http://[::1]:9/v2",
        ] {
            assert!(parse_endpoint(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://cdn.api.baishan.com/v2",
            "http://10.0.0.1/v2",
            "ftp://127.0.0.1",
            "",
            "https://cdn.api.baishan.com/v2?token=x",
        ] {
            assert_eq!(
                parse_endpoint(bad).unwrap_err().kind,
                ErrorKind::Invalid,
                "{bad}"
            );
        }
    }
}
