//! Tests of `RefreshObjectCaches` and `PushObjectCache` through `handle`: limits, quotas,
//! domain states, lifecycle, call limits and signatures.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;

use super::test_support::*;
use super::throttle::AliyunLimits;
use super::{handle, signature};
use crate::emulator::content::DailyQuotas;
use crate::emulator::server::Shared;
use crate::emulator::EmulatorConfig;

/// Domains online at once, tasks of `delay_ms`, `quotas`, no call limits.
pub(crate) fn content_shared(delay_ms: u64, quotas: DailyQuotas) -> Shared {
    shared_from(
        EmulatorConfig {
            configuring_delay: Duration::ZERO,
            task_delay: Duration::from_millis(delay_ms),
            aliyun_quotas: quotas,
            aliyun_limits: AliyunLimits::unlimited(),
            ..EmulatorConfig::default()
        },
        None,
    )
}

pub(crate) fn refresh_at(
    s: &Shared,
    now: DateTime<Utc>,
    paths: &[&str],
    object_type: Option<&str>,
) -> (u16, Value) {
    let joined = paths.join("\n");
    let mut extra = vec![("ObjectPath", joined.as_str())];
    if let Some(t) = object_type {
        extra.push(("ObjectType", t));
    }
    call_at(s, now, V18, "RefreshObjectCaches", &extra)
}

pub(crate) fn push_at(s: &Shared, now: DateTime<Utc>, paths: &[&str]) -> (u16, Value) {
    let joined = paths.join("\n");
    call_at(
        s,
        now,
        V18,
        "PushObjectCache",
        &[("ObjectPath", joined.as_str())],
    )
}

pub(crate) fn quota(s: &Shared, now: DateTime<Utc>) -> Value {
    let (st, v) = call_at(s, now, V18, "DescribeCdnUserQuota", &[]);
    assert_eq!(st, 200, "{v}");
    v
}

fn entries(s: &Shared, now: DateTime<Utc>, extra: &[(&str, &str)]) -> Vec<Value> {
    let (st, v) = call_at(s, now, V18, "DescribeRefreshTasks", extra);
    assert_eq!(st, 200, "{v}");
    v["Tasks"]["CDNTask"].as_array().unwrap().clone()
}

fn ms(n: i64) -> DateTime<Utc> {
    t0() + TimeDelta::milliseconds(n)
}

#[test]
fn a_refresh_is_pending_then_refreshing_then_complete() {
    let s = content_shared(1000, DailyQuotas::aliyun());
    add18(&s, t0(), "a.com");
    let (st, v) = refresh_at(
        &s,
        t0(),
        &["http://a.com/1.txt", "https://a.com/x/2.png"],
        None,
    );
    assert_eq!(st, 200, "{v}");
    let id = v["RefreshTaskId"].as_str().unwrap().to_string();
    assert!(id.parse::<u64>().is_ok(), "{id}");
    let list = entries(&s, t0(), &[]);
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["TaskId"], id.as_str());
    assert_eq!(list[0]["ObjectPath"], "http://a.com/1.txt");
    assert_eq!(list[0]["ObjectType"], "file");
    assert_eq!(list[0]["CreationTime"], "2024-05-01T12:00:00Z");
    assert_eq!(
        (&list[0]["Status"], &list[0]["Process"]),
        (&"Pending".into(), &"0%".into())
    );
    assert_eq!(entries(&s, ms(500), &[])[1]["Status"], "Refreshing");
    let done = entries(&s, ms(1000), &[]);
    assert_eq!(
        (&done[1]["Status"], &done[1]["Process"]),
        (&"Complete".into(), &"100%".into())
    );
    assert_eq!(done[1]["Description"], "");
    let q = quota(&s, ms(1000));
    assert_eq!(
        (&q["RefreshUrlQuota"], &q["RefreshUrlRemain"]),
        (&10_000.into(), &9_998.into())
    );
}

#[test]
fn per_call_limits_refuse_and_count_nothing() {
    let s = content_shared(0, DailyQuotas::aliyun());
    add18(&s, t0(), "a.com");
    let urls: Vec<String> = (0..1001).map(|i| format!("http://a.com/{i}")).collect();
    let refs: Vec<&str> = urls.iter().map(String::as_str).collect();
    let (st, v) = refresh_at(&s, t0(), &refs, Some("File"));
    assert_eq!((st, code(&v)), (400, "InvalidParameter"));
    assert_eq!(
        v["Message"],
        "The specified value of parameter ObjectPath is not valid."
    );
    assert_eq!(refresh_at(&s, t0(), &refs[..1000], Some("File")).0, 200);
    let dirs: Vec<String> = (0..101).map(|i| format!("http://a.com/{i}/")).collect();
    let drefs: Vec<&str> = dirs.iter().map(String::as_str).collect();
    assert_eq!(
        code(&refresh_at(&s, t0(), &drefs, Some("Directory")).1),
        "InvalidParameter"
    );
    let two = ["http://a.com/a.*", "http://a.com/b.*"];
    assert_eq!(
        code(&refresh_at(&s, t0(), &two, Some("Regex")).1),
        "InvalidParameter"
    );
    assert_eq!(code(&push_at(&s, t0(), &refs[..101]).1), "InvalidParameter");
    let q = quota(&s, t0());
    assert_eq!(q["RefreshUrlRemain"], 9_000);
    assert_eq!(q["RefreshDirRemain"], 100);
    assert_eq!(q["RefreshRegexRemain"], 20);
    assert_eq!(q["PreloadRemain"], 1_000);
    assert_eq!(entries(&s, t0(), &[("PageSize", "100")]).len(), 100);
}

#[test]
fn daily_quota_refuses_whole_calls_and_resets_at_utc_midnight() {
    let quotas = DailyQuotas {
        refresh_urls: 3,
        refresh_dirs: 1,
        refresh_regex: 1,
        preload_urls: 2,
    };
    let s = content_shared(0, quotas);
    add18(&s, t0(), "a.com");
    assert_eq!(
        refresh_at(&s, t0(), &["http://a.com/1", "http://a.com/2"], None).0,
        200
    );
    let (st, v) = refresh_at(&s, t0(), &["http://a.com/3", "http://a.com/4"], None);
    assert_eq!((st, code(&v)), (400, "QuotaExceeded.Refresh"));
    assert_eq!(v["Message"], "exceed the prescribed limits");
    assert_eq!(quota(&s, t0())["RefreshUrlRemain"], 1);
    assert_eq!(entries(&s, t0(), &[]).len(), 2);
    assert_eq!(refresh_at(&s, t0(), &["http://a.com/3"], None).0, 200);
    assert_eq!(
        refresh_at(&s, t0(), &["http://a.com/d/"], Some("Directory")).0,
        200
    );
    assert_eq!(
        code(&refresh_at(&s, t0(), &["http://a.com/e/"], Some("Directory")).1),
        "QuotaExceeded.Refresh"
    );
    assert_eq!(
        refresh_at(&s, t0(), &["http://a.com/.*"], Some("Regex")).0,
        200
    );
    assert_eq!(
        code(&refresh_at(&s, t0(), &["http://a.com/x.*"], Some("Regex")).1),
        "QuotaExceeded.Refresh"
    );
    assert_eq!(
        code(
            &push_at(
                &s,
                t0(),
                &["http://a.com/1", "http://a.com/2", "http://a.com/3"]
            )
            .1
        ),
        "QuotaExceeded.Refresh"
    );
    assert_eq!(
        push_at(&s, t0(), &["http://a.com/1", "http://a.com/2"]).0,
        200
    );
    let q = quota(&s, t0());
    for field in [
        "RefreshUrlRemain",
        "RefreshDirRemain",
        "RefreshRegexRemain",
        "PreloadRemain",
    ] {
        assert_eq!(q[field], 0, "{field}");
    }
    // t0 is 12:00 UTC: the quota is whole again at 00:00 UTC the next day.
    let midnight = DateTime::parse_from_rfc3339("2024-05-02T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(
        code(
            &refresh_at(
                &s,
                midnight - TimeDelta::seconds(1),
                &["http://a.com/9"],
                None
            )
            .1
        ),
        "QuotaExceeded.Refresh"
    );
    assert_eq!(quota(&s, midnight)["RefreshUrlRemain"], 3);
    assert_eq!(refresh_at(&s, midnight, &["http://a.com/9"], None).0, 200);
}

#[test]
fn paths_must_fit_their_type_and_parameters_must_be_known() {
    let s = content_shared(0, DailyQuotas::aliyun());
    add18(&s, t0(), "a.com");
    let (st, v) = call_at(
        &s,
        t0(),
        V18,
        "RefreshObjectCaches",
        &[("ObjectType", "File")],
    );
    assert_eq!((st, code(&v)), (400, "MissingParameter"));
    assert!(v["Message"].as_str().unwrap().contains("ObjectPath"));
    assert_eq!(
        code(&call_at(&s, t0(), V18, "PushObjectCache", &[]).1),
        "MissingParameter"
    );
    let (_, v) = refresh_at(&s, t0(), &["http://a.com/static"], Some("Directory"));
    assert_eq!(code(&v), "InvalidParameter.Mismatch");
    assert_eq!(
        v["Message"],
        "Specified object path does not match the specified object type."
    );
    assert_eq!(
        code(&refresh_at(&s, t0(), &["http://a.com/(x"], Some("Regex")).1),
        "InvalidParameter.Mismatch"
    );
    assert_eq!(
        code(&refresh_at(&s, t0(), &["a.com/1.txt"], None).1),
        "InvalidParameter"
    );
    assert_eq!(
        code(&refresh_at(&s, t0(), &["ftp://a.com/1.txt"], None).1),
        "InvalidParameter"
    );
    let (_, v) = refresh_at(&s, t0(), &["http://a.com/1"], Some("file"));
    assert_eq!(
        v["Message"],
        "The specified value of parameter ObjectType is not valid."
    );
    let path = ("ObjectPath", "http://a.com/1");
    for (action, name, value) in [
        ("RefreshObjectCaches", "Force", "yes"),
        ("PushObjectCache", "Area", "global"),
        ("PushObjectCache", "L2Preload", "1"),
    ] {
        let (st, v) = call_at(&s, t0(), V18, action, &[path, (name, value)]);
        assert_eq!((st, code(&v)), (400, "InvalidParameter"), "{name}");
    }
    let ok = [path, ("Area", "overseas"), ("L2Preload", "true")];
    let (st, v) = call_at(&s, t0(), V18, "PushObjectCache", &ok);
    assert_eq!(st, 200, "{v}");
    assert!(v["PushTaskId"].as_str().unwrap().parse::<u64>().is_ok());
    assert_eq!(
        call_at(
            &s,
            t0(),
            V18,
            "RefreshObjectCaches",
            &[path, ("Force", "true")]
        )
        .0,
        200
    );
    assert_eq!(quota(&s, t0())["RefreshUrlRemain"], 9_999);
}

#[test]
fn foreign_domains_fail_and_offline_or_configuring_domains_refuse() {
    let s = content_shared(1000, DailyQuotas::aliyun());
    add18(&s, t0(), "a.com");
    add18(&s, t0(), ".wild.com");
    let (st, v) = refresh_at(
        &s,
        t0(),
        &[
            "http://a.com/1",
            "http://img.wild.com/2",
            "http://other.com/3",
        ],
        None,
    );
    assert_eq!(st, 200, "{v}");
    let done = entries(&s, ms(1000), &[]);
    let status: Vec<&str> = done.iter().map(|e| e["Status"].as_str().unwrap()).collect();
    assert_eq!(status, ["Complete", "Complete", "Failed"]);
    assert!(done[2]["Description"]
        .as_str()
        .unwrap()
        .contains("not a domain of this account"));
    // Before it finishes, the foreign path looks like the others.
    assert_eq!(entries(&s, t0(), &[])[2]["Status"], "Pending");
    assert_eq!(quota(&s, t0())["RefreshUrlRemain"], 9_997);

    call_at(&s, t0(), V18, "StopCdnDomain", &[("DomainName", "a.com")]);
    let (st, v) = refresh_at(&s, t0(), &["http://other.com/1", "http://a.com/1"], None);
    assert_eq!((st, code(&v)), (400, "InvalidDomain.Offline"));
    assert_eq!(v["Message"], "Specified domain is offline.");
    assert_eq!(
        code(&push_at(&s, t0(), &["http://a.com/1"]).1),
        "InvalidDomain.Offline"
    );
    // A new domain configures for `configuring_delay` (1 s here).
    let slow = shared_with(1000, 10, None);
    add18(&slow, t0(), "b.com");
    let (st, v) = refresh_at(&slow, t0(), &["http://b.com/1"], None);
    assert_eq!((st, code(&v)), (400, "InvalidDomain.Configuring"));
    assert_eq!(
        refresh_at(&slow, ms(1000), &["http://b.com/1"], None).0,
        200
    );
    assert_eq!(quota(&s, t0())["RefreshUrlRemain"], 9_997);
    assert_eq!(quota(&s, t0())["PreloadRemain"], 1_000);
}

#[test]
fn one_task_spans_at_most_ten_domains() {
    let s = content_shared(0, DailyQuotas::aliyun());
    let urls: Vec<String> = (0..11).map(|i| format!("http://d{i}.com/x")).collect();
    let refs: Vec<&str> = urls.iter().map(String::as_str).collect();
    let (_, v) = refresh_at(&s, t0(), &refs, None);
    let ids: Vec<&str> = v["RefreshTaskId"].as_str().unwrap().split(',').collect();
    assert_eq!(ids.len(), 2);
    let (_, v) = refresh_at(&s, t0(), &refs[..10], None);
    assert!(!v["RefreshTaskId"].as_str().unwrap().contains(','));
    let (_, one) = call_at(
        &s,
        t0(),
        V18,
        "DescribeRefreshTaskById",
        &[("TaskId", ids[1])],
    );
    assert_eq!(one["TotalCount"], 1);
    assert_eq!(one["Tasks"]["CDNTask"][0]["ObjectPath"], "http://d10.com/x");
}

#[test]
fn call_limits_throttle_with_503_and_use_nothing() {
    let s = shared_from(
        EmulatorConfig {
            configuring_delay: Duration::ZERO,
            ..EmulatorConfig::default()
        },
        None,
    );
    add18(&s, t0(), "a.com");
    for i in 0..50 {
        let (st, v) = refresh_at(&s, t0(), &[&format!("http://a.com/{i}")], None);
        assert_eq!(st, 200, "{i}: {v}");
    }
    let (st, v) = refresh_at(&s, ms(999), &["http://a.com/x"], None);
    assert_eq!((st, code(&v)), (503, "Throttling"));
    assert_eq!(
        v["Message"],
        "Request was denied due to request throttling."
    );
    assert_eq!(s.aliyun_calls("RefreshObjectCaches"), 51);
    assert_eq!(refresh_at(&s, ms(1000), &["http://a.com/x"], None).0, 200);
    for _ in 0..30 {
        quota(&s, ms(1000));
    }
    let (st, v) = call_at(&s, ms(1000), V18, "DescribeCdnUserQuota", &[]);
    assert_eq!((st, code(&v)), (503, "Throttling"));
    assert_eq!(quota(&s, ms(2000))["RefreshUrlRemain"], 9_949);
}

#[test]
fn unsigned_or_wrongly_signed_calls_are_refused_and_uncounted() {
    let s = content_shared(0, DailyQuotas::aliyun());
    add18(&s, t0(), "a.com");
    let ts = super::model::gmt(t0());
    let pairs = vec![
        ("Action", "RefreshObjectCaches"),
        ("Version", V18),
        ("Format", "JSON"),
        ("AccessKeyId", "testid"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", "n-1"),
        ("Timestamp", ts.as_str()),
        ("ObjectPath", "http://a.com/1"),
    ];
    let query = |sig: Option<&str>| {
        let mut q: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", signature::percent_encode(v)))
            .collect();
        if let Some(sig) = sig {
            q.push(format!("Signature={}", signature::percent_encode(sig)));
        }
        q.join("&")
    };
    let r = handle(&s, "GET", Some(&query(None)), None, b"", t0());
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("MissingParameter"), "{}", r.body);
    let wrong = signature::sign(
        "not-the-secret",
        &signature::string_to_sign("GET", &signature::canonical_query(pairs.clone())),
    );
    let r = handle(&s, "GET", Some(&query(Some(&wrong))), None, b"", t0());
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.body.contains("SignatureDoesNotMatch"));
    assert_eq!(s.aliyun_calls("RefreshObjectCaches"), 0);
    assert_eq!(quota(&s, t0())["RefreshUrlRemain"], 10_000);
}
