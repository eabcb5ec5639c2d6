//! Tests of the function configuration actions through `handle`: replace or add, the batch
//! limit, atomicity, status, the added `aliyun_id`, filters, deletion, call counts and
//! persistence.

use chrono::TimeDelta;
use serde_json::{json, Value};

use super::test_support::*;
use crate::emulator::server::Shared;
use crate::emulator::store::{Store, World};

/// One `Functions` element.
fn func(name: &str, args: &[(&str, &str)], config_id: Option<u64>) -> Value {
    let args: Vec<_> = args
        .iter()
        .map(|(n, v)| json!({"argName": n, "argValue": v}))
        .collect();
    let mut f = json!({"functionName": name, "functionArgs": args});
    if let Some(id) = config_id {
        f["configId"] = json!(id);
    }
    f
}

fn header(key: &str, value: &str, id: Option<u64>) -> Value {
    func("set_resp_header", &[("key", key), ("value", value)], id)
}

fn gzip(on: &str) -> Value {
    func("gzip", &[("enable", on)], None)
}

fn batch_at(
    s: &Shared,
    now: chrono::DateTime<chrono::Utc>,
    domains: &str,
    functions: &[Value],
) -> (u16, Value) {
    let f = Value::Array(functions.to_vec()).to_string();
    call_at(
        s,
        now,
        V18,
        "BatchSetCdnDomainConfig",
        &[("DomainNames", domains), ("Functions", &f)],
    )
}

fn batch(s: &Shared, domains: &str, functions: &[Value]) -> (u16, Value) {
    batch_at(s, t0(), domains, functions)
}

/// The ConfigIds of a BatchSetCdnDomainConfig answer.
fn ids(v: &Value) -> Vec<u64> {
    v["DomainConfigList"]["DomainConfigModel"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|m| m["ConfigId"].as_u64().unwrap())
        .collect()
}

fn configs_at(
    s: &Shared,
    now: chrono::DateTime<chrono::Utc>,
    domain: &str,
    extra: &[(&str, &str)],
) -> Vec<Value> {
    let mut p = vec![("DomainName", domain)];
    p.extend_from_slice(extra);
    let (st, v) = call_at(s, now, V18, "DescribeCdnDomainConfigs", &p);
    assert_eq!(st, 200, "{v}");
    v["DomainConfigs"]["DomainConfig"]
        .as_array()
        .unwrap()
        .clone()
}

fn configs(s: &Shared, domain: &str) -> Vec<Value> {
    configs_at(s, t0(), domain, &[])
}

fn functions_of(list: &[Value]) -> Vec<String> {
    list.iter()
        .map(|c| c["FunctionName"].as_str().unwrap().to_string())
        .collect()
}

fn arg<'a>(config: &'a Value, name: &str) -> &'a str {
    config["FunctionArgs"]["FunctionArg"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["ArgName"] == name)
        .and_then(|a| a["ArgValue"].as_str())
        .unwrap_or_else(|| panic!("{name} in {config}"))
}

fn world_with(domains: &[&str]) -> Shared {
    let s = shared_with(0, 100, None);
    for d in domains {
        assert_eq!(add18(&s, t0(), d).0, 200);
    }
    s
}

#[test]
fn answer_shape_and_aliyun_id_on_read() {
    let s = world_with(&["a.com", "b.com"]);
    let (st, v) = batch(&s, "a.com,b.com", &[gzip("on"), header("X-A", "1", None)]);
    assert_eq!(st, 200, "{v}");
    let models = v["DomainConfigList"]["DomainConfigModel"]
        .as_array()
        .unwrap();
    assert_eq!(models.len(), 4);
    assert_eq!(models[0]["DomainName"], "a.com");
    assert_eq!(models[0]["FunctionName"], "gzip");
    assert_eq!(models[3]["DomainName"], "b.com");
    assert_eq!(models[3]["FunctionName"], "set_resp_header");
    let all = ids(&v);
    let mut unique = all.clone();
    unique.dedup();
    assert_eq!(unique.len(), 4, "ConfigIds are unique in the account");

    let list = configs(&s, "a.com");
    assert_eq!(functions_of(&list), ["gzip", "set_resp_header"]);
    assert_eq!(list[0]["ConfigId"], all[0].to_string(), "a string on read");
    assert_eq!(list[0]["Status"], "success");
    let uid = s.snapshot().aliyun.account_uid;
    assert_eq!(uid.len(), 16);
    for c in &list {
        let args = c["FunctionArgs"]["FunctionArg"].as_array().unwrap();
        assert_eq!(
            args.last().unwrap(),
            &json!({"ArgName": "aliyun_id", "ArgValue": uid})
        );
    }
    assert_eq!(arg(&list[1], "key"), "X-A");
    assert_eq!(arg(&list[1], "value"), "1");
    // The 2014 API has none of this.
    let (st, v) = call_at(
        &s,
        t0(),
        V14,
        "DescribeCdnDomainConfigs",
        &[("DomainName", "a.com")],
    );
    assert_eq!((st, code(&v)), (400, "UnsupportedOperation"));
}

#[test]
fn single_functions_replace_and_repeatable_ones_add() {
    let s = world_with(&["a.com"]);
    let first = ids(&batch(&s, "a.com", &[gzip("on"), header("X-A", "1", None)]).1);
    // gzip again without configId: replaced in place (same ConfigId); a header is added.
    let second = ids(&batch(&s, "a.com", &[gzip("off"), header("X-B", "2", None)]).1);
    assert_eq!(second[0], first[0]);
    assert_ne!(second[1], first[1]);
    let list = configs(&s, "a.com");
    assert_eq!(
        functions_of(&list),
        ["gzip", "set_resp_header", "set_resp_header"]
    );
    assert_eq!(arg(&list[0], "enable"), "off");
    // With configId the header is updated, not added.
    let third = ids(&batch(&s, "a.com", &[header("X-A", "changed", Some(first[1]))]).1);
    assert_eq!(third, [first[1]]);
    let list = configs(&s, "a.com");
    assert_eq!(list.len(), 3);
    assert_eq!(arg(&list[1], "value"), "changed");
    // Every repeatable function adds: cache rules and request headers too.
    let ttl = func(
        "path_based_ttl_set",
        &[("path", "/a"), ("ttl", "60"), ("weight", "1")],
        None,
    );
    let req = func("set_req_header", &[("key", "X-R"), ("value", "v")], None);
    batch(&s, "a.com", &[ttl.clone(), ttl, req.clone(), req]);
    assert_eq!(configs(&s, "a.com").len(), 7);

    // A configId of another function, another domain or nobody is refused.
    let bad = |f: Value| {
        let (st, v) = batch(&s, "a.com", &[f]);
        assert_eq!((st, code(&v)), (400, "InvalidParameter"), "{v}");
        v["Message"].as_str().unwrap().to_string()
    };
    assert!(bad(header("X-A", "1", Some(first[0]))).contains(&first[0].to_string()));
    bad(header("X-A", "1", Some(999)));
    let (_, v) = batch(
        &s,
        "a.com",
        &[func("gzip", &[("enable", "on")], Some(first[1]))],
    );
    assert_eq!(code(&v), "InvalidParameter");
    assert_eq!(configs(&s, "a.com").len(), 7);
}

#[test]
fn white_and_black_lists_exclude_each_other() {
    let s = world_with(&["a.com"]);
    let white = func(
        "referer_white_list_set",
        &[("refer_domain_allow_list", "a.com"), ("allow_empty", "on")],
        None,
    );
    let black = func(
        "referer_black_list_set",
        &[("refer_domain_deny_list", "b.com"), ("allow_empty", "off")],
        None,
    );
    let allow = func("ip_allow_list_set", &[("ip_list", "10.0.0.0/8")], None);
    let deny = func("ip_black_list_set", &[("ip_list", "1.2.3.4")], None);
    assert_eq!(batch(&s, "a.com", &[white, allow]).0, 200);
    assert_eq!(batch(&s, "a.com", &[black.clone(), deny]).0, 200);
    let mut names = functions_of(&configs(&s, "a.com"));
    names.sort();
    assert_eq!(names, ["ip_black_list_set", "referer_black_list_set"]);
    assert_eq!(batch(&s, "a.com", &[black]).0, 200);
    assert_eq!(configs(&s, "a.com").len(), 2);
}

#[test]
fn at_most_fifty_domains_per_call() {
    let names: Vec<String> = (0..51).map(|i| format!("d{i}.example.com")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let s = world_with(&refs);
    let (st, v) = batch(&s, &names.join(","), &[gzip("on")]);
    assert_eq!((st, code(&v)), (400, "InvalidParameter"));
    assert!(v["Message"].as_str().unwrap().contains("DomainNames"));
    assert!(s.snapshot().aliyun.configs.is_empty());
    let (st, v) = batch(&s, &names[..50].join(","), &[gzip("on")]);
    assert_eq!(st, 200);
    assert_eq!(ids(&v).len(), 50);
    // Spaces around names are fine; a name twice is not.
    assert_eq!(
        batch(&s, "d0.example.com, d1.example.com", &[gzip("off")]).0,
        200
    );
    let (st, _) = batch(&s, "d0.example.com,d0.example.com", &[gzip("off")]);
    assert_eq!(st, 400);
}

#[test]
fn a_bad_domain_or_function_stores_nothing() {
    let s = world_with(&["a.com"]);
    let (st, v) = batch(&s, "a.com,missing.com", &[gzip("on")]);
    assert_eq!((st, code(&v)), (404, "InvalidDomain.NotFound"));
    let (st, v) = batch(&s, "a.com,bad_name", &[gzip("on")]);
    assert_eq!((st, code(&v)), (400, "InvalidParameter"));
    let broken = func("ipv6", &[("switch", "maybe")], None);
    let (st, v) = batch(&s, "a.com", &[gzip("on"), broken]);
    assert_eq!((st, code(&v)), (400, "InvalidParameter"));
    assert!(v["Message"].as_str().unwrap().contains("switch"));
    let (st, v) = batch(&s, "a.com", &[gzip("on"), func("brotli", &[], None)]);
    assert_eq!(st, 400);
    assert_eq!(
        v["Message"],
        "The specified function name brotli is not valid."
    );
    let (st, v) = call_at(
        &s,
        t0(),
        V18,
        "BatchSetCdnDomainConfig",
        &[("DomainNames", "a.com")],
    );
    assert_eq!((st, code(&v)), (400, "MissingParameter"));
    assert!(configs(&s, "a.com").is_empty());
    let w = s.snapshot().aliyun;
    assert!(w.configs.is_empty());
    assert_eq!(w.next_config_id, 3_000_001, "no ConfigId was used up");
}

#[test]
fn configs_are_configuring_then_success_and_the_domain_is_untouched() {
    let s = shared_with(1000, 10, None);
    let t = t0();
    assert_eq!(add18(&s, t, "a.com").0, 200);
    let t1 = t + TimeDelta::seconds(5);
    assert_eq!(
        call_at(&s, t1, V18, "StopCdnDomain", &[("DomainName", "a.com")]).0,
        200
    );
    assert_eq!(batch_at(&s, t1, "a.com", &[gzip("on")]).0, 200);
    assert_eq!(status_of(&s, t1, "a.com"), "offline");
    assert_eq!(configs_at(&s, t1, "a.com", &[])[0]["Status"], "configuring");
    let t2 = t1 + TimeDelta::milliseconds(999);
    assert_eq!(configs_at(&s, t2, "a.com", &[])[0]["Status"], "configuring");
    let t3 = t1 + TimeDelta::seconds(1);
    assert_eq!(configs_at(&s, t3, "a.com", &[])[0]["Status"], "success");
    // A rewrite makes it configuring again.
    assert_eq!(batch_at(&s, t3, "a.com", &[gzip("off")]).0, 200);
    assert_eq!(configs_at(&s, t3, "a.com", &[])[0]["Status"], "configuring");
    // Writes are allowed while the domain itself is configuring.
    assert_eq!(add18(&s, t3, "b.com").0, 200);
    assert_eq!(batch_at(&s, t3, "b.com", &[gzip("on")]).0, 200);
}

#[test]
fn describe_filters_and_errors() {
    let s = world_with(&["a.com", "b.com"]);
    let (_, v) = batch(
        &s,
        "a.com",
        &[
            gzip("on"),
            header("X-A", "1", None),
            func("https_force", &[("enable", "on")], None),
        ],
    );
    let a = ids(&v);
    batch(&s, "b.com", &[gzip("off")]);
    let names = |extra: &[(&str, &str)]| functions_of(&configs_at(&s, t0(), "a.com", extra));
    assert_eq!(names(&[("FunctionNames", "")]).len(), 3);
    assert_eq!(names(&[("FunctionNames", "gzip")]), ["gzip"]);
    assert_eq!(
        names(&[("FunctionNames", "https_force,set_resp_header")]),
        ["set_resp_header", "https_force"]
    );
    assert_eq!(names(&[("FunctionNames", "ipv6")]).len(), 0);
    let id = a[1].to_string();
    assert_eq!(names(&[("ConfigId", &id)]), ["set_resp_header"]);
    assert_eq!(
        names(&[("ConfigId", &id), ("FunctionNames", "gzip")]).len(),
        0
    );
    // b.com's gzip is not a.com's.
    let (_, v) = batch(&s, "b.com", &[gzip("off")]);
    let b_id = ids(&v)[0].to_string();
    assert_eq!(names(&[("ConfigId", &b_id)]).len(), 0);

    let (st, v) = call_at(
        &s,
        t0(),
        V18,
        "DescribeCdnDomainConfigs",
        &[("DomainName", "a.com"), ("FunctionNames", "gzip,brotli")],
    );
    assert_eq!((st, code(&v)), (400, "InvalidParameter"));
    assert!(v["Message"].as_str().unwrap().contains("brotli"));
    let (st, v) = call_at(
        &s,
        t0(),
        V18,
        "DescribeCdnDomainConfigs",
        &[("DomainName", "a.com"), ("ConfigId", "x")],
    );
    assert_eq!((st, code(&v)), (400, "InvalidParameter"));
    let (st, v) = call_at(
        &s,
        t0(),
        V18,
        "DescribeCdnDomainConfigs",
        &[("DomainName", "none.com")],
    );
    assert_eq!((st, code(&v)), (404, "InvalidDomain.NotFound"));
}

#[test]
fn delete_specific_config() {
    let s = world_with(&["a.com", "b.com"]);
    let a = ids(&batch(
        &s,
        "a.com",
        &[
            gzip("on"),
            header("X-A", "1", None),
            header("X-B", "2", None),
        ],
    )
    .1);
    let b = ids(&batch(&s, "b.com", &[gzip("on")]).1);
    let delete = |domain: &str, id: &str| {
        call_at(
            &s,
            t0(),
            V18,
            "DeleteSpecificConfig",
            &[("DomainName", domain), ("ConfigId", id)],
        )
    };
    assert_eq!(delete("a.com", &a[0].to_string()).0, 200);
    assert_eq!(
        functions_of(&configs(&s, "a.com")),
        ["set_resp_header", "set_resp_header"]
    );
    // Unknown, already deleted, another domain's, or one bad id among several: nothing goes.
    for bad in [
        "42".to_string(),
        a[0].to_string(),
        b[0].to_string(),
        format!("{},{}", a[1], a[0]),
        "abc".to_string(),
    ] {
        let (st, v) = delete("a.com", &bad);
        assert_eq!((st, code(&v)), (400, "InvalidParameter"), "{bad}");
    }
    assert_eq!(configs(&s, "a.com").len(), 2);
    let (st, v) = call_at(
        &s,
        t0(),
        V18,
        "DeleteSpecificConfig",
        &[("DomainName", "a.com")],
    );
    assert_eq!((st, code(&v)), (400, "MissingParameter"));
    assert_eq!(delete("none.com", "1").0, 404);
    assert_eq!(delete("a.com", &format!("{}, {}", a[1], a[2])).0, 200);
    assert!(configs(&s, "a.com").is_empty());
    // Deleting the domain removes its configurations; ConfigIds are not reused.
    assert_eq!(
        call_at(&s, t0(), V18, "DeleteCdnDomain", &[("DomainName", "b.com")]).0,
        200
    );
    assert!(s.snapshot().aliyun.configs.is_empty());
    let next = ids(&batch(&s, "a.com", &[gzip("on")]).1);
    assert!(next[0] > b[0]);
}

#[test]
fn calls_are_counted_after_authentication() {
    let s = world_with(&["a.com"]);
    s.reset_calls();
    batch(&s, "a.com", &[gzip("on")]);
    batch(&s, "missing.com", &[gzip("on")]);
    configs(&s, "a.com");
    assert_eq!(s.aliyun_calls("BatchSetCdnDomainConfig"), 2);
    assert_eq!(s.aliyun_calls("DescribeCdnDomainConfigs"), 1);
    assert_eq!(s.aliyun_calls("AddCdnDomain"), 0);
    // A request that fails authentication is not counted.
    let r = super::handle(
        &s,
        "GET",
        Some("Action=DescribeCdnDomainConfigs"),
        None,
        b"",
        t0(),
    );
    assert_eq!(r.status, 400);
    assert_eq!(s.aliyun_calls("DescribeCdnDomainConfigs"), 1);
    s.reset_calls();
    assert_eq!(s.aliyun_calls("BatchSetCdnDomainConfig"), 0);
}

#[test]
fn configs_persist_and_old_files_still_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("world.json");
    let s = shared_with(0, 10, Some(Store::new(&path)));
    assert_eq!(add18(&s, t0(), "a.com").0, 200);
    let first = ids(&batch(&s, "a.com", &[gzip("on"), header("X-A", "1", None)]).1);
    let before = configs(&s, "a.com");
    let uid = s.snapshot().aliyun.account_uid;

    let again = shared_with(0, 10, Some(Store::new(&path)));
    assert_eq!(configs(&again, "a.com"), before);
    assert_eq!(again.snapshot().aliyun.account_uid, uid);
    let next = ids(&batch(&again, "a.com", &[header("X-B", "2", None)]).1);
    assert!(next[0] > first[1]);

    // A world file written before configurations existed.
    let mut old: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let aliyun = old["aliyun"].as_object_mut().unwrap();
    for key in ["configs", "next_config_id", "certificates", "account_uid"] {
        assert!(aliyun.remove(key).is_some(), "{key}");
    }
    std::fs::write(&path, old.to_string()).unwrap();
    let w: World = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(w.aliyun.domains.len(), 1);
    assert!(w.aliyun.configs.is_empty());
    let s = shared_with(0, 10, Some(Store::new(&path)));
    assert!(configs(&s, "a.com").is_empty());
    assert_eq!(batch(&s, "a.com", &[gzip("on")]).0, 200);
}

#[test]
fn configs_in_xml() {
    let s = world_with(&["a.com"]);
    batch(&s, "a.com", &[gzip("on")]);
    let xml = xml_call(&s, "DescribeCdnDomainConfigs", &[("DomainName", "a.com")]);
    assert!(
        xml.contains("<DescribeCdnDomainConfigsResponse><DomainConfigs><DomainConfig><ConfigId>3000001</ConfigId><FunctionName>gzip</FunctionName><Status>success</Status><FunctionArgs><FunctionArg><ArgName>enable</ArgName><ArgValue>on</ArgValue></FunctionArg><FunctionArg><ArgName>aliyun_id</ArgName>"),
        "{xml}"
    );
}
