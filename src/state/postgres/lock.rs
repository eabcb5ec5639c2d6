//! The postgres backend's lock: a session-level advisory lock on the
//! workspace's key, held by a session opened for that lock alone (and idle
//! while held), so that the server releases it when its holder's session
//! ends: at once for a killed process, and for a host or network that
//! vanished once the server's TCP keepalive gives up on it. Who holds it is
//! written to `locks` so that a `Locked` error can name them, and
//! `force_unlock` ends the holder's session.

use super::conn::{Failure, PgConn};
use super::{Names, Shared};
use crate::state::backend::{LockGuard, LockInfo, LockRequest};
use crate::state::error::StateError;
use postgres::Client;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// First and longest pause between two tries of a waiting `lock`.
const FIRST_PAUSE: Duration = Duration::from_millis(50);
const LONGEST_PAUSE: Duration = Duration::from_secs(1);
/// How many times a timed-out `lock` looks again for the row of a holder
/// that has not written it yet, before naming it from `pg_stat_activity`.
const UNRECORDED_LOOKS: u32 = 10;
/// How long `force_unlock` waits for the ended session to let go.
const RELEASE_WAIT: Duration = Duration::from_secs(10);

/// The pid of the session holding advisory lock `$1` in this database.
/// pg_locks splits a bigint key into classid (high half) and objid (low
/// half); shifting back wraps like the key's own sign bit.
const HOLDER_SQL: &str = "SELECT pid FROM pg_locks \
     WHERE locktype = 'advisory' AND granted AND objsubid = 1 \
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
       AND ((classid::bigint << 32) | objid::bigint) = $1";

/// A held advisory lock; released (and its `locks` row removed) on drop.
pub(crate) struct PgLock {
    info: LockInfo,
    shared: Arc<Shared>,
    /// The session holding the lock; closing it releases the lock.
    session: Option<PgConn>,
}

impl LockGuard for PgLock {
    fn info(&self) -> &LockInfo {
        &self.info
    }
}

impl Drop for PgLock {
    fn drop(&mut self) {
        let Some(session) = self.session.take() else {
            return;
        };
        // Best effort: if this fails the session's end below releases the
        // lock anyway, and a leftover row is overwritten by the next holder.
        let (sql, ws, id, key) = (
            format!(
                "DELETE FROM {}.locks WHERE workspace = $1 AND lock_id = $2",
                self.shared.names.schema
            ),
            self.shared.names.workspace.clone(),
            self.info.id.clone(),
            self.shared.names.lock_key,
        );
        let _ = session.call(move |c| {
            c.execute(&sql, &[&ws, &id])?;
            c.execute("SELECT pg_advisory_unlock($1)", &[&key])?;
            Ok(())
        });
        drop(session);
    }
}

/// Take the workspace's lock, trying again with growing pauses until
/// `timeout` has passed.
pub(crate) fn acquire(
    shared: &Arc<Shared>,
    request: &LockRequest,
    timeout: Duration,
) -> Result<PgLock, StateError> {
    let session = PgConn::open(&shared.config, false).map_err(|f| shared.failed("lock", f))?;
    let info = LockInfo::for_this_process(&request.operation, shared.names.location.clone());
    let body = serde_json::to_string(&info).map_err(StateError::Encode)?;
    // A server-side idle_session_timeout (PostgreSQL 14+) would end this
    // session, and the lock with it, while a long apply runs.
    session
        .call(|c| {
            c.batch_execute(
                "SELECT set_config('idle_session_timeout', '0', false) \
                 WHERE current_setting('idle_session_timeout', true) IS NOT NULL",
            )?;
            Ok(())
        })
        .map_err(|f| shared.failed("lock", f))?;
    let deadline = Instant::now() + timeout;
    let mut pause = FIRST_PAUSE;
    let mut unrecorded_looks = 0;
    loop {
        let (key, ws, id, body) = (
            shared.names.lock_key,
            shared.names.workspace.clone(),
            info.id.clone(),
            body.clone(),
        );
        let insert = format!(
            "INSERT INTO {}.locks (workspace, lock_id, info, backend_pid) \
             VALUES ($1, $2, $3, pg_backend_pid()) \
             ON CONFLICT (workspace) DO UPDATE SET lock_id = EXCLUDED.lock_id, \
               info = EXCLUDED.info, backend_pid = EXCLUDED.backend_pid, created_at = now()",
            shared.names.schema
        );
        let taken = session
            .call(move |c| {
                let got: bool = c
                    .query_one("SELECT pg_try_advisory_lock($1)", &[&key])?
                    .get(0);
                if got {
                    // A row left by a holder whose session died is replaced.
                    c.execute(&insert, &[&ws, &id, &body])?;
                }
                Ok(got)
            })
            .map_err(|f| shared.failed("lock", f))?;
        if taken {
            return Ok(PgLock {
                info,
                shared: shared.clone(),
                session: Some(session),
            });
        }
        let now = Instant::now();
        if now >= deadline {
            match holder(shared)? {
                Some((info, recorded)) if recorded || unrecorded_looks >= UNRECORDED_LOOKS => {
                    return Err(StateError::Locked {
                        info: Box::new(info),
                        path: PathBuf::from(&shared.names.location),
                        stale: false,
                    });
                }
                // A holder between taking the lock and writing its row:
                // look again shortly, to name it properly.
                Some(_) => unrecorded_looks += 1,
                // Released between our try and our look: try once more.
                None => {}
            }
            std::thread::sleep(FIRST_PAUSE);
            continue;
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(LONGEST_PAUSE);
    }
}

/// Who holds the lock now, and whether it recorded itself in `locks`;
/// `None` when nobody holds it. A holder without a current row (one that
/// has only just taken the lock, or a session that is not cdnform's) is
/// described from `pg_stat_activity`, under ID `unknown`.
fn holder(shared: &Shared) -> Result<Option<(LockInfo, bool)>, StateError> {
    let s = shared.names.clone();
    shared.main_call("read the lock of", move |c| {
        let Some(pid) = holder_pid(c, s.lock_key)? else {
            return Ok(None);
        };
        if let Some((info, row_pid)) = lock_row(c, &s)? {
            if row_pid == pid {
                return Ok(Some((info, true)));
            }
        }
        let activity = c.query_opt(
            "SELECT coalesce(usename::text, '?'), coalesce(client_addr::text, 'local'), \
                    to_char(backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), \
                    coalesce(application_name, '') \
             FROM pg_stat_activity WHERE pid = $1",
            &[&pid],
        )?;
        let (user, addr, since, app): (String, String, String, String) = match activity {
            Some(r) => (r.get(0), r.get(1), r.get(2), r.get(3)),
            None => ("?".into(), "?".into(), "?".into(), String::new()),
        };
        let app = if app.is_empty() {
            String::new()
        } else {
            format!(" ({app})")
        };
        let info = LockInfo {
            id: "unknown".into(),
            operation: "unknown".into(),
            who: format!("{user}@{addr} in PostgreSQL session {pid}{app}"),
            pid: 0,
            host: addr,
            created: since,
            path: s.location.clone(),
        };
        Ok(Some((info, false)))
    })
}

fn holder_pid(c: &mut Client, key: i64) -> Result<Option<i32>, Failure> {
    Ok(c.query_opt(HOLDER_SQL, &[&key])?.map(|r| r.get(0)))
}

/// The `locks` row of the workspace: the holder it names and the server
/// pid of the session that wrote it.
fn lock_row(c: &mut Client, s: &Names) -> Result<Option<(LockInfo, i32)>, Failure> {
    let row = c.query_opt(
        &format!(
            "SELECT info, backend_pid FROM {}.locks WHERE workspace = $1",
            s.schema
        ),
        &[&s.workspace],
    )?;
    let Some(row) = row else {
        return Ok(None);
    };
    let text: String = row.get(0);
    let info: LockInfo = serde_json::from_str(&text).map_err(|e| StateError::CorruptStored {
        location: s.location.clone(),
        detail: format!("its row in the `locks` table cannot be read ({e})"),
    })?;
    Ok(Some((info, row.get(1))))
}

/// End the session holding the lock if the lock's ID is `id`.
pub(crate) fn force_unlock(shared: &Shared, id: &str) -> Result<(), StateError> {
    let s = shared.names.clone();
    let id = id.to_string();
    shared.main_call("unlock", move |c| {
        let not_locked = || StateError::NotLocked {
            path: PathBuf::from(&s.location),
        };
        let delete = format!(
            "DELETE FROM {}.locks WHERE workspace = $1 AND lock_id = $2",
            s.schema
        );
        let Some(pid) = holder_pid(c, s.lock_key)? else {
            // Nobody holds it: at most a row left by a dead session, which
            // the next holder would overwrite anyway.
            c.execute(&delete, &[&s.workspace, &id])?;
            return Err(not_locked().into());
        };
        let held = match lock_row(c, &s)? {
            Some((info, row_pid)) if row_pid == pid => info.id,
            _ => "unknown (the holder has not recorded itself)".to_string(),
        };
        if held != id {
            return Err(StateError::LockIdMismatch {
                path: PathBuf::from(&s.location),
                held,
                given: id.clone(),
            }
            .into());
        }
        let ended: bool = c
            .query_one("SELECT pg_terminate_backend($1)", &[&pid])?
            .get(0);
        let deadline = Instant::now() + RELEASE_WAIT;
        while ended && holder_pid(c, s.lock_key)? == Some(pid) {
            if Instant::now() >= deadline {
                break;
            }
            std::thread::sleep(FIRST_PAUSE);
        }
        if holder_pid(c, s.lock_key)? == Some(pid) {
            return Err(StateError::Postgres {
                action: "unlock",
                location: s.location.clone(),
                detail: format!(
                    "PostgreSQL session {pid}, which holds the lock, could not be ended \
                     (pg_terminate_backend needs the holder's role, or pg_signal_backend)"
                ),
            }
            .into());
        }
        c.execute(&delete, &[&s.workspace, &id])?;
        Ok(())
    })
}
