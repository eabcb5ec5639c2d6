//! Mapping tests: the neutral `Domain` to the request items and back from
//! recorded answers (`testdata/baishan/`), both cache-rule forms, change
//! sets and batch keys, normalisation, and the validation rules.

use super::config::{self, batch_key, changes, items, normalise};
use super::config_read::{apply, config_of};
use super::validate::{ip_entry_ok, validate};
use crate::model::domain::{
    AccessFilter, CacheRule, Certificate, Compression, FilterMode, Header, Https, MatchKind,
    OriginProtocol, RefererFilter, Ttl,
};
use crate::model::{CdnType, Domain, Origin, OriginType};
use serde_json::{json, Value};

pub fn testdata(name: &str) -> Value {
    let path = format!("{}/testdata/baishan/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn origin(t: OriginType, address: &str, priority: u32) -> Origin {
    Origin {
        origin_type: t,
        address: address.into(),
        port: 80,
        priority,
        weight: 10,
    }
}

pub fn bare(name: &str) -> Domain {
    Domain::new(
        name,
        CdnType::Web,
        vec![origin(OriginType::Ip, "133.233.133.33", 20)],
    )
}

pub fn rule(kind: MatchKind, patterns: &[&str], ttl: u64) -> CacheRule {
    CacheRule {
        match_kind: kind,
        patterns: patterns.iter().map(|s| s.to_string()).collect(),
        ttl: Ttl(ttl),
        ignore_query: false,
        honor_no_cache: false,
        priority: None,
    }
}

/// Every feature Baishan supports, as in the recorded answers.
pub fn full(name: &str) -> Domain {
    let mut d = bare(name);
    d.origins = vec![
        origin(OriginType::Ip, "133.233.133.33", 20),
        origin(OriginType::Ip, "12.13.41.21", 30),
        origin(OriginType::Domain, "origin.qingcdn.com", 20),
    ];
    d.origins.iter_mut().for_each(|o| o.port = 8443);
    d.origin_protocol = Some(OriginProtocol::Https);
    d.origin_host = Some("test.qingcdn.com".into());
    let mut ext = rule(MatchKind::Extension, &["jpg", "png", "gif"], 3600);
    ext.ignore_query = true;
    ext.honor_no_cache = true;
    let mut route = rule(
        MatchKind::Path,
        &["/index.html", "/test/*.jpg", "/user/get?index"],
        90,
    );
    route.priority = Some(50);
    let mut regex = rule(MatchKind::Regex, &[r".*\.(gif|png|jpg)$"], 0);
    regex.priority = Some(49);
    d.cache_rules = vec![
        rule(
            MatchKind::Directory,
            &["/product/index", "/test/index", "/user/index"],
            86400,
        ),
        ext,
        route,
        regex,
    ];
    d.referer = Some(RefererFilter {
        mode: FilterMode::Allow,
        list: vec!["*.qingcdn.com".into(), "new.vx.qingcdn.com".into()],
        allow_empty: false,
    });
    d.ip_filter = Some(AccessFilter {
        mode: FilterMode::Deny,
        list: vec!["14.12.11.0/24".into(), "1.2.3.1".into()],
    });
    d.response_headers = vec![
        Header {
            name: "Content-Type".into(),
            value: "text/html; charset=ISO-8859-4".into(),
        },
        Header {
            name: "Cache-Control".into(),
            value: "max-age=300, must-revalidate".into(),
        },
    ];
    d.https = Some(Https {
        certificate: Certificate {
            id: Some("123".into()),
            public_pem: None,
            private_pem: None,
        },
        http2: true,
        http3: false,
        force_redirect: true,
        min_tls_version: None,
    });
    d.compression = Some(Compression {
        enabled: true,
        content_types: Some(vec!["text/plain".into(), "application/x-javascript".into()]),
        min_size: Some(2048),
    });
    d
}

/// Read `config` (the items) into a copy of `d` stripped of its config.
fn read_back(d: &Domain, config: &Value) -> Domain {
    let mut out = Domain::new(d.name.clone(), d.cdn_type, Vec::new());
    apply(&mut out, config.as_object().unwrap()).unwrap();
    out
}

fn to_value(i: &config::Items) -> Value {
    serde_json::to_value(i).unwrap()
}

#[test]
fn full_domain_to_request_items() {
    let mut d = full("aa.qingcdn.com");
    normalise(&mut d);
    assert_eq!(to_value(&items(&d)), testdata("domain_config_request.json"));
}

#[test]
fn recorded_answer_reads_back_the_same_domain() {
    let mut want = full("aa.qingcdn.com");
    normalise(&mut want);
    let answer = testdata("domain_config_answer.json");
    let config = config_of(&answer["data"], "aa.qingcdn.com").unwrap();
    let mut got = Domain::new("aa.qingcdn.com", CdnType::Web, Vec::new());
    apply(&mut got, config).unwrap();
    assert_eq!(got, want);
    // Nothing left to change.
    assert!(changes(&got, &want).is_empty());
}

#[test]
fn older_cache_rule_form_reads_too() {
    let answer = testdata("domain_config_old_form.json");
    let config = config_of(&answer["data"], "aa.qingcdn.com").unwrap();
    let mut d = Domain::new("aa.qingcdn.com", CdnType::Web, Vec::new());
    apply(&mut d, config).unwrap();
    let kinds: Vec<MatchKind> = d.cache_rules.iter().map(|r| r.match_kind).collect();
    use MatchKind::*;
    assert_eq!(kinds, [Directory, Extension, Path, Regex]);
    assert_eq!(d.cache_rules[0].ttl, Ttl(86400));
    assert_eq!(d.cache_rules[1].ttl, Ttl(86400));
    assert!(d.cache_rules[1].ignore_query && !d.cache_rules[1].honor_no_cache);
    // Baishan's default: the no-cache header is honoured.
    assert!(d.cache_rules[0].honor_no_cache && !d.cache_rules[0].ignore_query);
    assert_eq!(d.cache_rules[3].ttl, Ttl(0));
    assert!(d.cache_rules.iter().all(|r| r.priority.is_none()));
    assert_eq!(d.origin_protocol, None);
    assert_eq!(d.origins[1].priority, 30);
    assert_eq!(d.ip_filter.as_ref().unwrap().mode, FilterMode::Allow);
    assert_eq!(d.referer.as_ref().unwrap().mode, FilterMode::Deny);
    assert_eq!(
        d.compression.as_ref().unwrap().min_size,
        Some(2 * 1024 * 1024)
    );
    let https = d.https.unwrap();
    assert_eq!(https.certificate.id.as_deref(), Some("123"));
    assert!(!https.http2 && !https.force_redirect);
    // Rewriting the rules uses the newer form.
    let mut again = bare("aa.qingcdn.com");
    again.cache_rules = d.cache_rules.clone();
    assert!(items(&again).contains_key("cache_rule_list"));
    assert!(!items(&again).contains_key("cache_rule"));
}

#[test]
fn every_origin_mode_round_trips() {
    let cases: [(Option<OriginProtocol>, u16, Value); 5] = [
        (None, 80, json!({"origin_mode": "http"})),
        (
            Some(OriginProtocol::Https),
            443,
            json!({"origin_mode": "https"}),
        ),
        (
            Some(OriginProtocol::Follow),
            80,
            json!({"origin_mode": "default"}),
        ),
        (
            Some(OriginProtocol::Https),
            80,
            json!({"origin_mode": "custom", "ori_https": "yes", "port": 80}),
        ),
        (
            None,
            8080,
            json!({"origin_mode": "custom", "ori_https": "no", "port": 8080}),
        ),
    ];
    for (protocol, port, want) in cases {
        let mut d = bare("a.example.com");
        d.origins[0].port = port;
        d.origin_protocol = protocol;
        let item = config::origin_item(&d);
        for (k, v) in want.as_object().unwrap() {
            assert_eq!(&item[k], v, "{protocol:?} {port}");
        }
        assert_eq!(read_back(&d, &json!({ "origin": item })), d);
    }
    // http (the default) reads back as no protocol: normalise agrees.
    let mut d = bare("a.example.com");
    d.origin_protocol = Some(OriginProtocol::Http);
    normalise(&mut d);
    assert_eq!(d.origin_protocol, None);
}

#[test]
fn other_features_round_trip() {
    let mut d = bare("a.example.com");
    d.ip_filter = Some(AccessFilter {
        mode: FilterMode::Allow,
        list: vec!["10.0.0.0/8".into()],
    });
    d.referer = Some(RefererFilter {
        mode: FilterMode::Deny,
        list: vec!["bad.example.com".into()],
        allow_empty: true,
    });
    d.compression = Some(Compression {
        enabled: true,
        content_types: None,
        min_size: None,
    });
    normalise(&mut d);
    assert_eq!(d.compression.as_ref().unwrap().min_size, Some(1024));
    let body = to_value(&items(&d));
    assert_eq!(body["ip_white_list"], json!({"list": ["10.0.0.0/8"]}));
    assert_eq!(body["referer"]["type"], json!(1));
    assert_eq!(read_back(&d, &body), d);
    // Switched-off compression is the same as none.
    let mut off = bare("a.example.com");
    off.compression = Some(Compression {
        enabled: false,
        content_types: None,
        min_size: None,
    });
    normalise(&mut off);
    assert_eq!(off, bare("a.example.com"));
}

#[test]
fn cleared_items_read_as_unset() {
    let d = bare("a.example.com");
    let mut body = to_value(&items(&d));
    for k in config::READ_ITEMS.iter().filter(|k| **k != "origin") {
        body[*k] = config::cleared(k);
    }
    assert_eq!(read_back(&d, &body), d);
}

#[test]
fn changes_send_only_what_differs_and_clear_what_goes() {
    let prior = full("a.example.com");
    let mut desired = prior.clone();
    desired.origin_host = None;
    desired.cache_rules.clear();
    desired.ip_filter = Some(AccessFilter {
        mode: FilterMode::Allow,
        list: vec!["1.2.3.4".into()],
    });
    let c = to_value(&changes(&prior, &desired));
    assert_eq!(
        c,
        json!({
            "cache_rule_list": null,
            "ip_white_list": {"list": ["1.2.3.4"]},
            "origin_host": null,
        })
    );
    assert!(changes(&prior, &prior).is_empty());
    // Dropping the IP filter clears the list that was set.
    let mut none = prior.clone();
    none.ip_filter = None;
    assert_eq!(
        to_value(&changes(&prior, &none)),
        json!({"ip_black_list": null})
    );
}

#[test]
fn batch_keys_match_identical_changes_only() {
    let change = |name: &str, host: &str| {
        let prior = bare(name);
        let mut desired = prior.clone();
        desired.origin_host = Some(host.into());
        (prior, desired)
    };
    let (p1, d1) = change("a.example.com", "o.example.com");
    let (p2, d2) = change("b.example.com", "o.example.com");
    let (p3, d3) = change("c.example.com", "other.example.com");
    let k1 = batch_key(&p1, &d1).unwrap();
    assert_eq!(Some(k1.clone()), batch_key(&p2, &d2));
    assert_ne!(Some(k1), batch_key(&p3, &d3));
    assert_eq!(batch_key(&p1, &p1), None);
    let mut renamed = d1.clone();
    renamed.cdn_type = CdnType::Video;
    assert_eq!(batch_key(&p1, &renamed), None);
}

#[test]
fn normalise_orders_origins_and_rules() {
    let mut d = bare("a.example.com");
    d.origins = vec![
        origin(OriginType::Ip, "1.1.1.1", 30),
        origin(OriginType::Ip, "2.2.2.2", 20),
    ];
    let mut low = rule(MatchKind::Extension, &["mp4"], 60);
    low.priority = Some(10);
    let mut high = rule(MatchKind::Extension, &["jpg"], 60);
    high.priority = Some(99);
    d.cache_rules = vec![low, high];
    normalise(&mut d);
    assert_eq!(d.origins[0].address, "2.2.2.2");
    assert_eq!(d.cache_rules[0].patterns, ["jpg"]);
    // 99 at position 0 is the positional priority: implicit.
    assert_eq!(d.cache_rules[0].priority, None);
    assert_eq!(d.cache_rules[1].priority, Some(10));
    let body = to_value(&items(&d));
    assert_eq!(body["cache_rule_list"][0]["priority"], json!(1));
    assert_eq!(body["cache_rule_list"][1]["priority"], json!(90));
    assert_eq!(read_back(&d, &body), d);
}

fn problems(d: &Domain) -> Vec<String> {
    validate(d).into_iter().map(|i| i.pointer).collect()
}

#[test]
fn validation_rules() {
    let mut full = full("aa.qingcdn.com");
    assert!(validate(&full).is_empty(), "{:?}", validate(&full));
    normalise(&mut full);
    assert!(validate(&full).is_empty());

    let mut d = bare("a.example.com");
    d.origins = (0..7)
        .map(|i| origin(OriginType::Ip, &format!("1.1.1.{i}"), 20))
        .collect();
    assert!(validate(&d)[0].message.contains("at most 6 primary"));
    d.origins = vec![origin(OriginType::Ip, "1.1.1.1", 30)];
    assert_eq!(problems(&d), ["/origins"]);
    d.origins = vec![
        origin(OriginType::Ip, "1.1.1.1", 20),
        origin(OriginType::Ip, "1.1.1.1", 30),
    ];
    assert_eq!(problems(&d), ["/origins/1/address"]);
    d.origins = vec![origin(OriginType::Domain, "1.1.1.1", 20)];
    assert_eq!(problems(&d), ["/origins/0/type"]);
    d.origins = vec![origin(OriginType::Ip, "o.example.com", 20)];
    assert_eq!(problems(&d), ["/origins/0/address"]);
    d.origins = vec![
        origin(OriginType::Ip, "1.1.1.1", 20),
        origin(OriginType::Ip, "1.1.1.2", 20),
    ];
    d.origins[1].port = 81;
    assert_eq!(problems(&d), ["/origins/1/port"]);
    d.origins[1].port = 443;
    d.origins[0].port = 443;
    d.origin_protocol = Some(OriginProtocol::Follow);
    assert_eq!(problems(&d), ["/origins/0/port"]);

    let mut d = bare("a.example.com");
    d.ip_filter = Some(AccessFilter {
        mode: FilterMode::Deny,
        list: vec![
            "1.2.3.0/24".into(),
            "1.2.3.4/24".into(),
            "1.2.0.0/20".into(),
            "::1".into(),
            "1.2.3.0/24".into(),
        ],
    });
    assert_eq!(
        problems(&d),
        [
            "/ip_filter/list/1",
            "/ip_filter/list/2",
            "/ip_filter/list/3",
            "/ip_filter/list/4"
        ]
    );
    d.ip_filter = Some(AccessFilter {
        mode: FilterMode::Deny,
        list: (0..201)
            .map(|i| format!("10.0.{}.{}", i / 256, i % 256))
            .collect(),
    });
    assert_eq!(problems(&d), ["/ip_filter/list"]);

    let mut d = bare("a.example.com");
    d.referer = Some(RefererFilter {
        mode: FilterMode::Allow,
        list: vec!["*.ok.com".into(), "bad.*.com".into(), "a,b.com".into()],
        allow_empty: false,
    });
    assert_eq!(problems(&d), ["/referer/list/1", "/referer/list/2"]);

    let mut d = bare("a.example.com");
    d.cache_rules = vec![
        rule(MatchKind::Regex, &[r"\d{1,3}"], 60),
        rule(MatchKind::Extension, &[".jpg"], 60),
        rule(MatchKind::Directory, &["static/"], 60),
        rule(MatchKind::Path, &["/a"], 3 * 365 * 86400),
    ];
    assert_eq!(
        problems(&d),
        [
            "/cache_rules/0/patterns",
            "/cache_rules/1/patterns",
            "/cache_rules/2/patterns",
            "/cache_rules/3/ttl"
        ]
    );

    let mut d = bare("a.example.com");
    d.https = Some(Https {
        certificate: Certificate {
            id: Some("cert-abc".into()),
            public_pem: None,
            private_pem: None,
        },
        http2: false,
        http3: false,
        force_redirect: false,
        min_tls_version: None,
    });
    d.compression = Some(Compression {
        enabled: true,
        content_types: Some(vec![]),
        min_size: Some(1000),
    });
    d.response_headers = vec![
        Header {
            name: "X-A".into(),
            value: "1".into(),
        },
        Header {
            name: "x-a".into(),
            value: "2".into(),
        },
        Header {
            name: "bad name".into(),
            value: "3".into(),
        },
    ];
    assert_eq!(
        problems(&d),
        [
            "/response_headers/1/name",
            "/response_headers/2/name",
            "/https/certificate/id",
            "/compression/content_types",
            "/compression/min_size",
        ]
    );
    assert!(ip_entry_ok("10.0.0.0/8") && !ip_entry_ok("10.0.0.0/12") && !ip_entry_ok("300.1.1.1"));
}
