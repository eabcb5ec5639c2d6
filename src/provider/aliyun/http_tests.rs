//! The provider over real HTTP against a canned responder on 127.0.0.1 (a
//! scripted stand-in, not the emulator): request shape and signing, JSON and
//! XML answers, paging, retries, the create's unknown-outcome handling, and
//! secret redaction.

use super::canned::{canned, Canned, Reply};
use super::{signer, AliyunConfig, AliyunProvider};
use crate::model::{CdnType, Domain, Origin, OriginType, Secret};
use crate::provider::retry::RetryPolicy;
use crate::provider::{CallObserver, ErrorKind, Provider, ProviderError};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SECRET: &str = "s3cr3t-never-printed";

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/testdata/aliyun/responses/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).expect(&path)
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
        max_total: Duration::from_secs(10),
    }
}

#[derive(Default)]
struct Counting {
    calls: AtomicUsize,
    retries: AtomicUsize,
}

impl CallObserver for Counting {
    fn on_call(&self, vendor: &str, _action: &str) {
        assert_eq!(vendor, "aliyun");
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
    fn on_retry(&self, _: &str, _: &str, _: &ProviderError, _: Duration) {
        self.retries.fetch_add(1, Ordering::SeqCst);
    }
}

fn config(endpoint: &str) -> AliyunConfig {
    AliyunConfig {
        endpoint: endpoint.to_string(),
        retry: fast_retry(),
        ..AliyunConfig::new("testid", Secret::new(SECRET))
    }
}

fn provider(c: &Canned) -> AliyunProvider {
    AliyunProvider::new(config(&c.endpoint)).unwrap()
}

fn not_found() -> Reply {
    Reply::Json(404, fixture("error-InvalidDomain.NotFound.json"))
}

fn ok_json() -> Reply {
    Reply::Json(200, r#"{"RequestId":"OK-1"}"#.into())
}

fn sample_domain() -> Domain {
    Domain::new(
        "img.example.com",
        CdnType::Web,
        vec![Origin {
            origin_type: OriginType::Ip,
            address: "203.0.113.10".into(),
            port: 80,
            priority: 20,
            weight: 10,
        }],
    )
}

#[tokio::test]
async fn read_sends_a_signed_form_post_and_parses_json() {
    let c = canned(|_, _| Reply::Json(200, fixture("DescribeCdnDomainDetail.json"))).await;
    let d = provider(&c)
        .read_domain("img.example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.origins.len(), 2);
    assert_eq!(d.status.as_deref(), Some("online"));
    let seen = c.seen();
    // The detail, then the configuration (SSL is off: no certificate read).
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].action(), "DescribeCdnDomainConfigs");
    let r = &seen[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.content_type, "application/x-www-form-urlencoded");
    let p = &r.params;
    assert_eq!(p["Action"], "DescribeCdnDomainDetail");
    assert_eq!(p["DomainName"], "img.example.com");
    assert_eq!(p["Format"], "JSON");
    assert_eq!(p["Version"], "2018-05-10");
    assert_eq!(p["AccessKeyId"], "testid");
    assert_eq!(p["SignatureMethod"], "HMAC-SHA1");
    assert_eq!(p["SignatureVersion"], "1.0");
    assert!(uuid::Uuid::parse_str(&p["SignatureNonce"]).is_ok());
    assert!(chrono::NaiveDateTime::parse_from_str(&p["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").is_ok());
    let mut unsigned = p.clone();
    let sig = unsigned.remove("Signature").unwrap();
    assert_eq!(sig, signer::sign("POST", &unsigned, &Secret::new(SECRET)));
}

#[tokio::test]
async fn xml_answers_read_the_same() {
    let cj = canned(|_, _| Reply::Json(200, fixture("DescribeCdnDomainDetail.json"))).await;
    let cx = canned(|_, _| Reply::Xml(200, fixture("DescribeCdnDomainDetail.xml"))).await;
    let j = provider(&cj).read_domain("img.example.com").await.unwrap();
    let x = provider(&cx).read_domain("img.example.com").await.unwrap();
    assert_eq!(j, x);
    assert!(j.is_some());
}

#[tokio::test]
async fn missing_domain_reads_as_none_and_deletes_as_done() {
    let c = canned(|_, _| not_found()).await;
    let p = provider(&c);
    assert_eq!(p.read_domain("gone.example.com").await.unwrap(), None);
    p.delete_domain("gone.example.com").await.unwrap();
    assert_eq!(c.actions(), ["DescribeCdnDomainDetail", "DeleteCdnDomain"]);
}

#[tokio::test]
async fn list_reads_every_page() {
    let c = canned(|req, _| {
        let page: usize = req.params["PageNumber"].parse().unwrap();
        let items: Vec<String> = match page {
            1 => (0..500).map(|i| format!("d{i}.example.com")).collect(),
            2 => vec!["last.example.com".into()],
            _ => vec![],
        };
        let data: Vec<_> = items
            .iter()
            .map(|n| serde_json::json!({"DomainName": n, "DomainStatus": "online"}))
            .collect();
        Reply::Json(
            200,
            serde_json::json!({"RequestId": "R", "PageNumber": page, "PageSize": 500,
                               "TotalCount": 501, "Domains": {"PageData": data}})
            .to_string(),
        )
    })
    .await;
    let all = provider(&c).list_domains().await.unwrap();
    assert_eq!(all.len(), 501);
    assert_eq!(all[500].name, "last.example.com");
    let pages: Vec<(String, String)> = c
        .seen()
        .iter()
        .map(|s| (s.params["PageSize"].clone(), s.params["PageNumber"].clone()))
        .collect();
    assert_eq!(
        pages,
        [("500".into(), "1".into()), ("500".into(), "2".into())]
    );
}

#[tokio::test]
async fn list_xml_fixture() {
    let c = canned(|_, _| Reply::Xml(200, fixture("DescribeUserDomains.xml"))).await;
    let all = provider(&c).list_domains().await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(c.seen().len(), 1);
}

#[tokio::test]
async fn throttling_is_retried_with_a_fresh_signature() {
    let c = canned(|_, n| {
        if n < 2 {
            Reply::Xml(503, fixture("error-Throttling.xml"))
        } else {
            Reply::Json(200, fixture("DescribeCdnDomainDetail.json"))
        }
    })
    .await;
    let obs = Arc::new(Counting::default());
    let mut cfg = config(&c.endpoint);
    cfg.observer = Some(obs.clone());
    let p = AliyunProvider::new(cfg).unwrap();
    assert!(p.read_domain("img.example.com").await.unwrap().is_some());
    // Two throttled attempts, the detail, then the configuration.
    let seen = c.seen();
    assert_eq!(seen.len(), 4);
    let nonces: std::collections::HashSet<_> = seen
        .iter()
        .map(|s| s.params["SignatureNonce"].clone())
        .collect();
    assert_eq!(nonces.len(), 4);
    assert_eq!(obs.calls.load(Ordering::SeqCst), 4);
    assert_eq!(obs.retries.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn auth_errors_are_final_and_keep_vendor_details() {
    let c = canned(|_, _| Reply::Json(403, fixture("error-SignatureDoesNotMatch.json"))).await;
    let e = provider(&c)
        .read_domain("img.example.com")
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    assert_eq!(e.code.as_deref(), Some("SignatureDoesNotMatch"));
    assert_eq!(
        e.request_id.as_deref(),
        Some("2B0F5C77-3A8E-4C1D-A0B2-9F6E1D3C5A88")
    );
    assert_eq!(e.http_status, Some(403));
    assert_eq!(c.seen().len(), 1);
}

#[tokio::test]
async fn create_sends_sources_json() {
    let c = canned(|_, _| ok_json()).await;
    provider(&c).create_domain(&sample_domain()).await.unwrap();
    let seen = c.seen();
    assert_eq!(seen.len(), 1);
    let p = &seen[0].params;
    assert_eq!(p["Action"], "AddCdnDomain");
    assert_eq!(p["CdnType"], "web");
    assert_eq!(
        p["Sources"],
        r#"[{"content":"203.0.113.10","type":"ipaddr","port":80,"priority":"20","weight":"10"}]"#
    );
    assert!(!p.contains_key("Scope"));
}

#[tokio::test]
async fn create_with_lost_answer_reads_before_retrying() {
    // Lost answer, domain not there: the create is sent again.
    let adds = Arc::new(AtomicUsize::new(0));
    let a2 = adds.clone();
    let c = canned(move |req, _| match req.action() {
        "AddCdnDomain" => {
            if a2.fetch_add(1, Ordering::SeqCst) == 0 {
                Reply::Drop
            } else {
                ok_json()
            }
        }
        "DescribeCdnDomainDetail" => not_found(),
        other => panic!("unexpected {other}"),
    })
    .await;
    provider(&c).create_domain(&sample_domain()).await.unwrap();
    assert_eq!(
        c.actions(),
        ["AddCdnDomain", "DescribeCdnDomainDetail", "AddCdnDomain"]
    );
}

#[tokio::test]
async fn create_with_lost_answer_that_succeeded_is_not_repeated() {
    let c = canned(|req, _| match req.action() {
        "AddCdnDomain" => Reply::Drop,
        _ => Reply::Json(200, fixture("DescribeCdnDomainDetail.json")),
    })
    .await;
    provider(&c).create_domain(&sample_domain()).await.unwrap();
    assert_eq!(c.actions(), ["AddCdnDomain", "DescribeCdnDomainDetail"]);
}

#[tokio::test]
async fn already_exists_after_an_uncertain_attempt_is_our_success() {
    // Server error on the first try, domain not yet visible, then the
    // second try finds it: the first one did create it.
    let c = canned(|req, n| match req.action() {
        "AddCdnDomain" if n == 0 => Reply::Json(
            500,
            r#"{"RequestId":"R","Code":"InternalError","Message":"oops"}"#.into(),
        ),
        "AddCdnDomain" => Reply::Xml(400, fixture("error-DomainAlreadyExist.xml")),
        _ => not_found(),
    })
    .await;
    provider(&c).create_domain(&sample_domain()).await.unwrap();
    assert_eq!(
        c.actions(),
        ["AddCdnDomain", "DescribeCdnDomainDetail", "AddCdnDomain"]
    );
}

#[tokio::test]
async fn already_exists_otherwise_is_an_error() {
    // First attempt: already there (someone else's). After a throttled
    // attempt (surely not processed) it is not ours either.
    let c = canned(|_, _| Reply::Xml(400, fixture("error-DomainAlreadyExist.xml"))).await;
    let e = provider(&c)
        .create_domain(&sample_domain())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::AlreadyExists);

    let c = canned(|_, n| {
        if n == 0 {
            Reply::Xml(503, fixture("error-Throttling.xml"))
        } else {
            Reply::Xml(400, fixture("error-DomainAlreadyExist.xml"))
        }
    })
    .await;
    let e = provider(&c)
        .create_domain(&sample_domain())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::AlreadyExists);
    assert_eq!(c.actions(), ["AddCdnDomain", "AddCdnDomain"]);
}

#[tokio::test]
async fn idempotent_writes_retry_lost_answers() {
    let c = canned(|_, n| if n == 0 { Reply::Drop } else { ok_json() }).await;
    provider(&c)
        .set_enabled("img.example.com", false)
        .await
        .unwrap();
    assert_eq!(c.actions(), ["StopCdnDomain", "StopCdnDomain"]);
}

#[tokio::test]
async fn lost_write_answer_without_retries_is_outcome_unknown() {
    let c = canned(|_, _| Reply::Drop).await;
    let mut cfg = config(&c.endpoint);
    cfg.retry = RetryPolicy::never();
    let p = AliyunProvider::new(cfg).unwrap();
    let e = p.set_enabled("img.example.com", true).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::OutcomeUnknown);
    assert_eq!(c.actions(), ["StartCdnDomain"]);
    // The same loss on a read is a plain transport error.
    let e = p.read_domain("img.example.com").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Transport);
}

#[tokio::test]
async fn refused_connection_is_transport() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    let mut cfg = config(&format!("http://127.0.0.1:{port}"));
    cfg.retry = RetryPolicy::never();
    let e = AliyunProvider::new(cfg)
        .unwrap()
        .create_domain(&sample_domain())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Transport);
}

#[tokio::test]
async fn update_modifies_origins_only_when_they_differ() {
    let c = canned(|_, _| ok_json()).await;
    let p = provider(&c);
    let prior = sample_domain();
    p.update_domain(&prior, &prior).await.unwrap();
    assert!(c.seen().is_empty());
    let mut desired = prior.clone();
    desired.origins[0].weight = 50;
    p.update_domain(&prior, &desired).await.unwrap();
    let seen = c.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].action(), "ModifyCdnDomain");
    assert!(seen[0].params["Sources"].contains(r#""weight":"50""#));
    let mut other = prior.clone();
    other.cdn_type = CdnType::Video;
    let e = p.update_domain(&prior, &other).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
}

#[tokio::test]
async fn the_secret_never_shows() {
    let c = canned(|_, _| Reply::Json(403, fixture("error-SignatureDoesNotMatch.json"))).await;
    let cfg = config(&c.endpoint);
    let p = AliyunProvider::new(cfg.clone()).unwrap();
    let e = p.read_domain("img.example.com").await.unwrap_err();
    for text in [
        format!("{cfg:?}"),
        format!("{p:?}"),
        format!("{e:?}"),
        format!("{e}"),
    ] {
        assert!(!text.contains(SECRET), "{text}");
    }
    assert!(format!("{p:?}").contains("******"));
    let bad = AliyunProvider::new(AliyunConfig {
        endpoint: "http://example.com".into(),
        ..cfg
    })
    .unwrap_err();
    assert!(!format!("{bad:?} {bad}").contains(SECRET));
}

#[test]
fn plain_http_only_to_loopback() {
    let e = AliyunProvider::new(config("http://cdn.aliyuncs.com")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert!(e.to_string().contains("loopback"), "{e}");
    assert!(AliyunProvider::new(config("http://127.0.0.1:1")).is_ok());
    assert!(AliyunProvider::new(config("https://cdn.aliyuncs.com")).is_ok());
}

#[derive(Default)]
struct Waits(Mutex<Vec<Duration>>);

impl CallObserver for Waits {
    fn on_call(&self, _: &str, _: &str) {}
    fn on_retry(&self, _: &str, _: &str, _: &ProviderError, wait: Duration) {
        self.0.lock().unwrap().push(wait);
    }
}

#[tokio::test]
async fn retry_after_header_sets_the_wait() {
    let c = canned(|_, n| {
        if n == 0 {
            Reply::JsonRetryAfter(
                503,
                r#"{"RequestId":"R","Code":"ServiceUnavailable","Message":"later"}"#.into(),
                1,
            )
        } else {
            Reply::Json(200, fixture("DescribeCdnDomainDetail.json"))
        }
    })
    .await;
    let waits = Arc::new(Waits::default());
    let mut cfg = config(&c.endpoint);
    cfg.observer = Some(waits.clone());
    let p = AliyunProvider::new(cfg).unwrap();
    assert!(p.read_domain("img.example.com").await.unwrap().is_some());
    assert_eq!(*waits.0.lock().unwrap(), [Duration::from_secs(1)]);
}

#[tokio::test]
async fn unreadable_create_answer_is_settled_by_reading() {
    let c = canned(|req, _| match req.action() {
        "AddCdnDomain" => Reply::Json(200, "<html>proxy</html".into()),
        _ => Reply::Json(200, fixture("DescribeCdnDomainDetail.json")),
    })
    .await;
    provider(&c).create_domain(&sample_domain()).await.unwrap();
    assert_eq!(c.actions(), ["AddCdnDomain", "DescribeCdnDomainDetail"]);
}

#[tokio::test]
async fn unreadable_domain_answers_say_why() {
    let cases = [
        (
            Reply::Json(200, String::new()),
            "unreadable answer: empty body",
        ),
        (
            Reply::Json(200, "<html><body>Welcome to nginx!</body></html>".into()),
            "unreadable answer: an HTML page, not an API answer",
        ),
        (
            Reply::Json(200, "{\"GetDomainDetailModel\": {".into()),
            "unreadable answer: malformed JSON",
        ),
        (
            Reply::Xml(
                200,
                "<R><GetDomainDetailModel><DomainName>a</DomainNam>".into(),
            ),
            "unreadable answer: malformed XML",
        ),
        (
            Reply::Json(
                200,
                "{\"GetDomainDetailModel\": {\"DomainName\": \"www.example.com\"}}".into(),
            ),
            "unreadable answer: GetDomainDetailModel without CdnType",
        ),
    ];
    for (reply, want) in cases {
        let reply = Arc::new(Mutex::new(Some(reply)));
        let c = canned(move |_, _| reply.lock().unwrap().take().unwrap_or(Reply::Drop)).await;
        let e = provider(&c)
            .read_domain("www.example.com")
            .await
            .unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("aliyun DescribeCdnDomainDetail failed: ") && text.contains(want),
            "{text}"
        );
        assert_eq!(e.kind, ErrorKind::Other, "{text}");
    }
}
