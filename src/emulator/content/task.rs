//! Content tasks and the book of one vendor's tasks, ids and daily usage, kept in that
//! vendor's section of the world (and so in the data file).
//!
//! A task's phase is computed from timestamps (no background work): see the module doc of
//! `content`. MODELLED: tasks are kept 7 days (the Alibaba seed: "Only the data from the past
//! 7 days can be queried"), for every vendor; older ones are dropped when a task is added.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::usage::DailyUsage;
use super::{ContentKind, TaskPhase};

/// How long tasks are kept.
pub const RETENTION: TimeDelta = TimeDelta::days(7);

/// One URL (directory, expression) of a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskItem {
    pub url: String,
    /// Why this URL fails (e.g. its domain is not in the account); `None` when it succeeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

impl TaskItem {
    pub fn ok(url: impl Into<String>) -> Self {
        TaskItem {
            url: url.into(),
            failure: None,
        }
    }

    pub fn failing(url: impl Into<String>, why: impl Into<String>) -> Self {
        TaskItem {
            url: url.into(),
            failure: Some(why.into()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: u64,
    pub kind: ContentKind,
    pub created: DateTime<Utc>,
    /// When the task finishes (`created` + the emulator's `task_delay`).
    pub done_at: DateTime<Utc>,
    pub items: Vec<TaskItem>,
}

impl Task {
    /// Pending, running or done by the clock alone.
    fn clock_phase(&self, now: DateTime<Utc>) -> TaskPhase {
        if now >= self.done_at {
            TaskPhase::Done
        } else if now >= self.created + (self.done_at - self.created) / 2 {
            TaskPhase::Running
        } else {
            TaskPhase::Pending
        }
    }

    fn finish(phase: TaskPhase, failed: bool) -> TaskPhase {
        if phase == TaskPhase::Done && failed {
            TaskPhase::Failed
        } else {
            phase
        }
    }

    /// The phase of the item at `index` at `now`.
    pub fn item_phase(&self, index: usize, now: DateTime<Utc>) -> TaskPhase {
        let failed = self.items.get(index).is_some_and(|i| i.failure.is_some());
        Self::finish(self.clock_phase(now), failed)
    }

    /// The phase of the whole task: failed once finished if any item failed.
    pub fn phase(&self, now: DateTime<Utc>) -> TaskPhase {
        let failed = self.items.iter().any(|i| i.failure.is_some());
        Self::finish(self.clock_phase(now), failed)
    }

    pub fn urls(&self) -> Vec<String> {
        self.items.iter().map(|i| i.url.clone()).collect()
    }

    pub fn failed_urls(&self) -> Vec<String> {
        self.items
            .iter()
            .filter(|i| i.failure.is_some())
            .map(|i| i.url.clone())
            .collect()
    }
}

/// One vendor's content tasks by id, the next id, and today's quota usage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskBook {
    #[serde(default)]
    pub tasks: BTreeMap<u64, Task>,
    /// The next id to hand out (0 before the first task).
    #[serde(default)]
    pub next_id: u64,
    #[serde(default)]
    pub usage: DailyUsage,
}

impl TaskBook {
    /// Adds a task (ids start at `first_id`, increase and are never reused), dropping tasks
    /// past the retention; returns the new task's id.
    pub fn submit(
        &mut self,
        first_id: u64,
        kind: ContentKind,
        items: Vec<TaskItem>,
        now: DateTime<Utc>,
        delay: Duration,
    ) -> u64 {
        let floor = self.tasks.keys().next_back().map_or(0, |k| k + 1);
        let id = self.next_id.max(first_id).max(floor);
        self.next_id = id + 1;
        self.tasks.retain(|_, t| t.created + RETENTION > now);
        self.tasks.insert(
            id,
            Task {
                id,
                kind,
                created: now,
                done_at: now + TimeDelta::from_std(delay).unwrap_or(TimeDelta::MAX),
                items,
            },
        );
        id
    }

    /// The task `raw` names (a decimal id), if it is known.
    pub fn get(&self, raw: &str) -> Option<&Task> {
        self.tasks.get(&raw.trim().parse::<u64>().ok()?)
    }

    /// Tasks created within the retention before `now`, newest first.
    pub fn recent(&self, now: DateTime<Utc>) -> impl Iterator<Item = &Task> {
        self.tasks
            .values()
            .rev()
            .filter(move |t| t.created + RETENTION > now && t.created <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_714_564_800, 0).unwrap() + TimeDelta::milliseconds(ms)
    }

    #[test]
    fn lifecycle_pending_running_then_done_or_failed() {
        let mut b = TaskBook::default();
        let items = vec![
            TaskItem::ok("http://a.com/1"),
            TaskItem::failing("http://x.com/2", "nope"),
        ];
        let id = b.submit(
            100,
            ContentKind::Url,
            items,
            t(0),
            Duration::from_millis(1000),
        );
        assert_eq!(id, 100);
        let task = &b.tasks[&id];
        assert_eq!(task.phase(t(0)), TaskPhase::Pending);
        assert_eq!(task.phase(t(499)), TaskPhase::Pending);
        assert_eq!(task.phase(t(500)), TaskPhase::Running);
        assert_eq!(task.item_phase(1, t(999)), TaskPhase::Running);
        assert_eq!(task.item_phase(0, t(1000)), TaskPhase::Done);
        assert_eq!(task.item_phase(1, t(1000)), TaskPhase::Failed);
        assert_eq!(task.phase(t(1000)), TaskPhase::Failed);
        assert_eq!(task.failed_urls(), vec!["http://x.com/2".to_string()]);
        // No delay: finished at once.
        let id = b.submit(
            100,
            ContentKind::Dir,
            vec![TaskItem::ok("http://a.com/")],
            t(0),
            Duration::ZERO,
        );
        assert_eq!(id, 101);
        assert_eq!(b.tasks[&id].phase(t(0)), TaskPhase::Done);
    }

    #[test]
    fn ids_increase_and_old_tasks_are_dropped() {
        let mut b = TaskBook::default();
        let one = vec![TaskItem::ok("http://a.com/")];
        let a = b.submit(7, ContentKind::Url, one.clone(), t(0), Duration::ZERO);
        let later = t(0) + RETENTION;
        assert_eq!(b.recent(later - TimeDelta::seconds(1)).count(), 1);
        assert_eq!(b.recent(later).count(), 0);
        let c = b.submit(7, ContentKind::Url, one, later, Duration::ZERO);
        assert_eq!((a, c), (7, 8));
        assert_eq!(b.tasks.keys().copied().collect::<Vec<_>>(), vec![8]);
        assert!(b.get("8").is_some());
        assert!(b.get("7").is_none());
        assert!(b.get("x").is_none());
        // An old file without next_id still never reuses an id.
        let mut old: TaskBook = serde_json::from_value(serde_json::to_value(&b).unwrap()).unwrap();
        old.next_id = 0;
        assert_eq!(
            old.submit(1, ContentKind::Url, vec![], later, Duration::ZERO),
            9
        );
    }
}
