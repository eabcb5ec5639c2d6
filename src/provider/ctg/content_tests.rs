//! Purges, preloads and task status over HTTP against the canned responder
//! (a scripted stand-in, not the emulator): paths and bodies under the
//! shared bearer token, status words, `{"error"}` answers mapped (quota
//! included), which failures are retried, and no quota API.

use super::canned::{canned, json_reply, ok, Canned, Reply, Seen};
use super::content;
use super::{CtgConfig, CtgProvider};
use crate::model::Secret;
use crate::provider::content::{ContentKind, TaskState};
use crate::provider::retry::RetryPolicy;
use crate::provider::{ErrorKind, Provider};
use serde_json::json;
use std::time::Duration;

const SK: &str = "sk-content-secret";
const TOKEN: &str = "tok-content";

fn provider(c: &Canned) -> CtgProvider {
    let mut config = CtgConfig::new("ak", Secret::new(SK));
    config.endpoint = c.endpoint.clone();
    config.retry = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
        max_total: Duration::from_secs(5),
    };
    CtgProvider::new(config).unwrap()
}

fn is_token(s: &Seen) -> bool {
    s.path == "/API/OAuth/token"
}

/// The token call answered, everything else by `rest`.
fn with_token(
    rest: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
) -> impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static {
    move |s, _| {
        if is_token(s) {
            let expire = chrono::Utc::now().timestamp() + 7200;
            ok(json!({"token": TOKEN, "expire": expire}))
        } else {
            rest(s)
        }
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn content_calls(c: &Canned) -> Vec<Seen> {
    c.seen().into_iter().filter(|s| !is_token(s)).collect()
}

#[test]
fn modelled_limits() {
    use ContentKind::*;
    let l = content::limits();
    assert_eq!(
        l.per_call,
        [(Url, 100), (Directory, 100), (Preload, 100)].into()
    );
    assert_eq!(
        l.daily,
        [(Url, 10_000), (Directory, 100), (Preload, 10_000)].into()
    );
    assert!(!l.supports(Regex));
    assert!(!l.quota_api);
    assert!(l.preload_areas.is_empty());
}

#[tokio::test]
async fn submissions_post_under_the_shared_token() {
    let c = canned(with_token(|s| match s.path.as_str() {
        "/API/content/prefetch" => ok(json!({"task_id": 77, "err_urls": ["http://a/bad"]})),
        _ => ok(json!({"task_id": "p-1"})),
    }))
    .await;
    let p = provider(&c);
    let urls = strings(&["http://a.example.com/1", "http://a.example.com/2"]);
    let s = p
        .submit_content(ContentKind::Url, &urls, None)
        .await
        .unwrap();
    assert_eq!(s.task_ids, ["p-1"]);
    assert!(s.rejected.is_empty());
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
    assert_eq!(s.task_ids, ["77"]);
    assert_eq!(s.rejected, ["http://a/bad"]);
    // One token call for all of them.
    assert_eq!(c.seen().iter().filter(|s| is_token(s)).count(), 1);
    let calls = content_calls(&c);
    assert_eq!(calls[0].action(), "POST /API/content/purge");
    assert_eq!(
        calls[0].body,
        json!({"type": "url", "urls": ["http://a.example.com/1", "http://a.example.com/2"]})
    );
    assert_eq!(
        calls[1].body,
        json!({"type": "dir", "urls": ["http://a.example.com/d/"]})
    );
    assert_eq!(calls[2].action(), "POST /API/content/prefetch");
    assert_eq!(
        calls[2].body,
        json!({"urls": ["http://a.example.com/1", "http://a.example.com/2"]})
    );
    for s in &calls {
        assert_eq!(s.header("authorization"), Some("Bearer tok-content"));
        assert_eq!(s.header("content-type"), Some("application/json"));
    }
}

#[tokio::test]
async fn refusals_before_sending() {
    let c = canned(with_token(|_| ok(json!({"task_id": 1})))).await;
    let p = provider(&c);
    let e = p
        .submit_content(ContentKind::Regex, &strings(&["http://a/.*"]), None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert_eq!(e.action, "POST /API/content/purge");
    let many: Vec<String> = (0..101).map(|i| format!("http://a/{i}")).collect();
    let e = p
        .submit_content(ContentKind::Url, &many, None)
        .await
        .unwrap_err();
    assert!(e.message.contains("at most 100"), "{e}");
    assert!(c.seen().is_empty());
}

#[tokio::test]
async fn error_answers_are_mapped_and_keep_their_text() {
    let c = canned(with_token(|s| match s.body["type"].as_str() {
        Some("dir") => json_reply(403, json!({"error": "daily purge quota exceeded"})),
        Some("url") => json_reply(400, json!({"error": "url must start with http"})),
        _ => json_reply(502, json!({"error": "bad gateway"})),
    }))
    .await;
    let p = provider(&c);
    let one = strings(&["http://a/1"]);
    let e = p
        .submit_content(ContentKind::Directory, &strings(&["http://a/d/"]), None)
        .await
        .unwrap_err();
    // A 403 alone would be an authorization failure; this one names the quota.
    assert_eq!(e.kind, ErrorKind::Quota);
    assert_eq!(e.http_status, Some(403));
    let e = p
        .submit_content(ContentKind::Url, &one, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert_eq!(
        e.to_string(),
        "ctg POST /API/content/purge failed: url must start with http (HTTP 400)"
    );
    let e = p
        .submit_content(ContentKind::Preload, &one, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::OutcomeUnknown);
    assert!(e.message.starts_with("bad gateway; "), "{e}");
    assert!(!format!("{e:?}").contains(SK));
    // No refusal repeated.
    assert_eq!(content_calls(&c).len(), 3);
}

#[tokio::test]
async fn a_quota_refusal_is_a_quota_error() {
    for status in [400, 429] {
        let c = canned(with_token(move |_| {
            json_reply(status, json!({"error": "purge quota of the day used up"}))
        }))
        .await;
        let e = provider(&c)
            .submit_content(ContentKind::Url, &strings(&["http://a/1"]), None)
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Quota, "{status}");
        assert_eq!(e.http_status, Some(status));
        assert!(e.message.contains("quota of the day"), "{e}");
    }
}

#[tokio::test]
async fn an_unreadable_success_is_not_repeated() {
    let c = canned(with_token(|_| Reply {
        status: 200,
        headers: Vec::new(),
        body: "{\"code\": 1, \"message\": \"OK\", \"da".into(),
        dropped: false,
    }))
    .await;
    let e = provider(&c)
        .submit_content(ContentKind::Url, &strings(&["http://a/1"]), None)
        .await
        .unwrap_err();
    // A success we cannot read is no proof of success.
    assert_eq!(e.kind, ErrorKind::OutcomeUnknown);
    assert_eq!(content_calls(&c).len(), 1);
}

#[tokio::test]
async fn status_reads_one_task_a_call() {
    let c = canned(with_token(|s| {
        match s.param("task_id").unwrap_or_default() {
            "1" => ok(json!({"task_id": "1", "status": "done"})),
            "2" => ok(json!({"status": "processing"})),
            "3" => ok(json!({"status": "failed"})),
            "4" => ok(json!({"status": "lost"})),
            _ => json_reply(404, json!({"error": "task not found"})),
        }
    }))
    .await;
    let p = provider(&c);
    let got = p
        .content_status(ContentKind::Url, &strings(&["1", "2", "3", "9", "2"]))
        .await
        .unwrap();
    let states: Vec<TaskState> = got.iter().map(|s| s.state).collect();
    use TaskState::*;
    assert_eq!(states, [Done, Running, Failed, Pending, Running]);
    assert!(got[3].detail.is_some());
    let calls = content_calls(&c);
    assert_eq!(calls.len(), 4);
    assert!(calls.iter().all(|s| s.action() == "GET /API/content/purge"));
    p.content_status(ContentKind::Preload, &strings(&["1"]))
        .await
        .unwrap();
    assert_eq!(
        content_calls(&c).last().unwrap().action(),
        "GET /API/content/prefetch"
    );
    let e = p
        .content_status(ContentKind::Url, &strings(&["4"]))
        .await
        .unwrap_err();
    assert!(e.message.contains("\"lost\""), "{e}");
    assert_eq!(p.content_quota().await.unwrap(), None);
}
