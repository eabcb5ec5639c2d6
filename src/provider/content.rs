//! Cache purges and preloads in neutral terms: what a vendor accepts per
//! call and per day, the tasks it answers with, and their status. The
//! engine (`apply::content`) dedupes, checks quotas, splits into calls
//! within these limits and waits; a vendor client only speaks its API.

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
