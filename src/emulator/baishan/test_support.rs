//! Test helpers shared by the Baishan tests: a `Shared` built from limits, and calls through
//! `handle` at a controlled time.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{json, Value};

use super::handle;
use super::response::Rendered;
use super::throttle::BaishanLimits;
use crate::emulator::server::Shared;
use crate::emulator::store::Store;
use crate::emulator::EmulatorConfig;

pub(crate) const TOKEN: &str = "testtoken";

pub(crate) fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-05-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

pub(crate) fn at(ms: i64) -> DateTime<Utc> {
    t0() + TimeDelta::milliseconds(ms)
}

/// Limits too large to get in the way of tests that are not about them.
pub(crate) fn roomy() -> BaishanLimits {
    BaishanLimits {
        requests_per_window: 10_000,
        window: Duration::from_secs(2),
        config_per_minute: 10_000,
        config_window: Duration::from_secs(60),
    }
}

pub(crate) fn shared_with(delay_ms: u64, limits: BaishanLimits, store: Option<Store>) -> Shared {
    let config = EmulatorConfig {
        configuring_delay: Duration::from_millis(delay_ms),
        baishan_limits: limits,
        max_domains: 20,
        ..EmulatorConfig::default()
    };
    let world = store
        .as_ref()
        .map(|s| s.load().unwrap())
        .unwrap_or_default();
    Shared::new(config, world, store)
}

/// A fresh emulator: 1 s deploying, roomy limits, no file.
pub(crate) fn shared() -> Shared {
    shared_with(1000, roomy(), None)
}

/// One request with the token in the query; `query` is added after it.
pub(crate) fn call_at(
    s: &Shared,
    now: DateTime<Utc>,
    method: &str,
    path: &str,
    query: &str,
    body: Option<Value>,
) -> Rendered {
    let q = if query.is_empty() {
        format!("token={TOKEN}")
    } else {
        format!("token={TOKEN}&{query}")
    };
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    handle(s, method, path, Some(&q), body.as_bytes(), now)
}

/// `call_at` at `t0()`, returning (status, envelope).
pub(crate) fn call(
    s: &Shared,
    method: &str,
    path: &str,
    query: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let r = call_at(s, t0(), method, path, query, body);
    (r.status, r.json())
}

/// Adds `name` (type page, origin 1.1.1.1) at `now` and asserts success.
pub(crate) fn add_at(s: &Shared, now: DateTime<Utc>, name: &str) -> Value {
    let r = call_at(
        s,
        now,
        "POST",
        "/v2/domain",
        "",
        Some(json!({"domain": name, "type": "page",
                    "config": {"origin": {"default_master": "1.1.1.1"}}})),
    );
    let v = r.json();
    assert_eq!((r.status, &v["code"]), (200, &json!(0)), "{v}");
    v["data"].clone()
}

pub(crate) fn add(s: &Shared, name: &str) -> Value {
    add_at(s, t0(), name)
}

/// Writes `config` to `domains` at `t0()`.
pub(crate) fn set_config(s: &Shared, domains: &str, config: Value) -> (u16, Value) {
    call(
        s,
        "POST",
        "/v2/domain/config",
        "",
        Some(json!({"domains": domains, "config": config})),
    )
}

/// The stored configuration of one domain (every item).
pub(crate) fn config_of(s: &Shared, domain: &str) -> Value {
    let (st, v) = call(
        s,
        "GET",
        "/v2/domain/config",
        &format!("domains={domain}"),
        None,
    );
    assert_eq!(st, 200, "{v}");
    v["data"][0]["config"].clone()
}
