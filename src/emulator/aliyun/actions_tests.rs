//! Tests of the Alibaba pipeline and actions through `handle`, with a controlled clock.

use chrono::TimeDelta;
use serde_json::json;

use super::model::gmt;
use super::test_support::*;
use super::{handle, signature};
use crate::emulator::store::{Store, World};

#[test]
fn version_and_action_errors() {
    let s = shared_with(0, 10, None);
    let (st, v) = call_at(&s, t0(), "2099-01-01", "DescribeUserDomains", &[]);
    assert_eq!((st, code(&v)), (400, "NoSuchVersion"));
    let (st, v) = call_at(&s, t0(), V18, "MakeCoffee", &[]);
    assert_eq!((st, code(&v)), (400, "UnsupportedOperation"));
    let (st, v) = call_at(&s, t0(), V14, "ModifyCdnDomain", &[("DomainName", "a.com")]);
    assert_eq!((st, code(&v)), (400, "UnsupportedOperation"));
    assert_eq!(v["HostId"], "cdn.aliyuncs.com");
    assert_eq!(v["RequestId"].as_str().unwrap().len(), 36);
}

#[test]
fn describe_cdn_service_works_in_both_versions() {
    let s = shared_with(0, 10, None);
    for v in [V14, V18] {
        let (st, body) = call_at(&s, t0(), v, "DescribeCdnService", &[]);
        assert_eq!(st, 200);
        assert_eq!(body["InternetChargeType"], "PayByTraffic");
        assert!(body["RequestId"].is_string());
    }
}

#[test]
fn add_validation_errors() {
    let s = shared_with(0, 2, None);
    let (st, v) = call_at(
        &s,
        t0(),
        V18,
        "AddCdnDomain",
        &[("CdnType", "web"), ("Sources", IP_SRC)],
    );
    assert_eq!((st, code(&v)), (400, "MissingParameter"));
    assert!(v["Message"].as_str().unwrap().contains("DomainName"));
    let (st, v) = call_at(
        &s,
        t0(),
        V18,
        "AddCdnDomain",
        &[("DomainName", "a.com"), ("CdnType", "web")],
    );
    assert_eq!((st, code(&v)), (400, "MissingParameter"));
    assert!(v["Message"].as_str().unwrap().contains("Sources"));
    let (_, v) = add18(&s, t0(), "bad_name");
    assert_eq!(
        v["Message"],
        "The specified parameter DomainName format is error."
    );
    let (_, v) = call_at(
        &s,
        t0(),
        V18,
        "AddCdnDomain",
        &[
            ("DomainName", "a.com"),
            ("CdnType", "app"),
            ("Sources", IP_SRC),
        ],
    );
    assert_eq!(code(&v), "InvalidParameter");
    assert_eq!(add18(&s, t0(), "a.com").0, 200);
    let (st, v) = add18(&s, t0(), "a.com");
    assert_eq!((st, code(&v)), (400, "DomainAlreadyExist"));
    assert_eq!(add18(&s, t0(), "b.com").0, 200);
    let (st, v) = add18(&s, t0(), "c.com");
    assert_eq!((st, code(&v)), (403, "DomainOverLimit"));
}

#[test]
fn missing_domain_code_depends_on_version() {
    let s = shared_with(0, 10, None);
    let (st, v) = call_at(
        &s,
        t0(),
        V18,
        "DescribeCdnDomainDetail",
        &[("DomainName", "none.com")],
    );
    assert_eq!((st, code(&v)), (404, "InvalidDomain.NotFound"));
    let (st, v) = call_at(
        &s,
        t0(),
        V14,
        "StopCdnDomain",
        &[("DomainName", "none.com")],
    );
    assert_eq!((st, code(&v)), (404, "DomainNotExist"));
}

#[test]
fn lifecycle_configuring_online_offline_and_busy() {
    let s = shared_with(1000, 10, None);
    let t = t0();
    assert_eq!(add18(&s, t, "a.com").0, 200);
    assert_eq!(status_of(&s, t, "a.com"), "configuring");
    for action in ["StopCdnDomain", "StartCdnDomain", "DeleteCdnDomain"] {
        let (st, v) = call_at(
            &s,
            t + TimeDelta::milliseconds(999),
            V18,
            action,
            &[("DomainName", "a.com")],
        );
        assert_eq!((st, code(&v)), (503, "ServiceBusy"), "{action}");
        assert_eq!(
            v["Message"],
            "The specified Domain is configuring, please retry later"
        );
    }
    let (st, v) = call_at(
        &s,
        t,
        V18,
        "ModifyCdnDomain",
        &[("DomainName", "a.com"), ("Sources", IP_SRC)],
    );
    assert_eq!((st, code(&v)), (503, "ServiceBusy"));

    let t1 = t + TimeDelta::seconds(1);
    assert_eq!(status_of(&s, t1, "a.com"), "online");
    assert_eq!(
        call_at(&s, t1, V18, "StopCdnDomain", &[("DomainName", "a.com")]).0,
        200
    );
    assert_eq!(status_of(&s, t1, "a.com"), "offline");
    assert_eq!(
        call_at(&s, t1, V14, "StartCdnDomain", &[("DomainName", "a.com")]).0,
        200
    );
    assert_eq!(status_of(&s, t1, "a.com"), "online");

    let new_src = r#"[{"content":"origin.example.net","type":"domain","port":443,"priority":30,"weight":50}]"#;
    assert_eq!(
        call_at(
            &s,
            t1,
            V18,
            "ModifyCdnDomain",
            &[("DomainName", "a.com"), ("Sources", new_src)]
        )
        .0,
        200
    );
    assert_eq!(status_of(&s, t1, "a.com"), "configuring");
    let t2 = t1 + TimeDelta::seconds(1);
    let (_, v) = call_at(
        &s,
        t2,
        V18,
        "DescribeCdnDomainDetail",
        &[("DomainName", "a.com")],
    );
    let m = &v["GetDomainDetailModel"];
    assert_eq!(m["DomainStatus"], "online");
    assert_eq!(m["Cname"], "a.com.w.kunlunsl.com");
    assert_eq!(m["GmtCreated"], "2024-05-01T12:00:00Z");
    assert_eq!(m["GmtModified"], "2024-05-01T12:00:01Z");
    assert_eq!(
        m["SourceModels"]["SourceModel"],
        json!([{"Content":"origin.example.net","Type":"domain","Port":443,"Priority":"30","Weight":"50","Enabled":"online"}])
    );
    assert_eq!(
        call_at(&s, t2, V18, "DeleteCdnDomain", &[("DomainName", "a.com")]).0,
        200
    );
    assert_eq!(
        call_at(
            &s,
            t2,
            V18,
            "DescribeCdnDomainDetail",
            &[("DomainName", "a.com")]
        )
        .0,
        404
    );
}

#[test]
fn the_2014_shapes() {
    let s = shared_with(0, 10, None);
    let (st, v) = call_at(
        &s,
        t0(),
        V14,
        "AddCdnDomain",
        &[
            ("DomainName", "bb.test.com"),
            ("CdnType", "web"),
            ("SourceType", "ipaddr"),
            ("Sources", "1.1.1.1,2.2.2.2"),
        ],
    );
    assert_eq!(st, 200, "{v}");
    let (_, v) = call_at(
        &s,
        t0(),
        V14,
        "DescribeCdnDomainDetail",
        &[("DomainName", "bb.test.com")],
    );
    let m = &v["GetDomainDetailModel"];
    assert_eq!(m["SourceType"], "ipaddr");
    assert_eq!(m["Sources"]["Source"], json!(["1.1.1.1", "2.2.2.2"]));
    assert_eq!(m["HttpsCname"], "bb-test-com.alikunlun.com");
    assert_eq!(m["DomainStatus"], "online");
    let (_, v) = call_at(&s, t0(), V14, "DescribeUserDomains", &[]);
    assert_eq!(v["Domains"]["CDNDomain"][0]["DomainName"], "bb.test.com");
    assert_eq!(v["TotalCount"], 1);
}

#[test]
fn pagination_and_filters() {
    let s = shared_with(0, 600, None);
    for i in 0..25 {
        assert_eq!(add18(&s, t0(), &format!("d{i:02}.example.com")).0, 200);
    }
    assert_eq!(add18(&s, t0(), "other.org").0, 200);
    let (_, v) = call_at(&s, t0(), V18, "DescribeUserDomains", &[]);
    assert_eq!(
        (
            v["PageNumber"].as_u64(),
            v["PageSize"].as_u64(),
            v["TotalCount"].as_u64()
        ),
        (Some(1), Some(20), Some(26))
    );
    assert_eq!(v["Domains"]["PageData"].as_array().unwrap().len(), 20);
    let item = &v["Domains"]["PageData"][0];
    assert_eq!(item["DomainName"], "d00.example.com");
    assert_eq!(item["Sources"]["Source"][0]["Priority"], "20");
    let (_, v) = call_at(
        &s,
        t0(),
        V18,
        "DescribeUserDomains",
        &[("PageNumber", "2"), ("PageSize", "20")],
    );
    assert_eq!(v["Domains"]["PageData"].as_array().unwrap().len(), 6);
    let (_, v) = call_at(&s, t0(), V18, "DescribeUserDomains", &[("PageNumber", "9")]);
    assert_eq!(v["Domains"]["PageData"].as_array().unwrap().len(), 0);
    let (st, v) = call_at(&s, t0(), V18, "DescribeUserDomains", &[("PageSize", "501")]);
    assert_eq!((st, code(&v)), (400, "InvalidParameter"));
    let (st, _) = call_at(&s, t0(), V14, "DescribeUserDomains", &[("PageSize", "51")]);
    assert_eq!(st, 400);
    let (st, _) = call_at(&s, t0(), V18, "DescribeUserDomains", &[("PageNumber", "0")]);
    assert_eq!(st, 400);

    let search = |name: &str, kind: &str| {
        let (_, v) = call_at(
            &s,
            t0(),
            V18,
            "DescribeUserDomains",
            &[
                ("DomainName", name),
                ("DomainSearchType", kind),
                ("PageSize", "500"),
            ],
        );
        v["TotalCount"].as_u64().unwrap()
    };
    assert_eq!(search("example", "fuzzy_match"), 25);
    assert_eq!(search("d1", "pre_match"), 10);
    assert_eq!(search(".org", "suf_match"), 1);
    assert_eq!(search("other.org", "full_match"), 1);
    let (_, v) = call_at(
        &s,
        t0(),
        V18,
        "DescribeUserDomains",
        &[("DomainStatus", "online")],
    );
    assert_eq!(v["TotalCount"], 26);
    let (_, v) = call_at(
        &s,
        t0(),
        V18,
        "DescribeUserDomains",
        &[("DomainStatus", "offline")],
    );
    assert_eq!(v["TotalCount"], 0);
}

#[test]
fn xml_is_the_default_format() {
    let s = shared_with(0, 10, None);
    let now = t0();
    let ts = gmt(now);
    let pairs = vec![
        ("Action", "DescribeUserDomains"),
        ("Version", V18),
        ("AccessKeyId", "testid"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", "x1"),
        ("Timestamp", ts.as_str()),
    ];
    let sig = signature::sign(
        "testsecret",
        &signature::string_to_sign("POST", &signature::canonical_query(pairs.clone())),
    );
    let body: Vec<String> = pairs
        .iter()
        .chain([("Signature", sig.as_str())].iter())
        .map(|(k, v)| format!("{k}={}", signature::percent_encode(v)))
        .collect();
    let r = handle(
        &s,
        "POST",
        None,
        Some("application/x-www-form-urlencoded; charset=utf-8"),
        body.join("&").as_bytes(),
        now,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeUserDomainsResponse><Domains></Domains><PageNumber>1</PageNumber>"), "{}", r.body);
}

#[test]
fn changes_persist_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("world.json");
    let s = shared_with(0, 10, Some(Store::new(&path)));
    assert_eq!(add18(&s, t0(), "a.com").0, 200);
    assert_eq!(
        call_at(&s, t0(), V18, "StopCdnDomain", &[("DomainName", "a.com")]).0,
        200
    );
    let again = shared_with(0, 10, Some(Store::new(&path)));
    assert_eq!(status_of(&again, t0(), "a.com"), "offline");
    let w: World = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(w.aliyun.domains.len(), 1);
}
