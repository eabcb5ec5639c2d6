//! Tests of `LocalBackend` against a real directory: snapshots, backups,
//! journal replay after a crash, refusal to overwrite, and locking.

use super::backend::{LockInfo, LockRequest, StateBackend};
use super::error::StateError;
use super::local::LocalBackend;
use super::model::tests::{resource, upsert};
use super::model::{JournalOp, State, FORMAT_VERSION};
use crate::model::Address;
use std::path::Path;
use std::time::{Duration, Instant};

fn backend(dir: &tempfile::TempDir) -> LocalBackend {
    LocalBackend::new(dir.path().join("state").join("cdnform.state.json"))
}

fn addr(name: &str) -> Address {
    Address::new("cdn_domain", name)
}

/// A state with one resource, persisted once (serial 1).
fn persisted(b: &LocalBackend) -> State {
    let mut s = b.load().unwrap().state;
    s.apply(&upsert("web", 1));
    b.persist(&mut s).unwrap();
    s
}

fn write(path: &Path, body: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, body).unwrap();
}

#[test]
fn missing_file_loads_empty_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let loaded = b.load().unwrap();
    assert!(!loaded.exists);
    assert_eq!(loaded.replayed, 0);
    assert_eq!(loaded.state.serial, 0);
    assert!(loaded.state.resources.is_empty());
    assert!(!dir.path().join("state").exists());
}

#[test]
fn a_journal_that_records_nothing_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let s = b.load().unwrap().state;
    drop(b.begin(&s).unwrap());
    assert!(!b.journal_path().exists());
    b.begin(&s).unwrap().record(&upsert("web", 1)).unwrap();
    assert!(b.journal_path().exists());
}

#[test]
fn round_trip_and_serial_increments() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let mut s = persisted(&b);
    assert_eq!(s.serial, 1);
    let loaded = b.load().unwrap();
    assert!(loaded.exists);
    assert_eq!(loaded.state, s);
    s.apply(&upsert("api", 1));
    b.persist(&mut s).unwrap();
    assert_eq!(s.serial, 2);
    assert_eq!(b.load().unwrap().state, s);
    let text = std::fs::read_to_string(b.path()).unwrap();
    assert!(
        text.starts_with("{\n  \"format_version\": 1,\n  \"serial\": 2,"),
        "{text}"
    );
}

#[test]
fn backup_holds_previous_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let mut s = persisted(&b);
    assert!(!b.backup_path().exists());
    let first = std::fs::read(b.path()).unwrap();
    s.apply(&upsert("api", 1));
    b.persist(&mut s).unwrap();
    assert_eq!(std::fs::read(b.backup_path()).unwrap(), first);
}

#[test]
fn journal_is_replayed_after_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let s = persisted(&b);
    {
        let mut j = b.begin(&s).unwrap();
        j.record(&upsert("api", 1)).unwrap();
        j.record(&upsert("img", 1)).unwrap();
        j.record(&JournalOp::Remove {
            address: addr("web"),
        })
        .unwrap();
    } // dropped without persist: the crash
    let loaded = b.load().unwrap();
    assert_eq!(loaded.replayed, 3);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(loaded.state.serial, 1);
    assert!(loaded.state.get(&addr("api")).is_some());
    assert!(loaded.state.get(&addr("img")).is_some());
    assert!(loaded.state.get(&addr("web")).is_none());
    // Loading replays in memory only.
    assert_eq!(b.load().unwrap().replayed, 3);
    let mut s = loaded.state;
    b.persist(&mut s).unwrap();
    assert!(!b.journal_path().exists());
    let again = b.load().unwrap();
    assert_eq!(again.replayed, 0);
    assert_eq!(again.state, s);
}

#[test]
fn first_run_crash_keeps_the_journal_lineage() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let s = b.load().unwrap().state;
    b.begin(&s).unwrap().record(&upsert("web", 1)).unwrap();
    let loaded = b.load().unwrap();
    assert!(!loaded.exists);
    assert_eq!(loaded.replayed, 1);
    assert_eq!(loaded.state.lineage, s.lineage);
}

#[test]
fn begin_after_replay_continues_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let s = persisted(&b);
    b.begin(&s).unwrap().record(&upsert("api", 1)).unwrap();
    let s = b.load().unwrap().state;
    b.begin(&s).unwrap().record(&upsert("img", 1)).unwrap();
    let loaded = b.load().unwrap();
    assert_eq!(loaded.replayed, 2);
    assert_eq!(loaded.state.resources.len(), 3);
}

#[test]
fn torn_last_line_is_dropped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let s = persisted(&b);
    b.begin(&s).unwrap().record(&upsert("api", 1)).unwrap();
    let mut bytes = std::fs::read(b.journal_path()).unwrap();
    bytes.extend_from_slice(br#"{"lineage":"x","serial":1,"seq":2,"op":"ups"#);
    std::fs::write(b.journal_path(), &bytes).unwrap();
    let loaded = b.load().unwrap();
    assert_eq!(loaded.replayed, 1);
    assert_eq!(loaded.warnings.len(), 1);
    assert!(
        loaded.warnings[0].contains("incomplete record"),
        "{:?}",
        loaded.warnings
    );
    // A new run cuts the torn tail before appending.
    b.begin(&loaded.state)
        .unwrap()
        .record(&upsert("img", 1))
        .unwrap();
    let loaded = b.load().unwrap();
    assert_eq!(loaded.replayed, 2);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
}

#[test]
fn records_of_an_older_serial_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let mut s = persisted(&b);
    b.begin(&s).unwrap().record(&upsert("api", 1)).unwrap();
    let journal = std::fs::read(b.journal_path()).unwrap();
    b.persist(&mut s).unwrap(); // serial 2, without the api record
    std::fs::write(b.journal_path(), journal).unwrap(); // as if the removal was lost
    let loaded = b.load().unwrap();
    assert_eq!(loaded.replayed, 0);
    assert!(loaded.state.get(&addr("api")).is_none());
    assert_eq!(loaded.warnings.len(), 1);
    assert!(
        loaded.warnings[0].contains("serial 1"),
        "{:?}",
        loaded.warnings
    );
}

#[test]
fn record_does_not_rewrite_the_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let s = persisted(&b);
    let before = std::fs::metadata(b.path()).unwrap();
    let bytes = std::fs::read(b.path()).unwrap();
    let mut j = b.begin(&s).unwrap();
    for i in 0..50 {
        j.record(&upsert(&format!("d{i}"), i)).unwrap();
    }
    let after = std::fs::metadata(b.path()).unwrap();
    assert_eq!(before.len(), after.len());
    assert_eq!(before.modified().unwrap(), after.modified().unwrap());
    assert_eq!(std::fs::read(b.path()).unwrap(), bytes);
    let lines = std::fs::read_to_string(b.journal_path()).unwrap();
    assert_eq!(lines.lines().count(), 50);
}

#[test]
fn corrupt_file_is_reported_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let body = "{\"format_version\": 1, \"serial\": 3,";
    write(b.path(), body);
    let err = b.load().unwrap_err();
    assert!(matches!(err, StateError::Corrupt { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("cdnform.state.json is not valid"), "{msg}");
    assert!(msg.contains("it has not been modified"), "{msg}");
    assert!(msg.contains("cdnform.state.json.backup"), "{msg}");
    let mut s = State::new();
    s.apply(&upsert("web", 1));
    let err = b.persist(&mut s).unwrap_err();
    assert!(matches!(err, StateError::Corrupt { .. }), "{err}");
    assert_eq!(s.serial, 0);
    assert_eq!(std::fs::read_to_string(b.path()).unwrap(), body);
    assert!(!b.backup_path().exists());
}

#[test]
fn missing_field_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    write(
        b.path(),
        r#"{"format_version": 1, "serial": 3, "resources": []}"#,
    );
    let msg = b.load().unwrap_err().to_string();
    assert!(msg.contains("missing field `lineage`"), "{msg}");
}

#[test]
fn duplicate_resource_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let mut s = State::new();
    s.resources = vec![resource("web", 1), resource("web", 2)];
    write(b.path(), &serde_json::to_string(&s).unwrap());
    let msg = b.load().unwrap_err().to_string();
    assert!(
        msg.contains("cdn_domain.web appears more than once"),
        "{msg}"
    );
}

#[test]
fn newer_format_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let body = r#"{"format_version": 2, "serial": 1, "lineage": "x", "things": []}"#;
    write(b.path(), body);
    let err = b.load().unwrap_err();
    assert!(
        matches!(
            err,
            StateError::NewerFormat {
                found: 2,
                supported: FORMAT_VERSION,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("use a newer cdnform"), "{err}");
    assert!(b.persist(&mut State::new()).is_err());
    assert_eq!(std::fs::read_to_string(b.path()).unwrap(), body);
}

#[test]
fn lineage_mismatch_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    persisted(&b);
    let bytes = std::fs::read(b.path()).unwrap();
    let mut other = State::new();
    other.serial = 5;
    let err = b.persist(&mut other).unwrap_err();
    assert!(matches!(err, StateError::LineageMismatch { .. }), "{err}");
    assert_eq!(other.serial, 5);
    assert_eq!(std::fs::read(b.path()).unwrap(), bytes);
}

#[test]
fn stale_serial_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let mut old = persisted(&b);
    let mut newer = old.clone();
    b.persist(&mut newer).unwrap();
    let err = b.persist(&mut old).unwrap_err();
    assert!(
        matches!(
            err,
            StateError::StaleSerial {
                on_disk: 2,
                writing: 1,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn fixture_v1_loads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/state/v1.state.json");
    let loaded = LocalBackend::new(path).load().unwrap();
    assert_eq!(loaded.state.serial, 7);
    let r = loaded
        .state
        .get(&"cdn_domain.web[\"a.example.com\"]".parse().unwrap());
    assert_eq!(r.unwrap().vendor_id, "a.example.com");
    assert_eq!(r.unwrap().dependencies.len(), 0);
}

#[test]
fn second_lock_fails_naming_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let guard = b.lock(&LockRequest::new("apply"), Duration::ZERO).unwrap();
    assert!(b.lock_path().exists());
    let err = b
        .lock(&LockRequest::new("plan"), Duration::ZERO)
        .err()
        .unwrap();
    let StateError::Locked { info, stale, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(info.id, guard.info().id);
    assert_eq!(info.pid, std::process::id());
    assert!(!stale);
    let msg = err.to_string();
    for part in [
        guard.info().who.as_str(),
        &format!("pid {}", std::process::id()),
        "`apply`",
        &guard.info().created,
        &format!("cdnform force-unlock {}", guard.info().id),
    ] {
        assert!(msg.contains(part), "{part:?} not in {msg}");
    }
}

#[test]
fn lock_timeout_waits_then_fails() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let _guard = b.lock(&LockRequest::new("apply"), Duration::ZERO).unwrap();
    let start = Instant::now();
    let res = b.lock(&LockRequest::new("plan"), Duration::from_millis(250));
    assert!(matches!(res, Err(StateError::Locked { .. })));
    assert!(start.elapsed() >= Duration::from_millis(250));
}

#[test]
fn lock_waits_for_release() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let guard = b.lock(&LockRequest::new("apply"), Duration::ZERO).unwrap();
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(150));
        drop(guard);
    });
    let got = b.lock(&LockRequest::new("plan"), Duration::from_secs(10));
    releaser.join().unwrap();
    assert_eq!(got.unwrap().info().operation, "plan");
}

#[test]
fn guard_drop_releases() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    drop(b.lock(&LockRequest::new("apply"), Duration::ZERO).unwrap());
    assert!(!b.lock_path().exists());
    assert!(b.lock(&LockRequest::new("apply"), Duration::ZERO).is_ok());
}

#[test]
fn stale_lock_is_pointed_out() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let guard = b.lock(&LockRequest::new("apply"), Duration::ZERO).unwrap();
    let mut info = guard.info().clone();
    std::mem::forget(guard);
    info.pid = u32::MAX; // no such process
    write(&b.lock_path(), &serde_json::to_string(&info).unwrap());
    let err = b
        .lock(&LockRequest::new("plan"), Duration::ZERO)
        .err()
        .unwrap();
    if cfg!(target_os = "linux") {
        assert!(err.to_string().contains("looks stale"), "{err}");
    }
}

#[test]
fn lock_of_a_dead_holder_is_taken_over() {
    // What a killed process leaves: its record, but no OS lock (that died
    // with the process).
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let mut dead = LockInfo::for_this_process("apply", "x".into());
    dead.pid = u32::MAX;
    write(&b.lock_path(), &serde_json::to_string(&dead).unwrap());
    let guard = b.lock(&LockRequest::new("plan"), Duration::ZERO).unwrap();
    assert_eq!(
        guard.taken_over().map(|i| i.id.as_str()),
        Some(dead.id.as_str())
    );
    assert_eq!(guard.info().operation, "plan");
    // The file now names the new holder, and excludes others.
    let held: LockInfo =
        serde_json::from_str(&std::fs::read_to_string(b.lock_path()).unwrap()).unwrap();
    assert_eq!(held.id, guard.info().id);
    assert!(b.lock(&LockRequest::new("apply"), Duration::ZERO).is_err());
    drop(guard);
    assert!(!b.lock_path().exists());
    // An ordinary lock takes over nothing; an empty file left by a crash
    // between create and write is no holder either.
    write(&b.lock_path(), "");
    let fresh = b.lock(&LockRequest::new("plan"), Duration::ZERO).unwrap();
    assert!(fresh.taken_over().is_none());
}

#[test]
fn lock_is_held_by_the_open_file_not_the_record() {
    // Another holder in this process (the OS lock is per open file) keeps
    // others out even if its record is overwritten or removed meanwhile.
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let guard = b.lock(&LockRequest::new("apply"), Duration::ZERO).unwrap();
    write(&b.lock_path(), "");
    let err = b
        .lock(&LockRequest::new("plan"), Duration::from_millis(50))
        .err()
        .unwrap();
    assert!(matches!(err, StateError::LockUnreadable { .. }), "{err}");
    drop(guard);
}

#[test]
fn force_unlock_needs_the_right_id() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    assert!(matches!(
        b.force_unlock("x"),
        Err(StateError::NotLocked { .. })
    ));
    let guard = b.lock(&LockRequest::new("apply"), Duration::ZERO).unwrap();
    let id = guard.info().id.clone();
    let err = b.force_unlock("wrong").unwrap_err();
    assert!(matches!(err, StateError::LockIdMismatch { .. }), "{err}");
    assert!(err.to_string().contains(&id), "{err}");
    assert!(b.lock_path().exists());
    b.force_unlock(&id).unwrap();
    assert!(!b.lock_path().exists());
    // Someone else locks; the old guard's drop must not remove their lock.
    let other = b.lock(&LockRequest::new("plan"), Duration::ZERO).unwrap();
    drop(guard);
    assert!(b.lock_path().exists());
    drop(other);
    assert!(!b.lock_path().exists());
}

#[test]
fn describe_names_the_file() {
    let b = LocalBackend::new(super::local::DEFAULT_STATE_PATH);
    assert_eq!(b.describe(), "local state file state/cdnform.state.json");
}
