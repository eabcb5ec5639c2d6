//! The local backend's lock: `<state>.lock`, created exclusively and holding
//! the holder's `LockInfo` as JSON; removed when the guard is dropped.

use super::backend::{LockGuard, LockInfo, LockRequest};
use super::error::StateError;
use super::fsutil::{ensure_parent, sync_parent};
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How often a waiting `lock` looks again.
const POLL: Duration = Duration::from_millis(100);

/// `<state>.<suffix>`, e.g. `cdnform.state.json.lock`.
pub(crate) fn sibling(state_path: &Path, suffix: &str) -> PathBuf {
    let mut s = state_path.as_os_str().to_os_string();
    s.push(".");
    s.push(suffix);
    PathBuf::from(s)
}

/// A lock file this process created; deleted on drop.
#[derive(Debug)]
pub(crate) struct LocalLock {
    info: LockInfo,
    path: PathBuf,
}

impl LockGuard for LocalLock {
    fn info(&self) -> &LockInfo {
        &self.info
    }
}

impl Drop for LocalLock {
    fn drop(&mut self) {
        // Only remove the file if it is still ours: after a force-unlock
        // someone else may hold a new lock under the same name.
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
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                let written = file.write_all(&body).and_then(|()| file.sync_all());
                if let Err(e) = written {
                    let _ = std::fs::remove_file(&path);
                    return Err(StateError::io("write", &path, e));
                }
                let lock = LocalLock { info, path };
                sync_parent(&lock.path)?;
                return Ok(lock);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let now = Instant::now();
                if now >= deadline {
                    match read_holder(&path) {
                        Ok(Some(held)) => return Err(locked(held, path)),
                        // Released just now: try once more.
                        Ok(None) => continue,
                        Err(e) => return Err(e),
                    }
                }
                std::thread::sleep(POLL.min(deadline - now));
            }
            Err(e) => return Err(StateError::io("create", &path, e)),
        }
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
