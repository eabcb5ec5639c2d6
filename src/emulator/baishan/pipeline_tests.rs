//! Tests of the Baishan pipeline through `handle`: routing, tokens, envelopes, call counts,
//! rate limits and hooks.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::handle;
use super::test_support::*;
use super::throttle::BaishanLimits;
use crate::emulator::{Refusal, RequestHook, RequestInfo};

#[test]
fn token_in_query_or_body() {
    let s = shared();
    let r = handle(
        &s,
        "GET",
        "/v2/domain/list",
        Some("token=testtoken"),
        b"",
        t0(),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["code"], 0);
    assert_eq!(r.json()["message"], "success");
    // The seed's examples put the token in the JSON body.
    let body = json!({"token": "testtoken", "domain": "a.com", "type": "page",
                      "config": {"origin": {"default_master": "1.1.1.1"}}});
    let r = handle(
        &s,
        "POST",
        "/v2/domain",
        None,
        body.to_string().as_bytes(),
        t0(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = handle(
        &s,
        "GET",
        "/v2/domain",
        Some("domains=a.com"),
        br#"{"token": "testtoken"}"#,
        t0(),
    );
    assert_eq!(r.json()["data"][0]["domain"], "a.com");
}

#[test]
fn missing_or_wrong_token_is_401_and_not_counted() {
    let s = shared();
    for (query, body) in [
        (None, &b""[..]),
        (Some("token=nope"), &b""[..]),
        (None, &br#"{"token": "nope"}"#[..]),
        (None, &br#"{"token": 5}"#[..]),
    ] {
        let r = handle(&s, "GET", "/v2/domain/list", query, body, t0());
        assert_eq!(r.status, 401, "{query:?}");
        let v = r.json();
        assert_eq!(v["code"], 401);
        assert!(v["data"].is_null());
        assert!(v["message"].as_str().unwrap().contains("token"));
        // Every answer carries the rate-limit headers, here with nothing used.
        assert_eq!(r.header("X-Ratelimit-Remaining"), Some("10000"));
        assert_eq!(r.header("X-Retry-After"), Some("0"));
    }
    assert_eq!(s.baishan_calls("GET /v2/domain/list"), 0);
    // A wrong token in the query is not rescued by a good one in the body.
    let r = handle(
        &s,
        "GET",
        "/v2/domain/list",
        Some("token=nope"),
        br#"{"token": "testtoken"}"#,
        t0(),
    );
    assert_eq!(r.status, 401);
}

#[test]
fn several_tokens_can_be_configured() {
    let mut s = shared();
    s.config.baishan_tokens = vec!["one".into(), "two".into()];
    let r = handle(&s, "GET", "/v2/domain/list", Some("token=two"), b"", t0());
    assert_eq!(r.status, 200);
    let r = handle(
        &s,
        "GET",
        "/v2/domain/list",
        Some("token=testtoken"),
        b"",
        t0(),
    );
    assert_eq!(r.status, 401);
}

#[test]
fn unknown_urls_and_bad_bodies() {
    let s = shared();
    let r = call_at(&s, t0(), "GET", "/v2/cdn/list", "", None);
    assert_eq!((r.status, r.json()["code"].clone()), (404, json!(404)));
    let r = call_at(&s, t0(), "PATCH", "/v2/domain", "", None);
    assert_eq!(r.status, 404);
    assert!(r.json()["data"].is_null());
    let r = handle(
        &s,
        "POST",
        "/v2/domain/config",
        Some("token=testtoken"),
        b"{oops",
        t0(),
    );
    assert_eq!((r.status, r.json()["code"].clone()), (400, json!(400)));
    assert_eq!(r.header("X-Ratelimit-Limit"), Some("10000"));
}

#[test]
fn calls_are_counted_by_method_and_path_and_reset() {
    let s = shared();
    call(&s, "GET", "/v2/domain/list", "", None);
    call(&s, "GET", "/v2/domain/list", "", None);
    // Failed calls count too.
    set_config(
        &s,
        "nope.com",
        json!({"origin": {"default_master": "1.1.1.1"}}),
    );
    assert_eq!(s.baishan_calls("GET /v2/domain/list"), 2);
    assert_eq!(s.baishan_calls("POST /v2/domain/config"), 1);
    assert_eq!(s.baishan_calls("GET /v2/domain"), 0);
    s.reset_calls();
    assert_eq!(s.baishan_calls("GET /v2/domain/list"), 0);
}

fn tiny() -> BaishanLimits {
    BaishanLimits {
        requests_per_window: 3,
        window: Duration::from_millis(100),
        config_per_minute: 2,
        config_window: Duration::from_millis(500),
    }
}

#[test]
fn every_answer_carries_the_rate_limit_headers() {
    let s = shared_with(0, BaishanLimits::default(), None);
    let r = call_at(&s, t0(), "GET", "/v2/domain/list", "", None);
    assert_eq!(r.header("X-Ratelimit-Grad"), Some("2s"));
    assert_eq!(r.header("X-Ratelimit-Limit"), Some("24"));
    assert_eq!(r.header("X-Ratelimit-Remaining"), Some("23"));
    assert_eq!(r.header("X-Retry-After"), Some("2"));
    // An error answer after the limiter has them as well.
    let r = call_at(&s, at(500), "GET", "/v2/domain", "domains=nope.com", None);
    assert_eq!(r.status, 404);
    assert_eq!(r.header("X-Ratelimit-Remaining"), Some("22"));
    assert_eq!(r.header("X-Retry-After"), Some("2"));
    // A config write reports its own per-minute window.
    let r = call_at(
        &s,
        at(600),
        "POST",
        "/v2/domain/config",
        "",
        Some(json!({"domains": "nope.com", "config": {}})),
    );
    assert_eq!(r.header("X-Ratelimit-Grad"), Some("minute"));
    assert_eq!(r.header("X-Ratelimit-Limit"), Some("30"));
    assert_eq!(r.header("X-Ratelimit-Remaining"), Some("29"));
    assert_eq!(r.header("X-Retry-After"), Some("60"));
}

#[test]
fn past_the_limit_is_429_without_doing_the_work_and_the_window_resets() {
    let s = shared_with(0, tiny(), None);
    for i in 0..3 {
        let r = call_at(&s, at(i), "GET", "/v2/domain/list", "", None);
        assert_eq!(r.status, 200);
    }
    let r = call_at(
        &s,
        at(10),
        "POST",
        "/v2/domain",
        "",
        Some(json!({"domain": "a.com", "type": "page",
                    "config": {"origin": {"default_master": "1.1.1.1"}}})),
    );
    assert_eq!(r.status, 429);
    let v = r.json();
    assert_eq!(v["code"], 429);
    assert!(v["data"].is_null());
    assert_eq!(r.header("X-Retry-After"), Some("1"));
    assert_eq!(r.header("X-Ratelimit-Remaining"), Some("0"));
    assert_eq!(r.header("X-Ratelimit-Grad"), Some("100ms"));
    // Not created; but counted.
    assert_eq!(s.snapshot().baishan.domains.len(), 0);
    assert_eq!(s.baishan_calls("POST /v2/domain"), 1);
    // The next window admits again.
    let r = call_at(&s, at(100), "GET", "/v2/domain/list", "", None);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("X-Ratelimit-Remaining"), Some("2"));
}

#[test]
fn config_writes_have_their_own_limit() {
    let s = shared_with(0, tiny(), None);
    add_at(&s, at(0), "a.com");
    let write = |ms| {
        call_at(
            &s,
            at(ms),
            "POST",
            "/v2/domain/config",
            "",
            Some(json!({"domains": "a.com", "config": {"origin_host": {"host": "o.a.com"}}})),
        )
    };
    assert_eq!(write(200).status, 200);
    assert_eq!(write(210).status, 200);
    let r = write(220);
    assert_eq!(r.status, 429);
    assert_eq!(r.header("X-Ratelimit-Grad"), Some("500ms"));
    assert_eq!(r.header("X-Ratelimit-Limit"), Some("2"));
    // Other endpoints are not held back by the config limit.
    assert_eq!(
        call_at(&s, at(230), "GET", "/v2/domain/list", "", None).status,
        200
    );
    // The config window opened at 200 ms and ends at 700 ms.
    assert_eq!(write(700).status, 200);
}

struct Busy;

impl RequestHook for Busy {
    fn on_request(&self, r: &RequestInfo<'_>) -> Option<Refusal> {
        (r.vendor == "baishan" && r.action == "POST /v2/domain" && r.caller == TOKEN).then(|| {
            Refusal {
                status: 503,
                code: "busy".into(),
                message: "try later".into(),
            }
        })
    }
}

#[test]
fn hooks_refuse_in_the_envelope() {
    let s = shared();
    s.add_hook(Arc::new(Busy));
    let r = call_at(
        &s,
        t0(),
        "POST",
        "/v2/domain",
        "",
        Some(json!({"domain": "a.com", "type": "page",
                    "config": {"origin": {"default_master": "1.1.1.1"}}})),
    );
    assert_eq!(r.status, 503);
    assert_eq!(
        r.json(),
        json!({"code": 503, "message": "try later", "data": null})
    );
    assert!(r.header("X-Ratelimit-Limit").is_some());
    assert_eq!(call(&s, "GET", "/v2/domain/list", "", None).0, 200);
}
