//! Purges, preloads, task status and quota over HTTP against the canned
//! responder (a scripted stand-in, not the emulator): the actions and
//! parameters sent, JSON and XML answers, several task ids in one answer,
//! ten ids per status call, per-path statuses folded into one per task,
//! the quota fields, and which failures are retried.

use super::canned::{canned, Canned, Reply};
use super::content::{self, IDS_PER_STATUS_CALL};
use super::{signer, AliyunConfig, AliyunProvider};
use crate::model::Secret;
use crate::provider::content::{ContentKind, TaskState};
use crate::provider::retry::RetryPolicy;
use crate::provider::{ErrorKind, Provider};
use serde_json::json;
use std::time::Duration;

const SECRET: &str = "s3cr3t-content";

fn provider(c: &Canned) -> AliyunProvider {
    AliyunProvider::new(AliyunConfig {
        endpoint: c.endpoint.clone(),
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            max_total: Duration::from_secs(10),
        },
        ..AliyunConfig::new("testid", Secret::new(SECRET))
    })
    .unwrap()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn json_reply(v: serde_json::Value) -> Reply {
    Reply::Json(200, v.to_string())
}

#[test]
fn documented_limits() {
    use ContentKind::*;
    let l = content::limits();
    assert_eq!(l.per_call[&Url], 1_000);
    assert_eq!(l.per_call[&Directory], 100);
    assert_eq!(l.per_call[&Regex], 1);
    assert_eq!(l.per_call[&Preload], 100);
    assert_eq!(l.hosts_per_call, Some(10));
    assert_eq!(l.daily[&Url], 10_000);
    assert_eq!(l.daily[&Directory], 100);
    assert_eq!(l.daily[&Regex], 20);
    assert_eq!(l.daily[&Preload], 1_000);
    assert_eq!(l.preload_areas, ["domestic", "overseas"]);
    assert!(l.quota_api);
    let calls = super::call_limits();
    for action in [content::REFRESH, content::PUSH, content::QUOTA] {
        assert!(calls.contains_key(action), "{action}");
    }
    assert_eq!(calls[content::REFRESH].calls, 50);
    assert_eq!(calls[content::QUOTA].calls, 30);
}

#[tokio::test]
async fn refresh_sends_paths_newline_separated_with_their_type() {
    let c = canned(|_, n| {
        json_reply(json!({"RequestId": "R", "RefreshTaskId": format!("{}", 700 + n)}))
    })
    .await;
    let p = provider(&c);
    let urls = strings(&["a.example.com/1.png", "http://b.example.com/x?y=1"]);
    let s = p
        .submit_content(ContentKind::Url, &urls, None)
        .await
        .unwrap();
    assert_eq!(s.task_ids, ["700"]);
    assert!(s.rejected.is_empty());
    p.submit_content(
        ContentKind::Directory,
        &strings(&["a.example.com/img/"]),
        None,
    )
    .await
    .unwrap();
    p.submit_content(
        ContentKind::Regex,
        &strings(&["a.example.com/.*\\.js"]),
        None,
    )
    .await
    .unwrap();
    let seen = c.seen();
    assert_eq!(seen.len(), 3);
    let first = &seen[0].params;
    assert_eq!(first["Action"], "RefreshObjectCaches");
    assert_eq!(
        first["ObjectPath"],
        "a.example.com/1.png\nhttp://b.example.com/x?y=1"
    );
    assert_eq!(first["ObjectType"], "File");
    assert!(!first.contains_key("Area"));
    let mut unsigned = first.clone();
    let sig = unsigned.remove("Signature").unwrap();
    assert_eq!(sig, signer::sign("POST", &unsigned, &Secret::new(SECRET)));
    assert_eq!(seen[1].params["ObjectType"], "Directory");
    assert_eq!(seen[1].params["ObjectPath"], "a.example.com/img/");
    assert_eq!(seen[2].params["ObjectType"], "Regex");
}

#[tokio::test]
async fn push_takes_an_area_and_answers_several_task_ids() {
    let c = canned(|s, _| match s.params.get("Area").map(String::as_str) {
        Some("overseas") => json_reply(json!({"RequestId": "R", "PushTaskId": "11, 12,13"})),
        // The 2014 seed's field name for a push answer.
        _ => json_reply(json!({"RequestId": "R", "RefreshTaskId": 99})),
    })
    .await;
    let p = provider(&c);
    let urls = strings(&["a.example.com/big.bin"]);
    let s = p
        .submit_content(ContentKind::Preload, &urls, Some("overseas"))
        .await
        .unwrap();
    assert_eq!(s.task_ids, ["11", "12", "13"]);
    let s = p
        .submit_content(ContentKind::Preload, &urls, None)
        .await
        .unwrap();
    assert_eq!(s.task_ids, ["99"]);
    let seen = c.seen();
    assert_eq!(seen[0].action(), "PushObjectCache");
    assert_eq!(seen[0].params["Area"], "overseas");
    assert_eq!(seen[0].params["ObjectPath"], "a.example.com/big.bin");
    assert!(!seen[0].params.contains_key("ObjectType"));
    assert!(!seen[1].params.contains_key("Area"));
}

#[tokio::test]
async fn xml_submission_answers() {
    let c = canned(|s, _| match s.action() {
        "PushObjectCache" => Reply::Xml(
            200,
            "<PushObjectCacheResponse>\n<PushTaskId>95250421</PushTaskId>\n<RequestId>5FF9</RequestId>\n</PushObjectCacheResponse>".into(),
        ),
        _ => Reply::Xml(
            200,
            r#"<?xml version="1.0" encoding="utf-8"?>
<RefreshObjectCachesResponse>
  <RefreshTaskId>704225667,704225668</RefreshTaskId>
  <RequestId>AB14769A</RequestId>
</RefreshObjectCachesResponse>"#
                .into(),
        ),
    })
    .await;
    let p = provider(&c);
    let urls = strings(&["a.example.com/1"]);
    let s = p
        .submit_content(ContentKind::Url, &urls, None)
        .await
        .unwrap();
    assert_eq!(s.task_ids, ["704225667", "704225668"]);
    let s = p
        .submit_content(ContentKind::Preload, &urls, Some("domestic"))
        .await
        .unwrap();
    assert_eq!(s.task_ids, ["95250421"]);
}

#[tokio::test]
async fn an_answer_without_a_task_id_leaves_the_outcome_unknown() {
    let c = canned(|_, _| json_reply(json!({"RequestId": "R"}))).await;
    let e = provider(&c)
        .submit_content(ContentKind::Url, &strings(&["a.example.com/1"]), None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::OutcomeUnknown);
    assert_eq!(e.action, "RefreshObjectCaches");
    assert!(e.message.contains("no RefreshTaskId"), "{e}");
    assert_eq!(c.seen().len(), 1);
}

#[tokio::test]
async fn vendor_errors_keep_action_code_and_message() {
    let c = canned(|s, _| match s.params["ObjectType"].as_str() {
        "Directory" => Reply::Json(
            400,
            json!({"RequestId": "R-9", "Code": "QuotaExceeded.Refresh",
                   "Message": "exceed the prescribed limits"})
            .to_string(),
        ),
        _ => Reply::Xml(
            400,
            "<Error><RequestId>R-8</RequestId><Code>InvalidParameter.Mismatch</Code><Message>Specified object path does not match the specified object type.</Message></Error>".into(),
        ),
    })
    .await;
    let p = provider(&c);
    let e = p
        .submit_content(
            ContentKind::Directory,
            &strings(&["a.example.com/d/"]),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Quota);
    assert_eq!(e.code.as_deref(), Some("QuotaExceeded.Refresh"));
    assert_eq!(
        e.to_string(),
        "aliyun RefreshObjectCaches failed: QuotaExceeded.Refresh: exceed the prescribed limits (HTTP 400, RequestId R-9)"
    );
    let e = p
        .submit_content(ContentKind::Url, &strings(&["a.example.com/d/"]), None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert_eq!(e.code.as_deref(), Some("InvalidParameter.Mismatch"));
    assert!(e.to_string().contains("does not match"), "{e}");
    assert!(!format!("{e} {e:?}").contains(SECRET));
    // Neither refusal is retried.
    assert_eq!(c.seen().len(), 2);
}

#[tokio::test]
async fn throttling_is_retried_but_a_server_error_is_not() {
    let c = canned(|s, n| match (s.action(), n) {
        ("RefreshObjectCaches", 0) => Reply::Json(
            503,
            json!({"Code": "Throttling", "Message": "Request was denied due to request throttling."})
                .to_string(),
        ),
        ("RefreshObjectCaches", _) => json_reply(json!({"RefreshTaskId": "5"})),
        _ => Reply::Json(
            500,
            json!({"Code": "InternalError", "Message": "The request processing has failed."})
                .to_string(),
        ),
    })
    .await;
    let p = provider(&c);
    let urls = strings(&["a.example.com/1"]);
    let s = p
        .submit_content(ContentKind::Url, &urls, None)
        .await
        .unwrap();
    assert_eq!(s.task_ids, ["5"]);
    assert_eq!(c.actions(), ["RefreshObjectCaches", "RefreshObjectCaches"]);
    let e = p
        .submit_content(ContentKind::Preload, &urls, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::OutcomeUnknown);
    assert_eq!(e.code.as_deref(), Some("InternalError"));
    assert_eq!(e.http_status, Some(500));
    assert!(e.message.contains("not submitted again"), "{e}");
    assert_eq!(c.seen().len(), 3);
}

#[tokio::test]
async fn a_lost_answer_is_not_repeated() {
    let c = canned(|_, _| Reply::Drop).await;
    let e = provider(&c)
        .submit_content(ContentKind::Url, &strings(&["a.example.com/1"]), None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::OutcomeUnknown);
    assert_eq!(c.seen().len(), 1);
}

#[tokio::test]
async fn calls_beyond_the_limits_are_refused_before_sending() {
    let c = canned(|_, _| json_reply(json!({"RefreshTaskId": "1"}))).await;
    let p = provider(&c);
    let many: Vec<String> = (0..1_001).map(|i| format!("a.example.com/{i}")).collect();
    let e = p
        .submit_content(ContentKind::Url, &many, None)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.action.as_str()),
        (ErrorKind::Invalid, "RefreshObjectCaches")
    );
    let hosts: Vec<String> = (0..11).map(|i| format!("h{i}.example.com/x")).collect();
    let e = p
        .submit_content(ContentKind::Url, &hosts, None)
        .await
        .unwrap_err();
    assert!(e.message.contains("11 domains"), "{e}");
    let e = p
        .submit_content(ContentKind::Regex, &strings(&["a/.*", "b/.*"]), None)
        .await
        .unwrap_err();
    assert!(e.message.contains("at most 1"), "{e}");
    let e = p
        .submit_content(ContentKind::Preload, &strings(&["a/1"]), Some("global"))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.action.as_str()),
        (ErrorKind::Invalid, "PushObjectCache")
    );
    assert!(c.seen().is_empty());
}

fn task(id: &str, path: &str, status: &str) -> serde_json::Value {
    json!({"TaskId": id, "ObjectPath": path, "Status": status, "Process": "50%",
           "ObjectType": "file", "CreationTime": "2024-01-02T03:04:05Z"})
}

#[tokio::test]
async fn status_asks_ten_ids_a_call_and_folds_paths_per_task() {
    let c = canned(|s, _| {
        let ids: Vec<&str> = s.params["TaskId"].split(',').collect();
        let tasks: Vec<serde_json::Value> = ids
            .iter()
            .filter(|id| **id != "unknown")
            .flat_map(|id| match *id {
                "1" => vec![task("1", "a/1", "Complete"), task("1", "a/2", "Complete")],
                "2" => vec![task("2", "a/3", "Complete"), task("2", "a/4", "Refreshing")],
                "3" => vec![task("3", "a/5", "Pending")],
                "4" => vec![task("4", "a/6", "Complete"), {
                    let mut t = task("4", "a/7", "Failed");
                    t["Description"] = json!("Origin Timeout");
                    t
                }],
                other => vec![task(other, "b/x", "Complete")],
            })
            .collect();
        json_reply(json!({"RequestId": "R", "TotalCount": tasks.len(), "Tasks": tasks}))
    })
    .await;
    let p = provider(&c);
    let mut ids = strings(&["1", "2", "3", "4", "unknown"]);
    ids.extend((10..28).map(|i| i.to_string()));
    ids.push("1".into());
    let got = p.content_status(ContentKind::Url, &ids).await.unwrap();
    assert_eq!(got.len(), ids.len());
    assert_eq!(
        got.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ids.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(got[0].state, TaskState::Done);
    assert_eq!(got[1].state, TaskState::Running);
    assert_eq!(got[2].state, TaskState::Pending);
    assert_eq!(got[3].state, TaskState::Failed);
    assert_eq!(got[3].failed, ["a/7"]);
    assert_eq!(got[3].detail.as_deref(), Some("Origin Timeout"));
    assert_eq!(got[4].state, TaskState::Pending);
    assert!(got[4].detail.is_some());
    assert!(got[5..].iter().all(|s| s.state == TaskState::Done));
    // 23 distinct ids: 10 + 10 + 3, each call comma-separated.
    let seen = c.seen();
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|s| s.action() == "DescribeRefreshTaskById"));
    let sizes: Vec<usize> = seen
        .iter()
        .map(|s| s.params["TaskId"].split(',').count())
        .collect();
    assert_eq!(sizes, [IDS_PER_STATUS_CALL, IDS_PER_STATUS_CALL, 3]);
    assert_eq!(seen[0].params["TaskId"], "1,2,3,4,unknown,10,11,12,13,14");
    assert!(p
        .content_status(ContentKind::Url, &[])
        .await
        .unwrap()
        .is_empty());
    assert_eq!(c.seen().len(), 3);
}

#[tokio::test]
async fn status_reads_xml_and_the_cdn_task_shape() {
    let c = canned(|s, _| match s.params["TaskId"].as_str() {
        "1" => Reply::Xml(
            200,
            r#"<DescribeRefreshTaskByIdResponse>
  <RequestId>R</RequestId><TotalCount>2</TotalCount>
  <Tasks>
    <CDNTask><TaskId>1</TaskId><ObjectPath>http://a/1</ObjectPath><Status>Complete</Status></CDNTask>
    <CDNTask><TaskId>1</TaskId><ObjectPath>http://a/2</ObjectPath><Status>Failed</Status><Description>Internal Error</Description></CDNTask>
  </Tasks>
</DescribeRefreshTaskByIdResponse>"#
                .into(),
        ),
        "2" => Reply::Xml(
            200,
            "<DescribeRefreshTaskByIdResponse><Tasks><TaskId>2</TaskId><ObjectPath>http://a/3</ObjectPath><Status>Refreshing</Status></Tasks></DescribeRefreshTaskByIdResponse>".into(),
        ),
        _ => json_reply(json!({"Tasks": {"CDNTask": task("3", "a/4", "Complete")}})),
    })
    .await;
    let p = provider(&c);
    for (id, state) in [
        ("1", TaskState::Failed),
        ("2", TaskState::Running),
        ("3", TaskState::Done),
    ] {
        let got = p
            .content_status(ContentKind::Preload, &strings(&[id]))
            .await
            .unwrap();
        assert_eq!(got[0].state, state, "{id}");
        if id == "1" {
            assert_eq!(got[0].failed, ["http://a/2"]);
            assert_eq!(got[0].detail.as_deref(), Some("Internal Error"));
        }
    }
}

#[tokio::test]
async fn an_unknown_status_word_is_an_error() {
    let c = canned(|_, _| json_reply(json!({"Tasks": [task("1", "a/1", "Exploded")]}))).await;
    let e = provider(&c)
        .content_status(ContentKind::Url, &strings(&["1"]))
        .await
        .unwrap_err();
    assert_eq!(e.action, "DescribeRefreshTaskById");
    assert!(e.message.contains("\"Exploded\""), "{e}");
}

#[tokio::test]
async fn quota_reads_what_remains() {
    let c = canned(|_, n| match n {
        0 => json_reply(json!({
            "RequestId": "R", "RefreshUrlQuota": 10000, "RefreshUrlRemain": 9_990,
            "RefreshDirQuota": 100, "RefreshDirRemain": "98",
            "PreloadQuota": 1000, "PreloadRemain": 1000, "DomainQuota": 50,
            "BlockQuota": 100, "BlockRemain": 100
        })),
        1 => Reply::Xml(
            200,
            "<DescribeCdnUserQuotaResponse><RefreshUrlRemain>5</RefreshUrlRemain><RefreshDirRemain>4</RefreshDirRemain><PreloadRemain>3</PreloadRemain><RegexRemain>2</RegexRemain></DescribeCdnUserQuotaResponse>".into(),
        ),
        2 => json_reply(json!({"RequestId": "R", "DomainQuota": 50})),
        _ => json_reply(json!({"RefreshUrlRemain": "lots"})),
    })
    .await;
    let p = provider(&c);
    let q = p.content_quota().await.unwrap().unwrap();
    assert_eq!(
        q,
        [
            (ContentKind::Url, 9_990),
            (ContentKind::Directory, 98),
            (ContentKind::Preload, 1_000)
        ]
        .into()
    );
    let q = p.content_quota().await.unwrap().unwrap();
    assert_eq!(q[&ContentKind::Regex], 2);
    assert_eq!(q[&ContentKind::Preload], 3);
    let e = p.content_quota().await.unwrap_err();
    assert_eq!(e.action, "DescribeCdnUserQuota");
    assert!(e.message.contains("no RefreshUrlRemain"), "{e}");
    let e = p.content_quota().await.unwrap_err();
    assert!(e.message.contains("not a count"), "{e}");
    assert!(c
        .seen()
        .iter()
        .all(|s| s.action() == "DescribeCdnUserQuota"));
}

#[tokio::test]
async fn a_domain_still_configuring_is_waited_out() {
    let configuring = || {
        Reply::Json(
            400,
            json!({"Code": "InvalidDomain.Configuring", "Message": "Specified domain is configuring."})
                .to_string(),
        )
    };
    let c = canned(move |_, n| match n {
        0 | 1 => configuring(),
        2 => json_reply(json!({"RefreshTaskId": "8"})),
        _ => configuring(),
    })
    .await;
    let p = provider(&c);
    let urls = strings(&["a.example.com/1"]);
    let s = p
        .submit_content(ContentKind::Url, &urls, None)
        .await
        .unwrap();
    assert_eq!(s.task_ids, ["8"]);
    assert_eq!(c.seen().len(), 3);
    // Still configuring after every attempt: a busy error, retryable later.
    let e = p
        .submit_content(ContentKind::Url, &urls, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Busy);
    assert_eq!(e.code.as_deref(), Some("InvalidDomain.Configuring"));
    assert_eq!(c.seen().len(), 3 + 4);
}
