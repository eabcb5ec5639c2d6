//! Tests of the Baishan domain endpoints through `handle`: create, deploying → serving,
//! list paging and filters, read, enable/disable, delete, the 10-domain limit, persistence.

use serde_json::{json, Value};

use super::test_support::*;
use crate::emulator::store::Store;

fn names(v: &Value) -> Vec<String> {
    v["data"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["domain"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn create_answers_the_domain_and_deploys_then_serves() {
    let s = shared();
    let d = add(&s, "WWW.Example.com");
    assert_eq!(d["domain"], "www.example.com");
    assert_eq!(d["id"], 100_001);
    assert_eq!(d["type"], "page");
    assert_eq!(d["status"], "deploying");
    assert_eq!(d["cname"], "www.example.com.bsgslb.cn");
    assert_eq!(
        d["config"],
        json!({"origin": {"default_master": "1.1.1.1"}})
    );
    let status = |ms| {
        let r = call_at(
            &s,
            at(ms),
            "GET",
            "/v2/domain",
            "domains=www.example.com",
            None,
        );
        r.json()["data"][0]["status"].clone()
    };
    assert_eq!(status(999), "deploying");
    assert_eq!(status(1000), "serving");
}

#[test]
fn create_validation() {
    let s = shared();
    let origin = json!({"origin": {"default_master": "1.1.1.1"}});
    let bad = [
        json!({"type": "page", "config": origin}),
        json!({"domain": "not a name", "type": "page", "config": origin}),
        json!({"domain": "a.com", "type": "web", "config": origin}),
        json!({"domain": "a.com", "type": "page"}),
        json!({"domain": "a.com", "type": "page", "config": {"origin_host": {"host": "o.a.com"}}}),
        json!({"domain": "a.com", "type": "page",
               "config": {"origin": {"default_master": "1.1.1.1", "default_slave": "1.1.1.1"}}}),
    ];
    for body in bad {
        let (st, v) = call(&s, "POST", "/v2/domain", "", Some(body.clone()));
        assert_eq!((st, &v["code"]), (400, &json!(400)), "{body}");
        assert!(v["data"].is_null());
    }
    assert!(s.snapshot().baishan.domains.is_empty());
    add(&s, "a.com");
    let (st, v) = call(
        &s,
        "POST",
        "/v2/domain",
        "",
        Some(json!({"domain": "a.com", "type": "download", "config": origin})),
    );
    assert_eq!(st, 400);
    assert!(v["message"].as_str().unwrap().contains("already exists"));
    // Wildcards, other items and every type.
    for (i, kind) in ["page", "download", "video_demand", "dynamic"]
        .iter()
        .enumerate()
    {
        let (st, v) = call(
            &s,
            "POST",
            "/v2/domain",
            "",
            Some(json!({"domain": format!("*.w{i}.com"), "type": kind,
                        "config": {"origin": {"default_master": "o.example.com"},
                                   "referer": {"type": 2, "list": ["*.a.com"]}}})),
        );
        assert_eq!(st, 200, "{v}");
        assert_eq!(v["data"]["config"]["referer"]["allow_empty"], true);
    }
}

#[test]
fn max_domains_is_a_400() {
    let s = shared();
    for i in 0..20 {
        add(&s, &format!("d{i}.com"));
    }
    let (st, v) = call(
        &s,
        "POST",
        "/v2/domain",
        "",
        Some(json!({"domain": "one-more.com", "type": "page",
                    "config": {"origin": {"default_master": "1.1.1.1"}}})),
    );
    assert_eq!(st, 400);
    assert!(v["message"].as_str().unwrap().contains("maximum"));
}

#[test]
fn list_pages_and_filters() {
    let s = shared();
    for i in 0..7 {
        add(&s, &format!("d{i}.com"));
    }
    let (st, v) = call(
        &s,
        "GET",
        "/v2/domain/list",
        "page_number=2&page_size=3",
        None,
    );
    assert_eq!(st, 200);
    assert_eq!(names(&v), vec!["d3.com", "d4.com", "d5.com"]);
    assert_eq!(v["data"]["total"], 7);
    assert_eq!(v["data"]["page_number"], 2);
    let entry = &v["data"]["list"][0];
    let mut keys: Vec<&str> = entry
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    keys.sort();
    assert_eq!(keys, vec!["cname", "domain", "id", "status", "type"]);
    let (_, v) = call(
        &s,
        "GET",
        "/v2/domain/list",
        "page_number=3&page_size=3",
        None,
    );
    assert_eq!(names(&v), vec!["d6.com"]);
    let (_, v) = call(&s, "GET", "/v2/domain/list", "page_number=9", None);
    assert!(names(&v).is_empty());
    assert_eq!(v["data"]["page_size"], 50);
    for bad in [
        "page_size=501",
        "page_size=0",
        "page_number=0",
        "page_number=x",
        "domain_status=online",
    ] {
        let (st, _) = call(&s, "GET", "/v2/domain/list", bad, None);
        assert_eq!(st, 400, "{bad}");
    }
    assert_eq!(
        call(&s, "GET", "/v2/domain/list", "page_size=500", None).0,
        200
    );

    call(
        &s,
        "PUT",
        "/v2/domain/status",
        "",
        Some(json!({"domains": "d1.com", "status": "suspend"})),
    );
    call(&s, "DELETE", "/v2/domain", "domains=d2.com", None);
    let (_, v) = call(&s, "GET", "/v2/domain/list", "domain_status=suspend", None);
    assert_eq!(names(&v), vec!["d1.com"]);
    let (_, v) = call(&s, "GET", "/v2/domain/list", "domain_status=deleted", None);
    assert_eq!(names(&v), vec!["d2.com"]);
    assert_eq!(v["data"]["list"][0]["status"], "deleted");
    // Serving domains that are still deploying are listed as serving ones.
    let (_, v) = call(&s, "GET", "/v2/domain/list", "domain_status=serving", None);
    assert_eq!(names(&v).len(), 5);
    assert_eq!(v["data"]["list"][0]["status"], "deploying");
    let (_, v) = call(&s, "GET", "/v2/domain/list", "", None);
    assert_eq!(v["data"]["total"], 6);
}

#[test]
fn get_names_domains_and_accepts_domain() {
    let s = shared();
    add(&s, "a.com");
    add(&s, "b.com");
    let (st, v) = call(&s, "GET", "/v2/domain", "domains=b.com,a.com", None);
    assert_eq!(st, 200);
    assert_eq!(v["data"][0]["domain"], "b.com");
    assert_eq!(
        v["data"][1]["config"]["origin"]["default_master"],
        "1.1.1.1"
    );
    let (_, v) = call(&s, "GET", "/v2/domain", "domain=a.com", None);
    assert_eq!(v["data"].as_array().unwrap().len(), 1);
    let (st, v) = call(&s, "GET", "/v2/domain", "domains=a.com,nope.com", None);
    assert_eq!((st, &v["code"]), (404, &json!(404)));
    assert!(v["message"].as_str().unwrap().contains("nope.com"));
    let (st, _) = call(&s, "GET", "/v2/domain", "", None);
    assert_eq!(st, 400);
}

#[test]
fn ten_domains_per_call_at_most() {
    let s = shared();
    let all: Vec<String> = (0..11).map(|i| format!("d{i}.com")).collect();
    for n in &all {
        add(&s, n);
    }
    let ten = all[..10].join(",");
    let eleven = all.join(",");
    assert_eq!(
        call(&s, "GET", "/v2/domain", &format!("domains={ten}"), None).0,
        200
    );
    assert_eq!(
        call(&s, "GET", "/v2/domain", &format!("domains={eleven}"), None).0,
        400
    );
    assert_eq!(
        call(
            &s,
            "GET",
            "/v2/domain/config",
            &format!("domains={eleven}"),
            None
        )
        .0,
        400
    );
    assert_eq!(
        set_config(&s, &eleven, json!({"origin_host": {"host": "o.a.com"}})).0,
        400
    );
    assert_eq!(
        set_config(&s, &ten, json!({"origin_host": {"host": "o.a.com"}})).0,
        200
    );
    let (st, _) = call(
        &s,
        "PUT",
        "/v2/domain/status",
        "",
        Some(json!({"domains": eleven, "status": "suspend"})),
    );
    assert_eq!(st, 400);
    assert_eq!(
        call(
            &s,
            "DELETE",
            "/v2/domain",
            &format!("domains={eleven}"),
            None
        )
        .0,
        400
    );
    assert_eq!(s.snapshot().baishan.live_count(), 11);
}

#[test]
fn suspend_and_serve_again() {
    let s = shared();
    add(&s, "a.com");
    add(&s, "b.com");
    let r = call_at(
        &s,
        at(2000),
        "PUT",
        "/v2/domain/status",
        "",
        Some(json!({"domains": "a.com,b.com", "status": "suspend"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json()["data"][1],
        json!({"id": 100_002, "domain": "b.com", "status": "deploying"})
    );
    let status = |ms| {
        call_at(&s, at(ms), "GET", "/v2/domain", "domains=a.com", None).json()["data"][0]["status"]
            .clone()
    };
    assert_eq!(status(3000), "suspend");
    call_at(
        &s,
        at(4000),
        "PUT",
        "/v2/domain/status",
        "",
        Some(json!({"domains": "a.com", "status": "serving"})),
    );
    assert_eq!(status(5000), "serving");
    let (st, _) = call(
        &s,
        "PUT",
        "/v2/domain/status",
        "",
        Some(json!({"domains": "a.com", "status": "offline"})),
    );
    assert_eq!(st, 400);
    // All or nothing: an unknown domain changes none.
    let (st, _) = call(
        &s,
        "PUT",
        "/v2/domain/status",
        "",
        Some(json!({"domains": "a.com,nope.com", "status": "suspend"})),
    );
    assert_eq!(st, 404);
    assert!(!s.snapshot().baishan.domains["a.com"].suspended);
}

#[test]
fn delete_several_domains() {
    let s = shared();
    for n in ["a.com", "b.com", "c.com"] {
        add(&s, n);
    }
    let (st, v) = call(&s, "DELETE", "/v2/domain", "domains=a.com,c.com", None);
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        v["data"],
        json!([{"id": 100_001, "domain": "a.com", "status": "deleted"},
               {"id": 100_003, "domain": "c.com", "status": "deleted"}])
    );
    let (_, v) = call(&s, "GET", "/v2/domain/list", "", None);
    assert_eq!(names(&v), vec!["b.com"]);
    // Deleted domains are gone for every other endpoint, and cannot be deleted twice.
    assert_eq!(call(&s, "GET", "/v2/domain", "domains=a.com", None).0, 404);
    assert_eq!(
        call(&s, "DELETE", "/v2/domain", "domains=a.com", None).0,
        404
    );
    assert_eq!(
        set_config(&s, "c.com", json!({"origin_host": {"host": "o.a.com"}})).0,
        404
    );
    // All or nothing.
    assert_eq!(
        call(&s, "DELETE", "/v2/domain", "domains=b.com,a.com", None).0,
        404
    );
    assert_eq!(s.snapshot().baishan.live_count(), 1);
    // The body form works too; a name can be added again, with a new id.
    let (st, _) = call(
        &s,
        "DELETE",
        "/v2/domain",
        "",
        Some(json!({"domains": "b.com"})),
    );
    assert_eq!(st, 200);
    assert_eq!(add(&s, "a.com")["id"], 100_004);
}

#[test]
fn the_world_persists_and_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("world.json");
    let s = shared_with(0, roomy(), Some(Store::new(&path)));
    add(&s, "a.com");
    add(&s, "b.com");
    set_config(
        &s,
        "a.com",
        json!({"cache_rule": [{"type": 1, "pattern": "jpg", "time": 60}],
                                   "ip_white_list": {"list": ["1.1.1.0/24"]}}),
    );
    call(&s, "DELETE", "/v2/domain", "domains=b.com", None);
    let before = s.snapshot();
    let again = shared_with(0, roomy(), Some(Store::new(&path)));
    assert_eq!(again.snapshot(), before);
    assert_eq!(
        config_of(&again, "a.com")["ip_white_list"]["list"][0],
        "1.1.1.0/24"
    );
    // Ids go on from where they were.
    assert_eq!(add(&again, "c.com")["id"], 100_003);
    // A file written before Baishan existed loads with an empty Baishan section.
    let old = dir.path().join("old.json");
    std::fs::write(&old, r#"{"aliyun": {}}"#).unwrap();
    let w = Store::new(&old).load().unwrap();
    assert!(w.baishan.domains.is_empty());
    assert_eq!(w.baishan.next_id, 100_001);
}
