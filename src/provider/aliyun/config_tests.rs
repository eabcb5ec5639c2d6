//! Configuration mapping without HTTP: every feature round trips through
//! functions and a `DescribeCdnDomainConfigs` body (JSON and XML, with
//! server-added arguments), the recorded answers read as the full domain,
//! the positional weight rule, the set/delete computation and batch keys.

use super::body;
use super::config_map::{self, batch_key, changes, functions, CertChange, Function};
use super::config_read::{apply_configs, certificate_from_info, parse_configs};
use crate::model::domain::{
    AccessFilter, CacheRule, Certificate, Compression, FilterMode, Header, Https, MatchKind,
    OriginProtocol, RefererFilter, Ttl,
};
use crate::model::{CdnType, Domain, Origin, OriginType};
use serde_json::{json, Value};

pub const PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/testdata/aliyun/responses/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    body::parse(&std::fs::read_to_string(&path).expect(&path)).expect(name)
}

pub fn bare() -> Domain {
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

pub fn rule(kind: MatchKind, patterns: &[&str], ttl: u64, priority: Option<u32>) -> CacheRule {
    CacheRule {
        match_kind: kind,
        patterns: patterns.iter().map(|s| s.to_string()).collect(),
        ttl: Ttl(ttl),
        ignore_query: false,
        honor_no_cache: false,
        priority,
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn header(n: &str, v: &str) -> Header {
    Header {
        name: n.into(),
        value: v.into(),
    }
}

/// Every feature set; what the recorded answers describe.
pub fn full() -> Domain {
    Domain {
        origin_host: Some("origin.example.com".into()),
        origin_protocol: Some(OriginProtocol::Follow),
        cache_rules: vec![
            rule(MatchKind::Extension, &["jpg", "png"], 86400, None),
            rule(MatchKind::Directory, &["/static/", "/assets/"], 3600, None),
            rule(MatchKind::Path, &["/index.html"], 300, Some(10)),
        ],
        referer: Some(RefererFilter {
            mode: FilterMode::Allow,
            list: strings(&["*.example.com", "example.org"]),
            allow_empty: true,
        }),
        ip_filter: Some(AccessFilter {
            mode: FilterMode::Deny,
            list: strings(&["192.0.2.0/24", "198.51.100.7"]),
        }),
        user_agent_filter: Some(AccessFilter {
            mode: FilterMode::Deny,
            list: strings(&["curl/*", "wget*"]),
        }),
        response_headers: vec![header("X-A", "1"), header("Cache-Control", "no-transform")],
        origin_request_headers: vec![header("X-From-Cdn", "ali")],
        https: Some(Https {
            certificate: Certificate {
                id: None,
                public_pem: Some(PEM.into()),
                private_pem: None,
            },
            http2: true,
            http3: false,
            force_redirect: true,
            min_tls_version: Some("1.2".into()),
        }),
        compression: Some(Compression {
            enabled: true,
            content_types: None,
            min_size: None,
        }),
        ipv6: Some(true),
        ..bare()
    }
}

/// A `DescribeCdnDomainConfigs` answer holding `fs` (ConfigIds 1, 2, ...),
/// each with an `aliyun_id` the server adds, as JSON and as XML.
fn answers(fs: &[Function]) -> [Value; 2] {
    let mut xml =
        String::from("<DescribeCdnDomainConfigsResponse><RequestId>R</RequestId><DomainConfigs>");
    let mut list = Vec::new();
    for (i, f) in fs.iter().enumerate() {
        let mut args: Vec<(&str, String)> = f.args.clone();
        args.push(("aliyun_id", "1234567890123456".into()));
        list.push(json!({
            "ConfigId": (i + 1).to_string(), "FunctionName": f.name, "Status": "success",
            "FunctionArgs": {"FunctionArg": args.iter().map(|(n, v)| json!({"ArgName": n, "ArgValue": v})).collect::<Vec<_>>()}
        }));
        xml += &format!("<DomainConfig><ConfigId>{}</ConfigId><FunctionName>{}</FunctionName><Status>success</Status><FunctionArgs>", i + 1, f.name);
        for (n, v) in &args {
            let v = v.replace('&', "&amp;").replace('<', "&lt;");
            xml += &format!(
                "<FunctionArg><ArgName>{n}</ArgName><ArgValue>{v}</ArgValue></FunctionArg>"
            );
        }
        xml += "</FunctionArgs></DomainConfig>";
    }
    xml += "</DomainConfigs></DescribeCdnDomainConfigsResponse>";
    let j = json!({"RequestId": "R", "DomainConfigs": {"DomainConfig": list}});
    [
        body::parse(&j.to_string()).unwrap(),
        body::parse(&xml).unwrap(),
    ]
}

/// `d` -> functions -> answer -> configs -> a domain like `d`.
fn round_trip(d: &Domain) {
    for answer in answers(&functions(d)) {
        let mut back = bare();
        let cert = d.https.as_ref().map(|h| h.certificate.clone());
        apply_configs(&mut back, &parse_configs(&answer).unwrap(), cert).unwrap();
        assert_eq!(&back, d);
    }
}

type Change = Box<dyn Fn(&mut Domain)>;

#[test]
fn every_feature_round_trips() {
    let f = full();
    round_trip(&bare());
    round_trip(&f);
    let variants: Vec<Change> = vec![
        Box::new(|d| d.origin_protocol = Some(OriginProtocol::Https)),
        Box::new(|d| d.origin_protocol = Some(OriginProtocol::Http)),
        Box::new(|d| d.referer.as_mut().unwrap().mode = FilterMode::Deny),
        Box::new(|d| d.referer.as_mut().unwrap().allow_empty = false),
        Box::new(|d| d.ip_filter.as_mut().unwrap().mode = FilterMode::Allow),
        Box::new(|d| d.user_agent_filter.as_mut().unwrap().mode = FilterMode::Allow),
        Box::new(|d| d.compression.as_mut().unwrap().enabled = false),
        Box::new(|d| d.ipv6 = Some(false)),
        Box::new(|d| {
            let h = d.https.as_mut().unwrap();
            h.http2 = false;
            h.force_redirect = false;
            h.min_tls_version = None;
            h.certificate = Certificate {
                id: Some("cert-1".into()),
                public_pem: None,
                private_pem: None,
            };
        }),
        Box::new(|d| d.https.as_mut().unwrap().min_tls_version = Some("1.0".into())),
        Box::new(|d| d.https.as_mut().unwrap().min_tls_version = Some("1.3".into())),
        Box::new(|d| {
            d.cache_rules = vec![rule(MatchKind::Path, &["/a.html", "/b.html"], 0, Some(50))]
        }),
        Box::new(|d| d.cache_rules.reverse()),
    ];
    for (i, change) in variants.iter().enumerate() {
        let mut d = f.clone();
        change(&mut d);
        if i == 12 {
            // Reversed, only explicit priorities keep the order readable.
            for (j, r) in d.cache_rules.iter_mut().enumerate() {
                r.priority = Some(90 - j as u32);
            }
        }
        round_trip(&d);
    }
}

#[test]
fn recorded_answers_read_as_the_full_domain() {
    let mut expected = full();
    for (configs, cert) in [
        (
            "DescribeCdnDomainConfigs.json",
            "DescribeDomainCertificateInfo.json",
        ),
        (
            "DescribeCdnDomainConfigs.xml",
            "DescribeDomainCertificateInfo.xml",
        ),
    ] {
        let live = parse_configs(&fixture(configs)).unwrap();
        assert_eq!(live.len(), 18, "{configs}");
        assert_eq!(live[0].args["aliyun_id"], "1234567890123456");
        let mut d = bare();
        apply_configs(&mut d, &live, Some(certificate_from_info(&fixture(cert)))).unwrap();
        assert_eq!(d, expected, "{configs}");
        // SSL off: the https functions do not make an `https` block.
        apply_configs(&mut d, &live, None).unwrap();
        assert_eq!(d.https, None);
    }
    // Writing the full domain gives exactly the recorded functions (bar
    // the server's own arguments and the unmapped function).
    let recorded: Vec<(String, Vec<(String, String)>)> =
        parse_configs(&fixture("DescribeCdnDomainConfigs.json"))
            .unwrap()
            .into_iter()
            .filter(|c| config_map::FUNCTIONS.contains(&c.function.as_str()))
            .map(|c| {
                let mut args: Vec<(String, String)> = c.args.into_iter().collect();
                args.retain(|(k, _)| {
                    !["aliyun_id", "scheme_origin_port", "dsl", "region"].contains(&k.as_str())
                });
                (c.function, args)
            })
            .collect();
    let mut written: Vec<(String, Vec<(String, String)>)> = functions(&expected)
        .into_iter()
        .map(|f| {
            let mut args: Vec<(String, String)> = f
                .args
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            args.sort();
            (f.name.to_string(), args)
        })
        .collect();
    let mut recorded = recorded;
    recorded.sort();
    written.sort();
    assert_eq!(written, recorded);
    // A cas certificate reads back by name.
    let cas = json!({"CertInfos": {"CertInfo": [{"CertName": "cert-1", "CertType": "cas", "ServerCertificateStatus": "on"}]}});
    expected.https.as_mut().unwrap().certificate = certificate_from_info(&cas);
    assert_eq!(
        expected.https.unwrap().certificate.id.as_deref(),
        Some("cert-1")
    );
}

fn weights(d: &Domain) -> Vec<(&'static str, String, String)> {
    functions(d)
        .into_iter()
        .filter(|f| f.name.ends_with("_ttl_set"))
        .map(|f| (f.name, f.args[0].1.clone(), f.args[2].1.clone()))
        .collect()
}

#[test]
fn positional_weights() {
    let mut d = bare();
    d.cache_rules = vec![
        rule(MatchKind::Extension, &["jpg"], 60, None),
        rule(MatchKind::Directory, &["/a/", "/b/"], 60, None),
        rule(MatchKind::Path, &["/x"], 60, Some(40)),
        rule(MatchKind::Extension, &["css"], 60, None),
    ];
    assert_eq!(
        weights(&d),
        [
            ("filetype_based_ttl_set", "jpg".into(), "99".into()),
            ("filetype_based_ttl_set", "css".into(), "96".into()),
            ("path_based_ttl_set", "/a/".into(), "98".into()),
            ("path_based_ttl_set", "/b/".into(), "98".into()),
            ("path_based_ttl_set", "/x".into(), "40".into()),
        ]
    );
    // Read back by weight: the css rule (96) comes before /x (40) and its
    // weight is not the default of position 2 (97), so it gets a priority.
    for answer in answers(&functions(&d)) {
        let mut back = bare();
        apply_configs(&mut back, &parse_configs(&answer).unwrap(), None).unwrap();
        let prios: Vec<Option<u32>> = back.cache_rules.iter().map(|r| r.priority).collect();
        assert_eq!(prios, [None, None, Some(96), Some(40)]);
    }
}

fn names(fs: &[Function]) -> Vec<&'static str> {
    fs.iter().map(|f| f.name).collect()
}

#[test]
fn set_and_delete_computation() {
    let f = full();
    assert!(changes(&f, &f).is_empty());
    // One single function changed: set, no delete.
    let mut d = f.clone();
    d.origin_host = Some("other.example.com".into());
    let c = changes(&f, &d);
    assert_eq!(
        (names(&c.set), c.delete.clone()),
        (vec!["set_req_host_header"], vec![])
    );
    // Removed features: deleted, nothing set.
    let mut d = f.clone();
    d.origin_host = None;
    d.ipv6 = None;
    let c = changes(&f, &d);
    assert_eq!(
        (names(&c.set), c.delete.clone()),
        (vec![], vec!["set_req_host_header", "ipv6"])
    );
    // Mode switch: the other function.
    let mut d = f.clone();
    d.referer.as_mut().unwrap().mode = FilterMode::Deny;
    let c = changes(&f, &d);
    assert_eq!(
        (names(&c.set), c.delete.clone()),
        (
            vec!["referer_black_list_set"],
            vec!["referer_white_list_set"]
        )
    );
    // A repeatable function is replaced as a whole.
    let mut d = f.clone();
    d.response_headers[1].value = "no-store".into();
    let c = changes(&f, &d);
    assert_eq!(
        (names(&c.set), c.delete.clone()),
        (
            vec!["set_resp_header", "set_resp_header"],
            vec!["set_resp_header"]
        )
    );
    // Reordering the directory rule and path rule priorities shifts weights.
    let mut d = f.clone();
    d.cache_rules[0].ttl = Ttl(7200);
    let c = changes(&f, &d);
    assert_eq!(
        (names(&c.set), c.delete.clone()),
        (
            vec!["filetype_based_ttl_set"],
            vec!["filetype_based_ttl_set"]
        )
    );
    // Adding repeatable configs where there were none: set only.
    let c = changes(
        &bare(),
        &Domain {
            response_headers: vec![header("X", "1")],
            ..bare()
        },
    );
    assert!(c.set_only());
    // Origins.
    let mut d = f.clone();
    d.origins[0].port = 8080;
    assert!(changes(&f, &d).origins);
    assert!(!changes(&f, &d).set_only());
}

#[test]
fn certificate_changes() {
    let f = full();
    let with_key = |k: &str| {
        let mut d = f.clone();
        d.https.as_mut().unwrap().certificate.private_pem = Some(k.into());
        d
    };
    let on_bare = changes(&bare(), &f);
    assert_eq!(
        on_bare.certificate,
        CertChange::Set(f.https.clone().unwrap().certificate)
    );
    assert_eq!(
        names(&on_bare.set)
            .iter()
            .filter(|n| n.starts_with("https"))
            .count(),
        3
    );
    let off = changes(&f, &bare());
    assert_eq!(off.certificate, CertChange::Off);
    assert!(off.delete.contains(&"https_force") && off.delete.contains(&"https_tls_version"));
    // The state keeps the digest: the same key is no change, a new one is.
    let stored = with_key(&config_map::key_digest("KEY-1"));
    assert_eq!(
        changes(&stored, &with_key("KEY-1")).certificate,
        CertChange::Keep
    );
    assert!(matches!(
        changes(&stored, &with_key("KEY-2")).certificate,
        CertChange::Set(_)
    ));
    assert_eq!(changes(&stored, &stored).certificate, CertChange::Keep);
    // Read back (no key) against a real key: uploaded again, to be sure.
    assert!(matches!(
        changes(&f, &with_key("KEY-1")).certificate,
        CertChange::Set(_)
    ));
    let mut by_id = f.clone();
    by_id.https.as_mut().unwrap().certificate = Certificate {
        id: Some("cert-9".into()),
        public_pem: None,
        private_pem: None,
    };
    assert!(matches!(
        changes(&f, &by_id).certificate,
        CertChange::Set(_)
    ));
}

#[test]
fn batch_keys() {
    let mut a = bare();
    let mut b = bare();
    b.name = "other.example.com".into();
    let add = |d: &Domain| Domain {
        origin_host: Some("o.example.com".into()),
        ipv6: Some(true),
        ..d.clone()
    };
    let ka = batch_key(&a, &add(&a)).unwrap();
    assert_eq!(Some(ka.clone()), batch_key(&b, &add(&b)));
    assert!(ka.contains(r#"{"functionName":"set_req_host_header","functionArgs":[{"argName":"domain_name","argValue":"o.example.com"}]}"#), "{ka}");
    // A different change, a different key.
    let other = Domain {
        ipv6: Some(false),
        ..add(&a)
    };
    assert_ne!(batch_key(&a, &other), Some(ka));
    // Deletes, origins, certificates and no change at all are not batched.
    assert_eq!(batch_key(&add(&a), &a), None);
    assert_eq!(batch_key(&a, &a), None);
    a.origins[0].port = 81;
    assert_eq!(batch_key(&bare(), &add(&a)), None);
    assert_eq!(batch_key(&bare(), &full()), None);
}
