//! Tests of the domain-configuration features over the fixture
//! `testdata/config/valid_features`: every new block evaluated, references
//! and locations through single blocks. Their diagnostics are tested in
//! `tests_domain_invalid`.

use super::tests_valid::fixture;
use super::*;
use crate::model::{Part, Unknown};
use serde_json::json;

const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIIEv-not-a-real-key\n-----END PRIVATE KEY-----\n";
const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIID-not-a-real-cert\n-----END CERTIFICATE-----\n";

fn features() -> Config {
    load_dir(&fixture("valid_features"), &VarInputs::default()).unwrap_or_else(|d| {
        panic!(
            "{}",
            d.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

fn addr(name: &str) -> Address {
    Address::new("cdn_domain", name)
}

#[test]
fn every_feature_evaluates() {
    let c = features();
    let web = c.evaluate(&addr("web"), &|_, _| Lookup::Unknown).unwrap();
    assert_eq!(
        web.value,
        json!({
            "name": "www.example.com", "cdn_type": "web", "enabled": true,
            "origin_host": "origin.example.com", "origin_protocol": "follow", "ipv6": true,
            "origins": [
                {"type": "domain", "address": "origin.example.com", "port": 443, "priority": 20, "weight": 10},
            ],
            "cache_rules": [
                {"match": "extension", "patterns": ["jpg", "png", "css"], "ttl": "7d",
                 "ignore_query": false, "honor_no_cache": false},
                {"match": "directory", "patterns": ["/static/", "/"], "ttl": "60m",
                 "ignore_query": true, "honor_no_cache": false, "priority": 10},
                {"match": "path", "patterns": ["/index.html"], "ttl": "0",
                 "ignore_query": false, "honor_no_cache": true},
                {"match": "regex", "patterns": ["^/api/v[0-9]+/.*\\.json$"], "ttl": "30s",
                 "ignore_query": false, "honor_no_cache": false},
            ],
            "referer": {"mode": "allow", "list": ["*.example.com", "example.org", "192.0.2.7"], "allow_empty": true},
            "ip_filter": {"mode": "deny", "list": ["192.0.2.0/24", "198.51.100.7", "2001:db8::/32"]},
            "user_agent_filter": {"mode": "deny", "list": ["BadBot/1.0", "curl*"]},
            "response_headers": [
                {"name": "X-Frame-Options", "value": "DENY"},
                {"name": "Cache-Control", "value": "public, max-age=60"},
            ],
            "origin_request_headers": [{"name": "X-Forwarded-Proto", "value": "https"}],
            "https": {
                "http2": true, "http3": false, "force_redirect": true, "min_tls_version": "1.2",
                "certificate": {"public_pem": CERT, "private_pem": KEY},
            },
            "compression": {"enabled": true, "content_types": ["text/html", "application/json"], "min_size": 1024},
        })
    );
    assert!(web.is_wholly_known());
    // Write-only, hence sensitive, whatever its source.
    assert_eq!(
        web.sensitive.iter().collect::<Vec<_>>(),
        ["/https/certificate/private_pem"]
    );
}

#[test]
fn references_through_single_blocks() {
    let c = features();
    let api = c.evaluate(&addr("api"), &|_, _| Lookup::Unknown).unwrap();
    let r = |path: &[&str]| {
        Unknown::Expr(vec![Part::Ref {
            address: "cdn_domain.web".into(),
            path: path.iter().map(|s| s.to_string()).collect(),
        }])
    };
    assert_eq!(api.unknown["/https/http2"], r(&["https", "http2"]));
    assert_eq!(api.unknown["/referer/list/0"], r(&["cname"]));
    assert_eq!(
        api.value["https"]["certificate"],
        json!({"id": "cert-1234"})
    );
    assert_eq!(api.value["ip_filter"], json!(null));
    let known = c
        .evaluate(&addr("api"), &|_, p| match p.join(".").as_str() {
            "https.http2" => Lookup::Known(json!(true)),
            "cname" => Lookup::Known(json!("www.example.com.cdn.test")),
            _ => Lookup::NoSuchAttribute,
        })
        .unwrap();
    assert_eq!(known.value["https"]["http2"], json!(true));
    assert_eq!(
        known.value["referer"]["list"],
        json!(["www.example.com.cdn.test", "*.example.com"])
    );
}

#[test]
fn locate_through_single_blocks() {
    let c = features();
    let at = |p: &str| c.locate(&addr("web"), p).unwrap().to_string();
    assert!(at("/https/certificate/private_pem").ends_with("main.hcl:90:7"));
    assert!(at("/https/certificate").ends_with("main.hcl:88:5"));
    assert!(at("/https/http2").ends_with("main.hcl:84:5"));
    assert!(at("/referer/list/1").ends_with("main.hcl:54:37"));
    assert!(at("/cache_rules/1/ttl").ends_with("main.hcl:34:5"));
    assert!(at("/https").ends_with("main.hcl:83:3"));
}
