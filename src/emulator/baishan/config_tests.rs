//! Tests of `GET`/`POST /v2/domain/config` through `handle`: each item written and read back,
//! the seed's table rules at the endpoint, all-or-nothing batches, item selection with
//! `config[]`, and deploying after a write.

use serde_json::{json, Value};

use super::test_support::*;

fn two_domains() -> crate::emulator::server::Shared {
    let s = shared();
    add(&s, "aa.qingcdn.com");
    add(&s, "bb.qingcdn.com");
    s
}

fn message(v: &Value) -> &str {
    v["message"].as_str().unwrap()
}

#[test]
fn seed_sample_items_are_stored_and_answered() {
    let s = two_domains();
    let (st, v) = set_config(
        &s,
        "aa.qingcdn.com,bb.qingcdn.com",
        json!({
            "origin": {"default_master": "133.233.133.33", "default_slave": "12.13.41.21"},
            "origin_host": {"host": "test.qingcdn.com"},
            "referer": {"type": 1, "list": ["*.qingcdn.com", "new.vx.qingcdn.com"], "allow_empty": false},
            "ip_black_list": {"list": ["14.12.11.0/24", "1.2.3.1"]},
            "add_response_head": {"type": "add", "list": [
                {"name": "Content-Type", "value": "text/html; charset=ISO-8859-4"},
                {"name": "Cache-Control", "value": "max-age=300, must-revalidate"}]},
            "https": {"cert_id": 123},
            "cache_rule": [
                {"type": "2", "pattern": "/product/index,/test/index,/user/index", "time": 86400, "timeunit": "s"},
                {"type": "1", "pattern": "jpg,png,gif", "time": 86400, "timeunit": "s"}],
            "compress_response": {"content_type": ["text/plain", "application/x-javascript"],
                                  "min_size": "2", "min_size_unit": "KB"}
        }),
    );
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["code"], 0);
    // The answer is `data.config`, as the seed's sample response shows.
    assert_eq!(
        v["data"]["config"]["origin"],
        json!({"default_master": "133.233.133.33", "default_slave": "12.13.41.21"})
    );
    assert_eq!(v["data"]["config"]["cache_rule"][0]["type"], 2);
    assert_eq!(v["data"]["config"]["add_response_head"]["type"], "add");
    for d in ["aa.qingcdn.com", "bb.qingcdn.com"] {
        let c = config_of(&s, d);
        assert_eq!(c["origin_host"], json!({"host": "test.qingcdn.com"}));
        assert_eq!(c["referer"]["allow_empty"], false);
        assert_eq!(c["ip_black_list"]["list"][1], "1.2.3.1");
        assert_eq!(c["add_response_head"]["type"], "reset");
        assert_eq!(c["add_response_head"]["list"][1]["name"], "Cache-Control");
        assert_eq!(c["https"], json!({"cert_id": 123}));
        assert_eq!(c["compress_response"]["min_size"], 2);
        // Both cache-rule forms are answered.
        assert_eq!(c["cache_rule_list"][1]["match_method"], "ext");
        assert_eq!(c["cache_rule_list"][1]["priority"], 2);
        assert_eq!(
            c["cache_rule"][0]["pattern"],
            "/product/index,/test/index,/user/index"
        );
        assert_eq!(c["cache_rule"][1]["ignore_expired"], "on");
    }
}

#[test]
fn reading_selected_items() {
    let s = two_domains();
    set_config(
        &s,
        "aa.qingcdn.com",
        json!({"referer": {"type": 2, "list": ["a.com"]}}),
    );
    let (st, v) = call(
        &s,
        "GET",
        "/v2/domain/config",
        "domains=aa.qingcdn.com,bb.qingcdn.com&config[]=origin&config%5B%5D=referer",
        None,
    );
    assert_eq!(st, 200, "{v}");
    let a = &v["data"][0];
    assert_eq!(a["domain"], "aa.qingcdn.com");
    assert_eq!(a["id"], 100_001);
    let keys: Vec<&String> = a["config"].as_object().unwrap().keys().collect();
    assert_eq!(keys, vec!["origin", "referer"]);
    // An item asked for and not set is null.
    assert!(v["data"][1]["config"]["referer"].is_null());
    let (_, v) = call(
        &s,
        "GET",
        "/v2/domain/config",
        "domains=aa.qingcdn.com&config=cache_rule,https",
        None,
    );
    assert_eq!(
        v["data"][0]["config"],
        json!({"cache_rule": null, "https": null})
    );
    let (st, v) = call(
        &s,
        "GET",
        "/v2/domain/config",
        "domains=aa.qingcdn.com&config[]=colour",
        None,
    );
    assert_eq!(st, 400);
    assert!(message(&v).contains("unknown configuration item"));
    assert_eq!(
        call(&s, "GET", "/v2/domain/config", "domains=zz.com", None).0,
        404
    );
}

#[test]
fn reading_several_domains_is_all_or_nothing() {
    let s = two_domains();
    let (st, v) = call(
        &s,
        "GET",
        "/v2/domain/config",
        "domains=bb.qingcdn.com,zz.com,aa.qingcdn.com&config[]=origin",
        None,
    );
    assert_eq!((st, &v["code"]), (404, &json!(404)), "{v}");
    assert!(message(&v).contains("zz.com"), "{v}");
    assert!(v["data"].is_null());
    // Without it: both, in the order asked.
    let (st, v) = call(
        &s,
        "GET",
        "/v2/domain/config",
        "domains=bb.qingcdn.com,aa.qingcdn.com&config[]=origin",
        None,
    );
    assert_eq!(st, 200, "{v}");
    let names: Vec<&Value> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["domain"])
        .collect();
    assert_eq!(names, [&json!("bb.qingcdn.com"), &json!("aa.qingcdn.com")]);
}

#[test]
fn one_invalid_item_fails_the_whole_batch() {
    let s = two_domains();
    let before = s.snapshot();
    let (st, v) = set_config(
        &s,
        "aa.qingcdn.com,bb.qingcdn.com",
        json!({"origin_host": {"host": "o.qingcdn.com"},
               "referer": {"type": 1, "list": ["a.*.com"]}}),
    );
    assert_eq!((st, &v["code"]), (400, &json!(400)));
    assert!(message(&v).contains("config.referer.list[0]"), "{v}");
    assert!(v["data"].is_null());
    // An unknown domain among known ones: 404, nothing written.
    let (st, _) = set_config(
        &s,
        "aa.qingcdn.com,zz.com",
        json!({"origin_host": {"host": "o.qingcdn.com"}}),
    );
    assert_eq!(st, 404);
    assert_eq!(s.snapshot(), before);
}

#[test]
fn black_and_white_lists_exclude_each_other() {
    let s = two_domains();
    let (st, v) = set_config(
        &s,
        "aa.qingcdn.com",
        json!({"ip_black_list": {"list": ["1.1.1.1"]}, "ip_white_list": {"list": ["2.2.2.2"]}}),
    );
    assert_eq!(st, 400);
    assert!(message(&v).contains("same time"));
    assert!(config_of(&s, "aa.qingcdn.com")
        .get("ip_black_list")
        .is_none());
    // Setting one removes the other.
    set_config(
        &s,
        "aa.qingcdn.com",
        json!({"ip_black_list": {"list": ["1.1.1.1"]}}),
    );
    set_config(
        &s,
        "aa.qingcdn.com",
        json!({"ip_white_list": {"list": ["2.2.2.0/24"]}}),
    );
    let c = config_of(&s, "aa.qingcdn.com");
    assert!(c.get("ip_black_list").is_none());
    assert_eq!(c["ip_white_list"]["list"], json!(["2.2.2.0/24"]));
    // An empty list removes the item.
    set_config(&s, "aa.qingcdn.com", json!({"ip_white_list": {"list": []}}));
    assert!(config_of(&s, "aa.qingcdn.com")
        .get("ip_white_list")
        .is_none());
}

#[test]
fn seed_table_rules_at_the_endpoint() {
    let s = two_domains();
    let seven = "1.1.1.1,1.1.1.2,1.1.1.3,1.1.1.4,1.1.1.5,1.1.1.6,1.1.1.7";
    let over: Vec<String> = (0..201)
        .map(|i| format!("10.0.{}.{}", i / 250, i % 250))
        .collect();
    let cases = [
        (json!({"origin": {"default_master": seven}}), "at most 6"),
        (
            json!({"origin": {"default_master": "1.1.1.1", "default_slave": "1.1.1.1"}}),
            "different",
        ),
        (
            json!({"origin": {"default_master": "1.1.1.1", "port": 81}}),
            "origin_mode=custom",
        ),
        (
            json!({"origin": {"default_master": "1.1.1.1", "origin_mode": "http", "ori_https": "yes"}}),
            "origin_mode=custom",
        ),
        (json!({"origin": null}), "cannot be removed"),
        (
            json!({"ip_black_list": {"list": ["1.1.1.0/20"]}}),
            "/8, /16 and /24",
        ),
        (
            json!({"ip_black_list": {"list": ["1.1.1.1", "1.1.1.1"]}}),
            "repeated",
        ),
        (json!({"ip_white_list": {"list": over}}), "at most 200"),
        (
            json!({"cache_rule_list": [{"match_method": "ext", "pattern": "jpg", "expire": 3, "expire_unit": "Y"}]}),
            "2 years",
        ),
        (
            json!({"cache_rule": [{"type": 1, "pattern": "jpg", "time": 0, "ignore_query": "on"}]}),
            "TTL is above 0",
        ),
        (
            json!({"cache_rule": [], "cache_rule_list": []}),
            "one of them",
        ),
        (
            json!({"referer": {"type": 1, "list": ["www.*.com"]}}),
            "must start with *",
        ),
        (
            json!({"add_response_head": {"type": "set", "list": []}}),
            "reset, add, remove",
        ),
        (json!({"https": {"http2": "on"}}), "cert_id"),
        (
            json!({"compress_response": {"content_type": ["text/plain"], "min_size": 1, "min_size_unit": "B"}}),
            "KB, MB",
        ),
        (
            json!({"video_drag": {"url": "x"}}),
            "not supported by the emulator",
        ),
        (json!({"colour": "blue"}), "unknown configuration item"),
        (json!({}), "no configuration item"),
        (json!([1]), "must be an object"),
    ];
    for (config, expected) in cases {
        let (st, v) = set_config(&s, "aa.qingcdn.com", config.clone());
        assert_eq!(st, 400, "{config}");
        assert!(message(&v).contains(expected), "{config}: {v}");
    }
    let (st, _) = call(
        &s,
        "POST",
        "/v2/domain/config",
        "",
        Some(json!({"domains": "aa.qingcdn.com"})),
    );
    assert_eq!(st, 400);
}

#[test]
fn cache_rules_in_either_form_replace_the_set() {
    let s = two_domains();
    let (st, v) = set_config(
        &s,
        "aa.qingcdn.com",
        json!({"cache_rule_list": [
            {"match_method": "dir", "pattern": "/www/html,/www/aaa", "case_ignore": "no", "priority": 13,
             "expire": 60, "expire_unit": "i", "ignore_no_cache_headers": "yes", "follow_expired": "no",
             "cache_query_params": "do_nothing", "back_source_query_params": "do_nothing"},
            {"match_method": "ext", "pattern": "php,jsp,asp,aspx", "case_ignore": "no", "priority": 15,
             "expire": 3600, "expire_unit": "s", "ignore_no_cache_headers": "yes", "follow_expired": "no",
             "cache_query_params": "remove", "back_source_query_params": "remove"}]}),
    );
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["data"]["config"]["cache_rule_list"][1]["priority"], 15);
    let c = config_of(&s, "aa.qingcdn.com");
    assert_eq!(c["cache_rule_list"].as_array().unwrap().len(), 2);
    assert_eq!(
        c["cache_rule"][1],
        json!({"type": 1, "pattern": "php,jsp,asp,aspx", "time": 3600,
        "timeunit": "s", "ignore_no_cache": "on", "ignore_expired": "on", "ignore_query": "on"})
    );
    set_config(
        &s,
        "aa.qingcdn.com",
        json!({"cache_rule": [{"type": 4, "pattern": ".*\\.(gif|png)$", "time": 0}]}),
    );
    let c = config_of(&s, "aa.qingcdn.com");
    assert_eq!(c["cache_rule_list"].as_array().unwrap().len(), 1);
    assert_eq!(c["cache_rule_list"][0]["match_method"], "regex");
    set_config(&s, "aa.qingcdn.com", json!({"cache_rule_list": []}));
    let c = config_of(&s, "aa.qingcdn.com");
    assert!(c.get("cache_rule").is_none() && c.get("cache_rule_list").is_none());
}

#[test]
fn items_are_replaced_edited_and_removed() {
    let s = two_domains();
    set_config(
        &s,
        "aa.qingcdn.com",
        json!({"origin": {"default_master": "2.2.2.2", "origin_mode": "custom", "ori_https": "yes", "port": 8443}}),
    );
    set_config(
        &s,
        "aa.qingcdn.com",
        json!({"add_response_head": {"list": [{"name": "X-A", "value": "1"}]}}),
    );
    set_config(
        &s,
        "aa.qingcdn.com",
        json!({"add_response_head": {"type": "add", "list": [{"name": "X-B", "value": "2"}]}}),
    );
    set_config(
        &s,
        "aa.qingcdn.com",
        json!({"https": {"cert_id": 7, "http2": "on", "force_https": "on"}}),
    );
    let c = config_of(&s, "aa.qingcdn.com");
    assert_eq!(
        c["origin"],
        json!({"default_master": "2.2.2.2", "origin_mode": "custom", "ori_https": "yes", "port": 8443})
    );
    assert_eq!(c["add_response_head"]["list"].as_array().unwrap().len(), 2);
    assert_eq!(c["https"]["force_https"], "on");
    // Another domain is untouched.
    assert_eq!(
        config_of(&s, "bb.qingcdn.com"),
        json!({"origin": {"default_master": "1.1.1.1"}})
    );
    // Removal: null for an item, remove for headers.
    let (st, v) = set_config(
        &s,
        "aa.qingcdn.com",
        json!({"https": null,
        "add_response_head": {"type": "remove", "list": ["x-a", "X-B"]}}),
    );
    assert_eq!(st, 200, "{v}");
    assert!(v["data"]["config"]["https"].is_null());
    let c = config_of(&s, "aa.qingcdn.com");
    assert!(c.get("https").is_none() && c.get("add_response_head").is_none());
}

#[test]
fn a_config_write_deploys_the_domains() {
    let s = two_domains();
    let r = call_at(
        &s,
        at(5000),
        "POST",
        "/v2/domain/config",
        "",
        Some(
            json!({"domains": "aa.qingcdn.com", "config": {"origin_host": {"host": "o.qingcdn.com"}}}),
        ),
    );
    assert_eq!(r.status, 200);
    let status = |ms, d: &str| {
        call_at(
            &s,
            at(ms),
            "GET",
            "/v2/domain",
            &format!("domains={d}"),
            None,
        )
        .json()["data"][0]["status"]
            .clone()
    };
    assert_eq!(status(5500, "aa.qingcdn.com"), "deploying");
    assert_eq!(status(5500, "bb.qingcdn.com"), "serving");
    assert_eq!(status(6000, "aa.qingcdn.com"), "serving");
    // The token may be in the body, and `domain` names the domains too.
    let r = super::handle(
        &s,
        "POST",
        "/v2/domain/config",
        None,
        json!({"token": TOKEN, "domain": "bb.qingcdn.com", "config": {"origin_host": {"host": "o.qingcdn.com"}}})
            .to_string()
            .as_bytes(),
        at(7000),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}
