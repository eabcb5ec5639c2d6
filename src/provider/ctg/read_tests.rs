//! Reading a domain in one round trip against the canned responder: every
//! call of a read is in flight together, the client's cap on calls in
//! flight holds across concurrent reads, a domain that is not there or
//! vanishes reads as `None`, a failed feature fails the read naming it, an
//! entry without origins reads them after, a create's existence check is
//! one call; and a 429's `Retry-After` is waited out before the one retry.

use super::canned::{canned, canned_later, json_reply, ok, Canned, Reply, Seen};
use super::mapping::FEATURES;
use super::{CtgConfig, CtgProvider};
use crate::model::{CdnType, Domain, Origin, OriginType, Secret};
use crate::provider::retry::RetryPolicy;
use crate::provider::{CallObserver, ErrorKind, Provider, ProviderError};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The calls of one read: the entry and every feature but the origin,
/// which comes with the entry.
const READ_CALLS: usize = 16;
/// How long a held answer waits for the others before the test gives up on
/// them (generous: it only ends a test that is failing anyway).
const HOLD_LIMIT: Duration = Duration::from_secs(10);

fn config(c: &Canned) -> CtgConfig {
    let mut config = CtgConfig::new("ak", Secret::new("sk"));
    config.endpoint = c.endpoint.clone();
    config.retry = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
        max_total: Duration::from_secs(5),
    };
    config
}

fn is_token(s: &Seen) -> bool {
    s.path == "/API/OAuth/token"
}

fn token() -> Reply {
    ok(json!({"token": "t", "expire": chrono::Utc::now().timestamp() + 7200}))
}

fn origin() -> Value {
    json!([{"address": "192.0.2.1", "type": "ip", "port": 80, "priority": 1, "weight": 1}])
}

/// A domain's answers: the entry (with origins), HTTPS on, the rest unset.
fn answer(s: &Seen) -> Reply {
    let name = s.param("domain").unwrap_or_default();
    match s.path.as_str() {
        "/API/OAuth/token" => token(),
        "/API/domain" => ok(json!({
            "domain": name, "cname": format!("{name}.ctgcdn.net"), "product": "web",
            "status": "online", "origin": origin(),
        })),
        "/API/domain/https" => ok(json!({"cert_id": "cert-1", "enable": true})),
        "/API/domain/http2" => ok(json!({"enable": true})),
        "/API/domain/origin" => ok(json!({"origin": origin()})),
        _ => ok(json!({})),
    }
}

fn calls(c: &Canned) -> Vec<String> {
    c.seen()
        .iter()
        .filter(|s| !is_token(s))
        .map(Seen::action)
        .collect()
}

#[tokio::test]
async fn a_read_has_every_call_in_flight_at_once() {
    // Each answer is held until all of the read's calls have arrived: a
    // read that waits for one answer before asking the next would stall, so
    // after HOLD_LIMIT the held answers fail instead.
    let arrived = Arc::new(tokio::sync::watch::channel(0usize).0);
    let gave_up = Arc::new(AtomicBool::new(false));
    let (a2, g2) = (arrived.clone(), gave_up.clone());
    let c = canned_later("", move |s, _| {
        let (arrived, gave_up) = (a2.clone(), g2.clone());
        Box::pin(async move {
            if is_token(&s) {
                return token();
            }
            arrived.send_modify(|n| *n += 1);
            let mut seen = arrived.subscribe();
            let all = tokio::time::timeout(HOLD_LIMIT, seen.wait_for(|n| *n >= READ_CALLS));
            if all.await.is_err() {
                gave_up.store(true, Ordering::SeqCst);
                return json_reply(400, json!({"error": "held too long"}));
            }
            answer(&s)
        })
    })
    .await;
    let p = CtgProvider::new(config(&c)).unwrap();
    let d = p.read_domain("a.example.com").await.unwrap().unwrap();
    assert!(!gave_up.load(Ordering::SeqCst));
    assert_eq!(calls(&c).len(), READ_CALLS);
    assert!(!calls(&c).contains(&"GET /API/domain/origin".to_string()));
    // The same domain as the answers say, whatever order they came in.
    assert_eq!(d.origins.len(), 1);
    assert_eq!(d.cname.as_deref(), Some("a.example.com.ctgcdn.net"));
    let https = d.https.expect("https read");
    assert_eq!(https.certificate.id.as_deref(), Some("cert-1"));
    assert!(https.http2 && !https.http3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_keeps_at_most_its_cap_in_flight() {
    const CAP: usize = 5;
    // In flight at the server: from a request's arrival to its answer. The
    // first CAP answers wait until CAP are in flight, so the cap is reached.
    let now = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let arrived = Arc::new(tokio::sync::watch::channel(0usize).0);
    let (n2, m2, a2) = (now.clone(), most.clone(), arrived.clone());
    let c = canned_later("", move |s, _| {
        let (now, most, arrived) = (n2.clone(), m2.clone(), a2.clone());
        Box::pin(async move {
            if is_token(&s) {
                return token();
            }
            let here = now.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(here, Ordering::SeqCst);
            arrived.send_modify(|n| *n += 1);
            let mut seen = arrived.subscribe();
            let _ = tokio::time::timeout(HOLD_LIMIT, seen.wait_for(|n| *n >= CAP)).await;
            tokio::time::sleep(Duration::from_millis(2)).await;
            now.fetch_sub(1, Ordering::SeqCst);
            answer(&s)
        })
    })
    .await;
    let mut cfg = config(&c);
    cfg.max_in_flight = CAP;
    let p = Arc::new(CtgProvider::new(cfg).unwrap());
    let mut reads = tokio::task::JoinSet::new();
    for i in 0..6 {
        let p = p.clone();
        reads.spawn(async move { p.read_domain(&format!("d{i}.example.com")).await });
    }
    while let Some(r) = reads.join_next().await {
        assert!(r.unwrap().unwrap().is_some());
    }
    assert_eq!(calls(&c).len(), 6 * READ_CALLS);
    assert_eq!(most.load(Ordering::SeqCst), CAP);
}

#[test]
fn a_cap_of_zero_is_refused() {
    let mut cfg = CtgConfig::new("ak", Secret::new("sk"));
    cfg.max_in_flight = 0;
    let e = CtgProvider::new(cfg).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert!(e.message.contains("max_in_flight"), "{e}");
}

#[tokio::test]
async fn a_domain_that_is_not_there_or_vanishes_reads_as_none() {
    let gone = |s: &Seen| {
        json_reply(
            404,
            json!({"error": format!("domain {} does not exist", s.param("domain").unwrap())}),
        )
    };
    // Not there at all.
    let c = canned(move |s, _| if is_token(s) { token() } else { gone(s) }).await;
    let p = CtgProvider::new(config(&c)).unwrap();
    assert_eq!(p.read_domain("a.example.com").await.unwrap(), None);
    // Deleted between the entry and a feature.
    let c = canned(move |s, _| match s.path.as_str() {
        "/API/domain/cache_policy" => gone(s),
        _ => answer(s),
    })
    .await;
    let p = CtgProvider::new(config(&c)).unwrap();
    assert_eq!(p.read_domain("a.example.com").await.unwrap(), None);
}

#[tokio::test]
async fn a_failed_feature_fails_the_read_naming_it() {
    let c = canned(|s, _| match s.path.as_str() {
        "/API/domain/referer_acl" => json_reply(400, json!({"error": "bad request"})),
        "/API/domain/ua_acl" => ok(json!({"type": "sometimes", "list": ["x"]})),
        _ => answer(s),
    })
    .await;
    let p = CtgProvider::new(config(&c)).unwrap();
    let e = p.read_domain("a.example.com").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert_eq!(e.action, "GET /API/domain/referer_acl");
    assert!(e.to_string().contains("/API/domain/referer_acl"), "{e}");
    // An answer that cannot be read is named too.
    let c = canned(|s, _| match s.path.as_str() {
        "/API/domain/ua_acl" => ok(json!({"type": "sometimes", "list": ["x"]})),
        _ => answer(s),
    })
    .await;
    let p = CtgProvider::new(config(&c)).unwrap();
    let e = p.read_domain("a.example.com").await.unwrap_err();
    assert!(
        e.to_string().contains("GET /API/domain/ua_acl") && e.to_string().contains("sometimes"),
        "{e}"
    );
}

#[tokio::test]
async fn an_entry_without_origins_reads_them_after() {
    let c = canned(|s, _| match s.path.as_str() {
        "/API/domain" => ok(
            json!({"domain": "a.example.com", "product": "web", "status": "online", "cname": "c"}),
        ),
        _ => answer(s),
    })
    .await;
    let p = CtgProvider::new(config(&c)).unwrap();
    let d = p.read_domain("a.example.com").await.unwrap().unwrap();
    assert_eq!(d.origins.len(), 1);
    let calls = calls(&c);
    assert_eq!(calls.len(), READ_CALLS + 1);
    assert_eq!(calls.last().unwrap(), "GET /API/domain/origin");
    assert_eq!(FEATURES.len(), READ_CALLS);
}

#[tokio::test]
async fn existence_is_one_call() {
    let c = canned(|s, _| match s.param("domain") {
        Some("there.example.com") => answer(s),
        _ if is_token(s) => token(),
        _ => json_reply(404, json!({"error": "domain does not exist"})),
    })
    .await;
    let p = CtgProvider::new(config(&c)).unwrap();
    assert!(p.domain_exists("there.example.com").await.unwrap());
    assert!(!p.domain_exists("gone.example.com").await.unwrap());
    assert_eq!(calls(&c), ["GET /API/domain", "GET /API/domain"]);
}

#[tokio::test]
async fn a_create_is_one_post_and_the_writes_it_needs() {
    let c = canned(|s, _| answer(s)).await;
    let p = CtgProvider::new(config(&c)).unwrap();
    let origin = Origin {
        origin_type: OriginType::Ip,
        address: "192.0.2.1".into(),
        port: 80,
        priority: 1,
        weight: 1,
    };
    let mut d = Domain::new("a.example.com", CdnType::Web, vec![origin]);
    d.origin_host = Some("o.example.com".into());
    p.create_domain(&d).await.unwrap();
    assert_eq!(
        calls(&c),
        ["POST /API/domain", "PUT /API/domain/origin_host"]
    );
}

/// Retries and their waits as the client reports them.
#[derive(Default)]
struct Retries(Mutex<Vec<(String, Duration)>>);

impl CallObserver for Retries {
    fn on_call(&self, _vendor: &str, _action: &str) {}
    fn on_retry(&self, _vendor: &str, action: &str, _error: &ProviderError, wait: Duration) {
        self.0.lock().unwrap().push((action.to_string(), wait));
    }
}

#[tokio::test]
async fn a_429_waits_out_its_retry_after_then_retries_once() {
    let c = canned(|s, n| match s.path.as_str() {
        "/API/OAuth/token" => token(),
        // The first call after the token call.
        _ if n == 1 => json_reply(429, json!({"error": "too many requests, retry later"}))
            .header("Retry-After", 2),
        _ => ok(Value::Null),
    })
    .await;
    let retries = Arc::new(Retries::default());
    let mut cfg = config(&c);
    cfg.observer = Some(retries.clone());
    let mut p = CtgProvider::new(cfg).unwrap();
    let slept = Arc::new(Mutex::new(Vec::new()));
    let s2 = slept.clone();
    p.set_sleep(Arc::new(move |d| {
        s2.lock().unwrap().push(d);
        Box::pin(std::future::ready(()))
    }));
    p.set_enabled("a.example.com", true).await.unwrap();
    assert_eq!(
        calls(&c),
        ["PUT /API/domain/enable", "PUT /API/domain/enable"]
    );
    let slept = slept.lock().unwrap().clone();
    assert_eq!(slept.len(), 1, "{slept:?}");
    assert!(slept[0] >= Duration::from_secs(2), "{slept:?}");
    let retries = retries.0.lock().unwrap().clone();
    assert_eq!(retries.len(), 1, "{retries:?}");
    assert_eq!(retries[0].0, "PUT /API/domain/enable");
    assert!(retries[0].1 >= Duration::from_secs(2), "{retries:?}");
}
