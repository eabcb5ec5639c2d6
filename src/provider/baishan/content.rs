//! Cache purges and preloads on Baishan (v2): `POST /cache/refresh`
//! (`type` url|dir), `POST /cache/prefetch`, their `GET ?task_id=` status
//! reads (one task a call) and `GET /cache/prefetchQuota`. Every call counts
//! against the per-token rate limit (`Class::General`: no content limit is
//! documented).
//!
//! Documented (API-NOTES): the paths and bodies, `{task_id, count,
//! err_urls}`, statuses completed|waiting|processing, 500 URLs per prefetch
//! and 10,000 prefetched URLs a day, `{url_quota, url_remain}`.
//! MODELLED: the refresh answer has the prefetch's shape; a status answer is
//! `{status}` and may list its URLs (`list`/`urls`: `[{url, status}]`); a
//! task that failed says `failed`; per call 500 URLs and 100 directories;
//! per day 10,000 refreshed URLs and 100 directories; a daily quota refusal
//! is an error envelope whose message names the quota.

use super::client::Call;
use super::error::{self, Effect, VENDOR};
use super::BaishanProvider;
use crate::provider::content::{
    self as neutral, ContentKind, ContentLimits, ItemStatus, Submitted, TaskState, TaskStatus,
};
use crate::provider::content::{id_text, task_path, type_and_urls_body};
use crate::provider::{ErrorKind, ProviderError};
use reqwest::Method;
use serde_json::Value;
use std::collections::BTreeMap;

pub const REFRESH_PATH: &str = "/cache/refresh";
pub const PREFETCH_PATH: &str = "/cache/prefetch";
pub const QUOTA_PATH: &str = "/cache/prefetchQuota";

/// Per call: 500 URLs (MODELLED), 100 directories (MODELLED), 500
/// preloads. Per day: 10,000 preloads; 10,000 URLs and 100 directories
/// purged (MODELLED, after Alibaba's documented refresh quotas). The quota
/// API answers for preloads only.
pub fn limits() -> ContentLimits {
    use ContentKind::*;
    ContentLimits {
        per_call: [(Url, 500), (Directory, 100), (Preload, 500)].into(),
        hosts_per_call: None,
        daily: [(Url, 10_000), (Directory, 100), (Preload, 10_000)].into(),
        preload_areas: &[],
        quota_api: true,
    }
}

/// The refused URLs of `err_urls`: strings, or objects with a `url`.
fn err_urls(data: &Value) -> Vec<String> {
    let Some(list) = data["err_urls"].as_array() else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|u| match u {
            Value::String(s) => Some(s.clone()),
            other => other["url"].as_str().map(str::to_string),
        })
        .collect()
}

/// `{task_id, count, err_urls}` as a `Submitted`. MODELLED: when every URL
/// was refused there may be no task (and so no `task_id`).
pub fn submitted_from(data: &Value, items: &[String]) -> Result<Submitted, String> {
    let rejected = err_urls(data);
    let task_ids: Vec<String> = match &data["task_id"] {
        Value::Array(ids) => ids.iter().filter_map(id_text).collect(),
        one => id_text(one).into_iter().collect(),
    };
    if task_ids.is_empty() && rejected.len() < items.len() {
        return Err("no task_id".into());
    }
    Ok(Submitted { task_ids, rejected })
}

/// `completed|waiting|processing`, and `failed` (MODELLED).
fn state(word: &str) -> Option<TaskState> {
    match word.trim().to_ascii_lowercase().as_str() {
        "completed" => Some(TaskState::Done),
        "waiting" => Some(TaskState::Pending),
        "processing" => Some(TaskState::Running),
        "failed" => Some(TaskState::Failed),
        _ => None,
    }
}

fn state_of(v: &Value, what: &str) -> Result<TaskState, String> {
    let word = v["status"]
        .as_str()
        .ok_or_else(|| format!("{what}: no status"))?;
    state(word).ok_or_else(|| format!("{what}: unknown status {word:?}"))
}

/// One task's status from its `GET ?task_id=` answer: the task's own
/// `status` if it has one (its failed URLs from the listed ones), else the
/// listed URLs' statuses folded together.
pub fn status_from(id: &str, data: &Value) -> Result<TaskStatus, String> {
    let listed: Vec<&Value> = match data {
        Value::Array(a) => a.iter().collect(),
        Value::Object(o) => ["list", "urls"]
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_array))
            .map(|a| a.iter().collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let mut items = Vec::new();
    for entry in listed.into_iter().filter(|e| e.is_object()) {
        // An entry of another task (a list answer) is not this task's.
        if id_text(&entry["task_id"]).is_some_and(|other| other != id) {
            continue;
        }
        let url = entry["url"].as_str().unwrap_or_default().to_string();
        items.push(ItemStatus {
            state: state_of(entry, &format!("task {id} URL {url:?}"))?,
            item: url,
            detail: None,
        });
    }
    if data["status"].is_null() {
        if items.is_empty() {
            return Err(format!("task {id}: no status"));
        }
        return Ok(neutral::aggregate(id, &items));
    }
    let state = state_of(data, &format!("task {id}"))?;
    let mut status = neutral::aggregate(id, &items);
    status.state = state;
    if state != TaskState::Failed {
        status.failed.clear();
        status.detail = None;
    }
    Ok(status)
}

/// MODELLED: the seed documents no quota error; a refusal whose message
/// names the quota (or a daily limit) is the day's quota spent, whatever
/// its code.
fn quota_refusal(mut e: ProviderError) -> ProviderError {
    let m = e.message.to_ascii_lowercase();
    let daily = ["day", "daily", "today"].iter().any(|d| m.contains(d));
    let named = m.contains("quota") || (daily && (m.contains("limit") || m.contains("exceed")));
    let refusal = match e.kind {
        ErrorKind::Invalid | ErrorKind::Other => true,
        // A 403 naming the quota is not a bad token (a 401 would be).
        ErrorKind::Auth => e.http_status == Some(403) || e.code.as_deref() == Some("403"),
        _ => false,
    };
    if refusal && named {
        e.kind = ErrorKind::Quota;
    }
    e
}

pub async fn submit(
    p: &BaishanProvider,
    kind: ContentKind,
    items: &[String],
    area: Option<&str>,
) -> Result<Submitted, ProviderError> {
    let path = task_path(VENDOR, kind, "POST", REFRESH_PATH, PREFETCH_PATH)?;
    let call = Call::write(Method::POST, path, Some(type_and_urls_body(kind, items)));
    let action = call.action();
    neutral::check_call(VENDOR, &action, &limits(), kind, items, area)?;
    let data = p
        .client
        .call_if(&call, neutral::retry_submit)
        .await
        .map_err(|e| neutral::settle_submit_error(quota_refusal(e)))?;
    submitted_from(&data, items).map_err(|why| error::malformed(&action, why, Effect::Write))
}

/// One status per id (in the order asked), one call per distinct id. A
/// task the server says does not exist is reported pending, with a detail
/// (see `neutral::aggregate`).
pub async fn status(
    p: &BaishanProvider,
    kind: ContentKind,
    ids: &[String],
) -> Result<Vec<TaskStatus>, ProviderError> {
    let path = task_path(VENDOR, kind, "GET", REFRESH_PATH, PREFETCH_PATH)?;
    neutral::poll_each(ids, |id| async move {
        let call = Call::get(path, vec![("task_id", id.clone())]);
        let data = p.client.call(&call, false).await?;
        status_from(&id, &data).map_err(|why| error::malformed(&call.action(), why, Effect::Read))
    })
    .await
}

/// `{url_quota, url_remain}`: what remains of today's preloads.
pub fn quota_from(data: &Value) -> Result<BTreeMap<ContentKind, u64>, String> {
    let remain = match &data["url_remain"] {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| format!("url_remain is not a count: {}", data["url_remain"]))?;
    Ok([(ContentKind::Preload, remain)].into())
}

pub async fn quota(p: &BaishanProvider) -> Result<BTreeMap<ContentKind, u64>, ProviderError> {
    let call = Call::get(QUOTA_PATH, Vec::new());
    let data = p.client.call(&call, false).await?;
    quota_from(&data).map_err(|why| error::malformed(&call.action(), why, Effect::Read))
}
