//! Tests of Baishan cache refresh and prefetch through `handle`: validation, lifecycle,
//! failed URLs, quotas, tokens, rate limits and persistence.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{json, Value};

use super::handle;
use super::test_support::*;
use super::throttle::BaishanLimits;
use crate::emulator::content::DailyQuotas;
use crate::emulator::server::Shared;
use crate::emulator::store::Store;
use crate::emulator::EmulatorConfig;

fn config(limits: BaishanLimits, quotas: DailyQuotas) -> EmulatorConfig {
    EmulatorConfig {
        configuring_delay: Duration::from_millis(1000),
        task_delay: Duration::from_millis(1000),
        baishan_limits: limits,
        baishan_quotas: quotas,
        ..EmulatorConfig::default()
    }
}

fn with(limits: BaishanLimits, quotas: DailyQuotas, store: Option<Store>) -> Shared {
    let world = store
        .as_ref()
        .map(|s| s.load().unwrap())
        .unwrap_or_default();
    Shared::new(config(limits, quotas), world, store)
}

fn post(s: &Shared, now: DateTime<Utc>, path: &str, body: Value) -> (u16, Value) {
    let r = call_at(s, now, "POST", path, "", Some(body));
    (r.status, r.json())
}

fn get(s: &Shared, now: DateTime<Utc>, path: &str, query: &str) -> (u16, Value) {
    let r = call_at(s, now, "GET", path, query, None);
    (r.status, r.json())
}

fn refresh(s: &Shared, kind: &str, urls: Value) -> (u16, Value) {
    post(
        s,
        t0(),
        "/v2/cache/refresh",
        json!({"type": kind, "urls": urls}),
    )
}

fn task_id(v: &Value) -> String {
    v["data"]["task_id"].as_str().unwrap().to_string()
}

fn remaining(s: &Shared, now: DateTime<Utc>) -> Value {
    get(s, now, "/v2/cache/prefetchQuota", "").1["data"].clone()
}

#[test]
fn a_refresh_waits_processes_and_completes() {
    let s = shared();
    add(&s, "a.qingcdn.com");
    let (st, v) = refresh(
        &s,
        "url",
        json!(["http://a.qingcdn.com/1.png", "https://a.qingcdn.com/2.png"]),
    );
    assert_eq!((st, &v["code"]), (200, &json!(0)), "{v}");
    let id = task_id(&v);
    let status =
        |ms: i64| get(&s, at(ms), "/v2/cache/refresh", &format!("task_id={id}")).1["data"].clone();
    let d = status(0);
    assert_eq!(d["status"], "waiting");
    assert_eq!(d["type"], "url");
    assert_eq!(d["created_at"], "2024-05-01T12:00:00Z");
    assert_eq!(
        d["urls"][1],
        json!({"url": "https://a.qingcdn.com/2.png", "status": "waiting"})
    );
    assert_eq!(status(500)["status"], "processing");
    assert_eq!(status(1000)["status"], "completed");
    // The id may come as a JSON number in the body too.
    let r = call_at(
        &s,
        at(1000),
        "GET",
        "/v2/cache/refresh",
        "",
        Some(json!({"task_id": id.parse::<u64>().unwrap()})),
    );
    assert_eq!(r.json()["data"]["status"], "completed");
}

#[test]
fn bad_calls_are_400_naming_the_item_and_count_nothing() {
    let s = with(roomy(), DailyQuotas::baishan(), None);
    add(&s, "a.com");
    let cases = [
        (json!({"type": "file", "urls": ["http://a.com/1"]}), "type"),
        (json!({"type": "url"}), "urls"),
        (json!({"type": "url", "urls": []}), "urls"),
        (json!({"type": "url", "urls": "http://a.com/1"}), "urls"),
        (
            json!({"type": "url", "urls": ["http://a.com/1", "a.com/2"]}),
            "urls[1]",
        ),
        (json!({"type": "url", "urls": [5]}), "urls[0]"),
        (
            json!({"type": "dir", "urls": ["http://a.com/d/", "http://a.com/f"]}),
            "urls[1]",
        ),
    ];
    for (body, field) in cases {
        let (st, v) = post(&s, t0(), "/v2/cache/refresh", body.clone());
        assert_eq!((st, &v["code"]), (400, &json!(400)), "{body}");
        assert!(
            v["message"].as_str().unwrap().starts_with(field),
            "{body}: {v}"
        );
    }
    let many: Vec<String> = (0..501).map(|i| format!("http://a.com/{i}")).collect();
    assert_eq!(refresh(&s, "url", json!(many)).0, 400);
    assert_eq!(
        post(&s, t0(), "/v2/cache/prefetch", json!({"urls": many})).0,
        400
    );
    assert_eq!(refresh(&s, "url", json!(many[..500])).0, 200);
    assert_eq!(
        post(&s, t0(), "/v2/cache/prefetch", json!({"urls": many[..500]})).0,
        200
    );
    assert_eq!(remaining(&s, t0())["url_remain"], 9_500);
    let w = s.snapshot();
    assert_eq!(w.baishan.content.tasks.len(), 2);
    assert_eq!(
        w.baishan
            .content
            .usage
            .used(crate::emulator::ContentKind::Url, t0()),
        500
    );
}

#[test]
fn foreign_and_suspended_domains_fail_their_urls() {
    let s = shared();
    add(&s, "a.com");
    add(&s, "*.wild.com");
    add(&s, "off.com");
    let r = call_at(
        &s,
        t0(),
        "PUT",
        "/v2/domain/status",
        "",
        Some(json!({"domains": "off.com", "status": "suspend"})),
    );
    assert_eq!(r.status, 200);
    // a.com is still deploying: it serves already.
    let (st, v) = refresh(
        &s,
        "dir",
        json!([
            "http://a.com/d/",
            "http://x.wild.com/",
            "http://off.com/",
            "http://nope.com/"
        ]),
    );
    assert_eq!(st, 200, "{v}");
    let (_, v) = get(
        &s,
        at(1000),
        "/v2/cache/refresh",
        &format!("task_id={}", task_id(&v)),
    );
    let d = &v["data"];
    assert_eq!(
        (&d["status"], &d["type"]),
        (&json!("failed"), &json!("dir"))
    );
    let each: Vec<&str> = d["urls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["status"].as_str().unwrap())
        .collect();
    assert_eq!(each, ["completed", "completed", "failed", "failed"]);
}

#[test]
fn prefetch_lists_foreign_urls_in_err_urls() {
    let s = shared();
    add(&s, "a.com");
    let (st, v) = post(
        &s,
        t0(),
        "/v2/cache/prefetch",
        json!({"urls": ["http://a.com/1", "http://b.com/2", "http://a.com/1"]}),
    );
    assert_eq!(st, 200, "{v}");
    let d = &v["data"];
    assert_eq!(
        (&d["count"], &d["err_urls"]),
        (&json!(1), &json!(["http://b.com/2"]))
    );
    let id = task_id(&v);
    let (_, v) = get(&s, at(1000), "/v2/cache/prefetch", &format!("task_id={id}"));
    assert_eq!(v["data"]["status"], "completed");
    assert_eq!(v["data"]["type"], "prefetch");
    assert_eq!(v["data"]["urls"].as_array().unwrap().len(), 1);
    // Nothing accepted: no task, nothing counted.
    let (st, v) = post(
        &s,
        t0(),
        "/v2/cache/prefetch",
        json!({"urls": ["http://b.com/2"]}),
    );
    assert_eq!(st, 200);
    assert_eq!(
        v["data"],
        json!({"task_id": null, "count": 0, "err_urls": ["http://b.com/2"]})
    );
    assert_eq!(
        remaining(&s, t0()),
        json!({"url_quota": 10_000, "url_remain": 9_999})
    );
    // A refresh id is not a prefetch id and the other way round; unknown ids are 404.
    let (st, _) = get(&s, t0(), "/v2/cache/refresh", &format!("task_id={id}"));
    assert_eq!(st, 404);
    assert_eq!(get(&s, t0(), "/v2/cache/prefetch", "task_id=42").0, 404);
    assert_eq!(get(&s, t0(), "/v2/cache/prefetch", "").0, 400);
}

#[test]
fn quotas_refuse_whole_calls_with_403_and_reset_at_utc_midnight() {
    let q = DailyQuotas {
        refresh_urls: 2,
        refresh_dirs: 1,
        refresh_regex: 0,
        preload_urls: 2,
    };
    let s = with(roomy(), q, None);
    add(&s, "a.com");
    assert_eq!(refresh(&s, "url", json!(["http://a.com/1"])).0, 200);
    let (st, v) = refresh(&s, "url", json!(["http://a.com/2", "http://a.com/3"]));
    assert_eq!((st, &v["code"]), (403, &json!(403)));
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with("quota exceeded:"),
        "{v}"
    );
    assert_eq!(refresh(&s, "url", json!(["http://a.com/2"])).0, 200);
    assert_eq!(refresh(&s, "dir", json!(["http://a.com/d/"])).0, 200);
    assert_eq!(refresh(&s, "dir", json!(["http://a.com/e/"])).0, 403);
    let prefetch = |now, urls: Value| post(&s, now, "/v2/cache/prefetch", json!({"urls": urls})).0;
    assert_eq!(
        prefetch(
            t0(),
            json!(["http://a.com/1", "http://a.com/2", "http://a.com/3"])
        ),
        403
    );
    assert_eq!(remaining(&s, t0())["url_remain"], 2);
    assert_eq!(
        prefetch(t0(), json!(["http://a.com/1", "http://a.com/2"])),
        200
    );
    assert_eq!(prefetch(t0(), json!(["http://a.com/3"])), 403);
    let next_day = DateTime::parse_from_rfc3339("2024-05-02T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(
        remaining(&s, next_day),
        json!({"url_quota": 2, "url_remain": 2})
    );
    assert_eq!(prefetch(next_day, json!(["http://a.com/3"])), 200);
}

#[test]
fn tokens_call_counts_and_rate_limits_apply() {
    let limits = BaishanLimits {
        requests_per_window: 3,
        ..roomy()
    };
    let s = with(limits, DailyQuotas::baishan(), None);
    let body = json!({"type": "url", "urls": ["http://a.com/1"]}).to_string();
    let r = handle(
        &s,
        "POST",
        "/v2/cache/refresh",
        Some("token=wrong"),
        body.as_bytes(),
        t0(),
    );
    assert_eq!(r.status, 401);
    assert_eq!(s.baishan_calls("POST /v2/cache/refresh"), 0);
    assert_eq!(refresh(&s, "url", json!(["http://a.com/1"])).0, 200);
    assert_eq!(get(&s, t0(), "/v2/cache/prefetchQuota", "").0, 200);
    assert_eq!(refresh(&s, "url", json!(["http://a.com/2"])).0, 200);
    let r = call_at(
        &s,
        t0(),
        "POST",
        "/v2/cache/refresh",
        "",
        Some(json!({"type": "url", "urls": ["http://a.com/3"]})),
    );
    assert_eq!(r.status, 429);
    assert_eq!(r.header("X-Ratelimit-Remaining"), Some("0"));
    assert_eq!(s.baishan_calls("POST /v2/cache/refresh"), 3);
    assert_eq!(s.baishan_calls("GET /v2/cache/prefetchQuota"), 1);
    let w = s.snapshot();
    assert_eq!(w.baishan.content.tasks.len(), 2);
    assert_eq!(
        w.baishan
            .content
            .usage
            .used(crate::emulator::ContentKind::Url, t0()),
        2
    );
}

#[test]
fn tasks_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("world.json");
    let s = with(roomy(), DailyQuotas::baishan(), Some(Store::new(&path)));
    add(&s, "a.com");
    let (_, v) = post(
        &s,
        t0(),
        "/v2/cache/prefetch",
        json!({"urls": ["http://a.com/1"]}),
    );
    let id = task_id(&v);
    drop(s);
    let s = with(roomy(), DailyQuotas::baishan(), Some(Store::new(&path)));
    let later = t0() + TimeDelta::seconds(5);
    let (st, v) = get(&s, later, "/v2/cache/prefetch", &format!("task_id={id}"));
    assert_eq!((st, &v["data"]["status"]), (200, &json!("completed")));
    assert_eq!(remaining(&s, later)["url_remain"], 9_999);
}
