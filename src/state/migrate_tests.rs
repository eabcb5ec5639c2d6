//! Tests of `migrate`: local to local (always run) and local to postgres
//! and back (with a test server).

use super::backend::{LockRequest, StateBackend};
use super::error::StateError;
use super::local::LocalBackend;
use super::migrate::{migrate, MigrateOptions};
use super::model::tests::upsert;
use super::model::State;
use super::test_pg::test_pg;
use std::time::Duration;

fn local(dir: &tempfile::TempDir, name: &str) -> LocalBackend {
    LocalBackend::new(dir.path().join(name).join("cdnform.state.json"))
}

/// Persisted with two resources (serial 1), plus one journal record of an
/// interrupted run.
fn source_state(b: &dyn StateBackend) -> State {
    let mut s = b.load().unwrap().state;
    s.apply(&upsert("web", 1));
    s.apply(&upsert("api", 1));
    b.persist(&mut s).unwrap();
    b.begin(&s).unwrap().record(&upsert("img", 1)).unwrap();
    b.load().unwrap().state
}

fn forced() -> MigrateOptions {
    MigrateOptions {
        force: true,
        ..MigrateOptions::default()
    }
}

#[test]
fn local_to_local_copies_snapshot_and_journal() {
    let dir = tempfile::tempdir().unwrap();
    let (from, to) = (local(&dir, "a"), local(&dir, "b"));
    let expected = source_state(&from);
    let done = migrate(&from, &to, &MigrateOptions::default()).unwrap();
    assert!(done.copied);
    assert_eq!(done.resources, 3);
    assert_eq!(done.replaced, None);
    let copied = to.load().unwrap();
    assert_eq!(copied.state, expected);
    assert_eq!(copied.replayed, 0);
    // The source is left as it was, journal included.
    assert_eq!(from.load().unwrap().replayed, 1);
    // Again: nothing to do.
    assert!(
        !migrate(&from, &to, &MigrateOptions::default())
            .unwrap()
            .copied
    );
    // The locks were released.
    assert!(from.lock(&LockRequest::new("x"), Duration::ZERO).is_ok());
    assert!(to.lock(&LockRequest::new("x"), Duration::ZERO).is_ok());
}

#[test]
fn an_empty_source_copies_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (from, to) = (local(&dir, "a"), local(&dir, "b"));
    let done = migrate(&from, &to, &MigrateOptions::default()).unwrap();
    assert!(!done.copied);
    assert!(!to.load().unwrap().exists);
}

#[test]
fn another_lineage_in_the_target_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let (from, to) = (local(&dir, "a"), local(&dir, "b"));
    let expected = source_state(&from);
    let mut theirs = State::new();
    theirs.apply(&upsert("other", 1));
    to.persist(&mut theirs).unwrap();
    let err = migrate(&from, &to, &MigrateOptions::default()).unwrap_err();
    assert!(matches!(err, StateError::MigrateRefused { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains(&theirs.lineage), "{msg}");
    assert!(msg.contains("nothing was changed"), "{msg}");
    assert_eq!(to.load().unwrap().state, theirs);
    let done = migrate(&from, &to, &forced()).unwrap();
    assert_eq!(done.replaced, Some((theirs.lineage.clone(), 1)));
    let copied = to.load().unwrap().state;
    assert_eq!(copied.lineage, expected.lineage);
    assert_eq!(copied.resources, expected.resources);
    // Past the replaced serial, so a run that read the old target fails.
    assert_eq!(copied.serial, 2);
}

#[test]
fn a_newer_version_in_the_target_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (from, to) = (local(&dir, "a"), local(&dir, "b"));
    source_state(&from);
    migrate(&from, &to, &MigrateOptions::default()).unwrap();
    let mut newer = to.load().unwrap().state;
    newer.apply(&upsert("new", 1));
    to.persist(&mut newer).unwrap();
    let err = migrate(&from, &to, &MigrateOptions::default()).unwrap_err();
    assert!(err.to_string().contains("newer version"), "{err}");
    assert_eq!(to.load().unwrap().state, newer);
}

#[test]
fn an_older_version_in_the_target_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let (from, to) = (local(&dir, "a"), local(&dir, "b"));
    source_state(&from);
    migrate(&from, &to, &MigrateOptions::default()).unwrap();
    let mut s = from.load().unwrap().state;
    s.apply(&upsert("more", 1));
    from.persist(&mut s).unwrap(); // serial 2, the target has 1
    let done = migrate(&from, &to, &MigrateOptions::default()).unwrap();
    assert!(done.copied);
    assert_eq!(to.load().unwrap().state.resources, s.resources);
}

#[test]
fn a_state_is_not_migrated_onto_itself() {
    let dir = tempfile::tempdir().unwrap();
    let b = local(&dir, "a");
    source_state(&b);
    let err = migrate(&b, &local(&dir, "a"), &forced()).unwrap_err();
    assert!(matches!(err, StateError::MigrateRefused { .. }), "{err}");
}

#[test]
fn a_locked_source_is_not_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let (from, to) = (local(&dir, "a"), local(&dir, "b"));
    source_state(&from);
    let _held = from
        .lock(&LockRequest::new("apply"), Duration::ZERO)
        .unwrap();
    let err = migrate(&from, &to, &MigrateOptions::default()).unwrap_err();
    assert!(matches!(err, StateError::Locked { .. }), "{err}");
    // The caller may hold the locks itself.
    let done = migrate(
        &from,
        &to,
        &MigrateOptions {
            lock_timeout: None,
            ..MigrateOptions::default()
        },
    )
    .unwrap();
    assert!(done.copied);
}

#[test]
fn local_to_postgres_and_back() {
    let pg = test_pg!("migrate_round_trip");
    let dir = tempfile::tempdir().unwrap();
    let (from, shared) = (local(&dir, "a"), pg.backend());
    let expected = source_state(&from);
    let done = migrate(&from, &shared, &MigrateOptions::default()).unwrap();
    assert!(done.copied);
    let loaded = shared.load().unwrap();
    assert!(loaded.exists);
    assert_eq!(loaded.state, expected);
    // The team works on in postgres...
    let mut s = loaded.state;
    s.apply(&upsert("later", 1));
    shared.persist(&mut s).unwrap();
    // ...and a refused copy of another state changes nothing there.
    let stray = local(&dir, "stray");
    let mut other = State::new();
    stray.persist(&mut other).unwrap();
    let err = migrate(&stray, &shared, &MigrateOptions::default()).unwrap_err();
    assert!(matches!(err, StateError::MigrateRefused { .. }), "{err}");
    assert_eq!(shared.load().unwrap().state, s);
    // Back to a local file.
    let back = local(&dir, "back");
    migrate(&shared, &back, &MigrateOptions::default()).unwrap();
    assert_eq!(back.load().unwrap().state, s);
}
