//! Cache purges and preloads on Alibaba (2018-05-10): `RefreshObjectCaches`
//! (URLs, directories, regular expressions), `PushObjectCache` (preloads),
//! `DescribeRefreshTaskById` (status, ten task ids a call) and
//! `DescribeCdnUserQuota` (what remains of today's quotas), with the
//! documented limits (API-NOTES; the 2014 seed's one URL per call and
//! 2,000 URLs a day are the old version's).

use super::error::{self, Effect, VENDOR};
use super::{body, AliyunProvider};
use crate::provider::content::{
    self as neutral, ContentKind, ContentLimits, ItemStatus, Submitted, TaskState, TaskStatus,
};
use crate::provider::{ErrorKind, ProviderError};
use serde_json::Value;
use std::collections::BTreeMap;

pub const REFRESH: &str = "RefreshObjectCaches";
pub const PUSH: &str = "PushObjectCache";
pub const STATUS: &str = "DescribeRefreshTaskById";
pub const QUOTA: &str = "DescribeCdnUserQuota";
/// Task ids one `DescribeRefreshTaskById` call takes (comma-separated).
pub const IDS_PER_STATUS_CALL: usize = 10;
/// `PushObjectCache`'s `Area` values.
pub const PRELOAD_AREAS: &[&str] = &["domestic", "overseas"];

/// Per call: 1,000 URLs, 100 directories, 1 regular expression, 100
/// preloads, one task spanning at most 10 domains. Per day: 10,000 URLs,
/// 100 directories, 20 regular expressions, 1,000 preloads.
pub fn limits() -> ContentLimits {
    use ContentKind::*;
    ContentLimits {
        per_call: [(Url, 1_000), (Directory, 100), (Regex, 1), (Preload, 100)].into(),
        hosts_per_call: Some(10),
        daily: [
            (Url, 10_000),
            (Directory, 100),
            (Regex, 20),
            (Preload, 1_000),
        ]
        .into(),
        preload_areas: PRELOAD_AREAS,
        quota_api: true,
    }
}

/// The action and parameters of one submission: paths `\n`-separated.
/// `ObjectType` is sent even for URLs (`File`, the default) so the request
/// says what it means.
pub fn request(
    kind: ContentKind,
    items: &[String],
    area: Option<&str>,
) -> (&'static str, Vec<(&'static str, String)>) {
    let paths = items.join("\n");
    let object_type = match kind {
        ContentKind::Url => "File",
        ContentKind::Directory => "Directory",
        ContentKind::Regex => "Regex",
        ContentKind::Preload => {
            let mut params = vec![("ObjectPath", paths)];
            if let Some(a) = area {
                params.push(("Area", a.to_string()));
            }
            return (PUSH, params);
        }
    };
    (
        REFRESH,
        vec![("ObjectPath", paths), ("ObjectType", object_type.into())],
    )
}

/// The task ids of a submission's answer: `RefreshTaskId` or `PushTaskId`
/// (the 2014 seed names `RefreshTaskId` for a push too, and prints
/// `PushTaskId`: either is read), comma-separated when the vendor split the
/// call into several tasks.
pub fn task_ids(answer: &Value, kind: ContentKind) -> Result<Vec<String>, String> {
    let fields = match kind {
        ContentKind::Preload => ["PushTaskId", "RefreshTaskId"],
        _ => ["RefreshTaskId", "PushTaskId"],
    };
    let raw = fields
        .iter()
        .find_map(|f| body::non_empty(answer, f))
        .ok_or_else(|| format!("no {}", fields[0]))?;
    let ids: Vec<String> = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    match ids.is_empty() {
        true => Err(format!("{} {raw:?} holds no task id", fields[0])),
        false => Ok(ids),
    }
}

/// The task entries of a `DescribeRefreshTaskById` answer, however they
/// come: `Tasks: [..]` (the 2018 JSON shape), `Tasks.CDNTask[..]` (the
/// `DescribeRefreshTasks` shape, and XML), or one bare entry.
fn task_entries(answer: &Value) -> Vec<&Value> {
    match &answer["Tasks"] {
        Value::Object(o) if !o.contains_key("CDNTask") && o.contains_key("TaskId") => {
            vec![&answer["Tasks"]]
        }
        _ => body::list(answer, "Tasks", "CDNTask"),
    }
}

/// `Complete|Refreshing|Failed|Pending`, in any case.
fn state(word: &str) -> Option<TaskState> {
    match word.to_ascii_lowercase().as_str() {
        "complete" => Some(TaskState::Done),
        "refreshing" => Some(TaskState::Running),
        "pending" => Some(TaskState::Pending),
        "failed" => Some(TaskState::Failed),
        _ => None,
    }
}

/// Every path of the answer by task id.
pub fn paths_by_task(answer: &Value) -> Result<BTreeMap<String, Vec<ItemStatus>>, String> {
    let mut out: BTreeMap<String, Vec<ItemStatus>> = BTreeMap::new();
    for t in task_entries(answer) {
        let id = body::non_empty(t, "TaskId").ok_or("a task without TaskId")?;
        let word = body::non_empty(t, "Status").ok_or_else(|| format!("task {id}: no Status"))?;
        let state = state(&word).ok_or_else(|| format!("task {id}: unknown Status {word:?}"))?;
        out.entry(id).or_default().push(ItemStatus {
            item: body::string(t, "ObjectPath").unwrap_or_default(),
            state,
            detail: body::non_empty(t, "Description"),
        });
    }
    Ok(out)
}

/// What remains today per kind. `DescribeCdnUserQuota` names
/// `RefreshUrlRemain`, `RefreshDirRemain` and `PreloadRemain` (API-NOTES);
/// it names no regex field, so regular expressions are counted by the
/// caller against `daily` — unless a `RegexRemain` (the field of the newer
/// `DescribeRefreshQuota`) is in the answer, which is then read too.
pub fn quota_from(answer: &Value) -> Result<BTreeMap<ContentKind, u64>, String> {
    let mut out = BTreeMap::new();
    for (field, kind) in [
        ("RefreshUrlRemain", ContentKind::Url),
        ("RefreshDirRemain", ContentKind::Directory),
        ("RegexRemain", ContentKind::Regex),
        ("PreloadRemain", ContentKind::Preload),
    ] {
        if matches!(answer[field], Value::Null) {
            continue;
        }
        let n = body::uint(answer, field)
            .ok_or_else(|| format!("{field} is not a count: {}", answer[field]))?;
        out.insert(kind, n);
    }
    if out.is_empty() {
        return Err("no RefreshUrlRemain, RefreshDirRemain or PreloadRemain".into());
    }
    Ok(out)
}

/// `InvalidDomain.Configuring` (documented for both submitting actions):
/// the domain is still being set up, typically a purge right after the
/// domain was created or changed. It is refused before any work, so it is
/// waited out like a busy server rather than failing the purge.
fn still_configuring(e: &ProviderError) -> bool {
    e.code.as_deref() == Some("InvalidDomain.Configuring")
}

fn busy_if_configuring(mut e: ProviderError) -> ProviderError {
    if still_configuring(&e) {
        e.kind = ErrorKind::Busy;
    }
    e
}

pub async fn submit(
    p: &AliyunProvider,
    kind: ContentKind,
    items: &[String],
    area: Option<&str>,
) -> Result<Submitted, ProviderError> {
    let (action, params) = request(kind, items, area);
    neutral::check_call(VENDOR, action, &limits(), kind, items, area)?;
    let answer = p
        .client
        .call_if(action, &params, Effect::Write, |e| {
            neutral::retry_submit(e) || still_configuring(e)
        })
        .await
        .map_err(|e| neutral::settle_submit_error(busy_if_configuring(e)))?;
    let task_ids =
        task_ids(&answer, kind).map_err(|why| error::malformed(action, 200, why, Effect::Write))?;
    Ok(Submitted {
        task_ids,
        rejected: Vec::new(),
    })
}

/// One status per id (in the order asked), ten ids a call. Push and
/// refresh tasks are both answered by `DescribeRefreshTaskById`.
pub async fn status(p: &AliyunProvider, ids: &[String]) -> Result<Vec<TaskStatus>, ProviderError> {
    let mut paths: BTreeMap<String, Vec<ItemStatus>> = BTreeMap::new();
    for chunk in neutral::unique(ids).chunks(IDS_PER_STATUS_CALL) {
        let params = [("TaskId", chunk.join(","))];
        let answer = p.client.call(STATUS, &params, Effect::Read).await?;
        let found = paths_by_task(&answer)
            .map_err(|why| error::malformed(STATUS, 200, why, Effect::Read))?;
        for (id, items) in found {
            paths.entry(id).or_default().extend(items);
        }
    }
    Ok(ids
        .iter()
        .map(|id| neutral::aggregate(id, paths.get(id).map_or(&[][..], Vec::as_slice)))
        .collect())
}

pub async fn quota(p: &AliyunProvider) -> Result<BTreeMap<ContentKind, u64>, ProviderError> {
    let answer = p.client.call(QUOTA, &[], Effect::Read).await?;
    quota_from(&answer).map_err(|why| error::malformed(QUOTA, 200, why, Effect::Read))
}
