//! Cache purge ("refresh") and preload ("prefetch", "push") machinery shared by the three
//! vendors: the kinds of content task, their lifecycle, the daily quotas and the URLs they
//! name. What each vendor calls things, its limits and its answers live in its own folder
//! (`aliyun/content_*.rs`, `baishan/content.rs`, `ctg/content.rs`).
//!
//! MODELLED for every vendor (the documents give no timings): a task is pending for the
//! first half of the emulator's `task_delay`, running for the second half, and then done, or
//! failed when one of its URLs could not be served (see `TaskItem::failure`). Whether a URL
//! fails is decided when the task is submitted, from the state of its domain then.

pub(crate) mod task;
pub(crate) mod url;
pub(crate) mod usage;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub use self::task::{TaskBook, TaskItem};

/// A vendor of the emulator, for the content accessors of `EmulatorHandle`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vendor {
    Aliyun,
    Baishan,
    Ctg,
}

impl Vendor {
    /// `"aliyun"`, `"baishan"` or `"ctg"` (as `RequestInfo::vendor` names them).
    pub fn name(self) -> &'static str {
        match self {
            Vendor::Aliyun => "aliyun",
            Vendor::Baishan => "baishan",
            Vendor::Ctg => "ctg",
        }
    }
}

/// What a content task does, which is also what it counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContentKind {
    /// Refresh (purge) of single URLs.
    Url,
    /// Refresh of directories (URLs ending with `/`).
    Dir,
    /// Refresh by regular expression (Alibaba only).
    Regex,
    /// Preload (push, prefetch) of URLs.
    Preload,
}

/// Where a task is in its life, in neutral words (each vendor has its own; see
/// `ContentTask::status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskPhase {
    /// Accepted, not started (Alibaba `Pending`, Baishan `waiting`, CTG `processing`).
    Pending,
    /// Under way (Alibaba `Refreshing`, Baishan `processing`, CTG `processing`).
    Running,
    /// Finished for every URL (Alibaba `Complete`, Baishan `completed`, CTG `done`).
    Done,
    /// Finished, and at least one URL could not be served (Alibaba `Failed`, Baishan and
    /// CTG `failed`).
    Failed,
}

/// The words one vendor uses for the four phases.
#[derive(Debug, Clone, Copy)]
pub struct StatusWords {
    pub pending: &'static str,
    pub running: &'static str,
    pub done: &'static str,
    pub failed: &'static str,
}

impl StatusWords {
    pub fn word(&self, phase: TaskPhase) -> &'static str {
        match phase {
            TaskPhase::Pending => self.pending,
            TaskPhase::Running => self.running,
            TaskPhase::Done => self.done,
            TaskPhase::Failed => self.failed,
        }
    }
}

/// Daily limits of one vendor's content tasks: how many URLs, directories, regular
/// expressions and preloaded URLs may be submitted per UTC day. A call that would go past
/// one is refused whole and uses nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyQuotas {
    pub refresh_urls: u64,
    pub refresh_dirs: u64,
    /// Regular-expression refreshes (only Alibaba has them; 0 elsewhere).
    pub refresh_regex: u64,
    pub preload_urls: u64,
}

impl DailyQuotas {
    /// API-NOTES (Alibaba 2018-05-10): 10,000 URLs, 100 directories, 20 regular
    /// expressions and 1,000 preloaded URLs per day.
    pub fn aliyun() -> Self {
        DailyQuotas {
            refresh_urls: 10_000,
            refresh_dirs: 100,
            refresh_regex: 20,
            preload_urls: 1_000,
        }
    }

    /// API-NOTES (Baishan): 10,000 prefetched URLs per day. MODELLED: 10,000 refreshed URLs
    /// and 100 refreshed directories per day, as Alibaba's (Baishan publishes none).
    pub fn baishan() -> Self {
        DailyQuotas {
            refresh_urls: 10_000,
            refresh_dirs: 100,
            refresh_regex: 0,
            preload_urls: 10_000,
        }
    }

    /// MODELLED (CTG publishes no quota and no quota API): 10,000 purged URLs, 100 purged
    /// directories and 10,000 prefetched URLs per day.
    pub fn ctg() -> Self {
        DailyQuotas {
            refresh_urls: 10_000,
            refresh_dirs: 100,
            refresh_regex: 0,
            preload_urls: 10_000,
        }
    }

    pub fn limit(&self, kind: ContentKind) -> u64 {
        match kind {
            ContentKind::Url => self.refresh_urls,
            ContentKind::Dir => self.refresh_dirs,
            ContentKind::Regex => self.refresh_regex,
            ContentKind::Preload => self.preload_urls,
        }
    }
}

/// One purge or preload task as the emulator remembers it (`EmulatorHandle::content_tasks`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentTask {
    pub vendor: Vendor,
    /// The task id as the vendor answers it (a decimal string: Baishan and CTG `task_id`;
    /// Alibaba `RefreshTaskId`/`PushTaskId`, where one call that made several tasks answers
    /// their ids comma-separated and each is listed here on its own).
    pub id: String,
    pub kind: ContentKind,
    /// The URLs (directories, expressions) of the task, as submitted.
    pub urls: Vec<String>,
    /// Those of `urls` that fail (domain not in the account, or not serving).
    pub failed_urls: Vec<String>,
    /// The phase as of now.
    pub phase: TaskPhase,
    /// The vendor's own word for `phase` (Alibaba `Pending|Refreshing|Complete|Failed`,
    /// Baishan `waiting|processing|completed|failed`, CTG `processing|done|failed`).
    pub status: &'static str,
    pub created: DateTime<Utc>,
}

/// Today's use of one daily quota (`EmulatorHandle::content_quota`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaUsage {
    pub vendor: Vendor,
    pub kind: ContentKind,
    /// The UTC day the numbers are for.
    pub day: NaiveDate,
    /// The configured daily limit.
    pub limit: u64,
    pub used: u64,
    /// `limit - used` (never negative).
    pub remaining: u64,
}
