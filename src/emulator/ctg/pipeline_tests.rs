//! Tests of the CTG request pipeline through `handle`: the token call, bearer checks,
//! routing, content type, call counts and hooks.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::test_support::{at, call_at, shared, shared_with, t0, token_at, token_call, Client};
use super::{handle, Headers};
use crate::emulator::hooks::{Refusal, RequestHook, RequestInfo};

#[test]
fn token_call_issues_a_token_in_the_envelope() {
    let s = shared();
    let r = token_call(&s, t0(), 0, "testsecret");
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(
        (v["code"].clone(), v["message"].clone()),
        (json!(1), json!("OK"))
    );
    let d = &v["data"];
    assert!(d["token"].as_str().unwrap().len() >= 32);
    assert!(!d["refresh_token"].as_str().unwrap().is_empty());
    assert_eq!(d["expire"], json!(t0().timestamp() + 7200));
    assert_eq!(d["username"], "testid");
    assert_eq!(d["uid"].as_str().unwrap().len(), 10);
    assert_eq!(s.ctg_calls("POST /API/OAuth/token"), 1);
}

#[test]
fn token_call_refuses_stale_dates_and_bad_signatures() {
    let s = shared();
    for (skew, secret) in [(301, "testsecret"), (-301, "testsecret"), (0, "wrong")] {
        let r = token_call(&s, t0(), skew, secret);
        assert_eq!(r.status, 401, "{skew} {secret}");
        assert!(r.json()["error"].is_string());
    }
    assert_eq!(token_call(&s, t0(), 299, "testsecret").status, 200);
    // Missing date header.
    let body = json!({"access_key": "testid", "signature": "x"}).to_string();
    let r = handle(
        &s,
        "POST",
        "/API/OAuth/token",
        None,
        Headers::default(),
        body.as_bytes(),
        t0(),
    );
    assert_eq!(r.status, 401);
    // Missing body fields are a 400.
    let r = handle(
        &s,
        "POST",
        "/API/OAuth/token",
        None,
        Headers::default(),
        b"{}",
        t0(),
    );
    assert_eq!(r.status, 400);
    // Every token request counts.
    assert_eq!(s.ctg_calls("POST /API/OAuth/token"), 6);
}

#[test]
fn bearer_tokens_unknown_missing_and_expired() {
    let s = shared_with(0, Duration::from_millis(500), None);
    let token = token_at(&s, t0());
    let (st, v) = call_at(&s, &token, at(499), "GET", "/API/domain/list", None);
    assert_eq!(st, 200, "{v}");
    let (st, v) = call_at(&s, &token, at(500), "GET", "/API/domain/list", None);
    assert_eq!((st, v), (401, json!({"error": "token expired"})));
    let (st, v) = call_at(&s, "nope", t0(), "GET", "/API/domain/list", None);
    assert_eq!((st, v), (401, json!({"error": "invalid token"})));
    let r = handle(
        &s,
        "GET",
        "/API/domain/list",
        None,
        Headers::default(),
        b"",
        t0(),
    );
    assert_eq!(
        (r.status, r.json()),
        (401, json!({"error": "invalid token"}))
    );
    // Only the accepted call counts; a fresh token works again.
    assert_eq!(s.ctg_calls("GET /API/domain/list"), 1);
    let fresh = token_at(&s, at(600));
    assert_eq!(
        call_at(&s, &fresh, at(700), "GET", "/API/domain/list", None).0,
        200
    );
    s.reset_calls();
    assert_eq!(s.ctg_calls("GET /API/domain/list"), 0);
    assert_eq!(s.ctg_calls("POST /API/OAuth/token"), 0);
}

#[test]
fn unknown_paths_methods_and_content_types() {
    let c = Client::new();
    assert_eq!(c.call("GET", "/API/nothing", None).0, 404);
    assert_eq!(c.call("POST", "/API/domain/https", None).0, 404);
    assert_eq!(c.call("PUT", "/API/domain/ip_acl", None).0, 404);
    assert_eq!(c.call("GET", "/API/domain/bogus", None).0, 404);
    let auth = format!("Bearer {}", c.token);
    let h = Headers {
        authorization: Some(&auth),
        content_type: Some("text/plain"),
        request_date: None,
    };
    let body = json!({"domain": "a.com"}).to_string();
    let r = handle(
        &c.s,
        "PUT",
        "/API/domain/enable",
        None,
        h,
        body.as_bytes(),
        t0(),
    );
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].as_str().unwrap().contains("Content-Type"));
    let h = Headers {
        content_type: Some("application/json; charset=utf-8"),
        ..h
    };
    let r = handle(&c.s, "PUT", "/API/domain/enable", None, h, b"[1]", t0());
    assert_eq!(r.status, 400, "{}", r.body);
    let r = handle(
        &c.s,
        "PUT",
        "/API/domain/enable",
        None,
        h,
        body.as_bytes(),
        t0(),
    );
    assert_eq!(r.status, 404, "{}", r.body);
}

struct RefuseWrites;

impl RequestHook for RefuseWrites {
    fn on_request(&self, r: &RequestInfo<'_>) -> Option<Refusal> {
        (r.vendor == "ctg" && r.action == "POST /API/domain" && r.caller == "testid").then(|| {
            Refusal {
                status: 503,
                code: "Busy".into(),
                message: "try later".into(),
            }
        })
    }
}

#[test]
fn hooks_refuse_in_the_error_format() {
    let c = Client::new();
    c.s.add_hook(Arc::new(RefuseWrites));
    let (st, v) = c.call("POST", "/API/domain", Some(json!({})));
    assert_eq!((st, v), (503, json!({"error": "try later"})));
    assert_eq!(c.call("GET", "/API/domain/list", None).0, 200);
}
