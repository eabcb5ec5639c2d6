//! Cache purges and preloads on CTG: `POST /API/content/purge` (`type`
//! url|dir), `POST /API/content/prefetch`, and their `GET ?task_id=` status
//! reads (one task a call), with the client's shared bearer token. CTG has
//! no quota API: the caller counts against `daily`.
//!
//! The seed lists these operations (预取内容, 查询预取状态, 刷新内容,
//! 查询刷新状态) without paths or fields. MODELLED (API-NOTES): the paths,
//! bodies, `{task_id}` and `{status: processing|done|failed}`; beyond
//! API-NOTES, MODELLED here: per call 100 URLs, 100 directories and 100
//! preloads (the 100-item cap of CTG's modelled list pages); per day 10,000
//! purged URLs, 100 directories and 10,000 preloads (after the documented
//! Alibaba and Baishan quotas); an `err_urls` list in a submission's answer
//! is read as refused URLs if present; a daily quota refusal is an
//! `{"error"}` answer whose text names the quota; no regex purges.

use super::client::Call;
use super::error::{self, Effect, VENDOR};
use super::CtgProvider;
use crate::provider::content::{
    self as neutral, ContentKind, ContentLimits, Submitted, TaskState, TaskStatus,
};
use crate::provider::content::{id_text, task_path, type_and_urls_body};
use crate::provider::{ErrorKind, ProviderError};
use reqwest::Method;
use serde_json::Value;

pub const PURGE_PATH: &str = "/API/content/purge";
pub const PREFETCH_PATH: &str = "/API/content/prefetch";

pub fn limits() -> ContentLimits {
    use ContentKind::*;
    ContentLimits {
        per_call: [(Url, 100), (Directory, 100), (Preload, 100)].into(),
        hosts_per_call: None,
        daily: [(Url, 10_000), (Directory, 100), (Preload, 10_000)].into(),
        preload_areas: &[],
        quota_api: false,
    }
}

/// `{task_id}` (and `err_urls`, if the answer has them) as a `Submitted`.
pub fn submitted_from(data: &Value) -> Result<Submitted, String> {
    let task_id = id_text(&data["task_id"]).ok_or("no task_id")?;
    let rejected = data["err_urls"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|u| u.as_str().or(u["url"].as_str()).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Ok(Submitted {
        task_ids: vec![task_id],
        rejected,
    })
}

/// `processing|done|failed`.
fn state(word: &str) -> Option<TaskState> {
    match word.trim().to_ascii_lowercase().as_str() {
        "processing" => Some(TaskState::Running),
        "done" => Some(TaskState::Done),
        "failed" => Some(TaskState::Failed),
        _ => None,
    }
}

pub fn status_from(id: &str, data: &Value) -> Result<TaskStatus, String> {
    let word = data["status"]
        .as_str()
        .ok_or_else(|| format!("task {id}: no status"))?;
    let state = state(word).ok_or_else(|| format!("task {id}: unknown status {word:?}"))?;
    Ok(TaskStatus {
        id: id.to_string(),
        state,
        failed: Vec::new(),
        detail: None,
    })
}

/// MODELLED: a refusal (400, 403, 429...) whose text names the quota is
/// the day's quota spent; a 401 stays an authentication failure.
fn quota_refusal(mut e: ProviderError) -> ProviderError {
    let named = e.message.to_ascii_lowercase().contains("quota");
    let refusal = match e.kind {
        ErrorKind::Invalid | ErrorKind::Other | ErrorKind::Throttled => true,
        ErrorKind::Auth => e.http_status == Some(403),
        _ => false,
    };
    if named && refusal {
        e.kind = ErrorKind::Quota;
    }
    e
}

pub async fn submit(
    p: &CtgProvider,
    kind: ContentKind,
    items: &[String],
    area: Option<&str>,
) -> Result<Submitted, ProviderError> {
    let path = task_path(VENDOR, kind, "POST", PURGE_PATH, PREFETCH_PATH)?;
    let call = Call::write(Method::POST, path, Some(type_and_urls_body(kind, items)));
    let action = call.action();
    neutral::check_call(VENDOR, &action, &limits(), kind, items, area)?;
    let data = p
        .client
        .call_if(&call, neutral::retry_submit)
        .await
        .map_err(|e| neutral::settle_submit_error(quota_refusal(e)))?;
    submitted_from(&data).map_err(|why| error::malformed(&action, why, Effect::Write))
}

/// One status per id (in the order asked), one call per distinct id; a
/// task the server does not know (404) is reported pending with a detail.
pub async fn status(
    p: &CtgProvider,
    kind: ContentKind,
    ids: &[String],
) -> Result<Vec<TaskStatus>, ProviderError> {
    let path = task_path(VENDOR, kind, "GET", PURGE_PATH, PREFETCH_PATH)?;
    neutral::poll_each(ids, |id| async move {
        let call = Call::get(path, vec![("task_id", id.clone())]);
        let data = p.client.call(&call, false).await?;
        status_from(&id, &data).map_err(|why| error::malformed(&call.action(), why, Effect::Read))
    })
    .await
}
