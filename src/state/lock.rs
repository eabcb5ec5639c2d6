//! The local backend's lock: `<state>.lock`, holding the holder's `LockInfo`
//! as JSON, with an exclusive OS lock (`flock`) on the open file for as long
//! as the holder lives. The OS lock is what excludes; the JSON only says who
//! holds it. A process that dies, SIGKILL included, loses its OS lock with
//! it, so the next run takes the lock over without `force-unlock` (as
//! Terraform's local backend does with its lock on the state file). The
//! file is removed when the guard is dropped.

use super::backend::{LockGuard, LockInfo, LockRequest};
use super::error::StateError;
use super::fsutil::{ensure_parent, sync_parent};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How often a waiting `lock` looks again.
const POLL: Duration = Duration::from_millis(100);

/// How long a holder may take to write its record after taking the lock.
const HOLDER_GRACE: Duration = Duration::from_secs(1);

/// `<state>.<suffix>`, e.g. `cdnform.state.json.lock`.
pub(crate) fn sibling(state_path: &Path, suffix: &str) -> PathBuf {
    let mut s = state_path.as_os_str().to_os_string();
    s.push(".");
    s.push(suffix);
    PathBuf::from(s)
}

/// A lock this process holds: the open lock file (its OS lock is released
/// when the file is closed) and what it wrote into it.
#[derive(Debug)]
pub(crate) struct LocalLock {
    info: LockInfo,
    path: PathBuf,
    /// Held open for the OS lock; closed (unlocked) after the file is removed.
    _file: File,
    /// The holder recorded in the file when it was taken over from a process
    /// that ended without releasing it.
    taken_over: Option<LockInfo>,
}

impl LockGuard for LocalLock {
    fn info(&self) -> &LockInfo {
        &self.info
    }
    fn taken_over(&self) -> Option<&LockInfo> {
        self.taken_over.as_ref()
    }
}

impl Drop for LocalLock {
    fn drop(&mut self) {
        // Only remove the file if it is still ours: after a force-unlock
        // someone else may hold a new lock under the same name. Removing it
        // before the OS lock goes (when `_file` closes) is safe: a waiter
        // that opened this file checks, once it holds the lock, that the
        // path still names it, and starts over when it does not.
        if let Ok(Some(held)) = read_holder(&self.path) {
            if held.id == self.info.id {
                let _ = std::fs::remove_file(&self.path);
            }
        }
    }
}

/// Take the lock on `state_path`, polling until `timeout` has passed.
pub(crate) fn acquire(
    state_path: &Path,
    request: &LockRequest,
    timeout: Duration,
) -> Result<LocalLock, StateError> {
    let path = sibling(state_path, "lock");
    ensure_parent(&path)?;
    let info = LockInfo::for_this_process(&request.operation, state_path.display().to_string());
    let mut body = serde_json::to_vec_pretty(&info).map_err(StateError::Encode)?;
    body.push(b'\n');
    let deadline = Instant::now() + timeout;
    loop {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| StateError::io("open", &path, e))?;
        match file.try_lock() {
            Ok(()) => {
                if !still_at(&file, &path) {
                    // Released and removed between our open and our lock.
                    continue;
                }
                // A holder that died (its OS lock went with it) leaves its
                // record behind: we take over from it.
                let taken_over = read_holder(&path).ok().flatten();
                let written = file
                    .set_len(0)
                    .and_then(|()| file.write_all(&body))
                    .and_then(|()| file.sync_all());
                if let Err(e) = written {
                    let _ = std::fs::remove_file(&path);
                    return Err(StateError::io("write", &path, e));
                }
                sync_parent(&path)?;
                return Ok(LocalLock {
                    info,
                    path,
                    _file: file,
                    taken_over,
                });
            }
            Err(TryLockError::WouldBlock) => {
                let now = Instant::now();
                if now >= deadline {
                    match read_holder(&path) {
                        Ok(Some(held)) => return Err(locked(held, path)),
                        // Released just now, or the holder has only just
                        // opened the file: give it a moment to write.
                        Ok(None) if now < deadline + HOLDER_GRACE => {}
                        Ok(None) => {
                            return Err(StateError::LockUnreadable {
                                path,
                                detail: "a running process holds it without saying who it is"
                                    .to_string(),
                            })
                        }
                        Err(e) => return Err(e),
                    }
                }
                std::thread::sleep(
                    POLL.min(deadline.saturating_duration_since(now))
                        .max(POLL / 10),
                );
            }
            Err(TryLockError::Error(e)) => return Err(StateError::io("lock", &path, e)),
        }
    }
}

/// Whether `path` still names the open `file` (it may have been removed,
/// or replaced by a new lock file, since we opened it).
fn still_at(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// Remove the lock on `state_path` if it is held under `id`.
pub(crate) fn force_unlock(state_path: &Path, id: &str) -> Result<(), StateError> {
    let path = sibling(state_path, "lock");
    match read_holder(&path)? {
        None => Err(StateError::NotLocked { path }),
        Some(held) if held.id != id => Err(StateError::LockIdMismatch {
            path,
            held: held.id,
            given: id.to_string(),
        }),
        Some(_) => {
            std::fs::remove_file(&path).map_err(|e| StateError::io("remove", &path, e))?;
            sync_parent(&path)
        }
    }
}

/// The holder recorded in the lock file; `None` when there is no lock.
fn read_holder(path: &Path) -> Result<Option<LockInfo>, StateError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StateError::io("read", path, e)),
    };
    if bytes.is_empty() {
        // Created, not yet written (or left empty by a crash).
        return Ok(None);
    }
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| StateError::LockUnreadable {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })
}

fn locked(info: LockInfo, path: PathBuf) -> StateError {
    let this_host = gethostname::gethostname().to_string_lossy().into_owned();
    let stale = info.host == this_host && process_gone(info.pid);
    StateError::Locked {
        info: Box::new(info),
        path,
        stale,
    }
}

/// True only when we can tell that no process `pid` exists on this host.
fn process_gone(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").is_dir() && !Path::new(&format!("/proc/{pid}")).exists()
    } else {
        false
    }
}
