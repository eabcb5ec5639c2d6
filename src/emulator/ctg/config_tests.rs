//! Tests of the CTG configuration endpoints: every feature's read, good and bad writes,
//! clearing, and the configuring period a write starts.

use serde_json::{json, Value};

use super::features::{Feature, ALL};
use super::test_support::{at, Client};

fn client() -> Client {
    let c = Client::new();
    c.add("a.com");
    c
}

/// Writes `body` (with `domain: a.com`) to `feature` with its write method.
fn write(c: &Client, feature: &str, body: Value) -> (u16, Value) {
    let f = Feature::from_name(feature).unwrap();
    let mut b = body;
    b["domain"] = json!("a.com");
    c.call(f.write_method(), &format!("/API/domain/{feature}"), Some(b))
}

fn read(c: &Client, feature: &str) -> Value {
    let mut v = c.ok("GET", &format!("/API/domain/{feature}?domain=a.com"), None);
    assert_eq!(v["domain"], "a.com");
    v.as_object_mut().unwrap().remove("domain");
    v
}

/// A good write answers what a read then gives, and that is `expect`.
fn good(c: &Client, feature: &str, body: Value, expect: Value) {
    let (st, v) = write(c, feature, body.clone());
    assert_eq!(st, 200, "{feature} {body}: {v}");
    let mut data = v["data"].clone();
    data.as_object_mut().unwrap().remove("domain");
    assert_eq!(data, expect, "{feature} {body}");
    assert_eq!(read(c, feature), expect, "{feature} {body}");
}

fn bad(c: &Client, feature: &str, body: Value) {
    let before = read(c, feature);
    let (st, v) = write(c, feature, body.clone());
    assert_eq!(st, 400, "{feature} {body}: {v}");
    assert!(v["error"].is_string(), "{v}");
    assert_eq!(
        read(c, feature),
        before,
        "a refused write changed {feature}"
    );
}

#[test]
fn defaults_unknown_domains_and_extra_fields() {
    let c = client();
    for f in ALL {
        let name = f.name();
        let path = format!("/API/domain/{name}");
        assert_eq!(
            c.call("GET", &format!("{path}?domain=x.com"), None).0,
            404,
            "{name}"
        );
        assert_eq!(c.call("GET", &path, None).0, 400, "{name}");
        let (st, _) = c.call(f.write_method(), &path, Some(json!({"domain": "x.com"})));
        assert_eq!(st, 404, "{name}");
        bad(&c, name, json!({"bogus": 1}));
    }
    assert_eq!(read(&c, "origin_protocol"), json!({"protocol": "http"}));
    assert_eq!(read(&c, "https"), json!({"cert_id": "", "enable": false}));
    assert_eq!(read(&c, "min_tls"), json!({"version": "1.0"}));
    assert_eq!(
        read(&c, "referer_acl"),
        json!({"type": "deny", "list": [], "allow_empty": true})
    );
    assert_eq!(
        read(&c, "compress"),
        json!({"enable": false, "content_types": [], "min_size": 0})
    );
}

#[test]
fn origin_host_and_protocol() {
    let c = client();
    let o = json!([{"address": "o.a.com", "type": "domain", "port": 8080, "priority": 1, "weight": 100}]);
    good(&c, "origin", json!({"origin": o}), json!({"origin": o}));
    assert_eq!(c.ok("GET", "/API/domain?domain=a.com", None)["origin"], o);
    bad(&c, "origin", json!({"origin": []}));
    bad(
        &c,
        "origin",
        json!({"origin": [{"address": "o.a.com", "type": "ip", "port": 1, "priority": 1, "weight": 1}]}),
    );
    good(
        &c,
        "origin_host",
        json!({"host": "src.a.com"}),
        json!({"host": "src.a.com"}),
    );
    bad(&c, "origin_host", json!({"host": "not a host"}));
    bad(&c, "origin_host", json!({"host": 5}));
    good(&c, "origin_host", json!({"host": ""}), json!({"host": ""}));
    for p in ["https", "follow", "http"] {
        good(
            &c,
            "origin_protocol",
            json!({"protocol": p}),
            json!({"protocol": p}),
        );
    }
    bad(&c, "origin_protocol", json!({"protocol": "ftp"}));
    bad(&c, "origin_protocol", json!({}));
}

#[test]
fn https_and_switches() {
    let c = client();
    let on = json!({"cert_id": "cert_01.x", "enable": true});
    good(&c, "https", on.clone(), on.clone());
    bad(&c, "https", json!({"enable": true}));
    bad(&c, "https", json!({"cert_id": "", "enable": true}));
    bad(&c, "https", json!({"cert_id": "c 1", "enable": true}));
    bad(&c, "https", json!({"cert_id": "c1"}));
    bad(&c, "https", json!({"enable": "yes"}));
    let off = json!({"cert_id": "", "enable": false});
    good(&c, "https", json!({"cert_id": ""}), off.clone());
    good(&c, "https", on.clone(), on);
    good(&c, "https", json!({"cert_id": "c1", "enable": false}), off);
    for f in ["force_https", "ipv6", "http2", "http3"] {
        good(&c, f, json!({"enable": true}), json!({"enable": true}));
        bad(&c, f, json!({"enable": 1}));
        bad(&c, f, json!({}));
        good(&c, f, json!({"enable": false}), json!({"enable": false}));
    }
    for v in ["1.0", "1.1", "1.2", "1.3"] {
        good(&c, "min_tls", json!({"version": v}), json!({"version": v}));
    }
    bad(&c, "min_tls", json!({"version": "1.4"}));
    bad(&c, "min_tls", json!({"version": 1.2}));
    good(
        &c,
        "min_tls",
        json!({"version": ""}),
        json!({"version": "1.0"}),
    );
}

#[test]
fn compress() {
    let c = client();
    good(
        &c,
        "compress",
        json!({"enable": true}),
        json!({"enable": true, "content_types": [], "min_size": 0}),
    );
    let full = json!({"enable": true, "content_types": ["text/html", "image/*"], "min_size": 1024});
    good(&c, "compress", full.clone(), full);
    bad(
        &c,
        "compress",
        json!({"enable": true, "content_types": ["html"]}),
    );
    bad(
        &c,
        "compress",
        json!({"enable": true, "content_types": "text/html"}),
    );
    bad(&c, "compress", json!({"enable": true, "min_size": -1}));
    bad(&c, "compress", json!({"content_types": ["text/html"]}));
    good(
        &c,
        "compress",
        json!({"enable": false, "min_size": 5}),
        json!({"enable": false, "content_types": [], "min_size": 0}),
    );
}

#[test]
fn cache_policy() {
    let c = client();
    let rules = json!([
        {"type": "ext", "patterns": ["jpg", "png"], "ttl": 86400, "ignore_query": true,
         "honor_no_cache": false, "priority": 10},
        {"type": "dir", "patterns": ["/static/"], "ttl": 63072000},
        {"type": "path", "patterns": ["/index.html"], "ttl": 0},
        {"type": "regex", "patterns": ["^/api/v[0-9]+/"], "ttl": 60, "honor_no_cache": true},
    ]);
    let mut expect = rules.clone();
    for (i, (iq, hn, p)) in [
        (true, false, 10),
        (false, false, 0),
        (false, false, 0),
        (false, true, 0),
    ]
    .into_iter()
    .enumerate()
    {
        expect[i]["ignore_query"] = json!(iq);
        expect[i]["honor_no_cache"] = json!(hn);
        expect[i]["priority"] = json!(p);
    }
    good(
        &c,
        "cache_policy",
        json!({"rules": rules}),
        json!({"rules": expect}),
    );
    let rule = |k: &str, v: Value| {
        let mut r = json!({"type": "ext", "patterns": ["jpg"], "ttl": 60});
        r[k] = v;
        json!({"rules": [r]})
    };
    for (k, v) in [
        ("type", json!("suffix")),
        ("patterns", json!([])),
        ("patterns", json!([".jpg"])),
        ("patterns", json!(["jpg", "jpg"])),
        ("ttl", json!(63072001)),
        ("ttl", json!(-1)),
        ("ttl", json!("60")),
        ("ignore_query", json!(1)),
        ("priority", json!(101)),
        ("x", json!(1)),
    ] {
        bad(&c, "cache_policy", rule(k, v));
    }
    bad(
        &c,
        "cache_policy",
        json!({"rules": [{"type": "dir", "patterns": ["static"], "ttl": 1}]}),
    );
    bad(
        &c,
        "cache_policy",
        json!({"rules": [{"type": "regex", "patterns": ["(unclosed"], "ttl": 1}]}),
    );
    bad(
        &c,
        "cache_policy",
        json!({"rules": [{"type": "ext", "ttl": 1}]}),
    );
    bad(&c, "cache_policy", json!({}));
    good(
        &c,
        "cache_policy",
        json!({"rules": []}),
        json!({"rules": []}),
    );
}

#[test]
fn header_lists() {
    let c = client();
    for f in ["response_headers", "origin_request_headers"] {
        let h = json!([{"name": "X-Cache", "value": "hit"}, {"name": "Cache-Control", "value": "max-age=60, public"}]);
        good(&c, f, json!({"headers": h}), json!({"headers": h}));
        bad(&c, f, json!({"headers": [{"name": "X Bad", "value": "1"}]}));
        bad(
            &c,
            f,
            json!({"headers": [{"name": "X-A", "value": "a\nb"}]}),
        );
        bad(&c, f, json!({"headers": [{"name": "X-A", "value": ""}]}));
        bad(
            &c,
            f,
            json!({"headers": [{"name": "X-A", "value": "1"}, {"name": "x-a", "value": "2"}]}),
        );
        bad(&c, f, json!({"headers": [{"name": "X-A"}]}));
        bad(&c, f, json!({"headers": {"X-A": "1"}}));
        good(&c, f, json!({"headers": []}), json!({"headers": []}));
    }
}

#[test]
fn access_lists() {
    let c = client();
    let ip = json!({"type": "allow", "list": ["10.0.0.0/8", "1.2.3.4", "2001:db8::/32"]});
    good(&c, "ip_acl", ip.clone(), ip);
    bad(
        &c,
        "ip_acl",
        json!({"type": "allow", "list": ["10.0.0.0/33"]}),
    );
    bad(
        &c,
        "ip_acl",
        json!({"type": "allow", "list": ["example.com"]}),
    );
    bad(&c, "ip_acl", json!({"type": "block", "list": ["1.2.3.4"]}));
    bad(&c, "ip_acl", json!({"list": ["1.2.3.4"]}));
    good(
        &c,
        "ip_acl",
        json!({"type": "allow", "list": []}),
        json!({"type": "deny", "list": []}),
    );
    good(
        &c,
        "ip_acl",
        json!({"list": []}),
        json!({"type": "deny", "list": []}),
    );

    good(
        &c,
        "referer_acl",
        json!({"type": "allow", "list": ["*.a.com", "b.com"]}),
        json!({"type": "allow", "list": ["*.a.com", "b.com"], "allow_empty": true}),
    );
    let r = json!({"type": "deny", "list": ["evil.com"], "allow_empty": false});
    good(&c, "referer_acl", r.clone(), r);
    bad(
        &c,
        "referer_acl",
        json!({"type": "deny", "list": ["http://evil.com/"]}),
    );
    bad(
        &c,
        "referer_acl",
        json!({"type": "deny", "list": ["evil.com"], "allow_empty": "no"}),
    );
    good(
        &c,
        "referer_acl",
        json!({"type": "deny", "list": []}),
        json!({"type": "deny", "list": [], "allow_empty": true}),
    );

    let ua = json!({"type": "deny", "list": ["*curl*", "Python-urllib/3.1"]});
    good(&c, "ua_acl", ua.clone(), ua);
    bad(&c, "ua_acl", json!({"type": "deny", "list": [""]}));
    bad(&c, "ua_acl", json!({"type": "deny", "list": [7]}));
    good(
        &c,
        "ua_acl",
        json!({"type": "deny", "list": []}),
        json!({"type": "deny", "list": []}),
    );
}

#[test]
fn writes_configure_then_return_to_the_previous_status() {
    let c = client();
    let (_, v) = c.call_at(
        at(2000),
        "PUT",
        "/API/domain/disable",
        Some(json!({"domain": "a.com"})),
    );
    assert_eq!(v["data"]["status"], "offline");
    let (st, _) = c.call_at(
        at(3000),
        "PUT",
        "/API/domain/http2",
        Some(json!({"domain": "a.com", "enable": true})),
    );
    assert_eq!(st, 200);
    let status =
        |ms| c.call_at(at(ms), "GET", "/API/domain?domain=a.com", None).1["data"]["status"].clone();
    assert_eq!(status(3999), "configuring");
    assert_eq!(status(4000), "offline");
    // A refused write changes nothing, status included.
    let (st, _) = c.call_at(
        at(5000),
        "PUT",
        "/API/domain/http2",
        Some(json!({"domain": "a.com", "enable": 1})),
    );
    assert_eq!(st, 400);
    assert_eq!(status(5000), "offline");
    let (_, v) = c.call_at(
        at(5000),
        "PUT",
        "/API/domain/enable",
        Some(json!({"domain": "a.com"})),
    );
    assert_eq!(v["data"]["status"], "online");
    assert_eq!(c.s.ctg_calls("PUT /API/domain/http2"), 2);
}
