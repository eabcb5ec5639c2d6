//! `LocalBackend`: the state as a pretty-JSON file on disk, written by
//! atomic rename with the previous version kept as `.backup`, a journal
//! beside it for per-change durability, and a lock file.

use super::backend::{Journal, Loaded, LockGuard, LockRequest, StateBackend};
use super::error::StateError;
use super::fsutil::{ensure_parent, parent_dir, sync_parent};
use super::journal::{self, LocalJournal};
use super::lock::{self, sibling};
use super::model::{State, FORMAT_VERSION};
use super::snapshot::{self, SnapshotError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the local state lives unless configured otherwise.
pub const DEFAULT_STATE_PATH: &str = "state/cdnform.state.json";

/// The state in one local file, e.g. `state/cdnform.state.json`.
#[derive(Clone, Debug)]
pub struct LocalBackend {
    path: PathBuf,
}

impl LocalBackend {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        LocalBackend { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn journal_path(&self) -> PathBuf {
        sibling(&self.path, "journal")
    }

    pub fn backup_path(&self) -> PathBuf {
        sibling(&self.path, "backup")
    }

    pub fn lock_path(&self) -> PathBuf {
        sibling(&self.path, "lock")
    }

    /// The snapshot on disk, `None` when there is none yet.
    fn read_snapshot(&self) -> Result<Option<State>, StateError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => parse_snapshot(&bytes, &self.path).map(Some),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StateError::io("read", &self.path, e)),
        }
    }

    /// Refuse to replace a file that is not an older version of `state`.
    fn check_replaceable(&self, state: &State) -> Result<(), StateError> {
        let Some(on_disk) = self.read_snapshot()? else {
            return Ok(());
        };
        if on_disk.lineage != state.lineage {
            return Err(StateError::LineageMismatch {
                path: self.path.clone(),
                on_disk: on_disk.lineage,
                writing: state.lineage.clone(),
            });
        }
        if on_disk.serial > state.serial {
            return Err(StateError::StaleSerial {
                path: self.path.clone(),
                on_disk: on_disk.serial,
                writing: state.serial,
            });
        }
        Ok(())
    }

    fn remove_journal(&self) -> Result<(), StateError> {
        let journal = self.journal_path();
        match std::fs::remove_file(&journal) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StateError::io("remove", &journal, e)),
        }
    }

    /// Write `state` as the new snapshot: temp file, fsync, `.backup`,
    /// rename, directory fsync.
    fn write_snapshot(&self, state: &State) -> Result<(), StateError> {
        let mut body = serde_json::to_vec_pretty(state).map_err(StateError::Encode)?;
        body.push(b'\n');
        ensure_parent(&self.path)?;
        let tmp = write_temp(&self.path, &body)?;
        if self.path.exists() {
            // Copy (not rename) so that the state file exists at every instant.
            let previous =
                std::fs::read(&self.path).map_err(|e| StateError::io("read", &self.path, e))?;
            let backup = self.backup_path();
            let tmp_backup = write_temp(&self.path, &previous)?;
            tmp_backup
                .persist(&backup)
                .map_err(|e| StateError::io("write", &backup, e.error))?;
        }
        tmp.persist(&self.path)
            .map_err(|e| StateError::io("replace", &self.path, e.error))?;
        sync_parent(&self.path)
    }
}

impl StateBackend for LocalBackend {
    fn describe(&self) -> String {
        format!("local state file {}", self.path.display())
    }

    fn load(&self) -> Result<Loaded, StateError> {
        let snapshot = self.read_snapshot()?;
        let exists = snapshot.is_some();
        let journal_path = self.journal_path();
        let mut contents = journal::read(&journal_path)?;
        let mut state = match snapshot {
            Some(s) => s,
            None => {
                // First run crashed before its first snapshot: the journal's
                // lineage is the state's, or its records would be orphaned.
                let mut s = State::new();
                if let Some((_, first)) = contents.as_ref().and_then(|c| c.records.first()) {
                    s.lineage = first.lineage.clone();
                    s.serial = first.serial;
                }
                s
            }
        };
        let (replayed, warnings) = match contents.as_mut() {
            Some(c) => (
                c.replay_onto(&mut state, &journal_path),
                std::mem::take(&mut c.warnings),
            ),
            None => (0, Vec::new()),
        };
        Ok(Loaded {
            state,
            warnings,
            replayed,
            exists,
        })
    }

    fn lock(
        &self,
        request: &LockRequest,
        timeout: Duration,
    ) -> Result<Box<dyn LockGuard>, StateError> {
        Ok(Box::new(lock::acquire(&self.path, request, timeout)?))
    }

    fn force_unlock(&self, id: &str) -> Result<(), StateError> {
        lock::force_unlock(&self.path, id)
    }

    fn begin(&self, state: &State) -> Result<Box<dyn Journal>, StateError> {
        ensure_parent(&self.path)?;
        Ok(Box::new(LocalJournal::open(&self.journal_path(), state)?))
    }

    fn persist(&self, state: &mut State) -> Result<(), StateError> {
        self.check_replaceable(state)?;
        let mut next = state.clone();
        next.serial += 1;
        next.format_version = FORMAT_VERSION;
        self.write_snapshot(&next)?;
        *state = next;
        // The journal's records now carry an older serial, so a failure to
        // remove it is harmless: the next load ignores them with a warning.
        self.remove_journal()
    }

    fn overwrite(&self, state: &State) -> Result<(), StateError> {
        let mut state = state.clone();
        state.format_version = FORMAT_VERSION;
        // What was there is kept as `.backup`, as with every write.
        self.write_snapshot(&state)?;
        self.remove_journal()
    }
}

/// Parse a state file's bytes (format version checked, entries sorted,
/// duplicates refused); `path` names it in errors.
pub fn parse_snapshot(bytes: &[u8], path: &Path) -> Result<State, StateError> {
    snapshot::parse(bytes).map_err(|e| match e {
        SnapshotError::Newer(found) => StateError::NewerFormat {
            path: path.to_path_buf(),
            found,
            supported: FORMAT_VERSION,
        },
        SnapshotError::Invalid(detail) => StateError::Corrupt {
            path: path.to_path_buf(),
            detail,
        },
    })
}

/// A synced temp file in `path`'s directory holding `body`.
fn write_temp(path: &Path, body: &[u8]) -> Result<tempfile::NamedTempFile, StateError> {
    let dir = parent_dir(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(".cdnform-state-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| StateError::io("create a temporary file in", dir, e))?;
    tmp.write_all(body)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| StateError::io("write", tmp.path(), e))?;
    Ok(tmp)
}
