//! Tests of CTG purge and prefetch through `handle`: validation, lifecycle, failed URLs,
//! quotas, tokens and persistence.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{json, Value};

use super::test_support::*;
use crate::emulator::content::{ContentKind, DailyQuotas};
use crate::emulator::server::Shared;
use crate::emulator::store::Store;
use crate::emulator::EmulatorConfig;

fn with(quotas: DailyQuotas, store: Option<Store>) -> Client {
    let config = EmulatorConfig {
        configuring_delay: Duration::from_millis(1000),
        task_delay: Duration::from_millis(1000),
        ctg_quotas: quotas,
        ..EmulatorConfig::default()
    };
    let world = store
        .as_ref()
        .map(|s| s.load().unwrap())
        .unwrap_or_default();
    Client::with(Shared::new(config, world, store))
}

fn purge(c: &Client, kind: &str, urls: Value) -> (u16, Value) {
    c.call(
        "POST",
        "/API/content/purge",
        Some(json!({"type": kind, "urls": urls})),
    )
}

fn prefetch(c: &Client, now: DateTime<Utc>, urls: Value) -> (u16, Value) {
    c.call_at(
        now,
        "POST",
        "/API/content/prefetch",
        Some(json!({"urls": urls})),
    )
}

fn id(v: &Value) -> String {
    v["data"]["task_id"].as_str().unwrap().to_string()
}

fn used(c: &Client, kind: ContentKind) -> u64 {
    c.s.snapshot().ctg.content.usage.used(kind, t0())
}

#[test]
fn a_purge_processes_then_is_done() {
    let c = with(DailyQuotas::ctg(), None);
    c.add("a.com");
    let (st, v) = purge(&c, "url", json!(["http://a.com/1", "https://a.com/2?x=1"]));
    assert_eq!((st, &v["code"]), (200, &json!(1)), "{v}");
    let path = format!("/API/content/purge?task_id={}", id(&v));
    let status = |ms| c.call_at(at(ms), "GET", &path, None).1["data"].clone();
    let d = status(0);
    assert_eq!(
        (&d["status"], &d["type"]),
        (&json!("processing"), &json!("url"))
    );
    assert_eq!(d["created"], "2026-11-23T01:00:00Z");
    assert_eq!(
        d["urls"][0],
        json!({"url": "http://a.com/1", "status": "processing"})
    );
    assert_eq!(status(999)["status"], "processing");
    assert_eq!(status(1000)["status"], "done");
    assert_eq!(used(&c, ContentKind::Url), 2);
}

#[test]
fn bad_calls_are_400_naming_the_field_and_count_nothing() {
    let c = with(DailyQuotas::ctg(), None);
    c.add("a.com");
    let cases = [
        (json!({"type": "all", "urls": ["http://a.com/1"]}), "type"),
        (json!({"urls": ["http://a.com/1"]}), "type"),
        (json!({"type": "url"}), "urls"),
        (json!({"type": "url", "urls": []}), "urls"),
        (
            json!({"type": "url", "urls": ["http://a.com/1", "/2"]}),
            "urls[1]",
        ),
        (
            json!({"type": "dir", "urls": ["http://a.com/d"]}),
            "urls[0]",
        ),
        (
            json!({"type": "url", "urls": ["http://a.com/1"], "force": true}),
            "body",
        ),
    ];
    for (body, field) in cases {
        let (st, v) = c.call("POST", "/API/content/purge", Some(body.clone()));
        assert_eq!(st, 400, "{body}");
        assert!(
            v["error"].as_str().unwrap().starts_with(field),
            "{body}: {v}"
        );
    }
    let urls = |n: usize, dir: bool| -> Value {
        let slash = if dir { "/" } else { "" };
        json!((0..n)
            .map(|i| format!("http://a.com/{i}{slash}"))
            .collect::<Vec<_>>())
    };
    assert_eq!(purge(&c, "url", urls(1001, false)).0, 400);
    assert_eq!(purge(&c, "dir", urls(101, true)).0, 400);
    assert_eq!(prefetch(&c, t0(), urls(501, false)).0, 400);
    let (st, v) = c.call(
        "POST",
        "/API/content/prefetch",
        Some(json!({"type": "url", "urls": ["http://a.com/1"]})),
    );
    assert_eq!(st, 400, "{v}");
    assert_eq!(
        (used(&c, ContentKind::Url), used(&c, ContentKind::Dir)),
        (0, 0)
    );
    assert_eq!(purge(&c, "url", urls(1000, false)).0, 200);
    assert_eq!(purge(&c, "dir", urls(100, true)).0, 200);
    assert_eq!(prefetch(&c, t0(), urls(500, false)).0, 200);
    assert_eq!(used(&c, ContentKind::Preload), 500);
}

#[test]
fn foreign_and_disabled_domains_fail() {
    let c = with(DailyQuotas::ctg(), None);
    c.add("a.com");
    c.add("*.wild.com");
    c.add("off.com");
    c.ok(
        "PUT",
        "/API/domain/disable",
        Some(json!({"domain": "off.com"})),
    );
    let (_, v) = purge(
        &c,
        "dir",
        json!([
            "http://a.com/",
            "http://img.wild.com/x/",
            "http://off.com/",
            "http://b.com/"
        ]),
    );
    let (_, v) = c.call_at(
        at(1000),
        "GET",
        &format!("/API/content/purge?task_id={}", id(&v)),
        None,
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
    assert_eq!(each, ["done", "done", "failed", "failed"]);
    let (_, v) = prefetch(&c, t0(), json!(["http://b.com/1"]));
    let path = format!("/API/content/prefetch?task_id={}", id(&v));
    let (st, v) = c.call_at(at(1000), "GET", &path, None);
    assert_eq!(
        (st, &v["data"]["status"], &v["data"]["type"]),
        (200, &json!("failed"), &json!("prefetch"))
    );
}

#[test]
fn task_ids_belong_to_their_endpoint() {
    let c = with(DailyQuotas::ctg(), None);
    let (_, v) = prefetch(&c, t0(), json!(["http://a.com/1"]));
    let pid = id(&v);
    assert_eq!(
        c.call("GET", &format!("/API/content/prefetch?task_id={pid}"), None)
            .0,
        200
    );
    assert_eq!(
        c.call("GET", &format!("/API/content/purge?task_id={pid}"), None)
            .0,
        404
    );
    let (st, v) = c.call("GET", "/API/content/purge?task_id=123", None);
    assert_eq!(
        (st, v["error"].as_str().unwrap()),
        (404, "task 123 does not exist")
    );
    assert_eq!(c.call("GET", "/API/content/purge", None).0, 400);
    assert_eq!(c.call("PUT", "/API/content/purge", None).0, 404);
}

#[test]
fn quotas_refuse_whole_calls_with_403_and_reset_at_utc_midnight() {
    let q = DailyQuotas {
        refresh_urls: 2,
        refresh_dirs: 1,
        refresh_regex: 0,
        preload_urls: 1,
    };
    let c = with(q, None);
    assert_eq!(purge(&c, "url", json!(["http://a.com/1"])).0, 200);
    let (st, v) = purge(&c, "url", json!(["http://a.com/2", "http://a.com/3"]));
    assert_eq!(st, 403);
    assert!(
        v["error"].as_str().unwrap().starts_with("quota exceeded:"),
        "{v}"
    );
    assert_eq!(used(&c, ContentKind::Url), 1);
    assert_eq!(purge(&c, "url", json!(["http://a.com/2"])).0, 200);
    assert_eq!(purge(&c, "dir", json!(["http://a.com/d/"])).0, 200);
    assert_eq!(purge(&c, "dir", json!(["http://a.com/e/"])).0, 403);
    assert_eq!(prefetch(&c, t0(), json!(["http://a.com/1"])).0, 200);
    assert_eq!(prefetch(&c, t0(), json!(["http://a.com/2"])).0, 403);
    assert_eq!(c.s.snapshot().ctg.content.tasks.len(), 4);
    // t0 is 01:00 UTC: the next day starts 23 hours later (the token lives 2 hours, so
    // take a new one).
    let next_day = t0() + TimeDelta::hours(23);
    let token = token_at(&c.s, next_day);
    let (st, _) = call_at(
        &c.s,
        &token,
        next_day,
        "POST",
        "/API/content/prefetch",
        Some(json!({"urls": ["http://a.com/2"]})),
    );
    assert_eq!(st, 200);
}

#[test]
fn tokens_are_checked_and_calls_counted() {
    let c = with(DailyQuotas::ctg(), None);
    let body = Some(json!({"urls": ["http://a.com/1"]}));
    let (st, _) = call_at(
        &c.s,
        "not-a-token",
        t0(),
        "POST",
        "/API/content/prefetch",
        body.clone(),
    );
    assert_eq!(st, 401);
    assert_eq!(c.s.ctg_calls("POST /API/content/prefetch"), 0);
    let (st, v) = c.call_at(
        t0() + TimeDelta::hours(3),
        "POST",
        "/API/content/prefetch",
        body.clone(),
    );
    assert_eq!((st, &v["error"]), (401, &json!("token expired")));
    assert_eq!(c.call("POST", "/API/content/prefetch", body).0, 200);
    assert_eq!(c.s.ctg_calls("POST /API/content/prefetch"), 1);
    assert_eq!(used(&c, ContentKind::Preload), 1);
}

#[test]
fn tasks_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("world.json");
    let c = with(DailyQuotas::ctg(), Some(Store::new(&path)));
    let (_, v) = purge(&c, "url", json!(["http://a.com/1"]));
    let task = id(&v);
    drop(c);
    let c = with(DailyQuotas::ctg(), Some(Store::new(&path)));
    let (st, v) = c.call_at(
        at(1000),
        "GET",
        &format!("/API/content/purge?task_id={task}"),
        None,
    );
    assert_eq!((st, &v["data"]["status"]), (200, &json!("failed")));
    assert_eq!(used(&c, ContentKind::Url), 1);
}
