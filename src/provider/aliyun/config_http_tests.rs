//! Configuration calls over HTTP against the canned responder: the read (one
//! DescribeCdnDomainConfigs, the certificate only when on), one update = one
//! BatchSetCdnDomainConfig, deletes by live ConfigId, batching 50 domains a
//! call, polling, error naming and the private key kept out of errors.

use super::canned::{canned, Canned, Reply, Seen};
use super::config_client::PollPolicy;
use super::config_map::FUNCTIONS;
use super::config_tests::{bare, full, rule};
use super::{AliyunConfig, AliyunProvider};
use crate::model::domain::{Certificate, MatchKind};
use crate::model::{Domain, Secret};
use crate::provider::retry::RetryPolicy;
use crate::provider::{ErrorKind, Provider};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const KEY: &str = "-----BEGIN PRIVATE KEY-----\nTOPSECRET-KEY-BYTES\n-----END PRIVATE KEY-----\n";

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/testdata/aliyun/responses/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).expect(&path)
}

fn provider(c: &Canned) -> AliyunProvider {
    let mut p = AliyunProvider::new(AliyunConfig {
        endpoint: c.endpoint.clone(),
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            max_total: Duration::from_secs(10),
        },
        ..AliyunConfig::new("testid", Secret::new("secret"))
    })
    .unwrap();
    p.poll = PollPolicy {
        first: Duration::from_millis(1),
        max: Duration::from_millis(4),
        total: Duration::from_secs(10),
    };
    p
}

fn ok() -> Reply {
    Reply::Json(200, r#"{"RequestId":"OK"}"#.into())
}

/// A configs answer: `(ConfigId, FunctionName, Status)` each.
fn configs(list: &[(&str, &str, &str)]) -> Reply {
    let items: Vec<Value> = list
        .iter()
        .map(|(id, f, s)| json!({"ConfigId": id, "FunctionName": f, "Status": s, "FunctionArgs": {"FunctionArg": []}}))
        .collect();
    Reply::Json(
        200,
        json!({"RequestId": "R", "DomainConfigs": {"DomainConfig": items}}).to_string(),
    )
}

/// Function names of a BatchSetCdnDomainConfig request.
fn set_names(s: &Seen) -> Vec<String> {
    let v: Value = serde_json::from_str(&s.params["Functions"]).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| f["functionName"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn read_is_detail_one_configs_call_and_the_certificate() {
    for xml in [false, true] {
        let c = canned(move |req, _| {
            let name = match req.action() {
                "DescribeCdnDomainDetail" => {
                    let d = fixture("DescribeCdnDomainDetail.json").replace(
                        r#""ServerCertificateStatus": "off""#,
                        r#""ServerCertificateStatus": "on""#,
                    );
                    return Reply::Json(200, d);
                }
                n @ ("DescribeCdnDomainConfigs" | "DescribeDomainCertificateInfo") => n,
                other => panic!("unexpected {other}"),
            };
            if xml {
                Reply::Xml(200, fixture(&format!("{name}.xml")))
            } else {
                Reply::Json(200, fixture(&format!("{name}.json")))
            }
        })
        .await;
        let d = provider(&c)
            .read_domain("img.example.com")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            c.actions(),
            [
                "DescribeCdnDomainDetail",
                "DescribeCdnDomainConfigs",
                "DescribeDomainCertificateInfo"
            ]
        );
        assert_eq!(c.seen()[1].params["FunctionNames"], FUNCTIONS.join(","));
        assert_eq!(c.seen()[2].params["DomainName"], "img.example.com");
        let expected = full();
        assert_eq!(d.cache_rules, expected.cache_rules);
        assert_eq!(d.https, expected.https);
        assert_eq!(d.origin_request_headers, expected.origin_request_headers);
        assert_eq!(d.origins.len(), 2);
    }
}

#[tokio::test]
async fn ssl_off_reads_no_certificate() {
    let c = canned(|req, _| match req.action() {
        "DescribeCdnDomainDetail" => Reply::Json(200, fixture("DescribeCdnDomainDetail.json")),
        _ => Reply::Json(200, fixture("DescribeCdnDomainConfigs.json")),
    })
    .await;
    let d = provider(&c)
        .read_domain("img.example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        c.actions(),
        ["DescribeCdnDomainDetail", "DescribeCdnDomainConfigs"]
    );
    assert_eq!(d.https, None);
    assert_eq!(d.ipv6, Some(true));
}

#[tokio::test]
async fn one_update_is_one_batch_call_then_polls_until_success() {
    let polls = Arc::new(AtomicUsize::new(0));
    let p2 = polls.clone();
    let c = canned(move |req, _| match req.action() {
        "BatchSetCdnDomainConfig" => Reply::Json(
            200,
            json!({"RequestId": "B", "DomainConfigList": {"DomainConfigModel": [
            {"ConfigId": "7", "DomainName": "img.example.com", "FunctionName": "ipv6"}]}})
            .to_string(),
        ),
        "DescribeCdnDomainConfigs" => {
            let status = if p2.fetch_add(1, Ordering::SeqCst) < 2 {
                "configuring"
            } else {
                "success"
            };
            configs(&[
                ("7", "ipv6", status),
                ("8", "gzip", "success"),
                ("9", "set_req_host_header", "testing"),
            ])
        }
        other => panic!("unexpected {other}"),
    })
    .await;
    let prior = bare();
    let mut desired = bare();
    desired.origin_host = Some("o.example.com".into());
    desired.ipv6 = Some(true);
    desired.referer = full().referer;
    provider(&c).update_domain(&prior, &desired).await.unwrap();
    let seen = c.seen();
    assert_eq!(
        c.actions(),
        [
            "BatchSetCdnDomainConfig",
            "DescribeCdnDomainConfigs",
            "DescribeCdnDomainConfigs",
            "DescribeCdnDomainConfigs"
        ]
    );
    assert_eq!(seen[0].params["DomainNames"], "img.example.com");
    assert_eq!(
        set_names(&seen[0]),
        ["set_req_host_header", "referer_white_list_set", "ipv6"]
    );
    // Only the functions set are polled; only the returned ConfigId counts.
    assert_eq!(
        seen[1].params["FunctionNames"],
        "set_req_host_header,referer_white_list_set,ipv6"
    );
}

#[tokio::test]
async fn failed_config_is_an_error_naming_the_function() {
    let c = canned(|req, _| match req.action() {
        "BatchSetCdnDomainConfig" => ok(),
        _ => configs(&[("3", "gzip", "failed")]),
    })
    .await;
    let desired = Domain {
        compression: full().compression,
        ..bare()
    };
    let e = provider(&c)
        .update_domain(&bare(), &desired)
        .await
        .unwrap_err();
    assert!(e.message.contains("function gzip failed"), "{e}");
    assert_eq!(e.action, "BatchSetCdnDomainConfig");
}

#[tokio::test]
async fn invalid_parameter_names_the_function() {
    let c = canned(|_, _| Reply::Json(400, r#"{"RequestId":"R","Code":"InvalidParameter.FunctionArgs","Message":"argValue of ip_list is invalid"}"#.into())).await;
    let desired = Domain {
        ip_filter: full().ip_filter,
        ipv6: Some(true),
        ..bare()
    };
    let e = provider(&c)
        .update_domain(&bare(), &desired)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert_eq!(e.code.as_deref(), Some("InvalidParameter.FunctionArgs"));
    assert!(
        e.message
            .ends_with("(one of the functions ip_black_list_set, ipv6)"),
        "{e}"
    );
    assert_eq!(c.seen().len(), 1);
}

#[tokio::test]
async fn removed_and_replaced_configs_are_deleted_by_live_id() {
    let c = canned(|req, _| match req.action() {
        "DescribeCdnDomainConfigs" if req.params["FunctionNames"].contains("referer") => {
            configs(&[
                ("11", "filetype_based_ttl_set", "success"),
                ("12", "referer_white_list_set", "success"),
                ("13", "filetype_based_ttl_set", "success"),
            ])
        }
        "DescribeCdnDomainConfigs" => configs(&[("20", "filetype_based_ttl_set", "success")]),
        _ => ok(),
    })
    .await;
    let mut prior = bare();
    prior.cache_rules = vec![
        rule(MatchKind::Extension, &["jpg"], 60, None),
        rule(MatchKind::Extension, &["css"], 60, None),
    ];
    prior.referer = full().referer;
    let mut desired = prior.clone();
    desired.cache_rules[1].ttl = crate::model::domain::Ttl(120);
    desired.referer = None;
    provider(&c).update_domain(&prior, &desired).await.unwrap();
    let seen = c.seen();
    assert_eq!(
        c.actions(),
        [
            "DescribeCdnDomainConfigs",
            "DeleteSpecificConfig",
            "DeleteSpecificConfig",
            "DeleteSpecificConfig",
            "BatchSetCdnDomainConfig",
            "DescribeCdnDomainConfigs"
        ]
    );
    let ids: Vec<&str> = seen[1..4]
        .iter()
        .map(|s| s.params["ConfigId"].as_str())
        .collect();
    assert_eq!(ids, ["11", "12", "13"]);
    assert_eq!(
        set_names(&seen[4]),
        ["filetype_based_ttl_set", "filetype_based_ttl_set"]
    );
}

#[tokio::test]
async fn update_domains_batches_fifty_domains_a_call() {
    let c = canned(|req, _| match req.action() {
        "BatchSetCdnDomainConfig" => ok(),
        "DescribeCdnDomainConfigs" => configs(&[("1", "ipv6", "success")]),
        other => panic!("unexpected {other}"),
    })
    .await;
    let updates: Vec<(Domain, Domain)> = (0..120)
        .map(|i| {
            let prior = Domain {
                name: format!("d{i}.example.com"),
                ..bare()
            };
            let desired = Domain {
                ipv6: Some(true),
                ..prior.clone()
            };
            (prior, desired)
        })
        .collect();
    let p = provider(&c);
    let key = p.update_batch_key(&updates[0].0, &updates[0].1);
    assert!(key.is_some());
    assert!(updates.iter().all(|(a, b)| p.update_batch_key(a, b) == key));
    let results = p.update_domains(&updates).await;
    assert_eq!(results.len(), 120);
    assert!(results.iter().all(|r| r.is_ok()));
    let batches: Vec<usize> = c
        .seen()
        .iter()
        .filter(|s| s.action() == "BatchSetCdnDomainConfig")
        .map(|s| s.params["DomainNames"].split(',').count())
        .collect();
    assert_eq!(batches, [50, 50, 20]);
    let polled = c
        .seen()
        .iter()
        .filter(|s| s.action() == "DescribeCdnDomainConfigs")
        .count();
    assert_eq!(polled, 120);
    // Every batch call goes out before the wait: the domains' configs are
    // then polled together, not one domain (and one first delay) at a time.
    let actions = c.actions();
    let first_poll = actions
        .iter()
        .position(|a| a == "DescribeCdnDomainConfigs")
        .unwrap();
    assert!(actions[..first_poll]
        .iter()
        .all(|a| a == "BatchSetCdnDomainConfig"));
    assert_eq!(first_poll, 3);
}

#[tokio::test]
async fn a_failed_batch_fails_each_of_its_updates() {
    let c = canned(|_, _| {
        Reply::Json(
            400,
            r#"{"RequestId":"R","Code":"InvalidParameter","Message":"bad"}"#.into(),
        )
    })
    .await;
    let updates: Vec<(Domain, Domain)> = (0..3)
        .map(|i| {
            let prior = Domain {
                name: format!("d{i}.example.com"),
                ..bare()
            };
            (
                prior.clone(),
                Domain {
                    ipv6: Some(true),
                    ..prior
                },
            )
        })
        .collect();
    let results = provider(&c).update_domains(&updates).await;
    assert_eq!(results.len(), 3);
    assert!(results
        .iter()
        .all(|r| r.as_ref().unwrap_err().message.contains("function ipv6")));
    assert_eq!(c.seen().len(), 1);
}

#[tokio::test]
async fn create_sets_the_configuration_after_adding() {
    let c = canned(|req, _| match req.action() {
        "DescribeCdnDomainConfigs" => configs(&[("1", "set_resp_header", "success")]),
        _ => ok(),
    })
    .await;
    let d = Domain {
        response_headers: full().response_headers,
        ..bare()
    };
    provider(&c).create_domain(&d).await.unwrap();
    assert_eq!(
        c.actions(),
        [
            "AddCdnDomain",
            "BatchSetCdnDomainConfig",
            "DescribeCdnDomainConfigs"
        ]
    );
    assert_eq!(
        set_names(&c.seen()[1]),
        ["set_resp_header", "set_resp_header"]
    );
}

#[tokio::test]
async fn certificate_upload_and_the_key_stays_out_of_errors() {
    let echo = format!(
        r#"{{"RequestId":"R","Code":"InvalidParameter.SSLPri","Message":"cannot parse {}"}}"#,
        KEY.replace('\n', "\\n")
    );
    let c = canned(move |req, _| match req.action() {
        "SetCdnDomainSSLCertificate" => Reply::Json(400, echo.clone()),
        _ => ok(),
    })
    .await;
    let mut desired = full();
    desired.https.as_mut().unwrap().certificate = Certificate {
        id: None,
        public_pem: Some(super::config_tests::PEM.into()),
        private_pem: Some(KEY.into()),
    };
    let e = provider(&c)
        .update_domain(&bare(), &desired)
        .await
        .unwrap_err();
    let seen = c.seen();
    assert_eq!(seen[0].params["SSLPri"], KEY);
    assert_eq!(seen[0].params["CertType"], "upload");
    assert_eq!(seen[0].params["SSLProtocol"], "on");
    assert_eq!(e.code.as_deref(), Some("InvalidParameter.SSLPri"));
    for text in [format!("{e}"), format!("{e:?}"), format!("{desired:?}")] {
        assert!(!text.contains("TOPSECRET"), "{text}");
    }
}

#[tokio::test]
async fn removing_https_deletes_its_functions_then_turns_ssl_off() {
    let c = canned(|req, _| match req.action() {
        "DescribeCdnDomainConfigs" => configs(&[
            ("5", "https_force", "success"),
            ("6", "https_option", "success"),
        ]),
        _ => ok(),
    })
    .await;
    let prior = Domain {
        https: full().https,
        ..bare()
    };
    provider(&c).update_domain(&prior, &bare()).await.unwrap();
    assert_eq!(
        c.actions(),
        [
            "DescribeCdnDomainConfigs",
            "DeleteSpecificConfig",
            "DeleteSpecificConfig",
            "SetCdnDomainSSLCertificate"
        ]
    );
    assert_eq!(c.seen()[3].params["SSLProtocol"], "off");
}

#[test]
fn polling_starts_at_200ms_with_backoff() {
    let p = PollPolicy::default();
    assert_eq!(p.first, Duration::from_millis(200));
    assert!(p.max > p.first);
}
