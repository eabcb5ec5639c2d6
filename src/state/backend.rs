//! The `StateBackend` trait every state store implements (a local file,
//! PostgreSQL), with the journal and lock handles it hands out.

use super::error::StateError;
use super::model::{JournalOp, State};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Where the state lives and how it is locked, loaded, journaled and saved.
///
/// A run takes the lock, loads, calls `begin` once, `record`s every finished
/// change as it happens, and finally `persist`s the folded state.
pub trait StateBackend: Send + Sync {
    /// One line for humans, e.g. `local state file state/cdnform.state.json`.
    fn describe(&self) -> String;
    /// The latest snapshot with any leftover journal replayed onto it. Never
    /// writes: the caller persists when it is ready.
    fn load(&self) -> Result<Loaded, StateError>;
    /// Take the lock, waiting up to `timeout` (zero: fail at once).
    fn lock(
        &self,
        request: &LockRequest,
        timeout: Duration,
    ) -> Result<Box<dyn LockGuard>, StateError>;
    /// Break a lock left by a dead process; `id` must match the holder's.
    fn force_unlock(&self, id: &str) -> Result<(), StateError>;
    /// A journal whose records apply to `state`'s lineage and serial.
    fn begin(&self, state: &State) -> Result<Box<dyn Journal>, StateError>;
    /// Bump `state.serial`, write it as the new snapshot and clear the
    /// journal. On error `state` is left as it was.
    fn persist(&self, state: &mut State) -> Result<(), StateError>;
    /// Write `state` as the snapshot exactly as it is (serial included),
    /// whatever is stored now, and clear the journal. For `migrate`, which
    /// makes its own checks under the lock; everything else uses `persist`.
    fn overwrite(&self, state: &State) -> Result<(), StateError>;
}

/// Durable record of finished changes between two snapshots.
pub trait Journal: Send {
    /// Make `op` durable before returning (one fsynced record per call).
    fn record(&mut self, op: &JournalOp) -> Result<(), StateError>;
}

/// A held lock; released when dropped.
pub trait LockGuard: Send {
    fn info(&self) -> &LockInfo;
    /// The holder whose lock this one took over because its process ended
    /// without releasing it (killed, crashed). `None` normally.
    fn taken_over(&self) -> Option<&LockInfo> {
        None
    }
}

/// What the caller wants the lock for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockRequest {
    /// The command taking the lock: "plan", "apply", ...
    pub operation: String,
}

impl LockRequest {
    pub fn new(operation: impl Into<String>) -> Self {
        LockRequest {
            operation: operation.into(),
        }
    }
}

/// Who holds a lock, as stored in the lock and shown in `Locked` errors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    pub id: String,
    pub operation: String,
    /// `user@host`.
    pub who: String,
    pub pid: u32,
    pub host: String,
    /// RFC 3339, UTC.
    pub created: String,
    /// The state the lock protects.
    pub path: String,
}

impl LockInfo {
    /// A new lock held by this process, with a fresh id.
    pub fn for_this_process(operation: &str, path: String) -> LockInfo {
        let host = gethostname::gethostname().to_string_lossy().into_owned();
        let user = ["USER", "LOGNAME", "USERNAME"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| "unknown".to_string());
        LockInfo {
            id: uuid::Uuid::new_v4().to_string(),
            operation: operation.to_string(),
            who: format!("{user}@{host}"),
            pid: std::process::id(),
            host,
            created: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            path,
        }
    }
}

/// The result of `StateBackend::load`.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub state: State,
    /// Things the user should know but that did not stop the load (dropped
    /// torn journal record, records for another serial, ...).
    pub warnings: Vec<String>,
    /// How many journal records were applied onto the snapshot.
    pub replayed: usize,
    /// Whether a snapshot existed (false on first use).
    pub exists: bool,
}
