//! Purges, preloads, task status and the prefetch quota over HTTP against
//! the canned responder (a scripted stand-in, not the emulator): paths and
//! bodies, `err_urls`, status words, quota parsing, error mapping, which
//! failures are retried, and the per-token rate limit over these calls.
//! Sleeps are recorded, never slept.

use super::canned::{canned, json_reply, ok, Canned};
use super::content;
use super::rate_limit::{Limit, RateLimits};
use super::{BaishanConfig, BaishanProvider};
use crate::model::Secret;
use crate::provider::content::{ContentKind, TaskState};
use crate::provider::retry::RetryPolicy;
use crate::provider::{ErrorKind, Provider};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TOKEN: &str = "CONTENT-TOKEN-42";

fn provider(c: &Canned) -> (BaishanProvider, Arc<Mutex<Vec<Duration>>>) {
    let mut cfg = BaishanConfig::new(Secret::new(TOKEN));
    cfg.endpoint = c.endpoint.clone();
    cfg.retry = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
        max_total: Duration::from_secs(5),
    };
    let mut p = BaishanProvider::new(cfg).unwrap();
    let slept = Arc::new(Mutex::new(Vec::new()));
    let s2 = slept.clone();
    p.client.set_sleep(Arc::new(move |d| {
        s2.lock().unwrap().push(d);
        Box::pin(std::future::ready(()))
    }));
    (p, slept)
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn limits() {
    use ContentKind::*;
    let l = content::limits();
    assert_eq!(
        l.per_call,
        [(Url, 500), (Directory, 100), (Preload, 500)].into()
    );
    assert_eq!(
        l.daily,
        [(Url, 10_000), (Directory, 100), (Preload, 10_000)].into()
    );
    assert!(!l.supports(Regex));
    assert_eq!(l.hosts_per_call, None);
    assert!(l.preload_areas.is_empty());
    assert!(l.quota_api);
}

#[tokio::test]
async fn submissions_post_their_urls_and_keep_refused_ones() {
    let c = canned(|s, _| match s.path.as_str() {
        "/cache/prefetch" => ok(json!({"task_id": 9001, "count": 1,
                                       "err_urls": ["http://a.example.com/bad"]})),
        _ => ok(json!({"task_id": "r-1", "count": 2, "err_urls": []})),
    })
    .await;
    let (p, _) = provider(&c);
    let urls = strings(&["http://a.example.com/1", "http://a.example.com/2"]);
    let s = p
        .submit_content(ContentKind::Url, &urls, None)
        .await
        .unwrap();
    assert_eq!((s.task_ids, s.rejected.len()), (vec!["r-1".to_string()], 0));
    p.submit_content(
        ContentKind::Directory,
        &strings(&["http://a.example.com/d/"]),
        None,
    )
    .await
    .unwrap();
    let s = p
        .submit_content(ContentKind::Preload, &urls, None)
        .await
        .unwrap();
    assert_eq!(s.task_ids, ["9001"]);
    assert_eq!(s.rejected, ["http://a.example.com/bad"]);
    let seen = c.seen();
    assert_eq!(
        c.actions(),
        [
            "POST /cache/refresh",
            "POST /cache/refresh",
            "POST /cache/prefetch"
        ]
    );
    assert!(seen.iter().all(|s| s.param("token") == Some(TOKEN)));
    assert_eq!(
        seen[0].body,
        json!({"type": "url", "urls": ["http://a.example.com/1", "http://a.example.com/2"]})
    );
    assert_eq!(
        seen[1].body,
        json!({"type": "dir", "urls": ["http://a.example.com/d/"]})
    );
    assert_eq!(
        seen[2].body,
        json!({"urls": ["http://a.example.com/1", "http://a.example.com/2"]})
    );
}

#[tokio::test]
async fn every_url_refused_is_no_task_but_a_missing_id_is_unknown() {
    let c = canned(|s, _| match s.body["urls"].as_array().map(Vec::len) {
        Some(1) => ok(json!({"task_id": null, "count": 0,
                             "err_urls": [{"url": "http://x/1", "reason": "bad host"}]})),
        _ => ok(json!({"count": 2})),
    })
    .await;
    let (p, _) = provider(&c);
    let s = p
        .submit_content(ContentKind::Preload, &strings(&["http://x/1"]), None)
        .await
        .unwrap();
    assert!(s.task_ids.is_empty());
    assert_eq!(s.rejected, ["http://x/1"]);
    let e = p
        .submit_content(
            ContentKind::Url,
            &strings(&["http://x/1", "http://x/2"]),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::OutcomeUnknown);
    assert_eq!(e.action, "POST /cache/refresh");
    assert!(e.message.contains("no task_id"), "{e}");
    assert_eq!(c.seen().len(), 2);
}

#[tokio::test]
async fn unsupported_or_oversized_calls_are_refused_before_sending() {
    let c = canned(|_, _| ok(json!({"task_id": 1}))).await;
    let (p, _) = provider(&c);
    let e = p
        .submit_content(ContentKind::Regex, &strings(&["http://a/.*"]), None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert!(e.message.contains("does not support regex"), "{e}");
    let e = p
        .content_status(ContentKind::Regex, &strings(&["1"]))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
    let many: Vec<String> = (0..501).map(|i| format!("http://a/{i}")).collect();
    let e = p
        .submit_content(ContentKind::Preload, &many, None)
        .await
        .unwrap_err();
    assert!(e.message.contains("at most 500"), "{e}");
    let e = p
        .submit_content(
            ContentKind::Preload,
            &strings(&["http://a/1"]),
            Some("domestic"),
        )
        .await
        .unwrap_err();
    assert!(e.message.contains("take no area"), "{e}");
    assert!(c.seen().is_empty());
}

#[tokio::test]
async fn errors_keep_code_and_message_and_name_the_quota() {
    let c = canned(|s, _| match s.path.as_str() {
        // A 403 that names the quota: not a bad token.
        "/cache/prefetch" => json_reply(
            403,
            json!({"code": 403, "message": "prefetch quota exceeded for today", "data": null}),
        ),
        _ => json_reply(
            400,
            json!({"code": 400, "message": format!("url is invalid (token {TOKEN})"), "data": null}),
        ),
    })
    .await;
    let (p, _) = provider(&c);
    let urls = strings(&["http://a/1"]);
    let e = p
        .submit_content(ContentKind::Preload, &urls, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Quota);
    assert_eq!(e.code.as_deref(), Some("403"));
    assert_eq!(
        e.to_string(),
        "baishan POST /cache/prefetch failed: 403: prefetch quota exceeded for today (HTTP 403)"
    );
    let e = p
        .submit_content(ContentKind::Url, &urls, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert!(!format!("{e} {e:?}").contains(TOKEN), "{e}");
    assert_eq!(c.seen().len(), 2);
}

#[tokio::test]
async fn a_429_is_waited_out_but_a_server_error_is_not_repeated() {
    let c = canned(|s, n| match (s.path.as_str(), n) {
        ("/cache/refresh", 0) => json_reply(
            429,
            json!({"code": 429, "message": "too many requests", "data": null}),
        )
        .header("X-Retry-After", 2),
        ("/cache/refresh", _) => ok(json!({"task_id": 5})),
        _ => json_reply(
            500,
            json!({"code": 500, "message": "internal error", "data": null}),
        ),
    })
    .await;
    let (p, slept) = provider(&c);
    let urls = strings(&["http://a/1"]);
    let s = p
        .submit_content(ContentKind::Url, &urls, None)
        .await
        .unwrap();
    assert_eq!(s.task_ids, ["5"]);
    // The 429's X-Retry-After held the next attempt back.
    let waited = slept.lock().unwrap().clone();
    assert!(
        waited.iter().any(|d| *d > Duration::from_millis(1900)),
        "{waited:?}"
    );
    let e = p
        .submit_content(ContentKind::Preload, &urls, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::OutcomeUnknown);
    assert_eq!(e.code.as_deref(), Some("500"));
    assert!(e.message.contains("internal error"), "{e}");
    assert_eq!(c.seen().len(), 3);
}

#[tokio::test]
async fn status_reads_one_task_a_call_at_its_kinds_path() {
    let c = canned(|s, _| {
        let id = s.param("task_id").unwrap_or_default();
        match id {
            "1" => ok(json!({"task_id": 1, "status": "completed"})),
            "2" => ok(json!({"task_id": "2", "status": "waiting"})),
            "3" => ok(json!({"status": "processing"})),
            "4" => ok(json!({"status": "failed", "list": [
                {"url": "http://a/1", "status": "completed"},
                {"url": "http://a/2", "status": "failed"}]})),
            "5" => ok(json!([
                {"task_id": 5, "url": "http://a/3", "status": "completed"},
                {"task_id": 5, "url": "http://a/4", "status": "processing"}])),
            _ => json_reply(
                400,
                json!({"code": 404, "message": "task not found", "data": null}),
            ),
        }
    })
    .await;
    let (p, _) = provider(&c);
    let ids = strings(&["1", "2", "3", "4", "5", "6", "1"]);
    let got = p.content_status(ContentKind::Url, &ids).await.unwrap();
    let states: Vec<TaskState> = got.iter().map(|s| s.state).collect();
    use TaskState::*;
    assert_eq!(
        states,
        [Done, Pending, Running, Failed, Running, Pending, Done]
    );
    assert_eq!(got[3].failed, ["http://a/2"]);
    assert!(got[5].detail.as_deref().unwrap().contains("does not list"));
    assert_eq!(got[6].id, "1");
    // One call per distinct id.
    assert_eq!(c.seen().len(), 6);
    assert!(c.actions().iter().all(|a| a == "GET /cache/refresh"));
    p.content_status(ContentKind::Preload, &strings(&["1"]))
        .await
        .unwrap();
    p.content_status(ContentKind::Directory, &strings(&["1"]))
        .await
        .unwrap();
    let actions = c.actions();
    assert_eq!(actions[6], "GET /cache/prefetch");
    assert_eq!(actions[7], "GET /cache/refresh");
}

#[tokio::test]
async fn an_unknown_status_word_is_an_error() {
    let c = canned(|_, _| ok(json!({"status": "exploded"}))).await;
    let (p, _) = provider(&c);
    let e = p
        .content_status(ContentKind::Preload, &strings(&["1"]))
        .await
        .unwrap_err();
    assert_eq!(e.action, "GET /cache/prefetch");
    assert!(e.message.contains("\"exploded\""), "{e}");
}

#[tokio::test]
async fn quota_is_the_prefetch_remain() {
    let c = canned(|_, n| match n {
        0 => ok(json!({"url_quota": 10000, "url_remain": 9876})),
        1 => ok(json!({"url_quota": "10000", "url_remain": "12"})),
        _ => ok(json!({"url_quota": 10000})),
    })
    .await;
    let (p, _) = provider(&c);
    let q = p.content_quota().await.unwrap().unwrap();
    assert_eq!(q, [(ContentKind::Preload, 9876)].into());
    let q = p.content_quota().await.unwrap().unwrap();
    assert_eq!(q[&ContentKind::Preload], 12);
    let e = p.content_quota().await.unwrap_err();
    assert_eq!(e.action, "GET /cache/prefetchQuota");
    assert!(e.message.contains("url_remain"), "{e}");
    assert!(c.actions().iter().all(|a| a == "GET /cache/prefetchQuota"));
}

#[tokio::test]
async fn content_calls_keep_to_the_per_token_limit() {
    let c = canned(|_, _| ok(json!({"task_id": 1, "status": "completed"}))).await;
    let (mut p, slept) = provider(&c);
    p.client.set_limits(RateLimits {
        general: Limit {
            calls: 2,
            per: Duration::from_secs(10),
        },
        ..RateLimits::default()
    });
    let urls = strings(&["http://a/1"]);
    p.submit_content(ContentKind::Url, &urls, None)
        .await
        .unwrap();
    p.submit_content(ContentKind::Preload, &urls, None)
        .await
        .unwrap();
    p.content_status(ContentKind::Url, &strings(&["1"]))
        .await
        .unwrap();
    let slept = slept.lock().unwrap().clone();
    assert_eq!(slept.len(), 1, "{slept:?}");
    assert!(slept[0] > Duration::from_secs(9));
}
