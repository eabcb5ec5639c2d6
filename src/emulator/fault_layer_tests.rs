//! The fault layer over HTTP on 127.0.0.1, observed by a plain reqwest client: each injected
//! error in each vendor's envelope, resets and lost answers as transport errors (never a
//! response), lost writes that did happen, holds past the client's timeout, latency, and
//! seeded reproducibility.

use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::{json, Value};

use super::aliyun::test_support::{signed_query, IP_SRC, V18};
use super::ctg::auth::{signature, DATE_FORMAT};
use super::{start, EmulatorConfig, EmulatorHandle, FaultKind, FaultPlan, FaultRule, FaultVendor};

async fn emulator(faults: FaultPlan) -> EmulatorHandle {
    start(
        EmulatorConfig {
            configuring_delay: Duration::from_millis(50),
            faults,
            ..EmulatorConfig::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap()
}

/// Every request of every vendor gets `kind`.
fn always(kind: FaultKind) -> FaultPlan {
    FaultPlan::uniform(1, 1.0, &[kind])
}

/// Only `action` of `vendor`, and only its first request, gets `kind`.
fn once(vendor: FaultVendor, action: &str, kind: FaultKind) -> FaultPlan {
    FaultPlan::none().with_rule(FaultRule {
        vendor,
        action: action.into(),
        rate: 1.0,
        kinds: vec![kind],
        max_faults: Some(1),
        ..FaultRule::default()
    })
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

async fn send(req: reqwest::RequestBuilder) -> Result<Answer, reqwest::Error> {
    let r = req.send().await?;
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await?;
    Ok(Answer {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    })
}

/// Asserts that `req` gets no answer at all (not even a status line) and returns the error.
async fn no_answer(req: reqwest::RequestBuilder) -> reqwest::Error {
    match req.send().await {
        Ok(r) => panic!("expected no answer, got HTTP {}", r.status()),
        Err(e) => e,
    }
}

fn aliyun_read(http: &reqwest::Client, emu: &EmulatorHandle) -> reqwest::RequestBuilder {
    http.get(format!(
        "{}/?{}",
        emu.url(),
        signed_query(Utc::now(), V18, "DescribeUserDomains", &[], Some("JSON"))
    ))
}

fn baishan_read(http: &reqwest::Client, emu: &EmulatorHandle) -> reqwest::RequestBuilder {
    http.get(format!("{}/v2/domain/list?token=testtoken", emu.url()))
}

fn ctg_read(http: &reqwest::Client, emu: &EmulatorHandle) -> reqwest::RequestBuilder {
    http.get(format!("{}/API/domain/list", emu.url()))
}

async fn ctg_token(http: &reqwest::Client, emu: &EmulatorHandle) -> String {
    let date = Utc::now().format(DATE_FORMAT).to_string();
    let a = send(
        http.post(format!("{}/API/OAuth/token", emu.url()))
            .header("x-request-date", &date)
            .json(&json!({"access_key": "testid",
                          "signature": signature(&date, "testid", "testsecret")})),
    )
    .await
    .unwrap();
    assert_eq!(a.status, 200, "{}", a.body);
    a.body["data"]["token"].as_str().unwrap().to_string()
}

fn header<'a>(a: &'a Answer, name: &str) -> Option<&'a str> {
    a.headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn injected_errors_come_in_each_vendors_envelope() {
    let emu = emulator(always(FaultKind::InternalError)).await;
    let http = reqwest::Client::new();

    let a = send(aliyun_read(&http, &emu)).await.unwrap();
    assert_eq!((a.status, &a.body["Code"]), (500, &json!("InternalError")));
    assert!(a.body["RequestId"].is_string());
    let b = send(baishan_read(&http, &emu)).await.unwrap();
    assert_eq!((b.status, &b.body["code"]), (500, &json!(500)));
    assert!(b.body["data"].is_null());
    let c = send(ctg_read(&http, &emu)).await.unwrap();
    assert_eq!(
        (c.status, &c.body),
        (500, &json!({"error": "internal error"}))
    );

    emu.set_faults(always(FaultKind::Unavailable)).unwrap();
    let a = send(aliyun_read(&http, &emu)).await.unwrap();
    assert_eq!(
        (a.status, &a.body["Code"]),
        (503, &json!("ServiceUnavailable"))
    );
    // Without `Format` Alibaba answers in XML, injected errors too.
    let xml = send(http.get(format!(
        "{}/?{}",
        emu.url(),
        signed_query(Utc::now(), V18, "DescribeUserDomains", &[], None)
    )))
    .await
    .unwrap();
    assert_eq!(xml.status, 503);
    assert!(xml
        .body
        .as_str()
        .unwrap()
        .contains("<Code>ServiceUnavailable</Code>"));
    let b = send(baishan_read(&http, &emu)).await.unwrap();
    assert_eq!((b.status, &b.body["code"]), (503, &json!(503)));
    let c = send(ctg_read(&http, &emu)).await.unwrap();
    assert_eq!(c.status, 503);
    assert!(c.body["error"].is_string());

    emu.set_faults(always(FaultKind::Throttle)).unwrap();
    let a = send(aliyun_read(&http, &emu)).await.unwrap();
    assert_eq!((a.status, &a.body["Code"]), (503, &json!("Throttling")));
    assert_eq!(
        a.body["Message"],
        "Request was denied due to request throttling."
    );
    let b = send(baishan_read(&http, &emu)).await.unwrap();
    assert_eq!((b.status, &b.body["code"]), (429, &json!(429)));
    assert_eq!(header(&b, "x-retry-after"), Some("1"));
    assert_eq!(header(&b, "x-ratelimit-remaining"), Some("0"));
    assert!(header(&b, "x-ratelimit-limit").is_some());
    let c = send(ctg_read(&http, &emu)).await.unwrap();
    assert_eq!(c.status, 429);
    assert!(c.body["error"].is_string());
    assert_eq!(header(&c, "retry-after"), Some("1"));

    let n = emu.faults_injected();
    assert_eq!(
        (n.internal_error, n.unavailable, n.throttled, n.total()),
        (3, 4, 3, 10)
    );
    // No handler ran: nothing was counted as a call or logged as an answer.
    assert_eq!(emu.aliyun_calls("DescribeUserDomains"), 0);
    assert_eq!(emu.baishan_calls("GET /v2/domain/list"), 0);
    assert!(emu.answers("aliyun", "DescribeUserDomains").is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn a_reset_is_a_transport_error_and_nothing_is_done() {
    let emu = emulator(always(FaultKind::Reset)).await;
    let http = reqwest::Client::new();
    for req in [
        aliyun_read(&http, &emu),
        baishan_read(&http, &emu),
        ctg_read(&http, &emu),
        http.post(format!("{}/v2/domain?token=testtoken", emu.url()))
            .json(&json!({"domain": "r.example.com", "type": "page",
                          "config": {"origin": {"default_master": "192.0.2.1"}}})),
    ] {
        let e = send(req).await.err().expect("no answer, not even a status");
        assert!(
            !e.is_timeout() && !e.is_connect() && !e.is_status(),
            "{e:?}"
        );
    }
    assert_eq!(emu.faults_injected().reset, 4);
    assert_eq!(emu.baishan_domains(), json!([]));
    assert_eq!(emu.baishan_calls("POST /v2/domain"), 0);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_lost_answer_is_a_transport_error_after_the_write_happened() {
    let http = reqwest::Client::new();

    // Baishan.
    let emu = emulator(once(
        FaultVendor::Baishan,
        "POST /v2/domain",
        FaultKind::Lost,
    ))
    .await;
    let create = || {
        http.post(format!("{}/v2/domain?token=testtoken", emu.url()))
            .json(&json!({"domain": "lost.example.com", "type": "page",
                          "config": {"origin": {"default_master": "192.0.2.1"}}}))
    };
    let e = no_answer(create()).await;
    assert!(!e.is_timeout() && !e.is_connect(), "{e:?}");
    assert_eq!(emu.baishan_domains()[0]["domain"], "lost.example.com");
    // Creating again is refused as the vendor refuses a duplicate.
    let again = send(create()).await.unwrap();
    assert_eq!(again.status, 400, "{}", again.body);
    let log = emu.answers("baishan", "POST /v2/domain");
    assert_eq!(log.get("200"), Some(&1), "{log:?}");
    assert_eq!(
        log.get("400 domain lost.example.com already exists"),
        Some(&1),
        "{log:?}"
    );
    assert_eq!(emu.faults_injected().lost, 1);
    emu.shutdown().await;

    // Alibaba: the signature and nonce are checked as usual, so replaying the very request
    // whose answer was lost is refused as a replay, and a freshly signed one as a duplicate.
    let emu = emulator(once(FaultVendor::Aliyun, "AddCdnDomain", FaultKind::Lost)).await;
    let extra = [
        ("DomainName", "lost.example.com"),
        ("CdnType", "web"),
        ("Sources", IP_SRC),
    ];
    let url = format!(
        "{}/?{}",
        emu.url(),
        signed_query(Utc::now(), V18, "AddCdnDomain", &extra, Some("JSON"))
    );
    no_answer(http.get(&url)).await;
    assert_eq!(emu.aliyun_domains()[0]["DomainName"], "lost.example.com");
    let replay = send(http.get(&url)).await.unwrap();
    assert_eq!(replay.body["Code"], "SignatureNonceUsed", "{}", replay.body);
    let fresh = send(http.get(format!(
        "{}/?{}",
        emu.url(),
        signed_query(Utc::now(), V18, "AddCdnDomain", &extra, Some("JSON"))
    )))
    .await
    .unwrap();
    assert_eq!(fresh.body["Code"], "DomainAlreadyExist", "{}", fresh.body);
    let log = emu.answers("aliyun", "AddCdnDomain");
    assert_eq!(
        (
            log.get("200"),
            log.get("400 DomainAlreadyExist"),
            log.values().sum::<usize>()
        ),
        (Some(&1), Some(&1), 3),
        "{log:?}"
    );
    emu.shutdown().await;

    // CTG.
    let emu = emulator(once(FaultVendor::Ctg, "POST /API/domain", FaultKind::Lost)).await;
    let token = ctg_token(&http, &emu).await;
    let create = || {
        http.post(format!("{}/API/domain", emu.url()))
            .bearer_auth(&token)
            .json(&json!({"domain": "lost.example.com", "product": "web",
                          "origin": [{"address": "192.0.2.1", "type": "ip", "port": 80,
                                      "priority": 1, "weight": 10}]}))
    };
    no_answer(create()).await;
    assert_eq!(emu.ctg_domains()[0]["domain"], "lost.example.com");
    assert_eq!(send(create()).await.unwrap().status, 409);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_timeout_holds_past_the_clients_timeout_and_ends_at_shutdown() {
    let emu = emulator(FaultPlan {
        hold: Duration::from_secs(2),
        ..always(FaultKind::Timeout)
    })
    .await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let e = no_answer(baishan_read(&impatient, &emu)).await;
    assert!(e.is_timeout(), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    // A patient client waits out the hold, then gets no answer either.
    let patient = reqwest::Client::new();
    let started = Instant::now();
    let e = no_answer(ctg_read(&patient, &emu)).await;
    assert!(!e.is_timeout(), "{e:?}");
    assert!(started.elapsed() >= Duration::from_secs(2));
    assert_eq!(emu.faults_injected().timeout, 2);

    // Shutting down does not wait for a long hold.
    emu.set_faults(FaultPlan {
        hold: Duration::from_secs(600),
        ..always(FaultKind::Timeout)
    })
    .unwrap();
    let held = tokio::spawn(send(baishan_read(&patient, &emu)));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    emu.shutdown().await;
    assert!(held.await.unwrap().is_err());
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn latency_is_added_before_the_answer() {
    let emu = emulator(FaultPlan::none().with_rule(FaultRule {
        vendor: FaultVendor::Baishan,
        latency: Duration::from_millis(300),
        jitter: Duration::from_millis(100),
        ..FaultRule::default()
    }))
    .await;
    let http = reqwest::Client::new();
    let started = Instant::now();
    assert_eq!(send(baishan_read(&http, &emu)).await.unwrap().status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    // Another vendor's requests are not covered by the rule.
    let started = Instant::now();
    assert_eq!(send(ctg_read(&http, &emu)).await.unwrap().status, 401);
    assert!(started.elapsed() < Duration::from_millis(300));
    assert_eq!(emu.faults_injected().delayed, 1);
    assert_eq!(emu.faults_injected().total(), 0);
    emu.shutdown().await;
}

/// The statuses of 40 reads (0: no answer) under `plan`.
async fn statuses(plan: FaultPlan) -> Vec<u16> {
    let emu = emulator(plan).await;
    let http = reqwest::Client::new();
    let mut out = Vec::new();
    for _ in 0..40 {
        out.push(
            send(baishan_read(&http, &emu))
                .await
                .map_or(0, |a| a.status),
        );
    }
    emu.shutdown().await;
    out
}

#[tokio::test]
async fn the_same_seed_gives_the_same_run() {
    let kinds = [
        FaultKind::InternalError,
        FaultKind::Throttle,
        FaultKind::Reset,
    ];
    let a = statuses(FaultPlan::uniform(11, 0.5, &kinds)).await;
    let b = statuses(FaultPlan::uniform(11, 0.5, &kinds)).await;
    assert_eq!(a, b);
    assert!(a.contains(&200) && a.contains(&500) && a.contains(&429) && a.contains(&0));
    let c = statuses(FaultPlan::uniform(12, 0.5, &kinds)).await;
    assert_ne!(a, c);
}

#[tokio::test]
async fn an_invalid_plan_is_refused() {
    let emu = emulator(FaultPlan::none()).await;
    assert!(emu
        .set_faults(FaultPlan::uniform(0, 2.0, &FaultKind::ALL))
        .is_err());
    assert!(emu.faults().is_none());
    emu.shutdown().await;
    let bad = start(
        EmulatorConfig {
            faults: FaultPlan::uniform(0, -1.0, &FaultKind::ALL),
            ..EmulatorConfig::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await;
    assert!(bad.err().unwrap().to_string().contains("fault rate"));
}
