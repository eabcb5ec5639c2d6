//! Test helpers shared by the Alibaba action tests: a controlled clock, a `Shared` built
//! from a config, and a signed JSON call through `handle`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::model::gmt;
use super::throttle::AliyunLimits;
use super::{handle, signature};
use crate::emulator::server::Shared;
use crate::emulator::store::Store;
use crate::emulator::EmulatorConfig;

pub(crate) fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-05-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// An emulator with a `delay_ms` configuring delay, at most `max` domains, no call limits
/// (tests run many calls at one instant) and an optional file.
pub(crate) fn shared_with(delay_ms: u64, max: usize, store: Option<Store>) -> Shared {
    shared_from(
        EmulatorConfig {
            configuring_delay: Duration::from_millis(delay_ms),
            max_domains: max,
            aliyun_limits: AliyunLimits::unlimited(),
            ..EmulatorConfig::default()
        },
        store,
    )
}

/// An emulator with `config` (its world loaded from `store` when there is one).
pub(crate) fn shared_from(config: EmulatorConfig, store: Option<Store>) -> Shared {
    let world = store
        .as_ref()
        .map(|s| s.load().unwrap())
        .unwrap_or_default();
    Shared::new(config, world, store)
}

/// A signed GET query at `now` in `format` (`None`: no `Format`, i.e. XML), with a fresh
/// nonce: `Action=...&...&Signature=...`.
pub(crate) fn signed_query(
    now: DateTime<Utc>,
    version: &str,
    action: &str,
    extra: &[(&str, &str)],
    format: Option<&str>,
) -> String {
    let nonce = uuid::Uuid::new_v4().to_string();
    let ts = gmt(now);
    let mut pairs: Vec<(&str, &str)> = vec![
        ("Action", action),
        ("Version", version),
        ("AccessKeyId", "testid"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", &nonce),
        ("Timestamp", &ts),
    ];
    if let Some(f) = format {
        pairs.push(("Format", f));
    }
    pairs.extend_from_slice(extra);
    let sig = signature::sign(
        "testsecret",
        &signature::string_to_sign("GET", &signature::canonical_query(pairs.clone())),
    );
    let query: Vec<String> = pairs
        .iter()
        .chain([("Signature", sig.as_str())].iter())
        .map(|(k, v)| {
            format!(
                "{}={}",
                signature::percent_encode(k),
                signature::percent_encode(v)
            )
        })
        .collect();
    query.join("&")
}

/// Signs and handles one request at `now` in `format` (`None`: no `Format`, i.e. XML).
fn signed_call(
    s: &Shared,
    now: DateTime<Utc>,
    version: &str,
    action: &str,
    extra: &[(&str, &str)],
    format: Option<&str>,
) -> (u16, String) {
    let query = signed_query(now, version, action, extra, format);
    let r = handle(s, "GET", Some(&query), None, b"", now);
    (r.status, r.body)
}

/// Signs and handles one JSON request at `now`; returns (status, body).
pub(crate) fn call_at(
    s: &Shared,
    now: DateTime<Utc>,
    version: &str,
    action: &str,
    extra: &[(&str, &str)],
) -> (u16, Value) {
    let (status, body) = signed_call(s, now, version, action, extra, Some("JSON"));
    (status, serde_json::from_str(&body).unwrap())
}

/// Signs and handles one 2018-05-10 request at `t0()` without `Format`; returns the XML body
/// of a 200 answer.
pub(crate) fn xml_call(s: &Shared, action: &str, extra: &[(&str, &str)]) -> String {
    let (status, body) = signed_call(s, t0(), V18, action, extra, None);
    assert_eq!(status, 200, "{body}");
    body
}

pub(crate) const V18: &str = "2018-05-10";
pub(crate) const V14: &str = "2014-11-11";
pub(crate) const IP_SRC: &str =
    r#"[{"content":"1.1.1.1","type":"ipaddr","port":80,"priority":"20","weight":"10"}]"#;

pub(crate) fn add18(s: &Shared, now: DateTime<Utc>, name: &str) -> (u16, Value) {
    call_at(
        s,
        now,
        V18,
        "AddCdnDomain",
        &[
            ("DomainName", name),
            ("CdnType", "web"),
            ("Sources", IP_SRC),
        ],
    )
}

pub(crate) fn code(v: &Value) -> &str {
    v["Code"].as_str().unwrap_or("")
}

pub(crate) fn status_of(s: &Shared, now: DateTime<Utc>, name: &str) -> String {
    let (_, v) = call_at(
        s,
        now,
        V18,
        "DescribeCdnDomainDetail",
        &[("DomainName", name)],
    );
    v["GetDomainDetailModel"]["DomainStatus"]
        .as_str()
        .unwrap()
        .to_string()
}
