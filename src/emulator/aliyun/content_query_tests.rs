//! Tests of `DescribeRefreshTasks`, `DescribeRefreshTaskById` and `DescribeCdnUserQuota`:
//! filters, paging, XML and JSON shapes, the 2014 version and persistence.

use std::time::Duration;

use chrono::TimeDelta;
use serde_json::Value;

use super::content_tests::{content_shared, push_at, quota, refresh_at};
use super::test_support::*;
use crate::emulator::content::DailyQuotas;
use crate::emulator::store::Store;
use crate::emulator::EmulatorConfig;

fn list(v: &Value) -> Vec<Value> {
    v["Tasks"]["CDNTask"].as_array().unwrap().clone()
}

fn paths(v: &Value) -> Vec<String> {
    list(v)
        .iter()
        .map(|e| e["ObjectPath"].as_str().unwrap().to_string())
        .collect()
}

/// a.com and b.com online; at t0 a file refresh of two a.com URLs (task 1), at t0+1s a
/// directory refresh on b.com (task 2) and a push to a foreign domain (task 3), all done
/// after 100 ms. Returns the three task ids.
fn three_tasks(s: &crate::emulator::server::Shared) -> [String; 3] {
    add18(s, t0(), "a.com");
    add18(s, t0(), "b.com");
    let later = t0() + TimeDelta::seconds(1);
    let id = |v: Value, key: &str| v[key].as_str().unwrap().to_string();
    let (_, a) = refresh_at(s, t0(), &["http://a.com/1", "http://a.com/2"], None);
    let (_, b) = refresh_at(s, later, &["http://b.com/d/"], Some("Directory"));
    let (_, c) = push_at(s, later, &["http://x.org/p"]);
    [
        id(a, "RefreshTaskId"),
        id(b, "RefreshTaskId"),
        id(c, "PushTaskId"),
    ]
}

#[test]
fn filters_combine_and_entries_are_newest_first() {
    let s = content_shared(100, DailyQuotas::aliyun());
    let [a, b, c] = three_tasks(&s);
    let now = t0() + TimeDelta::seconds(2);
    let get = |extra: &[(&str, &str)]| call_at(&s, now, V18, "DescribeRefreshTasks", extra).1;
    let all = get(&[]);
    assert_eq!(all["TotalCount"], 4);
    assert_eq!(
        paths(&all),
        [
            "http://x.org/p",
            "http://b.com/d/",
            "http://a.com/1",
            "http://a.com/2"
        ]
    );
    assert_eq!(
        (&all["PageNumber"], &all["PageSize"]),
        (&1.into(), &20.into())
    );
    assert_eq!(
        paths(&get(&[("TaskId", &a)])),
        ["http://a.com/1", "http://a.com/2"]
    );
    assert_eq!(
        get(&[("TaskId", &a), ("ObjectPath", "http://a.com/2")])["TotalCount"],
        1
    );
    assert_eq!(
        get(&[("TaskId", &b), ("ObjectPath", "http://a.com/2")])["TotalCount"],
        0
    );
    assert_eq!(paths(&get(&[("DomainName", "B.com")])), ["http://b.com/d/"]);
    assert_eq!(
        list(&get(&[("ObjectType", "directory")]))[0]["TaskId"],
        b.as_str()
    );
    let preload = list(&get(&[("ObjectType", "preload")]));
    assert_eq!(
        (preload.len(), &preload[0]["TaskId"]),
        (1, &Value::from(c.as_str()))
    );
    assert_eq!(preload[0]["Status"], "Failed");
    assert_eq!(get(&[("Status", "Failed")])["TotalCount"], 1);
    assert_eq!(get(&[("Status", "Complete")])["TotalCount"], 3);
    let since = get(&[("StartTime", "2024-05-01T12:00:01Z")]);
    assert_eq!(since["TotalCount"], 2);
    assert_eq!(get(&[("EndTime", "2024-05-01T12:00:00Z")])["TotalCount"], 2);
    for (name, bad) in [
        ("ObjectType", "File"),
        ("Status", "done"),
        ("StartTime", "yesterday"),
        ("TaskId", "abc"),
        ("PageSize", "101"),
        ("PageNumber", "0"),
    ] {
        let (st, v) = call_at(&s, now, V18, "DescribeRefreshTasks", &[(name, bad)]);
        assert_eq!((st, code(&v)), (400, "InvalidParameter"), "{name}");
    }
}

#[test]
fn paging_and_the_seven_day_window() {
    let s = content_shared(0, DailyQuotas::aliyun());
    add18(&s, t0(), "a.com");
    let urls: Vec<String> = (0..25).map(|i| format!("http://a.com/{i}")).collect();
    let refs: Vec<&str> = urls.iter().map(String::as_str).collect();
    refresh_at(&s, t0(), &refs, None);
    let page = |n: &str, size: &str| {
        call_at(
            &s,
            t0(),
            V18,
            "DescribeRefreshTasks",
            &[("PageNumber", n), ("PageSize", size)],
        )
        .1
    };
    let p2 = page("2", "10");
    assert_eq!((p2["TotalCount"].clone(), list(&p2).len()), (25.into(), 10));
    assert_eq!(list(&p2)[0]["ObjectPath"], "http://a.com/10");
    assert_eq!(list(&page("3", "10")).len(), 5);
    assert_eq!(list(&page("4", "10")).len(), 0);
    assert_eq!(list(&page("1", "100")).len(), 25);
    let week = t0() + TimeDelta::days(7);
    let (_, v) = call_at(&s, week, V18, "DescribeRefreshTasks", &[]);
    assert_eq!(v["TotalCount"], 0);
}

#[test]
fn by_id_takes_up_to_ten_ids_in_order() {
    let s = content_shared(100, DailyQuotas::aliyun());
    let [a, b, c] = three_tasks(&s);
    let now = t0() + TimeDelta::seconds(2);
    let ids = format!("{c}, {a},999");
    let (st, v) = call_at(&s, now, V18, "DescribeRefreshTaskById", &[("TaskId", &ids)]);
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["TotalCount"], 3);
    assert_eq!(
        paths(&v),
        ["http://x.org/p", "http://a.com/1", "http://a.com/2"]
    );
    let e = &list(&v)[0];
    for field in [
        "TaskId",
        "ObjectPath",
        "Process",
        "Status",
        "CreationTime",
        "ObjectType",
        "Description",
    ] {
        assert!(e.get(field).is_some(), "{field}");
    }
    let eleven = [b.as_str(); 11].join(",");
    let (st, v) = call_at(
        &s,
        now,
        V18,
        "DescribeRefreshTaskById",
        &[("TaskId", &eleven)],
    );
    assert_eq!((st, code(&v)), (400, "InvalidParameter"));
    let ten = [b.as_str(); 10].join(",");
    assert_eq!(
        call_at(&s, now, V18, "DescribeRefreshTaskById", &[("TaskId", &ten)]).0,
        200
    );
    let (_, v) = call_at(&s, now, V18, "DescribeRefreshTaskById", &[("TaskId", "x1")]);
    assert_eq!(code(&v), "InvalidParameter");
    let (_, v) = call_at(&s, now, V18, "DescribeRefreshTaskById", &[]);
    assert_eq!(code(&v), "MissingParameter");
}

#[test]
fn xml_answers_nest_cdn_tasks() {
    let s = content_shared(0, DailyQuotas::aliyun());
    add18(&s, t0(), "a.com");
    let body = xml_call(
        &s,
        "RefreshObjectCaches",
        &[("ObjectPath", "http://a.com/1&2")],
    );
    assert!(body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><RefreshObjectCachesResponse><RefreshTaskId>"), "{body}");
    let id = body
        .split("<RefreshTaskId>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let body = xml_call(&s, "DescribeRefreshTasks", &[]);
    let want = format!(
        "<Tasks><CDNTask><TaskId>{id}</TaskId><ObjectPath>http://a.com/1&amp;2</ObjectPath><Process>100%</Process><Status>Complete</Status><CreationTime>2024-05-01T12:00:00Z</CreationTime><ObjectType>file</ObjectType><Description></Description></CDNTask></Tasks><PageNumber>1</PageNumber><PageSize>20</PageSize><TotalCount>1</TotalCount>"
    );
    assert!(body.contains(&want), "{body}");
    let body = xml_call(&s, "DescribeRefreshTaskById", &[("TaskId", &id)]);
    assert!(body.contains("<Tasks><CDNTask><TaskId>"), "{body}");
    let body = xml_call(&s, "PushObjectCache", &[("ObjectPath", "http://a.com/p")]);
    assert!(
        body.contains("<PushObjectCacheResponse><PushTaskId>"),
        "{body}"
    );
    let body = xml_call(&s, "DescribeCdnUserQuota", &[]);
    assert!(
        body.contains(
            "<RefreshUrlQuota>10000</RefreshUrlQuota><RefreshUrlRemain>9999</RefreshUrlRemain>"
        ),
        "{body}"
    );
    assert!(
        body.contains("<PreloadRemain>999</PreloadRemain>"),
        "{body}"
    );
}

#[test]
fn the_2014_version_takes_one_path_and_answers_the_seed_shape() {
    let s = content_shared(0, DailyQuotas::aliyun());
    add18(&s, t0(), "abc.com");
    let (st, v) = call_at(
        &s,
        t0(),
        V14,
        "RefreshObjectCaches",
        &[
            ("ObjectPath", "abc.com/image/1.png"),
            ("ObjectType", "File"),
        ],
    );
    assert_eq!(st, 200, "{v}");
    let two = "abc.com/1\nabc.com/2";
    assert_eq!(
        code(&call_at(&s, t0(), V14, "RefreshObjectCaches", &[("ObjectPath", two)]).1),
        "InvalidParameter"
    );
    let regex = [("ObjectPath", "http://abc.com/.*"), ("ObjectType", "Regex")];
    assert_eq!(
        code(&call_at(&s, t0(), V14, "RefreshObjectCaches", &regex).1),
        "InvalidParameter"
    );
    let (st, v) = call_at(
        &s,
        t0(),
        V14,
        "PushObjectCache",
        &[("ObjectPath", "abc.com/p.png")],
    );
    assert_eq!(st, 200, "{v}");
    assert!(v["PushTaskId"].is_string());
    let (_, v) = call_at(&s, t0(), V14, "DescribeRefreshTasks", &[("PageSize", "50")]);
    let first = &list(&v)[1];
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["CreationTime", "ObjectPath", "Status", "TaskId"]);
    assert_eq!(first["ObjectPath"], "http://abc.com/image/1.png");
    assert_eq!(
        code(&call_at(&s, t0(), V14, "DescribeRefreshTasks", &[("PageSize", "51")]).1),
        "InvalidParameter"
    );
    for action in ["DescribeRefreshTaskById", "DescribeCdnUserQuota"] {
        assert_eq!(
            code(&call_at(&s, t0(), V14, action, &[("TaskId", "1")]).1),
            "UnsupportedOperation"
        );
    }
    assert_eq!(quota(&s, t0())["RefreshUrlRemain"], 9_999);
}

#[test]
fn quota_answers_every_field_and_the_domain_quota() {
    let s = content_shared(0, DailyQuotas::aliyun());
    let q = quota(&s, t0());
    for (field, n) in [
        ("DomainQuota", 500),
        ("RefreshUrlQuota", 10_000),
        ("RefreshDirQuota", 100),
        ("RefreshDirRemain", 100),
        ("RefreshRegexQuota", 20),
        ("PreloadQuota", 1_000),
        ("PreloadRemain", 1_000),
    ] {
        assert_eq!(q[field], n, "{field}");
    }
}

#[test]
fn tasks_and_usage_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("world.json");
    let config = || EmulatorConfig {
        configuring_delay: Duration::ZERO,
        task_delay: Duration::from_secs(10),
        aliyun_limits: super::throttle::AliyunLimits::unlimited(),
        ..EmulatorConfig::default()
    };
    let s = shared_from(config(), Some(Store::new(&path)));
    add18(&s, t0(), "a.com");
    let (_, v) = refresh_at(&s, t0(), &["http://a.com/d/"], Some("Directory"));
    let id = v["RefreshTaskId"].as_str().unwrap().to_string();
    drop(s);
    let s = shared_from(config(), Some(Store::new(&path)));
    let later = t0() + TimeDelta::seconds(10);
    let (_, v) = call_at(
        &s,
        later,
        V18,
        "DescribeRefreshTaskById",
        &[("TaskId", &id)],
    );
    assert_eq!(list(&v)[0]["Status"], "Complete");
    assert_eq!(quota(&s, later)["RefreshDirRemain"], 99);
    let (_, v) = refresh_at(&s, later, &["http://a.com/1"], None);
    let next: u64 = v["RefreshTaskId"].as_str().unwrap().parse().unwrap();
    assert_eq!(next, id.parse::<u64>().unwrap() + 1);
}
