//! The provider over HTTP against the canned responder: requests as sent
//! (token in the query, JSON bodies), envelopes and errors, token
//! redaction, batching, a failed batch settled per domain, the rate
//! limiter's waits and 429 answers. Sleeps are recorded, never slept.

use super::canned::{canned, dropped, json_reply, ok, Canned, Reply, Seen};
use super::config_tests::{bare, full, testdata};
use super::rate_limit::{Limit, RateLimits};
use super::{config, BaishanConfig, BaishanProvider};
use crate::model::{Domain, Secret};
use crate::provider::retry::RetryPolicy;
use crate::provider::{CallObserver, ErrorKind, Provider, ProviderError};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub(super) const TOKEN: &str = "SECRET-TOKEN-123";

#[derive(Default)]
pub(super) struct Recorder {
    calls: Mutex<Vec<String>>,
    waits: Mutex<Vec<Duration>>,
    retries: Mutex<Vec<Duration>>,
}

impl CallObserver for Recorder {
    fn on_call(&self, vendor: &str, action: &str) {
        self.calls
            .lock()
            .unwrap()
            .push(format!("{vendor} {action}"));
    }
    fn on_rate_limit_wait(&self, _: &str, _: &str, wait: Duration) {
        self.waits.lock().unwrap().push(wait);
    }
    fn on_retry(&self, _: &str, _: &str, _: &ProviderError, wait: Duration) {
        self.retries.lock().unwrap().push(wait);
    }
}

pub(super) struct Rig {
    pub p: BaishanProvider,
    pub obs: Arc<Recorder>,
    pub slept: Arc<Mutex<Vec<Duration>>>,
}

pub(super) fn rig(c: &Canned, retry: RetryPolicy) -> Rig {
    let obs = Arc::new(Recorder::default());
    let mut cfg = BaishanConfig::new(Secret::new(TOKEN));
    cfg.endpoint = c.endpoint.clone();
    cfg.retry = retry;
    cfg.observer = Some(obs.clone());
    let mut p = BaishanProvider::new(cfg).unwrap();
    let slept = Arc::new(Mutex::new(Vec::new()));
    let s2 = slept.clone();
    p.client.set_sleep(Arc::new(move |d| {
        s2.lock().unwrap().push(d);
        Box::pin(std::future::ready(()))
    }));
    Rig { p, obs, slept }
}

pub(super) fn entry(name: &str, status: &str) -> Value {
    json!({"id": 1, "domain": name, "type": "page", "status": status, "cname": format!("{name}.bsgslb.cn")})
}

/// Serves one domain per name: its entry and its configuration items.
fn serve(s: &Seen, configs: &dyn Fn(&str) -> Value) -> Reply {
    let name = s.param("domains").unwrap_or_default().to_string();
    match s.action().as_str() {
        "GET /domain" => ok(json!([entry(&name, "serving")])),
        "GET /domain/config" => ok(json!([{ "domain": name, "config": configs(&name) }])),
        _ => ok(Value::Null),
    }
}

#[tokio::test]
async fn token_goes_in_the_query_and_nowhere_else() {
    let c = canned(|_, _| {
        json_reply(
            401,
            json!({"code": 401, "message": format!("invalid token {TOKEN}"), "data": null}),
        )
    })
    .await;
    let r = rig(&c, RetryPolicy::never());
    let e = r.p.list_domains().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    assert_eq!(e.code.as_deref(), Some("401"));
    assert!(!e.to_string().contains(TOKEN), "{e}");
    let seen = &c.seen()[0];
    assert_eq!(seen.param("token"), Some(TOKEN));
    assert_eq!(seen.param("page_size"), Some("500"));
    assert!(!format!("{:?}", r.p).contains(TOKEN));
    let cfg = BaishanConfig::new(Secret::new(TOKEN));
    assert!(!format!("{cfg:?}").contains(TOKEN));

    // A transport failure: reqwest's error carries the URL with the token.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let mut cfg = BaishanConfig::new(Secret::new(TOKEN));
    cfg.endpoint = format!("http://{addr}/v2");
    cfg.retry = RetryPolicy::never();
    let p = BaishanProvider::new(cfg).unwrap();
    let e = p.read_domain("a.example.com").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Transport);
    let text = format!("{e} {e:?}");
    assert!(!text.contains(TOKEN), "{text}");
    assert!(text.contains("token=******"), "{text}");
}

#[tokio::test]
async fn envelope_code_decides_whatever_the_http_status() {
    let c = canned(|s, _| match s.action().as_str() {
        "GET /domain" => ok(json!({"list": []})),
        "GET /domain/list" => json_reply(
            200,
            json!({"code": 7, "message": "odd failure", "data": null}),
        ),
        _ => json_reply(
            200,
            json!({"code": 1001, "message": "domain not exist", "data": null}),
        ),
    })
    .await;
    let r = rig(&c, RetryPolicy::never());
    assert_eq!(r.p.read_domain("a.example.com").await.unwrap(), None);
    let e = r.p.list_domains().await.unwrap_err();
    assert_eq!((e.kind, e.code.as_deref()), (ErrorKind::Other, Some("7")));
    assert!(e.message.contains("odd failure"));
    // Deleting what is gone is done.
    r.p.delete_domain("a.example.com").await.unwrap();
    assert_eq!(c.seen()[2].param("domains"), Some("a.example.com"));
}

#[tokio::test]
async fn read_domain_is_two_calls() {
    let c = canned(|s, _| match s.action().as_str() {
        "GET /domain" => json_reply(200, testdata("domain_detail.json")),
        _ => json_reply(200, testdata("domain_config_answer.json")),
    })
    .await;
    let r = rig(&c, RetryPolicy::never());
    let got = r.p.read_domain("aa.qingcdn.com").await.unwrap().unwrap();
    let mut want = full("aa.qingcdn.com");
    r.p.normalise(&mut want);
    want.status = Some("online".into());
    want.cname = Some("aa.qingcdn.com.bsgslb.cn".into());
    assert_eq!(got, want);
    assert_eq!(c.actions(), ["GET /domain", "GET /domain/config"]);
    let seen = c.seen();
    let items: Vec<&str> = seen[1]
        .query
        .iter()
        .filter(|(k, _)| k == "config[]")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(items, config::READ_ITEMS);
    assert_eq!(c.seen()[1].param("domains"), Some("aa.qingcdn.com"));
}

#[tokio::test]
async fn create_enable_disable_delete() {
    let c = canned(|_, _| ok(json!({}))).await;
    let r = rig(&c, RetryPolicy::never());
    let mut d = full("aa.qingcdn.com");
    r.p.normalise(&mut d);
    r.p.create_domain(&d).await.unwrap();
    r.p.set_enabled("aa.qingcdn.com", false).await.unwrap();
    r.p.set_enabled("aa.qingcdn.com", true).await.unwrap();
    r.p.delete_domain("aa.qingcdn.com").await.unwrap();
    assert_eq!(
        c.actions(),
        [
            "POST /domain",
            "POST /domain/config",
            "PUT /domain/status",
            "PUT /domain/status",
            "DELETE /domain"
        ]
    );
    let seen = c.seen();
    let request = testdata("domain_config_request.json");
    assert_eq!(
        seen[0].body,
        json!({"domain": "aa.qingcdn.com", "type": "page", "config": {"origin": request["origin"]}})
    );
    let mut rest = request.clone();
    rest.as_object_mut().unwrap().remove("origin");
    assert_eq!(
        seen[1].body,
        json!({"domains": "aa.qingcdn.com", "config": rest})
    );
    assert_eq!(
        seen[2].body,
        json!({"domains": "aa.qingcdn.com", "status": "suspend"})
    );
    assert_eq!(seen[3].body["status"], "serving");
    assert_eq!(seen[4].param("domains"), Some("aa.qingcdn.com"));
    assert!(seen.iter().all(|s| s.param("token") == Some(TOKEN)));
    // An invalid domain is refused before any call.
    let mut bad = bare("b.example.com");
    bad.origins[0].priority = 30;
    assert_eq!(
        r.p.create_domain(&bad).await.unwrap_err().kind,
        ErrorKind::Invalid
    );
    assert_eq!(c.seen().len(), 5);
}

#[tokio::test]
async fn create_settles_every_unknown_outcome_by_reading() {
    // The first create's answer is lost before it took effect (the domain is
    // not there), the second's after it did: read again, never a third.
    let creates = Arc::new(AtomicUsize::new(0));
    let c2 = creates.clone();
    let c = canned(move |s, _| match s.action().as_str() {
        "POST /domain" => {
            c2.fetch_add(1, Ordering::SeqCst);
            dropped()
        }
        "GET /domain" if c2.load(Ordering::SeqCst) < 2 => ok(json!([])),
        "GET /domain" => ok(json!([entry("b.example.com", "deploying")])),
        other => panic!("unexpected {other}"),
    })
    .await;
    let r = rig(&c, RetryPolicy::default());
    r.p.create_domain(&bare("b.example.com")).await.unwrap();
    assert_eq!(
        c.actions(),
        ["POST /domain", "GET /domain", "POST /domain", "GET /domain"]
    );
    assert_eq!(creates.load(Ordering::SeqCst), 2);
    assert_eq!(r.obs.retries.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn create_takes_already_exists_after_a_server_error_as_its_own() {
    // A 500 may come after the work was done: read (not there yet), try
    // again, and "already exists" then means the first attempt created it.
    let c = canned(|s, n| match s.action().as_str() {
        "POST /domain" if n == 0 => json_reply(
            500,
            json!({"code": 500, "message": "Internal error", "data": null}),
        ),
        "POST /domain" => json_reply(
            400,
            json!({"code": 400, "message": "domain b.example.com already exists", "data": null}),
        ),
        _ => ok(json!([])),
    })
    .await;
    let r = rig(&c, RetryPolicy::default());
    r.p.create_domain(&bare("b.example.com")).await.unwrap();
    assert_eq!(c.actions(), ["POST /domain", "GET /domain", "POST /domain"]);
    // Without an uncertain attempt before it, "already exists" is an error.
    let c = canned(|_, _| {
        json_reply(
            400,
            json!({"code": 400, "message": "domain b.example.com already exists", "data": null}),
        )
    })
    .await;
    let r = rig(&c, RetryPolicy::default());
    let e = r.p.create_domain(&bare("b.example.com")).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::AlreadyExists);
    assert_eq!(c.actions(), ["POST /domain"]);
}

#[tokio::test]
async fn list_domains_reads_every_page() {
    let c = canned(|s, _| {
        let page: usize = s.param("page_number").unwrap().parse().unwrap();
        let n = if page == 1 { 500 } else { 3 };
        let mut list: Vec<Value> = (0..n)
            .map(|i| entry(&format!("d{page}-{i}.example.com"), "serving"))
            .collect();
        list.push(entry("gone.example.com", "deleted"));
        ok(json!({ "list": list }))
    })
    .await;
    let r = rig(&c, RetryPolicy::never());
    let all = r.p.list_domains().await.unwrap();
    assert_eq!(all.len(), 503);
    assert_eq!(all[0].status, "online");
    assert_eq!(c.seen().len(), 2);
}

fn host_change(name: &str) -> (Domain, Domain) {
    let prior = bare(name);
    let mut desired = prior.clone();
    desired.origin_host = Some("origin.example.com".into());
    (prior, desired)
}

#[tokio::test]
async fn twenty_five_identical_changes_take_three_calls() {
    let c = canned(|_, _| ok(json!({}))).await;
    let r = rig(&c, RetryPolicy::never());
    let updates: Vec<(Domain, Domain)> = (0..25)
        .map(|i| host_change(&format!("d{i}.example.com")))
        .collect();
    let keys: std::collections::HashSet<_> = updates
        .iter()
        .map(|(p, d)| r.p.update_batch_key(p, d))
        .collect();
    assert_eq!(keys.len(), 1);
    let out = r.p.update_domains(&updates).await;
    assert!(out.iter().all(Result::is_ok));
    let seen = c.seen();
    assert_eq!(c.actions(), vec!["POST /domain/config"; 3]);
    let counts: Vec<usize> = seen
        .iter()
        .map(|s| s.body["domains"].as_str().unwrap().split(',').count())
        .collect();
    assert_eq!(counts, [10, 10, 5]);
    assert!(seen[0].body["domains"]
        .as_str()
        .unwrap()
        .starts_with("d0.example.com,d1.example.com"));
    assert!(seen
        .iter()
        .all(|s| s.body["config"] == json!({"origin_host": {"host": "origin.example.com"}})));
}

#[tokio::test]
async fn a_failed_batch_is_settled_per_domain() {
    // The batch call fails; b.example.com did not take the change, the
    // others did. A bad domain never reaches the batch.
    let c = canned(|s, _| {
        if s.action() == "POST /domain/config" {
            return json_reply(
                500,
                json!({"code": 500, "message": "internal error", "data": null}),
            );
        }
        serve(s, &|name| {
            let mut d = bare(name);
            if name != "b.example.com" {
                d.origin_host = Some("origin.example.com".into());
            }
            serde_json::to_value(config::items(&d)).unwrap()
        })
    })
    .await;
    let r = rig(&c, RetryPolicy::never());
    let mut updates: Vec<(Domain, Domain)> = ["a", "b", "c"]
        .iter()
        .map(|n| host_change(&format!("{n}.example.com")))
        .collect();
    let (p, mut bad) = host_change("x.example.com");
    bad.origins[0].address = "not an ip".into();
    updates.push((p, bad));
    let out = r.p.update_domains(&updates).await;
    assert!(out[0].is_ok() && out[2].is_ok(), "{out:?}");
    let e = out[1].as_ref().unwrap_err();
    assert_eq!(e.kind, ErrorKind::Server);
    assert!(e.message.contains("b.example.com"), "{e}");
    assert_eq!(out[3].as_ref().unwrap_err().kind, ErrorKind::Invalid);
    let posts: Vec<Seen> = c
        .seen()
        .into_iter()
        .filter(|s| s.method == "POST")
        .collect();
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0].body["domains"],
        "a.example.com,b.example.com,c.example.com"
    );
}

#[tokio::test]
async fn a_refusal_is_retried_domain_by_domain() {
    // One bad domain fails the whole call (seed): the others go alone.
    let c = canned(|s, _| {
        if s.action() == "POST /domain/config" {
            let domains = s.body["domains"].as_str().unwrap_or_default();
            if domains.contains("b.example.com") {
                return json_reply(
                    400,
                    json!({"code": 400, "message": "origin refused", "data": null}),
                );
            }
            return ok(json!({}));
        }
        serve(s, &|name| {
            serde_json::to_value(config::items(&bare(name))).unwrap()
        })
    })
    .await;
    let r = rig(&c, RetryPolicy::never());
    let updates: Vec<(Domain, Domain)> = ["a", "b"]
        .iter()
        .map(|n| host_change(&format!("{n}.example.com")))
        .collect();
    let out = r.p.update_domains(&updates).await;
    assert!(out[0].is_ok(), "{out:?}");
    assert_eq!(out[1].as_ref().unwrap_err().kind, ErrorKind::Invalid);
}

#[tokio::test]
async fn the_limiter_holds_calls_back_and_reports_waits() {
    let c = canned(|_, _| ok(json!({"list": []}))).await;
    let mut r = rig(&c, RetryPolicy::never());
    r.p.client.set_limits(RateLimits {
        general: Limit {
            calls: 2,
            per: Duration::from_secs(10),
        },
        ..RateLimits::default()
    });
    for _ in 0..5 {
        r.p.list_domains().await.unwrap();
    }
    assert_eq!(c.seen().len(), 5);
    let waits = r.obs.waits.lock().unwrap().clone();
    assert_eq!(waits.len(), 3, "{waits:?}");
    assert!(
        waits.iter().all(|w| *w > Duration::from_secs(9)),
        "{waits:?}"
    );
    assert!(waits[2] > Duration::from_secs(19));
    assert_eq!(*r.slept.lock().unwrap(), waits);
}

#[tokio::test]
async fn a_429_is_waited_out_then_succeeds() {
    let c = canned(|_, n| {
        if n == 0 {
            json_reply(
                429,
                json!({"code": 429, "message": "too many requests", "data": null}),
            )
            .header("X-Ratelimit-Remaining", 0)
            .header("X-Retry-After", 3)
        } else {
            ok(json!({"list": []}))
        }
    })
    .await;
    // No retries allowed: a 429 is not a failed attempt.
    let r = rig(&c, RetryPolicy::never());
    r.p.list_domains().await.unwrap();
    assert_eq!(c.seen().len(), 2);
    let slept = r.slept.lock().unwrap().clone();
    assert_eq!(slept.len(), 1);
    assert!(slept[0] > Duration::from_millis(2900) && slept[0] <= Duration::from_secs(3));
    assert_eq!(r.obs.waits.lock().unwrap().len(), 1);
    assert!(r.obs.retries.lock().unwrap().is_empty());
}

#[tokio::test]
async fn remaining_zero_holds_the_next_call() {
    let c = canned(|_, _| {
        ok(json!({"list": []}))
            .header("X-Ratelimit-Grad", "minute")
            .header("X-Ratelimit-Remaining", 0)
            .header("X-Retry-After", 5)
    })
    .await;
    let r = rig(&c, RetryPolicy::never());
    r.p.list_domains().await.unwrap();
    assert!(r.slept.lock().unwrap().is_empty());
    r.p.list_domains().await.unwrap();
    let slept = r.slept.lock().unwrap().clone();
    assert_eq!(slept.len(), 1);
    assert!(slept[0] > Duration::from_millis(4900));
}

#[tokio::test]
async fn server_errors_are_retried() {
    let c = canned(|_, n| match n {
        0 => json_reply(
            502,
            json!({"code": 502, "message": "bad gateway", "data": null}),
        ),
        _ => ok(json!({"list": []})),
    })
    .await;
    let r = rig(&c, RetryPolicy::default());
    r.p.list_domains().await.unwrap();
    assert_eq!(c.seen().len(), 2);
    assert_eq!(r.obs.retries.lock().unwrap().len(), 1);
    assert_eq!(r.obs.calls.lock().unwrap().len(), 2);
    assert_eq!(r.obs.calls.lock().unwrap()[0], "baishan GET /domain/list");
}

#[tokio::test]
async fn unreadable_domain_answers_say_why() {
    let text = |s: &str| Reply {
        status: 200,
        headers: Vec::new(),
        body: s.to_string(),
        dropped: false,
    };
    let cases = [
        (text(""), "unreadable answer: empty body"),
        (
            text("<!DOCTYPE html><html><body>portal</body></html>"),
            "unreadable answer: an HTML page, not an API answer",
        ),
        (
            text("{\"code\": 0, \"data\": ["),
            "unreadable answer: malformed JSON",
        ),
        (
            text("[\"www.example.com\"]"),
            "unreadable answer: no {code, message, data} envelope",
        ),
        (
            json_reply(200, json!({"code": 0, "message": "success"})),
            "unreadable answer: the answer has no data",
        ),
    ];
    for (reply, want) in cases {
        let reply = Arc::new(Mutex::new(Some(reply)));
        let c = canned(move |_, _| reply.lock().unwrap().take().unwrap()).await;
        let r = rig(&c, RetryPolicy::never());
        let e = r.p.read_domain("www.example.com").await.unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("baishan GET /domain failed: ") && text.contains(want),
            "{text}"
        );
        assert_eq!(e.kind, ErrorKind::Other, "{text}");
    }
}
