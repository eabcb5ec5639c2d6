//! Tests of the cache-rule forms: each rule of the seed's tables, both ways round.

use serde_json::{json, Value};

use super::cache::{as_older, rules};

fn new_err(rule: Value) -> String {
    rules(&json!([rule]), false).unwrap_err().message
}

fn old_err(rule: Value) -> String {
    rules(&json!([rule]), true).unwrap_err().message
}

#[test]
fn newer_form_defaults_and_seed_example() {
    let v = rules(
        &json!([
            {"match_method": "dir", "pattern": "/www/html,/www/aaa", "case_ignore": "no",
             "priority": 13, "expire": 60, "expire_unit": "i", "ignore_no_cache_headers": "yes",
             "follow_expired": "no", "cache_query_params": "do_nothing",
             "back_source_query_params": "do_nothing"},
            {"match_method": "ext", "pattern": "php, jsp", "expire": "3600"}
        ]),
        false,
    )
    .unwrap()
    .unwrap();
    assert_eq!(v[0]["priority"], 13);
    assert_eq!(v[0]["case_ignore"], "no");
    assert_eq!(
        v[1],
        json!({"match_method": "ext", "pattern": "php,jsp", "case_ignore": "yes",
               "expire": 3600, "expire_unit": "s", "ignore_no_cache_headers": "no",
               "follow_expired": "no", "cache_query_params": "do_nothing",
               "back_source_query_params": "do_nothing", "priority": 2})
    );
    assert_eq!(rules(&json!([]), false).unwrap(), None);
}

#[test]
fn newer_form_rules() {
    assert!(new_err(json!({"pattern": "jpg", "expire": 1})).contains("match_method: is required"));
    assert!(
        new_err(json!({"match_method": "suffix", "pattern": "jpg", "expire": 1}))
            .contains("must be one of ext, dir, route, regex")
    );
    assert!(new_err(json!({"match_method": "ext", "expire": 1})).contains("pattern: is required"));
    assert!(
        new_err(json!({"match_method": "ext", "pattern": "jpg"})).contains("expire: is required")
    );
    assert!(
        new_err(json!({"match_method": "ext", "pattern": ".jpg", "expire": 1}))
            .contains("ext rules")
    );
    assert!(
        new_err(json!({"match_method": "dir", "pattern": "www", "expire": 1})).contains("paths")
    );
    assert!(
        new_err(json!({"match_method": "route", "pattern": "/a,b", "expire": 1})).contains("paths")
    );
    assert!(
        new_err(json!({"match_method": "regex", "pattern": "(", "expire": 1})).contains("regular")
    );
    assert!(rules(
        &json!([{"match_method": "regex", "pattern": "^https?://[^/]+/a,b$", "expire": 1}]),
        false
    )
    .is_ok());
    assert!(new_err(
        json!({"match_method": "ext", "pattern": "jpg", "expire": 1, "expire_unit": "m"})
    )
    .contains("expire_unit"));
    assert!(
        new_err(json!({"match_method": "ext", "pattern": "jpg", "expire": -1}))
            .contains("negative")
    );
    assert!(new_err(
        json!({"match_method": "ext", "pattern": "jpg", "expire": 1, "case_ignore": "true"})
    )
    .contains("case_ignore"));
    assert!(new_err(
        json!({"match_method": "ext", "pattern": "jpg", "expire": 1, "follow_expired": "on"})
    )
    .contains("follow_expired"));
    assert!(new_err(
        json!({"match_method": "ext", "pattern": "jpg", "expire": 1, "cache_query_params": "keep"})
    )
    .contains("cache_query_params"));
    assert!(
        new_err(json!({"match_method": "ext", "pattern": "jpg", "expire": 1, "priority": -2}))
            .contains("priority")
    );
    assert!(
        new_err(json!({"match_method": "ext", "pattern": "jpg", "expire": 1, "ttl": 3}))
            .contains("unknown field ttl")
    );
    assert!(rules(&json!({"match_method": "ext"}), false)
        .unwrap_err()
        .message
        .contains("array"));
}

#[test]
fn ttl_is_at_most_two_years() {
    for (expire, unit, ok) in [
        (2, "Y", true),
        (3, "Y", false),
        (24, "M", true),
        (25, "M", false),
        (730, "D", true),
        (731, "D", false),
        (63_072_000, "s", true),
        (63_072_001, "s", false),
        (0, "s", true),
    ] {
        let r = rules(
            &json!([{"match_method": "ext", "pattern": "jpg", "expire": expire, "expire_unit": unit}]),
            false,
        );
        assert_eq!(r.is_ok(), ok, "{expire}{unit}");
        let r = rules(
            &json!([{"type": 1, "pattern": "jpg", "time": expire, "timeunit": unit}]),
            true,
        );
        assert_eq!(r.is_ok(), ok, "{expire}{unit} (older form)");
    }
}

#[test]
fn older_form_converts_both_ways() {
    let seed = json!([
        {"type": "2", "pattern": "/product/index,/test/index", "time": 86400, "timeunit": "s"},
        {"type": 1, "pattern": "jpg,png,gif", "time": 3600, "ignore_no_cache": "on",
         "ignore_expired": "off", "ignore_query": "on"},
        {"type": 3, "pattern": "/index.html,/test/*.jpg,/user/get?index", "time": 0},
        {"type": 4, "pattern": ".*\\.(gif|png|jpg)$", "time": 1, "timeunit": "D"}
    ]);
    let stored = rules(&seed, true).unwrap().unwrap();
    assert_eq!(stored[0]["match_method"], "dir");
    assert_eq!(stored[0]["follow_expired"], "no");
    assert_eq!(stored[1]["ignore_no_cache_headers"], "yes");
    assert_eq!(stored[1]["follow_expired"], "yes");
    assert_eq!(stored[1]["cache_query_params"], "remove");
    assert_eq!(stored[1]["priority"], 2);
    assert_eq!(stored[3]["match_method"], "regex");
    let older = as_older(&stored);
    assert_eq!(
        older[0],
        json!({"type": 2, "pattern": "/product/index,/test/index", "time": 86400, "timeunit": "s",
               "ignore_no_cache": "off", "ignore_expired": "on", "ignore_query": "off"})
    );
    assert_eq!(older[1]["ignore_expired"], "off");
    assert_eq!(older[1]["ignore_query"], "on");
    // No ignore_* switches on a no-cache rule, so the answer can be written back as it is.
    assert_eq!(
        older[2],
        json!({"type": 3, "pattern": "/index.html,/test/*.jpg,/user/get?index", "time": 0, "timeunit": "s"})
    );
    assert_eq!(rules(&older, true).unwrap().unwrap(), stored);
}

#[test]
fn older_form_rules() {
    assert!(old_err(json!({"type": 5, "pattern": "jpg", "time": 1})).contains("1, 2, 3 or 4"));
    assert!(old_err(json!({"type": "x", "pattern": "jpg", "time": 1})).contains("integer"));
    assert!(old_err(json!({"type": 1, "time": 1})).contains("pattern: is required"));
    assert!(old_err(json!({"type": 1, "pattern": "jpg"})).contains("time: is required"));
    assert!(
        old_err(json!({"type": 1, "pattern": "jpg", "time": 1, "timeunit": "min"}))
            .contains("timeunit")
    );
    assert!(
        old_err(json!({"type": 1, "pattern": "jpg", "time": 1, "ignore_query": "yes"}))
            .contains("must be one of on, off")
    );
    assert!(
        old_err(json!({"type": 1, "pattern": "jpg", "time": 0, "ignore_no_cache": "on"}))
            .contains("only valid when the TTL is above 0")
    );
    assert!(
        old_err(json!({"type": 1, "pattern": "jpg", "time": 0, "ignore_expired": "on"}))
            .contains("ignore_expired")
    );
}
