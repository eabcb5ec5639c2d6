//! The CTG client over HTTP against the canned responder: the signed token
//! call, the cached and shared token, one re-authentication after a 401,
//! refused credentials, `{"error"}` answers as neutral errors, and secrets
//! kept out of Debug and errors.

use super::canned::{canned, dropped, json_reply, ok, Canned, Seen};
use super::{signer, CtgConfig, CtgProvider};
use crate::model::{CdnType, Domain, Origin, OriginType, Secret};
use crate::provider::retry::RetryPolicy;
use crate::provider::{ErrorKind, Provider};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const AK: &str = "ak-test";
const SK: &str = "sk-very-secret-123";

fn provider(c: &Canned) -> CtgProvider {
    let mut config = CtgConfig::new(AK, Secret::new(SK));
    config.endpoint = c.endpoint.clone();
    config.retry = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
        max_total: Duration::from_secs(5),
    };
    CtgProvider::new(config).unwrap()
}

fn token_answer(token: &str) -> super::canned::Reply {
    let expire = chrono::Utc::now().timestamp() + 7200;
    ok(json!({"token": token, "refresh_token": "r", "expire": expire, "uid": "7", "username": "t"}))
}

fn is_token(s: &Seen) -> bool {
    s.path == "/API/OAuth/token"
}

fn empty_list() -> super::canned::Reply {
    ok(json!({"total": 0, "list": []}))
}

fn token_calls(c: &Canned) -> usize {
    c.seen().iter().filter(|s| is_token(s)).count()
}

#[tokio::test]
async fn token_call_is_signed_and_cached() {
    let c = canned(|s, _| {
        if is_token(s) {
            token_answer("tok-1")
        } else {
            empty_list()
        }
    })
    .await;
    let p = provider(&c);
    assert!(p.list_domains().await.unwrap().is_empty());
    assert!(p.list_domains().await.unwrap().is_empty());
    let seen = c.seen();
    assert_eq!(token_calls(&c), 1, "{:?}", c.actions());
    let t = &seen[0];
    assert_eq!(t.action(), "POST /API/OAuth/token");
    let date = t.header("x-request-date").unwrap();
    assert!(date.ends_with(" GMT"), "{date}");
    assert_eq!(t.body["access_key"], AK);
    assert_eq!(
        t.body["signature"],
        signer::sign(date, AK, &Secret::new(SK))
    );
    for s in &seen[1..] {
        assert_eq!(s.action(), "GET /API/domain/list");
        assert_eq!(s.header("authorization"), Some("Bearer tok-1"));
        assert_eq!(s.param("page_size"), Some("100"));
    }
}

#[tokio::test]
async fn an_expired_token_is_fetched_again() {
    let c = canned(|s, _| {
        if is_token(s) {
            // Already at its expiry: never reused.
            ok(json!({"token": "tok", "expire": chrono::Utc::now().timestamp()}))
        } else {
            empty_list()
        }
    })
    .await;
    let p = provider(&c);
    p.list_domains().await.unwrap();
    p.list_domains().await.unwrap();
    assert_eq!(token_calls(&c), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_share_one_token_call() {
    let c = canned(|s, _| {
        if is_token(s) {
            std::thread::sleep(Duration::from_millis(150));
            token_answer("tok-shared")
        } else {
            empty_list()
        }
    })
    .await;
    let p = Arc::new(provider(&c));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let p = p.clone();
        tasks.spawn(async move { p.list_domains().await });
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap().unwrap();
    }
    assert_eq!(token_calls(&c), 1, "{:?}", c.actions());
    assert_eq!(c.seen().len(), 9);
}

#[tokio::test]
async fn a_401_authenticates_once_more_and_retries_the_call() {
    let issued = Arc::new(AtomicUsize::new(0));
    let i2 = issued.clone();
    let c = canned(move |s, _| {
        if is_token(s) {
            let n = i2.fetch_add(1, Ordering::SeqCst) + 1;
            return token_answer(&format!("tok-{n}"));
        }
        match s.header("authorization") {
            Some("Bearer tok-2") => ok(json!(null)),
            _ => json_reply(401, json!({"error": "token expired"})),
        }
    })
    .await;
    let p = provider(&c);
    p.set_enabled("a.example.com", false).await.unwrap();
    assert_eq!(
        c.actions(),
        [
            "POST /API/OAuth/token",
            "PUT /API/domain/disable",
            "POST /API/OAuth/token",
            "PUT /API/domain/disable"
        ]
    );
    assert_eq!(c.seen()[3].body, json!({"domain": "a.example.com"}));
    // The fresh token is kept.
    p.set_enabled("a.example.com", true).await.unwrap();
    assert_eq!(token_calls(&c), 2);
}

#[tokio::test]
async fn a_401_after_reauthentication_is_an_auth_error() {
    let c = canned(|s, _| {
        if is_token(s) {
            token_answer("tok-x")
        } else {
            json_reply(401, json!({"error": "token invalid tok-x"}))
        }
    })
    .await;
    let e = provider(&c)
        .delete_domain("a.example.com")
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    assert_eq!(token_calls(&c), 2);
    assert!(!e.to_string().contains("tok-x"), "{e}");
}

#[tokio::test]
async fn refused_credentials_are_an_auth_error_without_the_secret() {
    let c = canned(|_, _| {
        json_reply(
            401,
            json!({"error": format!("Invalid parameter signature for {SK}")}),
        )
    })
    .await;
    let p = provider(&c);
    let e = p.read_domain("a.example.com").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    assert_eq!(e.action, "POST /API/OAuth/token");
    assert!(e.message.contains("credentials were refused"), "{e}");
    assert_eq!(c.seen().len(), 1, "an auth error is not retried");
    let signature = c.seen()[0].body["signature"].as_str().unwrap().to_string();
    for text in [e.to_string(), format!("{e:?}"), format!("{p:?}")] {
        assert!(!text.contains(SK), "{text}");
        assert!(!text.contains(&signature), "{text}");
    }
    let mut config = CtgConfig::new(AK, Secret::new(SK));
    config.endpoint = c.endpoint.clone();
    assert!(!format!("{config:?}").contains(SK));
}

#[tokio::test]
async fn error_bodies_become_neutral_errors() {
    let c = canned(|s, _| {
        if is_token(s) {
            return token_answer("tok-e");
        }
        match (s.method.as_str(), s.path.as_str()) {
            ("GET", "/API/domain") => json_reply(404, json!({"error": "domain not found"})),
            ("POST", "/API/domain") => json_reply(409, json!({"error": "domain already exists"})),
            ("PUT", "/API/domain/enable") => {
                json_reply(429, json!({"error": "slow down"})).header("Retry-After", 0)
            }
            ("PUT", "/API/domain/disable") => json_reply(503, json!({"error": "busy tok-e"})),
            ("DELETE", "/API/domain") => json_reply(404, json!({"error": "domain not found"})),
            _ => json_reply(400, json!({"error": "origin address is invalid"})),
        }
    })
    .await;
    let p = provider(&c);
    assert_eq!(p.read_domain("a.example.com").await.unwrap(), None);
    p.delete_domain("a.example.com").await.unwrap();
    let origin = Origin {
        origin_type: OriginType::Ip,
        address: "192.0.2.1".into(),
        port: 80,
        priority: 20,
        weight: 10,
    };
    let d = Domain::new("a.example.com", CdnType::Web, vec![origin.clone()]);
    let e = p.create_domain(&d).await.unwrap_err();
    assert_eq!(
        (e.kind, e.http_status),
        (ErrorKind::AlreadyExists, Some(409))
    );
    assert_eq!(e.action, "POST /API/domain");
    let e = p.set_enabled("a.example.com", true).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Throttled);
    assert_eq!(e.retry_after, Some(Duration::ZERO));
    let e = p.set_enabled("a.example.com", false).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Server);
    assert_eq!(e.message, "busy ******");
    let mut moved = d.clone();
    moved.origins[0].address = "192.0.2.2".into();
    let e = p.update_domain(&d, &moved).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert_eq!(e.action, "PUT /API/domain/origin");
    assert!(e.to_string().contains("origin address is invalid"), "{e}");
    // Retryable answers were retried (3 attempts), the others were not.
    let count = |a: &str| c.actions().iter().filter(|x| *x == a).count();
    assert_eq!(count("PUT /API/domain/enable"), 3);
    assert_eq!(count("PUT /API/domain/disable"), 3);
    assert_eq!(count("PUT /API/domain/origin"), 1);
    assert_eq!(token_calls(&c), 1);
}

#[tokio::test]
async fn listing_pages_through_the_total() {
    let c = canned(|s, _| {
        if is_token(s) {
            return token_answer("t");
        }
        let page: usize = s.param("page").unwrap().parse().unwrap();
        let list: Vec<_> = (0..if page == 1 { 100 } else { 5 })
            .map(|i| json!({"domain": format!("d{page}-{i}.example.com"), "cname": "c", "product": "web", "status": "online"}))
            .collect();
        ok(json!({"total": 105, "list": list}))
    })
    .await;
    let all = provider(&c).list_domains().await.unwrap();
    assert_eq!(all.len(), 105);
    assert_eq!(all[0].status, "online");
    assert_eq!(c.seen().len(), 3);
}

#[tokio::test]
async fn unreadable_domain_answers_say_why() {
    let cases = [
        ("", "unreadable answer: empty body"),
        (
            "<html><head><title>502</title></head></html>",
            "unreadable answer: an HTML page, not an API answer",
        ),
        (
            "{\"code\": 1, \"data\": {\"domain\": ",
            "unreadable answer: malformed JSON",
        ),
        ("OK", "unreadable answer: malformed JSON"),
        (
            "{\"code\": 1, \"message\": \"OK\"}",
            "unreadable answer: the answer's data has no domain field",
        ),
    ];
    for (body, want) in cases {
        let c = canned(move |s, _| {
            if is_token(s) {
                token_answer("t1")
            } else {
                super::canned::Reply {
                    status: 200,
                    headers: Vec::new(),
                    body: body.to_string(),
                    dropped: false,
                }
            }
        })
        .await;
        let e = provider(&c)
            .read_domain("www.example.com")
            .await
            .unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("ctg GET /API/domain failed: ") && text.contains(want),
            "{text}"
        );
        assert_eq!(e.kind, ErrorKind::Other, "{text}");
    }
}

fn sample(name: &str) -> Domain {
    Domain::new(
        name,
        CdnType::Web,
        vec![Origin {
            origin_type: OriginType::Ip,
            address: "192.0.2.1".into(),
            port: 80,
            priority: 20,
            weight: 10,
        }],
    )
}

#[tokio::test]
async fn create_settles_every_unknown_outcome_by_reading() {
    // The first create's answer is lost before it took effect (the domain is
    // not there), the second's after it did: read again, never a third.
    let creates = Arc::new(AtomicUsize::new(0));
    let c2 = creates.clone();
    let c = canned(move |s, _| match s.action().as_str() {
        "POST /API/OAuth/token" => token_answer("tok"),
        "POST /API/domain" => {
            c2.fetch_add(1, Ordering::SeqCst);
            dropped()
        }
        "GET /API/domain" if c2.load(Ordering::SeqCst) < 2 => {
            json_reply(404, json!({"error": "domain c.example.com does not exist"}))
        }
        "GET /API/domain" => ok(
            json!({"domain": "c.example.com", "product": "web", "status": "configuring", "cname": "c"}),
        ),
        other => panic!("unexpected {other}"),
    })
    .await;
    provider(&c)
        .create_domain(&sample("c.example.com"))
        .await
        .unwrap();
    let calls: Vec<String> = c
        .seen()
        .iter()
        .filter(|s| !is_token(s))
        .map(Seen::action)
        .collect();
    assert_eq!(
        calls,
        [
            "POST /API/domain",
            "GET /API/domain",
            "POST /API/domain",
            "GET /API/domain"
        ]
    );
}

#[tokio::test]
async fn create_takes_409_after_a_server_error_as_its_own() {
    let creates = Arc::new(AtomicUsize::new(0));
    let c2 = creates.clone();
    let c = canned(move |s, _| match s.action().as_str() {
        "POST /API/OAuth/token" => token_answer("tok"),
        "POST /API/domain" if c2.fetch_add(1, Ordering::SeqCst) == 0 => {
            json_reply(503, json!({"error": "service unavailable"}))
        }
        "POST /API/domain" => {
            json_reply(409, json!({"error": "domain c.example.com already exists"}))
        }
        _ => json_reply(404, json!({"error": "domain c.example.com does not exist"})),
    })
    .await;
    provider(&c)
        .create_domain(&sample("c.example.com"))
        .await
        .unwrap();
    assert_eq!(creates.load(Ordering::SeqCst), 2);
}
