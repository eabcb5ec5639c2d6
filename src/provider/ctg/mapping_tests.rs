//! The field mapping end to end: a domain using every feature is created
//! (its write bodies are the recorded answers in
//! `testdata/ctg/feature-answers.json`), read back from those answers as
//! the same domain, updated one feature per call, and cleared. Plus the
//! normal form and the plan-time rules.

use super::canned::{canned, ok, Canned, Seen};
use super::{entry, mapping, validate, CtgConfig, CtgProvider};
use crate::model::domain::*;
use crate::model::{CdnType, Domain, Origin, OriginType, Secret};
use crate::provider::Provider;
use serde_json::{json, Map, Value};

const ANSWERS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/testdata/ctg/feature-answers.json"
);

fn full() -> Domain {
    let origin = |t, a: &str, port, priority, weight| Origin {
        origin_type: t,
        address: a.into(),
        port,
        priority,
        weight,
    };
    let mut d = Domain::new(
        "img.example.com",
        CdnType::Web,
        vec![
            origin(OriginType::Ip, "192.0.2.10", 80, 20, 60),
            origin(OriginType::Domain, "origin.example.com", 443, 30, 40),
        ],
    );
    d.origin_host = Some("origin.example.com".into());
    d.origin_protocol = Some(OriginProtocol::Follow);
    let rule = |m, p: &[&str], ttl, priority| CacheRule {
        match_kind: m,
        patterns: p.iter().map(|s| s.to_string()).collect(),
        ttl: Ttl(ttl),
        ignore_query: m == MatchKind::Extension,
        honor_no_cache: m == MatchKind::Path,
        priority,
    };
    d.cache_rules = vec![
        rule(MatchKind::Extension, &["jpg", "png"], 86400, Some(50)),
        rule(MatchKind::Directory, &["/static/"], 3600, None),
        rule(MatchKind::Path, &["/index.html"], 0, None),
        rule(MatchKind::Regex, &["^/api/v[0-9]+/"], 60, Some(5)),
    ];
    d.referer = Some(RefererFilter {
        mode: FilterMode::Allow,
        list: vec!["*.example.com".into()],
        allow_empty: true,
    });
    d.ip_filter = Some(AccessFilter {
        mode: FilterMode::Deny,
        list: vec!["198.51.100.0/24".into(), "2001:db8::/32".into()],
    });
    d.user_agent_filter = Some(AccessFilter {
        mode: FilterMode::Deny,
        list: vec!["BadBot*".into()],
    });
    let header = |n: &str, v: &str| Header {
        name: n.into(),
        value: v.into(),
    };
    d.response_headers = vec![header("X-Frame-Options", "DENY")];
    d.origin_request_headers = vec![header("X-From-Cdn", "ctg")];
    d.https = Some(Https {
        certificate: Certificate {
            id: Some("cert-42".into()),
            public_pem: None,
            private_pem: None,
        },
        http2: true,
        http3: true,
        force_redirect: true,
        min_tls_version: Some("1.2".into()),
    });
    d.compression = Some(Compression {
        enabled: true,
        content_types: Some(vec!["text/html".into(), "application/json".into()]),
        min_size: Some(1024),
    });
    d.ipv6 = Some(true);
    d
}

fn fields(s: &Seen) -> Value {
    let mut m: Map<String, Value> = s.body.as_object().cloned().unwrap_or_default();
    m.remove("domain");
    Value::Object(m)
}

/// Answers every call: the token, writes with `null`, reads of the entry
/// and of each feature from `answers`.
async fn server(answers: Value) -> Canned {
    canned(move |s, _| {
        if s.path == "/API/OAuth/token" {
            return ok(json!({"token": "t", "expire": chrono::Utc::now().timestamp() + 7200}));
        }
        if s.method != "GET" {
            return ok(Value::Null);
        }
        if s.path == "/API/domain" {
            return ok(json!({
                "domain": s.param("domain").unwrap(), "cname": "img.example.com.ctgcdn.net",
                "product": "web", "status": "online",
                "origin": answers["/API/domain/origin"]["origin"],
            }));
        }
        ok(answers[s.path.as_str()].clone())
    })
    .await
}

fn provider(c: &Canned) -> CtgProvider {
    let mut config = CtgConfig::new("ak", Secret::new("sk"));
    config.endpoint = c.endpoint.clone();
    CtgProvider::new(config).unwrap()
}

fn writes(c: &Canned) -> Vec<Seen> {
    c.seen()
        .into_iter()
        .filter(|s| s.method != "GET" && s.path != "/API/OAuth/token")
        .collect()
}

#[tokio::test]
async fn create_writes_every_feature_as_recorded() {
    let c = server(Value::Null).await;
    provider(&c).create_domain(&full()).await.unwrap();
    let seen = writes(&c);
    assert_eq!(seen[0].action(), "POST /API/domain");
    assert_eq!(seen[0].body["product"], "web");
    let mut recorded = Map::new();
    recorded.insert(
        "/API/domain/origin".into(),
        json!({"origin": seen[0].body["origin"]}),
    );
    for s in &seen[1..] {
        assert_eq!(s.body["domain"], "img.example.com");
        let f = mapping::FEATURES
            .iter()
            .find(|f| f.path() == s.path)
            .unwrap();
        assert_eq!(s.method, f.method().as_str(), "{}", s.path);
        assert!(
            recorded.insert(s.path.clone(), fields(s)).is_none(),
            "{} twice",
            s.path
        );
    }
    // One call per feature, the origins with the create.
    assert_eq!(recorded.len(), mapping::FEATURES.len());
    let recorded = Value::Object(recorded);
    if std::env::var_os("CTG_WRITE_TESTDATA").is_some() {
        let text = serde_json::to_string_pretty(&recorded).unwrap() + "\n";
        std::fs::write(ANSWERS, text).unwrap();
    }
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(ANSWERS).unwrap()).unwrap();
    assert_eq!(recorded, golden);
}

#[tokio::test]
async fn the_recorded_answers_read_back_as_the_same_domain() {
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(ANSWERS).unwrap()).unwrap();
    let c = server(golden).await;
    let p = provider(&c);
    let got = p.read_domain("img.example.com").await.unwrap().unwrap();
    let mut want = full();
    p.normalise(&mut want);
    want.cname = Some("img.example.com.ctgcdn.net".into());
    want.status = Some("online".into());
    assert_eq!(got, want);
    let gets: Vec<String> = c
        .seen()
        .iter()
        .filter(|s| s.method == "GET")
        .map(|s| s.path.clone())
        .collect();
    // The entry carries the origins: every other feature is read once.
    assert_eq!(gets.len(), mapping::FEATURES.len());
    assert!(!gets.contains(&"/API/domain/origin".to_string()));
    assert!(c
        .seen()
        .iter()
        .filter(|s| s.method == "GET")
        .all(|s| s.param("domain") == Some("img.example.com")));
}

#[tokio::test]
async fn unset_features_read_as_unset() {
    let empty = json!({
        "/API/domain/origin_host": {"host": ""}, "/API/domain/origin_protocol": {"protocol": "http"},
        "/API/domain/https": {"cert_id": "", "enable": false}, "/API/domain/force_https": {"enable": true},
        "/API/domain/compress": {"enable": false, "content_types": [], "min_size": 0},
        "/API/domain/ipv6": {"enable": false}, "/API/domain/cache_policy": {"rules": []},
        "/API/domain/response_headers": {"headers": []}, "/API/domain/ip_acl": {"type": "deny", "list": []},
        "/API/domain/referer_acl": {"type": "allow", "list": [], "allow_empty": false},
        "/API/domain/origin": {"origin": [{"address": "192.0.2.1", "type": "ip", "port": 80, "priority": 20, "weight": 10}]},
    });
    let c = server(empty).await;
    let got = provider(&c)
        .read_domain("a.example.com")
        .await
        .unwrap()
        .unwrap();
    let mut want = Domain::new("a.example.com", CdnType::Web, got.origins.clone());
    want.cname = got.cname.clone();
    want.status = Some("online".into());
    assert_eq!(got, want);
}

#[tokio::test]
async fn updates_write_only_what_differs() {
    let c = server(Value::Null).await;
    let p = provider(&c);
    let prior = full();
    let mut desired = full();
    desired.https.as_mut().unwrap().http3 = false;
    desired.user_agent_filter = None;
    p.update_domain(&prior, &desired).await.unwrap();
    let seen: Vec<(String, Value)> = writes(&c).iter().map(|s| (s.action(), fields(s))).collect();
    assert_eq!(
        seen,
        [
            (
                "PUT /API/domain/http3".to_string(),
                json!({"enable": false})
            ),
            (
                "POST /API/domain/ua_acl".to_string(),
                json!({"type": "deny", "list": []})
            ),
        ]
    );
    p.update_domain(&desired, &desired).await.unwrap();
    assert_eq!(writes(&c).len(), 2, "no change, no call");
}

#[tokio::test]
async fn clearing_writes_empty_values_and_https_last() {
    let c = server(Value::Null).await;
    let prior = full();
    let bare = Domain::new(prior.name.clone(), prior.cdn_type, prior.origins.clone());
    provider(&c).update_domain(&prior, &bare).await.unwrap();
    let seen = writes(&c);
    let paths: Vec<&str> = seen.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(paths.len(), mapping::FEATURES.len() - 1);
    let at = |p: &str| paths.iter().position(|x| *x == p).unwrap();
    assert!(at("/API/domain/https") > at("/API/domain/force_https"));
    assert!(at("/API/domain/https") > at("/API/domain/min_tls"));
    let body = |p: &str| fields(&seen[at(p)]);
    assert_eq!(
        body("/API/domain/https"),
        json!({"cert_id": "", "enable": false})
    );
    assert_eq!(body("/API/domain/min_tls"), json!({"version": ""}));
    assert_eq!(body("/API/domain/origin_host"), json!({"host": ""}));
    assert_eq!(
        body("/API/domain/origin_protocol"),
        json!({"protocol": "http"})
    );
    assert_eq!(body("/API/domain/cache_policy"), json!({"rules": []}));
    assert_eq!(body("/API/domain/response_headers"), json!({"headers": []}));
    assert_eq!(
        body("/API/domain/referer_acl"),
        json!({"type": "deny", "list": [], "allow_empty": false})
    );
    assert_eq!(
        body("/API/domain/compress"),
        json!({"enable": false, "content_types": [], "min_size": 0})
    );
    assert_eq!(body("/API/domain/ipv6"), json!({"enable": false}));
}

#[test]
fn normal_form() {
    let mut d = full();
    d.origin_protocol = Some(OriginProtocol::Http);
    d.ipv6 = Some(false);
    d.compression = Some(Compression {
        enabled: true,
        content_types: Some(vec![]),
        min_size: Some(0),
    });
    entry::normalise(&mut d);
    assert_eq!(d.origin_protocol, None);
    assert_eq!(d.ipv6, None);
    assert_eq!(
        d.compression,
        Some(Compression {
            enabled: true,
            content_types: None,
            min_size: None
        })
    );
    d.compression.as_mut().unwrap().enabled = false;
    entry::normalise(&mut d);
    assert_eq!(d.compression, None);
}

#[test]
fn plan_time_rules() {
    assert!(
        validate::validate(&full()).is_empty(),
        "{:?}",
        validate::validate(&full())
    );
    let mut d = full();
    d.origins[0].origin_type = OriginType::Oss;
    d.origins[1].weight = 0;
    d.https.as_mut().unwrap().certificate.id = None;
    d.cache_rules[3].patterns = vec!["([".into()];
    d.ip_filter.as_mut().unwrap().list.push("not-an-ip".into());
    d.response_headers[0].name = "Bad Header".into();
    d.user_agent_filter.as_mut().unwrap().list.clear();
    let pointers: Vec<String> = validate::validate(&d)
        .into_iter()
        .map(|i| i.pointer)
        .collect();
    assert_eq!(
        pointers,
        [
            "/origins/0/type",
            "/origins/1/weight",
            "/cache_rules/3/patterns",
            "/user_agent_filter/list",
            "/ip_filter/list/2",
            "/response_headers/0/name",
            "/https/certificate/id",
        ]
    );
}
