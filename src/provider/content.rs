//! Cache purges and preloads in neutral terms: what a vendor accepts per
//! call and per day, the tasks it answers with, and their status. The
//! engine (`apply::content`) dedupes, checks quotas, splits into calls
//! within these limits and waits; a vendor client only speaks its API,
//! with the few rules every client shares (at the end of this file): the
//! last check of a call against the limits, which failed submissions may be
//! repeated, and how one task's per-item statuses make the task's.

use super::{ErrorKind, ProviderError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What one call purges or preloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContentKind {
    /// Purge these URLs.
    Url,
    /// Purge everything under these directories (ending in `/`).
    Directory,
    /// Purge what these regular expressions match.
    Regex,
    /// Preload (prefetch) these URLs into the caches.
    Preload,
}

impl ContentKind {
    pub fn noun(self) -> &'static str {
        match self {
            ContentKind::Url => "URL",
            ContentKind::Directory => "directory",
            ContentKind::Regex => "regex",
            ContentKind::Preload => "preload URL",
        }
    }

    /// The plural of `noun`.
    pub fn plural(self) -> &'static str {
        match self {
            ContentKind::Url => "URLs",
            ContentKind::Directory => "directories",
            ContentKind::Regex => "regexes",
            ContentKind::Preload => "preload URLs",
        }
    }

    /// `n` and the noun, singular or plural: "1 directory", "2 regexes".
    pub fn count(self, n: usize) -> String {
        match n {
            1 => format!("1 {}", self.noun()),
            n => format!("{n} {}", self.plural()),
        }
    }
}

/// A vendor's documented limits. A kind missing from `per_call` is not
/// supported by the vendor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentLimits {
    /// Most items of a kind in one call.
    pub per_call: BTreeMap<ContentKind, usize>,
    /// Most distinct hosts (domains) one call may span (Alibaba: 10).
    pub hosts_per_call: Option<usize>,
    /// Items of a kind allowed per day (the documented default quota).
    pub daily: BTreeMap<ContentKind, u64>,
    /// Values `area` may take for a preload; empty: no `area`.
    pub preload_areas: &'static [&'static str],
    /// Whether `content_quota` asks the vendor (else the engine counts what
    /// the state recorded today against `daily`).
    pub quota_api: bool,
}

impl ContentLimits {
    pub fn supports(&self, kind: ContentKind) -> bool {
        self.per_call.contains_key(&kind)
    }
}

/// The answer to one purge or preload call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Submitted {
    /// The task ids the vendor gave (several when it split the call).
    pub task_ids: Vec<String>,
    /// Items the vendor refused outright (e.g. Baishan's `err_urls`).
    pub rejected: Vec<String>,
}

/// Where a task is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Pending,
    Running,
    Done,
    Failed,
}

impl TaskState {
    pub fn is_finished(self) -> bool {
        matches!(self, TaskState::Done | TaskState::Failed)
    }
}

/// One task's status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskStatus {
    pub id: String,
    pub state: TaskState,
    /// The items of a failed task, when the vendor says which.
    pub failed: Vec<String>,
    /// The vendor's reason, if it gives one.
    pub detail: Option<String>,
}

/// The status of one item (URL, directory, expression) of a task, as a
/// vendor lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemStatus {
    pub item: String,
    pub state: TaskState,
    /// The vendor's reason (Alibaba's `Description` of a failed path).
    pub detail: Option<String>,
}

/// One task's status from its items' statuses: failed when any item
/// failed (those items listed in `failed`, their reasons in `detail`),
/// done when every item is, pending while none has started, else running.
/// A task the vendor does not list at all is pending, with a `detail`
/// saying so: a task just submitted may not be listed yet, and reporting it
/// failed would be a false failure (an expired task then waits out the
/// caller's timeout instead).
pub fn aggregate(id: &str, items: &[ItemStatus]) -> TaskStatus {
    let mut status = TaskStatus {
        id: id.to_string(),
        state: TaskState::Pending,
        failed: Vec::new(),
        detail: None,
    };
    if items.is_empty() {
        status.detail = Some("the vendor does not list this task (yet)".into());
        return status;
    }
    let all = |s: TaskState| items.iter().all(|i| i.state == s);
    let failed: Vec<&ItemStatus> = items
        .iter()
        .filter(|i| i.state == TaskState::Failed)
        .collect();
    status.state = if !failed.is_empty() {
        TaskState::Failed
    } else if all(TaskState::Done) {
        TaskState::Done
    } else if all(TaskState::Pending) {
        TaskState::Pending
    } else {
        TaskState::Running
    };
    for i in &failed {
        if !i.item.is_empty() && !status.failed.contains(&i.item) {
            status.failed.push(i.item.clone());
        }
    }
    let mut reasons: Vec<&str> = Vec::new();
    for d in failed.iter().filter_map(|i| i.detail.as_deref()) {
        if !d.trim().is_empty() && !reasons.contains(&d) {
            reasons.push(d);
        }
    }
    if !reasons.is_empty() {
        status.detail = Some(reasons.join("; "));
    }
    status
}

/// The host of a purge/preload item: `http://a.example.com/x` and
/// `a.example.com/x` are both on `a.example.com` (lower-cased, port kept).
pub fn host_of(item: &str) -> String {
    let rest = item.split_once("://").map_or(item, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    rest[..end].to_ascii_lowercase()
}

/// Task status calls in flight at once, for vendors that answer one task a
/// call (the default `-parallelism`).
pub const STATUS_CONCURRENCY: usize = 10;

/// Poll each distinct task id once with `read` (up to
/// `STATUS_CONCURRENCY` in flight) and answer one status per id, in the
/// order asked. A task the vendor says does not exist (`NotFound`) is
/// reported pending with a detail (see `aggregate`): a task just submitted
/// may not be visible yet.
pub async fn poll_each<F, Fut>(ids: &[String], read: F) -> Result<Vec<TaskStatus>, ProviderError>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<TaskStatus, ProviderError>>,
{
    use futures_util::stream::{self, StreamExt};
    let polled: Vec<(String, Result<TaskStatus, ProviderError>)> = stream::iter(unique(ids))
        .map(|id| {
            let reading = read(id.clone());
            async move {
                let status = match reading.await {
                    Err(e) if e.kind == ErrorKind::NotFound => Ok(aggregate(&id, &[])),
                    other => other,
                };
                (id, status)
            }
        })
        .buffered(STATUS_CONCURRENCY)
        .collect()
        .await;
    let mut found: BTreeMap<String, TaskStatus> = BTreeMap::new();
    for (id, status) in polled {
        found.insert(id, status?);
    }
    Ok(ids.iter().map(|id| found[id].clone()).collect())
}

/// Content submissions in flight at once (the default `-parallelism`).
pub const SUBMIT_CONCURRENCY: usize = 10;

/// `ids` without repeats, in first-seen order.
pub fn unique(ids: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(id) {
            out.push(id.clone());
        }
    }
    out
}

/// The last check of one call before it is sent: the kind is supported,
/// there are items and no more than one call takes, they span no more
/// hosts than one call may, and `area` is one the vendor takes (preloads
/// only). The engine splits within the limits already; this turns a bug
/// there into a clear error instead of a vendor refusal (or spent quota).
// The shared ProviderError is past clippy's size threshold (see
// `provider::endpoint::parse_endpoint`).
#[allow(clippy::result_large_err)]
pub fn check_call(
    vendor: &'static str,
    action: &str,
    limits: &ContentLimits,
    kind: ContentKind,
    items: &[String],
    area: Option<&str>,
) -> Result<(), ProviderError> {
    let refuse = |message: String| ProviderError::new(vendor, action, ErrorKind::Invalid, message);
    let Some(max) = limits.per_call.get(&kind) else {
        return Err(refuse(format!(
            "{vendor} does not support {} tasks",
            kind.noun()
        )));
    };
    if items.is_empty() {
        return Err(refuse(format!("no {} to submit", kind.noun())));
    }
    if items.len() > *max {
        return Err(refuse(format!(
            "{} in one call; {vendor} takes at most {max}",
            kind.count(items.len())
        )));
    }
    if let Some(blank) = items.iter().position(|i| i.trim().is_empty()) {
        return Err(refuse(format!("item {} is empty", blank + 1)));
    }
    if let Some(most) = limits.hosts_per_call {
        let mut hosts: Vec<String> = items.iter().map(|i| host_of(i)).collect();
        hosts.sort();
        hosts.dedup();
        if hosts.len() > most {
            return Err(refuse(format!(
                "one call spans {} domains; {vendor} takes at most {most}",
                hosts.len()
            )));
        }
    }
    match area {
        None => Ok(()),
        Some(_) if kind != ContentKind::Preload => Err(refuse(format!(
            "an area applies to preloads only, not to {} purges",
            kind.noun()
        ))),
        Some(a) if !limits.preload_areas.contains(&a) => Err(refuse(match limits.preload_areas {
            [] => format!("{vendor} preloads take no area (got {a:?})"),
            areas => format!("preload area {a:?} is not one of {}", areas.join(", ")),
        })),
        Some(_) => Ok(()),
    }
}

/// Which failures of a purge or preload submission are repeated: only
/// those that surely took no effect (refused for the rate limit or a busy
/// server before any work, or never sent). A purge repeated is harmless in
/// effect but spends the day's quota twice, so a submission whose outcome
/// is unknown is not repeated blindly (see `settle_submit_error`).
pub fn retry_submit(e: &ProviderError) -> bool {
    matches!(
        e.kind,
        ErrorKind::Throttled | ErrorKind::Busy | ErrorKind::Transport
    )
}

/// The error a submission ends with. MODELLED: a server error (5xx,
/// `InternalError`) may come after the task was created, so it means the
/// outcome is unknown: the caller decides whether to submit again (or to
/// look for the task first) rather than this client spending quota on it.
/// The vendor's code, message and status are kept.
pub fn settle_submit_error(mut e: ProviderError) -> ProviderError {
    if e.kind == ErrorKind::Server {
        e.kind = ErrorKind::OutcomeUnknown;
        e.message = format!(
            "{}; the task may or may not have been created, so it was not submitted again",
            e.message
        );
    }
    e
}

/// The body of a purge or preload submission where the vendor takes
/// `{"type": "url"|"dir", "urls": [...]}` for purges and `{"urls": [...]}`
/// for preloads (Baishan and CTG, per API-NOTES).
pub fn type_and_urls_body(kind: ContentKind, items: &[String]) -> serde_json::Value {
    match kind {
        ContentKind::Preload => serde_json::json!({ "urls": items }),
        ContentKind::Directory => serde_json::json!({ "type": "dir", "urls": items }),
        _ => serde_json::json!({ "type": "url", "urls": items }),
    }
}

/// A task id given as a string or a number.
pub fn id_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The path a kind's tasks go to, for vendors with one path for purges and
/// one for preloads; regex tasks are refused as unsupported.
// The shared ProviderError is past clippy's size threshold.
#[allow(clippy::result_large_err)]
pub fn task_path(
    vendor: &'static str,
    kind: ContentKind,
    verb: &str,
    purge: &'static str,
    preload: &'static str,
) -> Result<&'static str, crate::provider::ProviderError> {
    match kind {
        ContentKind::Url | ContentKind::Directory => Ok(purge),
        ContentKind::Preload => Ok(preload),
        ContentKind::Regex => Err(crate::provider::ProviderError::new(
            vendor,
            format!("{verb} {purge}"),
            crate::provider::ErrorKind::Invalid,
            format!("{vendor} does not support {} tasks", kind.noun()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ContentKind::*;

    #[tokio::test]
    async fn poll_each_asks_each_id_once_and_answers_in_order() {
        let asked = std::sync::Mutex::new(Vec::new());
        let ids: Vec<String> = ["b", "a", "b", "gone"].map(String::from).to_vec();
        let got = poll_each(&ids, |id| {
            asked.lock().unwrap().push(id.clone());
            async move {
                match id.as_str() {
                    "gone" => Err(ProviderError::new(
                        "v",
                        "GET",
                        ErrorKind::NotFound,
                        "no task",
                    )),
                    _ => Ok(TaskStatus {
                        id: id.clone(),
                        state: TaskState::Done,
                        failed: Vec::new(),
                        detail: None,
                    }),
                }
            }
        })
        .await
        .unwrap();
        assert_eq!(*asked.lock().unwrap(), ["b", "a", "gone"]);
        let ids_back: Vec<&str> = got.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids_back, ["b", "a", "b", "gone"]);
        // Not found yet: pending, with a detail, not an error.
        assert_eq!(got[3].state, TaskState::Pending);
        assert!(got[3].detail.is_some());

        let failing = poll_each(&ids, |_| async {
            Err::<TaskStatus, _>(ProviderError::new(
                "v",
                "GET",
                ErrorKind::Throttled,
                "slow down",
            ))
        })
        .await;
        assert_eq!(failing.unwrap_err().kind, ErrorKind::Throttled);
    }

    #[test]
    fn counted_nouns() {
        assert_eq!(Directory.count(1), "1 directory");
        assert_eq!(Directory.count(2), "2 directories");
        assert_eq!(Regex.count(0), "0 regexes");
        assert_eq!(Url.count(3), "3 URLs");
        assert_eq!(Preload.count(2), "2 preload URLs");
    }

    fn limits() -> ContentLimits {
        ContentLimits {
            per_call: [(Url, 3), (Preload, 2)].into(),
            hosts_per_call: Some(2),
            daily: BTreeMap::new(),
            preload_areas: &["domestic", "overseas"],
            quota_api: false,
        }
    }

    fn items(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn item(i: &str, state: TaskState, detail: Option<&str>) -> ItemStatus {
        ItemStatus {
            item: i.into(),
            state,
            detail: detail.map(str::to_string),
        }
    }

    #[test]
    fn aggregates_item_states() {
        use TaskState::*;
        let s = aggregate("1", &[item("a", Done, None), item("b", Done, None)]);
        assert_eq!((s.state, s.failed.len(), s.detail), (Done, 0, None));
        let s = aggregate("1", &[item("a", Pending, None), item("b", Pending, None)]);
        assert_eq!(s.state, Pending);
        let s = aggregate("1", &[item("a", Done, None), item("b", Pending, None)]);
        assert_eq!(s.state, Running);
        let s = aggregate("1", &[item("a", Running, None)]);
        assert_eq!(s.state, Running);
        let s = aggregate(
            "7",
            &[
                item("a", Done, None),
                item("b", Failed, Some("Origin Timeout")),
                item("c", Running, None),
                item("d", Failed, Some("Origin Timeout")),
                item("e", Failed, Some("Internal Error")),
            ],
        );
        assert_eq!(s.id, "7");
        assert_eq!(s.state, Failed);
        assert_eq!(s.failed, ["b", "d", "e"]);
        assert_eq!(s.detail.as_deref(), Some("Origin Timeout; Internal Error"));
        let s = aggregate("9", &[]);
        assert_eq!(s.state, Pending);
        assert!(s.detail.unwrap().contains("does not list"));
    }

    #[test]
    fn hosts_and_unique() {
        assert_eq!(
            host_of("http://A.example.com:8080/x?y"),
            "a.example.com:8080"
        );
        assert_eq!(host_of("a.example.com/x/"), "a.example.com");
        assert_eq!(host_of("https://b.example.com"), "b.example.com");
        assert_eq!(unique(&items(&["1", "2", "1", "3"])), ["1", "2", "3"]);
    }

    #[test]
    fn checks_a_call() {
        let l = limits();
        let ok = |kind, i: &[&str], area| check_call("v", "Act", &l, kind, &items(i), area);
        assert!(ok(Url, &["a.com/1", "a.com/2", "b.com/3"], None).is_ok());
        assert!(ok(Preload, &["a.com/1"], Some("overseas")).is_ok());
        for (kind, i, area, why) in [
            (
                Directory,
                &["a.com/"][..],
                None,
                "does not support directory",
            ),
            (Url, &[][..], None, "no URL"),
            (Url, &["a", "b", "c", "d"][..], None, "at most 3"),
            (Url, &["a.com/1", " "][..], None, "item 2 is empty"),
            (
                Url,
                &["a.com/1", "b.com/1", "c.com/1"][..],
                None,
                "spans 3 domains",
            ),
            (Url, &["a.com/1"][..], Some("domestic"), "preloads only"),
            (
                Preload,
                &["a.com/1"][..],
                Some("mars"),
                "not one of domestic, overseas",
            ),
        ] {
            let e = ok(kind, i, area).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Invalid);
            assert_eq!(e.action, "Act");
            assert!(e.message.contains(why), "{why}: {e}");
        }
        let none = ContentLimits {
            preload_areas: &[],
            ..limits()
        };
        let e = check_call("v", "A", &none, Preload, &items(&["a"]), Some("x")).unwrap_err();
        assert!(e.message.contains("take no area"), "{e}");
    }

    #[test]
    fn only_surely_ineffective_failures_are_repeated() {
        let e = |kind| ProviderError::new("v", "A", kind, "m");
        for k in [ErrorKind::Throttled, ErrorKind::Busy, ErrorKind::Transport] {
            assert!(retry_submit(&e(k)), "{k:?}");
        }
        for k in [
            ErrorKind::Server,
            ErrorKind::OutcomeUnknown,
            ErrorKind::Quota,
            ErrorKind::Invalid,
        ] {
            assert!(!retry_submit(&e(k)), "{k:?}");
        }
        let mut server = e(ErrorKind::Server);
        server.code = Some("InternalError".into());
        let settled = settle_submit_error(server);
        assert_eq!(settled.kind, ErrorKind::OutcomeUnknown);
        assert_eq!(settled.code.as_deref(), Some("InternalError"));
        assert!(settled.message.starts_with("m; the task may"));
        assert_eq!(
            settle_submit_error(e(ErrorKind::Quota)).kind,
            ErrorKind::Quota
        );
    }
}
