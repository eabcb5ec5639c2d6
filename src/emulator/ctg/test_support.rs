//! Test helpers shared by the CTG tests: a `Shared`, a token, and calls through `handle` at a
//! controlled time.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{json, Value};

use super::auth::{signature, DATE_FORMAT};
use super::error::Rendered;
use super::{handle, Headers};
use crate::emulator::server::Shared;
use crate::emulator::store::Store;
use crate::emulator::EmulatorConfig;

pub(crate) fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T01:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

pub(crate) fn at(ms: i64) -> DateTime<Utc> {
    t0() + TimeDelta::milliseconds(ms)
}

/// An emulator with a `delay_ms` configuring delay, a token lifetime and an optional file.
pub(crate) fn shared_with(delay_ms: u64, lifetime: Duration, store: Option<Store>) -> Shared {
    let config = EmulatorConfig {
        configuring_delay: Duration::from_millis(delay_ms),
        ctg_token_lifetime: lifetime,
        max_domains: 5,
        ..EmulatorConfig::default()
    };
    let world = store
        .as_ref()
        .map(|s| s.load().unwrap())
        .unwrap_or_default();
    Shared::new(config, world, store)
}

/// 1 s configuring, 2 h tokens, no file.
pub(crate) fn shared() -> Shared {
    shared_with(1000, Duration::from_secs(7200), None)
}

/// `POST /API/OAuth/token` for testid at `now` with a date `skew_s` seconds off.
pub(crate) fn token_call(s: &Shared, now: DateTime<Utc>, skew_s: i64, secret: &str) -> Rendered {
    let date = (now + TimeDelta::seconds(skew_s))
        .format(DATE_FORMAT)
        .to_string();
    let body = json!({"access_key": "testid", "signature": signature(&date, "testid", secret)})
        .to_string();
    let h = Headers {
        request_date: Some(&date),
        content_type: Some("application/json"),
        ..Headers::default()
    };
    handle(s, "POST", "/API/OAuth/token", None, h, body.as_bytes(), now)
}

/// A fresh token issued at `now`.
pub(crate) fn token_at(s: &Shared, now: DateTime<Utc>) -> String {
    let r = token_call(s, now, 0, "testsecret");
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["data"]["token"].as_str().unwrap().to_string()
}

/// One authenticated call at `now`; `path` may carry `?query`.
pub(crate) fn call_at(
    s: &Shared,
    token: &str,
    now: DateTime<Utc>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let auth = format!("Bearer {token}");
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let h = Headers {
        authorization: Some(&auth),
        content_type: Some("application/json"),
        request_date: None,
    };
    let r = handle(s, method, path, query, h, body.as_bytes(), now);
    (r.status, r.json())
}

/// A test emulator with a token, calling at `t0()` unless told.
pub(crate) struct Client {
    pub s: Shared,
    pub token: String,
}

impl Client {
    pub fn new() -> Self {
        Self::with(shared())
    }

    pub fn with(s: Shared) -> Self {
        let token = token_at(&s, t0());
        Client { s, token }
    }

    pub fn call_at(
        &self,
        now: DateTime<Utc>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        call_at(&self.s, &self.token, now, method, path, body)
    }

    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call_at(t0(), method, path, body)
    }

    /// The `data` of a call that must succeed.
    pub fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (st, v) = self.call(method, path, body);
        assert_eq!((st, &v["code"]), (200, &json!(1)), "{method} {path}: {v}");
        v["data"].clone()
    }

    /// Creates `name` (web, one IP origin) at `t0()`.
    pub fn add(&self, name: &str) -> Value {
        self.ok("POST", "/API/domain", Some(json!({
            "domain": name, "product": "web",
            "origin": [{"address": "1.1.1.1", "type": "ip", "port": 80, "priority": 1, "weight": 10}],
        })))
    }
}
