//! Tests of the CTG domain operations: create, read, enable/disable, delete, list paging,
//! configuring → online, and persistence.

use std::time::Duration;

use serde_json::{json, Value};

use super::test_support::{at, shared_with, t0, Client};
use crate::emulator::store::Store;

fn origin() -> Value {
    json!([{"address": "origin.example.com", "type": "domain", "port": 443, "priority": 1, "weight": 50},
           {"address": "2001:db8::1", "type": "ip", "port": 80, "priority": 2, "weight": 1}])
}

#[test]
fn create_configures_then_goes_online() {
    let c = Client::new();
    let d = c.ok(
        "POST",
        "/API/domain",
        Some(json!({"domain": "www.a.com", "product": "download", "origin": origin()})),
    );
    assert_eq!(
        d,
        json!({"domain": "www.a.com", "cname": "www.a.com.ctgcdn.esurfingcloud.com",
                         "product": "download", "status": "configuring"})
    );
    let (_, v) = c.call_at(at(999), "GET", "/API/domain?domain=www.a.com", None);
    assert_eq!(v["data"]["status"], "configuring");
    let (_, v) = c.call_at(at(1000), "GET", "/API/domain?domain=www.a.com", None);
    assert_eq!(v["data"]["status"], "online");
    assert_eq!(v["data"]["origin"], origin());
    assert_eq!(c.call("GET", "/API/domain?domain=b.com", None).0, 404);
    assert_eq!(c.call("GET", "/API/domain", None).0, 400);
}

#[test]
fn create_validates_and_refuses_duplicates() {
    let c = Client::new();
    c.add("a.com");
    let (st, v) = c.call(
        "POST",
        "/API/domain",
        Some(json!({"domain": "a.com", "product": "web", "origin": origin()})),
    );
    assert_eq!(st, 409, "{v}");
    let o = |x: Value| json!({"domain": "b.com", "product": "web", "origin": [x]});
    let good = json!({"address": "1.2.3.4", "type": "ip", "port": 80, "priority": 1, "weight": 1});
    let mut bad_bodies = vec![
        json!({"domain": "B.com", "product": "web", "origin": [good]}),
        json!({"domain": "localhost", "product": "web", "origin": [good]}),
        json!({"domain": "b.com", "product": "live", "origin": [good]}),
        json!({"domain": "b.com", "product": "web", "origin": []}),
        json!({"domain": "b.com", "product": "web"}),
        json!({"domain": "b.com", "product": "web", "origin": [good], "extra": 1}),
        json!({"domain": "b.com", "product": "web", "origin": [good, good]}),
    ];
    for (k, v) in [
        ("address", json!("a.com")),
        ("type", json!("cname")),
        ("port", json!(0)),
        ("port", json!("80")),
        ("priority", json!(0)),
        ("weight", json!(101)),
    ] {
        let mut x = good.clone();
        x[k] = v;
        bad_bodies.push(o(x));
    }
    let mut x = good.clone();
    x.as_object_mut().unwrap().remove("weight");
    bad_bodies.push(o(x));
    bad_bodies.push(o(
        json!({"address": "1.2.3.4", "type": "domain", "port": 80, "priority": 1, "weight": 1}),
    ));
    for b in bad_bodies {
        let (st, v) = c.call("POST", "/API/domain", Some(b.clone()));
        assert_eq!(st, 400, "{b} -> {v}");
        assert!(v["error"].is_string());
    }
    assert!(c.ok(
        "POST",
        "/API/domain",
        Some(json!({"domain": "*.b.com", "product": "video", "origin": origin()}))
    )["cname"]
        .as_str()
        .unwrap()
        .starts_with("wildcard.b.com"));
    // max_domains is 5 in the tests.
    for n in ["c.com", "d.com", "e.com"] {
        c.add(n);
    }
    assert_eq!(c.call("POST", "/API/domain", Some(o(good))).0, 400);
}

#[test]
fn enable_disable_delete() {
    let c = Client::new();
    c.add("a.com");
    let later = at(5000);
    let (st, v) = c.call_at(
        later,
        "PUT",
        "/API/domain/disable",
        Some(json!({"domain": "a.com"})),
    );
    assert_eq!(
        (st, v["data"]["status"].clone()),
        (200, json!("offline")),
        "{v}"
    );
    let (_, v) = c.call_at(
        later,
        "PUT",
        "/API/domain/disable",
        Some(json!({"domain": "a.com"})),
    );
    assert_eq!(v["data"]["status"], "offline");
    let (_, v) = c.call_at(
        later,
        "PUT",
        "/API/domain/enable",
        Some(json!({"domain": "a.com"})),
    );
    assert_eq!(v["data"]["status"], "online");
    assert_eq!(
        c.call(
            "PUT",
            "/API/domain/enable",
            Some(json!({"domain": "x.com"}))
        )
        .0,
        404
    );
    assert_eq!(c.call("PUT", "/API/domain/enable", Some(json!({}))).0, 400);
    assert_eq!(
        c.call(
            "PUT",
            "/API/domain/enable",
            Some(json!({"domain": "a.com", "x": 1}))
        )
        .0,
        400
    );
    assert_eq!(
        c.ok("DELETE", "/API/domain?domain=a.com", None),
        json!({"domain": "a.com"})
    );
    assert_eq!(c.call("DELETE", "/API/domain?domain=a.com", None).0, 404);
    assert_eq!(c.call("DELETE", "/API/domain", None).0, 400);
    assert_eq!(c.ok("GET", "/API/domain/list", None)["total"], 0);
}

#[test]
fn list_pages_in_name_order() {
    let c = Client::new();
    for n in ["e.com", "a.com", "c.com", "b.com", "d.com"] {
        c.add(n);
    }
    let names = |v: &Value| -> Vec<String> {
        v["list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["domain"].as_str().unwrap().to_string())
            .collect()
    };
    let v = c.ok("GET", "/API/domain/list", None);
    assert_eq!(v["total"], 5);
    assert_eq!(names(&v), ["a.com", "b.com", "c.com", "d.com", "e.com"]);
    assert_eq!(
        v["list"][0],
        json!({"domain": "a.com", "cname": "a.com.ctgcdn.esurfingcloud.com",
                                    "product": "web", "status": "configuring"})
    );
    let v = c.ok("GET", "/API/domain/list?page=2&page_size=2", None);
    assert_eq!(
        (v["total"].clone(), names(&v)),
        (json!(5), vec!["c.com".to_string(), "d.com".into()])
    );
    assert!(names(&c.ok("GET", "/API/domain/list?page=4&page_size=2", None)).is_empty());
    assert_eq!(
        names(&c.ok("GET", "/API/domain/list?page_size=100", None)).len(),
        5
    );
    for q in [
        "page_size=101",
        "page_size=0",
        "page=0",
        "page=x",
        "page_size=-1",
    ] {
        assert_eq!(
            c.call("GET", &format!("/API/domain/list?{q}"), None).0,
            400,
            "{q}"
        );
    }
}

#[test]
fn the_world_survives_a_restart_but_tokens_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("world.json");
    let life = Duration::from_secs(7200);
    let c = Client::with(shared_with(0, life, Some(Store::new(&path))));
    c.add("a.com");
    c.ok(
        "PUT",
        "/API/domain/https",
        Some(json!({"domain": "a.com", "cert_id": "cert-1", "enable": true})),
    );
    c.ok(
        "PUT",
        "/API/domain/disable",
        Some(json!({"domain": "a.com"})),
    );
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(saved["ctg"]["domains"]["a.com"].is_object());

    let again = shared_with(0, life, Some(Store::new(&path)));
    let (st, _) =
        super::test_support::call_at(&again, &c.token, t0(), "GET", "/API/domain/list", None);
    assert_eq!(st, 401);
    let c2 = Client::with(again);
    let d = c2.ok("GET", "/API/domain?domain=a.com", None);
    assert_eq!(d["status"], "offline");
    let h = c2.ok("GET", "/API/domain/https?domain=a.com", None);
    assert_eq!(
        h,
        json!({"domain": "a.com", "cert_id": "cert-1", "enable": true})
    );
    // A file without the ctg section loads as an empty CTG world.
    std::fs::write(&path, r#"{"aliyun": {}, "baishan": {}}"#).unwrap();
    assert!(Store::new(&path).load().unwrap().ctg.domains.is_empty());
}
