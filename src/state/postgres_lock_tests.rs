//! Tests of the postgres backend's advisory locks against a real server:
//! waiting, timing out with the holder named, workspaces apart, release by
//! a dying session (a killed process), and `force_unlock`.

use super::backend::{LockInfo, LockRequest, StateBackend};
use super::error::StateError;
use super::test_pg::{test_pg, TestPg};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ZERO: Duration = Duration::ZERO;

fn lock_err(b: &dyn StateBackend, op: &str, timeout: Duration) -> StateError {
    match b.lock(&LockRequest::new(op), timeout) {
        Ok(g) => panic!("locked, but {:?} should hold it", g.info()),
        Err(e) => e,
    }
}

fn holder_of(err: &StateError) -> &LockInfo {
    match err {
        StateError::Locked { info, stale, .. } => {
            assert!(!stale);
            info
        }
        other => panic!("not a Locked error: {other}"),
    }
}

#[test]
fn second_locker_fails_naming_the_holder() {
    let pg = test_pg!("lock_names_holder");
    let (a, b) = (pg.backend(), pg.backend());
    let guard = a.lock(&LockRequest::new("apply"), ZERO).unwrap();
    let err = lock_err(&b, "plan", ZERO);
    let info = holder_of(&err);
    assert_eq!(info, guard.info());
    assert_eq!(info.pid, std::process::id());
    assert_eq!(info.path, a.describe());
    let msg = err.to_string();
    for part in [
        guard.info().who.as_str(),
        &format!("pid {}", std::process::id()),
        "`apply`",
        &guard.info().created,
        &format!("cdnform force-unlock {}", guard.info().id),
        &format!("held in {}", a.describe()),
    ] {
        assert!(msg.contains(part), "{part:?} not in {msg}");
    }
}

#[test]
fn a_waiting_locker_gets_the_lock_after_release() {
    let pg = test_pg!("lock_waits");
    let (a, b) = (pg.backend(), pg.backend());
    let guard = a.lock(&LockRequest::new("apply"), ZERO).unwrap();
    let start = Instant::now();
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(400));
        drop(guard);
    });
    let got = b.lock(&LockRequest::new("plan"), Duration::from_secs(20));
    releaser.join().unwrap();
    assert_eq!(got.unwrap().info().operation, "plan");
    assert!(start.elapsed() >= Duration::from_millis(400));
}

#[test]
fn a_waiting_locker_times_out_with_the_holder_named() {
    let pg = test_pg!("lock_timeout");
    let (a, b) = (pg.backend(), pg.backend());
    let guard = a.lock(&LockRequest::new("apply"), ZERO).unwrap();
    let start = Instant::now();
    let err = lock_err(&b, "plan", Duration::from_millis(600));
    assert!(start.elapsed() >= Duration::from_millis(600));
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(holder_of(&err).id, guard.info().id);
}

#[test]
fn dropping_the_guard_releases_and_clears_the_row() {
    let pg = test_pg!("lock_drop");
    let b = pg.backend();
    let guard = b.lock(&LockRequest::new("apply"), ZERO).unwrap();
    assert_eq!(pg.count("locks"), 1);
    drop(guard);
    assert_eq!(pg.count("locks"), 0);
    assert!(b.lock(&LockRequest::new("apply"), ZERO).is_ok());
}

#[test]
fn different_workspaces_and_schemas_do_not_block_each_other() {
    let pg = test_pg!("lock_workspaces");
    let other = test_pg!("lock_workspaces_other");
    let (a, b, c) = (pg.workspace("a"), pg.workspace("b"), other.workspace("a"));
    let _ga = a.lock(&LockRequest::new("apply"), ZERO).unwrap();
    let _gb = b.lock(&LockRequest::new("apply"), ZERO).unwrap();
    let _gc = c.lock(&LockRequest::new("apply"), ZERO).unwrap();
    holder_of(&lock_err(&pg.workspace("a"), "plan", ZERO));
}

#[test]
fn force_unlock_needs_the_right_id() {
    let pg = test_pg!("force_unlock");
    let b = pg.backend();
    assert!(matches!(
        b.force_unlock("x"),
        Err(StateError::NotLocked { .. })
    ));
    let guard = b.lock(&LockRequest::new("apply"), ZERO).unwrap();
    let id = guard.info().id.clone();
    let err = b.force_unlock("wrong").unwrap_err();
    assert!(matches!(err, StateError::LockIdMismatch { .. }), "{err}");
    assert!(err.to_string().contains(&id), "{err}");
    holder_of(&lock_err(&b, "plan", ZERO)); // still held
    b.force_unlock(&id).unwrap();
    // Someone else locks; the old guard's drop must not remove their row.
    let other = b.lock(&LockRequest::new("plan"), ZERO).unwrap();
    drop(guard);
    assert_eq!(pg.count("locks"), 1);
    assert_eq!(holder_of(&lock_err(&b, "x", ZERO)).id, other.info().id);
    drop(other);
    assert_eq!(pg.count("locks"), 0);
}

/// `cargo test` runs this binary; a lock-holding child is this binary
/// again, running only `lock_holder_child`.
struct LockHolder {
    child: Child,
    info: LockInfo,
}

impl LockHolder {
    fn spawn(pg: &TestPg) -> LockHolder {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "state::postgres_lock_tests::lock_holder_child",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_SCHEMA_ENV, &pg.schema)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let info = loop {
            let line = lines
                .next()
                .expect("the child exited before taking the lock")
                .unwrap();
            // After libtest's `test <name> ... ` on the same line.
            if let Some(i) = line.find("locked {") {
                break serde_json::from_str(&line[i + "locked ".len()..]).unwrap();
            }
        };
        LockHolder { child, info }
    }
}

impl Drop for LockHolder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const CHILD_SCHEMA_ENV: &str = "CDNFORM_TEST_PG_CHILD_SCHEMA";

/// The child of the tests below: take the lock, say so, and wait to be
/// killed (or give up after two minutes).
#[test]
#[ignore = "run by the lock tests as a child process"]
fn lock_holder_child() {
    let Ok(schema) = std::env::var(CHILD_SCHEMA_ENV) else {
        return;
    };
    let conn = super::test_pg::server().unwrap();
    let b = super::postgres::PostgresBackend::new(
        Some(super::postgres::ConnString::new(conn)),
        Some(schema),
        None,
    )
    .unwrap();
    let guard = b.lock(&LockRequest::new("apply"), ZERO).unwrap();
    println!("locked {}", serde_json::to_string(guard.info()).unwrap());
    std::thread::sleep(Duration::from_secs(120));
}

#[test]
fn a_killed_holder_s_lock_is_released() {
    let pg = test_pg!("lock_killed_holder");
    let b = pg.backend();
    let mut holder = LockHolder::spawn(&pg);
    let held = holder_of(&lock_err(&b, "plan", ZERO)).clone();
    assert_eq!(held, holder.info);
    assert_eq!(held.pid, holder.child.id());
    // SIGKILL: no destructor runs, the child's sessions just vanish.
    holder.child.kill().unwrap();
    holder.child.wait().unwrap();
    let guard = b
        .lock(&LockRequest::new("plan"), Duration::from_secs(20))
        .expect("the server releases a dead session's lock");
    // The dead holder's row was replaced by ours.
    assert_eq!(pg.count("locks"), 1);
    assert_eq!(holder_of(&lock_err(&b, "x", ZERO)).id, guard.info().id);
}

#[test]
fn force_unlock_ends_a_live_holder_s_session() {
    let pg = test_pg!("force_unlock_remote");
    let b = pg.backend();
    let holder = LockHolder::spawn(&pg);
    let err = b.force_unlock("wrong").unwrap_err();
    assert!(matches!(err, StateError::LockIdMismatch { .. }), "{err}");
    holder_of(&lock_err(&b, "plan", ZERO));
    b.force_unlock(&holder.info.id).unwrap();
    // The holder process lives on, but its lock session is gone.
    assert!(b.lock(&LockRequest::new("plan"), ZERO).is_ok());
}

#[test]
fn a_lock_taken_outside_cdnform_is_honoured_and_released_with_its_session() {
    let pg = test_pg!("lock_foreign_psql");
    let b = pg.backend();
    let key = super::postgres::state_lock_key(&pg.schema, "default");
    let Some(psql) = psql() else {
        assert!(
            std::env::var(super::test_pg::REQUIRE_ENV).as_deref() != Ok("1"),
            "psql not found"
        );
        eprintln!("skipped: psql not found");
        return;
    };
    // The lock is taken, then psql waits, idle, for more input. (A session
    // killed in the middle of a query would keep its lock until the query
    // ends: the server notices a vanished client only when it next talks
    // to it. cdnform's lock sessions are always idle.)
    let mut child = Command::new(&psql)
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", &pg.conn])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "SELECT pg_advisory_lock({key});").unwrap();
    stdin.flush().unwrap();
    // psql buffers its output into a pipe, so watch the server instead.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !advisory_lock_held(&pg, key) {
        assert!(child.try_wait().unwrap().is_none(), "psql failed");
        assert!(Instant::now() < deadline, "psql never took the lock");
        std::thread::sleep(Duration::from_millis(50));
    }
    let err = lock_err(&b, "plan", ZERO);
    // No `locks` row: the holder is described from pg_stat_activity.
    assert_eq!(holder_of(&err).id, "unknown");
    assert!(err.to_string().contains("PostgreSQL session"), "{err}");
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    assert!(b
        .lock(&LockRequest::new("plan"), Duration::from_secs(20))
        .is_ok());
}

fn advisory_lock_held(pg: &TestPg, key: i64) -> bool {
    pg.sql(|c| {
        c.query_one(
            "SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND granted \
             AND ((classid::bigint << 32) | objid::bigint) = $1",
            &[&key],
        )
        .unwrap()
        .get(0)
    })
}

/// `psql` on $PATH, or in Debian's versioned directories.
fn psql() -> Option<String> {
    let on_path = Command::new("psql")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if on_path {
        return Some("psql".into());
    }
    let mut found: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin/psql"))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    found.pop().map(|p| p.display().to_string())
}
