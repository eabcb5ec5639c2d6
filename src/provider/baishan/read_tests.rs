//! Batched reads against the canned responder: ten domains per `GET
//! /domain` and per `GET /domain/config`, never more; a domain missing
//! from the answer, or refused as not found by a server that fails the
//! whole call, reads as `None` exactly as it would alone.

use super::canned::{canned, json_reply, ok, Canned, Reply, Seen};
use super::http_tests::{entry, rig};
use crate::model::{Domain, Origin, OriginType};
use crate::provider::retry::RetryPolicy;
use crate::provider::{ErrorKind, Provider};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::Arc;

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("d{i:02}.example.com")).collect()
}

fn asked(s: &Seen) -> Vec<String> {
    s.param("domains")
        .unwrap_or_default()
        .split(',')
        .map(str::to_string)
        .collect()
}

/// The origin the responder gives `name`: `192.0.2.<its number + 1>`.
fn origin_of(name: &str) -> String {
    let n: u32 = name[1..3].parse().unwrap();
    format!("192.0.2.{}", n + 1)
}

fn config_of(name: &str) -> Value {
    json!({"origin": {"default_master": origin_of(name)}})
}

/// How the responder treats a domain it does not have.
#[derive(Clone, Copy)]
enum Missing {
    /// Left out of the answer.
    Absent,
    /// The whole call fails as not found, naming the first one.
    Named,
    /// The whole call fails as not found, naming none.
    Unnamed,
}

/// Every name but `gone` exists; answers in the documented envelope.
async fn server(gone: &[&str], missing: Missing) -> Canned {
    let gone: Arc<BTreeSet<String>> = Arc::new(gone.iter().map(|s| s.to_string()).collect());
    canned(move |s, _| {
        let names = asked(s);
        let absent: Vec<&String> = names.iter().filter(|n| gone.contains(*n)).collect();
        let refuse = |message: String| {
            json_reply(404, json!({"code": 404, "message": message, "data": null}))
        };
        match (s.action().as_str(), absent.first(), missing) {
            (_, Some(n), Missing::Named) => refuse(format!("domain {n} does not exist")),
            (_, Some(_), Missing::Unnamed) => refuse("domain not exist".into()),
            ("GET /domain", _, _) => ok(Value::Array(
                names
                    .iter()
                    .filter(|n| !gone.contains(*n))
                    .map(|n| entry(n, "serving"))
                    .collect(),
            )),
            ("GET /domain/config", _, _) => ok(Value::Array(
                names
                    .iter()
                    .filter(|n| !gone.contains(*n))
                    .map(|n| json!({"domain": n, "config": config_of(n)}))
                    .collect(),
            )),
            (other, _, _) => panic!("unexpected {other}"),
        }
    })
    .await
}

fn expected(name: &str) -> Domain {
    let mut d = Domain::new(
        name,
        crate::model::CdnType::Web,
        vec![Origin {
            origin_type: OriginType::Ip,
            address: origin_of(name),
            port: 80,
            priority: 20,
            weight: 10,
        }],
    );
    d.status = Some("online".into());
    d.cname = Some(format!("{name}.bsgslb.cn"));
    d
}

/// Each call's action and the domains it named.
fn calls(c: &Canned) -> Vec<(String, Vec<String>)> {
    c.seen().iter().map(|s| (s.action(), asked(s))).collect()
}

#[tokio::test]
async fn twenty_five_domains_take_three_and_three_calls() {
    let c = server(&["d07.example.com"], Missing::Absent).await;
    let r = rig(&c, RetryPolicy::never());
    assert_eq!(r.p.read_batch_size(), 10);
    let all = names(25);
    let got = r.p.read_domains(&all).await.unwrap();
    assert_eq!(got.len(), 25);
    for (name, d) in all.iter().zip(&got) {
        if name == "d07.example.com" {
            assert_eq!(*d, None);
        } else {
            assert_eq!(d.as_ref(), Some(&expected(name)), "{name}");
        }
    }
    let without_7: Vec<String> = all[..10]
        .iter()
        .filter(|n| *n != "d07.example.com")
        .cloned()
        .collect();
    assert_eq!(
        calls(&c),
        [
            ("GET /domain".to_string(), all[..10].to_vec()),
            ("GET /domain/config".to_string(), without_7),
            ("GET /domain".to_string(), all[10..20].to_vec()),
            ("GET /domain/config".to_string(), all[10..20].to_vec()),
            ("GET /domain".to_string(), all[20..].to_vec()),
            ("GET /domain/config".to_string(), all[20..].to_vec()),
        ]
    );
    // Never more than ten, and the token on every call.
    assert!(c.seen().iter().all(|s| asked(s).len() <= 10));
    assert!(c
        .seen()
        .iter()
        .all(|s| s.param("token") == Some(super::http_tests::TOKEN)));
    // The single read is the same two calls for one domain.
    assert_eq!(
        r.p.read_domain("d07.example.com").await.unwrap(),
        None,
        "gone alone too"
    );
    assert_eq!(
        r.p.read_domain("d08.example.com").await.unwrap(),
        Some(expected("d08.example.com"))
    );
}

#[tokio::test]
async fn a_whole_call_refused_for_a_named_domain_drops_that_one() {
    let c = server(&["d03.example.com", "d07.example.com"], Missing::Named).await;
    let r = rig(&c, RetryPolicy::never());
    let all = names(10);
    let got = r.p.read_domains(&all).await.unwrap();
    let present: Vec<bool> = got.iter().map(Option::is_some).collect();
    let want: Vec<bool> = (0..10).map(|i| i != 3 && i != 7).collect();
    assert_eq!(present, want);
    assert_eq!(got[0], Some(expected("d00.example.com")));
    let live: Vec<String> = all
        .iter()
        .filter(|n| *n != "d03.example.com" && *n != "d07.example.com")
        .cloned()
        .collect();
    let mut without_3 = all.clone();
    without_3.remove(3);
    // One call more per missing domain, and the configuration of the rest.
    assert_eq!(
        calls(&c),
        [
            ("GET /domain".to_string(), all.clone()),
            ("GET /domain".to_string(), without_3),
            ("GET /domain".to_string(), live.clone()),
            ("GET /domain/config".to_string(), live),
        ]
    );
}

#[tokio::test]
async fn a_refusal_naming_no_domain_is_settled_domain_by_domain() {
    let c = server(&["d01.example.com"], Missing::Unnamed).await;
    let r = rig(&c, RetryPolicy::never());
    let all = names(3);
    let got = r.p.read_domains(&all).await.unwrap();
    assert_eq!(
        got,
        [
            Some(expected("d00.example.com")),
            None,
            Some(expected("d02.example.com"))
        ]
    );
    let actions: Vec<String> = c.actions();
    assert_eq!(actions.len(), 5, "{actions:?}");
    let singles: BTreeSet<Vec<String>> = calls(&c)[1..4].iter().map(|(_, n)| n.clone()).collect();
    assert_eq!(singles, all.iter().map(|n| vec![n.clone()]).collect());
    assert_eq!(
        calls(&c)[4],
        (
            "GET /domain/config".to_string(),
            vec![all[0].clone(), all[2].clone()]
        )
    );
}

#[tokio::test]
async fn one_unnamed_configuration_for_several_domains_is_asked_again_per_domain() {
    let c = canned(|s, _| {
        let names = asked(s);
        match s.action().as_str() {
            "GET /domain" => ok(Value::Array(
                names.iter().map(|n| entry(n, "serving")).collect(),
            )),
            // The write answer's form: whose configuration is it?
            _ => ok(json!({"config": config_of(&names[0])})),
        }
    })
    .await;
    let r = rig(&c, RetryPolicy::never());
    let all = names(2);
    let got = r.p.read_domains(&all).await.unwrap();
    assert_eq!(
        got,
        [
            Some(expected("d00.example.com")),
            Some(expected("d01.example.com"))
        ]
    );
    assert_eq!(
        calls(&c)[1..],
        [
            ("GET /domain/config".to_string(), all.clone()),
            ("GET /domain/config".to_string(), vec![all[0].clone()]),
            ("GET /domain/config".to_string(), vec![all[1].clone()]),
        ]
    );
}

#[tokio::test]
async fn an_error_fails_the_chunk_without_the_token() {
    let c = canned(|s, _| match s.action().as_str() {
        "GET /domain" => ok(Value::Array(
            asked(s).iter().map(|n| entry(n, "serving")).collect(),
        )),
        _ => Reply {
            status: 500,
            ..json_reply(
                500,
                json!({"code": 500, "message": format!("boom token={}", super::http_tests::TOKEN), "data": null}),
            )
        },
    })
    .await;
    let r = rig(&c, RetryPolicy::never());
    let e = r.p.read_domains(&names(4)).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Server);
    assert!(
        !format!("{e} {e:?}").contains(super::http_tests::TOKEN),
        "{e}"
    );
    assert_eq!(c.actions(), ["GET /domain", "GET /domain/config"]);
}
