//! Tests of `PostgresBackend` against a real server (`CDNFORM_TEST_PG`):
//! snapshots, journal replay after a crash, refusal to overwrite, secrets
//! kept out of every text, and use from inside a tokio runtime. The lock
//! tests are in `postgres_lock_tests.rs`.

use super::backend::StateBackend;
use super::error::StateError;
use super::model::tests::upsert;
use super::model::{JournalOp, State, FORMAT_VERSION};
use super::postgres::{ConnString, PostgresBackend};
use super::test_pg::test_pg;
use crate::model::Address;

fn addr(name: &str) -> Address {
    Address::new("cdn_domain", name)
}

/// A state with one resource, persisted once (serial 1).
fn persisted(b: &PostgresBackend) -> State {
    let mut s = b.load().unwrap().state;
    s.apply(&upsert("web", 1));
    b.persist(&mut s).unwrap();
    s
}

/// The stored snapshot row: (serial, lineage, body).
fn stored(pg: &super::test_pg::TestPg) -> Option<(i64, String, String)> {
    let sql = format!(
        "SELECT serial, lineage, body FROM \"{}\".states WHERE workspace = 'default'",
        pg.schema
    );
    pg.sql(|c| {
        c.query_opt(&sql, &[])
            .unwrap()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
    })
}

#[test]
fn empty_workspace_loads_empty_and_writes_nothing() {
    let pg = test_pg!("empty_workspace");
    let b = pg.backend();
    let loaded = b.load().unwrap();
    assert!(!loaded.exists);
    assert_eq!(loaded.replayed, 0);
    assert_eq!(loaded.state.serial, 0);
    assert!(loaded.state.resources.is_empty());
    assert!(loaded.warnings.is_empty());
    assert_eq!(pg.count("states"), 0);
    assert_eq!(pg.count("journal"), 0);
}

#[test]
fn round_trip_and_serial_increments() {
    let pg = test_pg!("round_trip");
    let b = pg.backend();
    let mut s = persisted(&b);
    assert_eq!(s.serial, 1);
    let loaded = b.load().unwrap();
    assert!(loaded.exists);
    assert_eq!(loaded.state, s);
    s.apply(&upsert("api", 1));
    b.persist(&mut s).unwrap();
    assert_eq!(s.serial, 2);
    // A new instance (another process) reads the same.
    assert_eq!(pg.backend().load().unwrap().state, s);
    let (serial, lineage, body) = stored(&pg).unwrap();
    assert_eq!((serial, lineage.as_str()), (2, s.lineage.as_str()));
    // The same pretty JSON as the local state file.
    assert!(
        body.starts_with("{\n  \"format_version\": 1,\n  \"serial\": 2,"),
        "{body}"
    );
}

#[test]
fn journal_rows_survive_a_crash() {
    let pg = test_pg!("journal_crash");
    let s = {
        let b = pg.backend();
        let s = persisted(&b);
        let mut j = b.begin(&s).unwrap();
        j.record(&upsert("api", 1)).unwrap();
        j.record(&upsert("img", 1)).unwrap();
        j.record(&JournalOp::Remove {
            address: addr("web"),
        })
        .unwrap();
        s
    }; // the process dies here: no persist
    assert_eq!(pg.count("journal"), 3);
    let b = pg.backend();
    let loaded = b.load().unwrap();
    assert_eq!(loaded.replayed, 3);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(loaded.state.serial, s.serial);
    assert!(loaded.state.get(&addr("api")).is_some());
    assert!(loaded.state.get(&addr("img")).is_some());
    assert!(loaded.state.get(&addr("web")).is_none());
    // Loading replays in memory only.
    assert_eq!(b.load().unwrap().replayed, 3);
    let mut s = loaded.state;
    b.persist(&mut s).unwrap();
    assert_eq!(pg.count("journal"), 0);
    let again = b.load().unwrap();
    assert_eq!(again.replayed, 0);
    assert_eq!(again.state, s);
}

#[test]
fn each_record_is_committed_at_once_and_leaves_the_snapshot_alone() {
    let pg = test_pg!("record_committed");
    let b = pg.backend();
    let s = persisted(&b);
    let before = stored(&pg);
    let mut j = b.begin(&s).unwrap();
    for i in 0..5 {
        j.record(&upsert(&format!("d{i}"), i)).unwrap();
        // Visible to another session: committed, not pending.
        assert_eq!(pg.count("journal"), i + 1);
    }
    assert_eq!(stored(&pg), before);
}

#[test]
fn first_run_crash_keeps_the_journal_lineage() {
    let pg = test_pg!("first_run_crash");
    let b = pg.backend();
    let s = b.load().unwrap().state;
    b.begin(&s).unwrap().record(&upsert("web", 1)).unwrap();
    let loaded = pg.backend().load().unwrap();
    assert!(!loaded.exists);
    assert_eq!(loaded.replayed, 1);
    assert_eq!(loaded.state.lineage, s.lineage);
}

#[test]
fn rows_of_an_older_serial_are_ignored_with_a_warning() {
    let pg = test_pg!("older_serial");
    let b = pg.backend();
    let mut s = persisted(&b);
    let old = s.clone();
    b.persist(&mut s).unwrap(); // serial 2
    b.begin(&old).unwrap().record(&upsert("api", 1)).unwrap();
    let loaded = b.load().unwrap();
    assert_eq!(loaded.replayed, 0);
    assert!(loaded.state.get(&addr("api")).is_none());
    assert_eq!(loaded.warnings.len(), 1);
    let w = &loaded.warnings[0];
    assert!(w.contains("serial 1, but the state is"), "{w}");
    assert!(w.contains(&pg.schema), "{w}");
}

#[test]
fn stale_serial_is_refused_and_nothing_is_lost() {
    let pg = test_pg!("stale_serial");
    persisted(&pg.backend());
    let (first, second) = (pg.backend(), pg.backend());
    let mut a = first.load().unwrap().state;
    let mut b = second.load().unwrap().state;
    assert_eq!((a.serial, b.serial), (1, 1));
    a.apply(&upsert("api", 1));
    first.persist(&mut a).unwrap();
    let row = stored(&pg);
    b.apply(&upsert("img", 1));
    let err = second.persist(&mut b).unwrap_err();
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
    assert!(err.to_string().contains("run the command again"), "{err}");
    assert_eq!(b.serial, 1, "the refused state is left as it was");
    assert!(b.get(&addr("img")).is_some());
    assert_eq!(stored(&pg), row, "the stored snapshot is untouched");
    assert_eq!(second.load().unwrap().state, a);
}

#[test]
fn lineage_mismatch_is_refused() {
    let pg = test_pg!("lineage_mismatch");
    let b = pg.backend();
    persisted(&b);
    let row = stored(&pg);
    let mut other = State::new();
    other.serial = 5;
    let err = b.persist(&mut other).unwrap_err();
    assert!(matches!(err, StateError::LineageMismatch { .. }), "{err}");
    assert_eq!(other.serial, 5);
    assert_eq!(stored(&pg), row);
}

#[test]
fn corrupt_snapshot_is_reported_and_never_overwritten() {
    let pg = test_pg!("corrupt_snapshot");
    let b = pg.backend();
    persisted(&b);
    pg.exec(r#"UPDATE {s}.states SET body = '{"format_version": 1, "serial": 3,'"#);
    let err = b.load().unwrap_err();
    assert!(matches!(err, StateError::CorruptStored { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("is not valid"), "{msg}");
    assert!(msg.contains("it has not been modified"), "{msg}");
    let mut s = State::new();
    assert!(matches!(
        b.persist(&mut s),
        Err(StateError::CorruptStored { .. })
    ));
    assert_eq!(s.serial, 0);
    assert_eq!(
        stored(&pg).unwrap().2,
        r#"{"format_version": 1, "serial": 3,"#
    );
}

#[test]
fn corrupt_journal_row_is_reported() {
    let pg = test_pg!("corrupt_journal");
    let b = pg.backend();
    let s = persisted(&b);
    b.begin(&s).unwrap().record(&upsert("api", 1)).unwrap();
    pg.exec("UPDATE {s}.journal SET op = '{\"op\": \"explode\"}'");
    let err = b.load().unwrap_err();
    assert!(matches!(err, StateError::CorruptStored { .. }), "{err}");
    assert!(err.to_string().contains("of its journal"), "{err}");
}

#[test]
fn newer_format_is_rejected() {
    let pg = test_pg!("newer_format");
    let b = pg.backend();
    persisted(&b);
    pg.exec(r#"UPDATE {s}.states SET body = '{"format_version": 2, "serial": 1, "lineage": "x", "things": []}'"#);
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
}

#[test]
fn workspaces_hold_separate_states() {
    let pg = test_pg!("workspaces");
    let (a, b) = (pg.workspace("a"), pg.workspace("b"));
    let sa = persisted(&a);
    let mut sb = b.load().unwrap().state;
    assert!(!b.load().unwrap().exists);
    sb.apply(&upsert("api", 1));
    b.persist(&mut sb).unwrap();
    assert_eq!(a.load().unwrap().state, sa);
    assert_eq!(b.load().unwrap().state, sb);
    assert_ne!(sa.lineage, sb.lineage);
    a.begin(&sa).unwrap().record(&upsert("x", 1)).unwrap();
    assert_eq!(b.load().unwrap().replayed, 0);
    assert_eq!(a.load().unwrap().replayed, 1);
}

#[test]
fn describe_names_schema_workspace_and_server_only() {
    let pg = test_pg!("describe");
    let b = pg.workspace("staging");
    let d = b.describe();
    assert!(
        d.starts_with(&format!(
            "postgres state (schema {}, workspace staging) at ",
            pg.schema
        )),
        "{d}"
    );
    let config: postgres::Config = pg.conn.parse().unwrap();
    let port = config.get_ports().first().copied().unwrap_or(5432);
    assert!(d.contains(&format!(":{port}/")), "{d}");
}

#[test]
fn tables_can_be_created_by_many_processes_at_once() {
    let pg = test_pg!("concurrent_setup");
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (conn, schema) = (pg.conn_str(), pg.schema.clone());
            std::thread::spawn(move || PostgresBackend::new(Some(conn), Some(schema), None).err())
        })
        .collect();
    for t in threads {
        assert!(t.join().unwrap().is_none());
    }
    assert!(!pg.backend().load().unwrap().exists);
}

#[test]
fn the_session_is_reopened_after_the_server_ends_it() {
    let pg = test_pg!("reconnect");
    let app = format!("cdnform_{}", pg.schema);
    let b = PostgresBackend::new(Some(pg.conn_named(&app)), Some(pg.schema.clone()), None).unwrap();
    let s = persisted(&b);
    // An administrator (or a server restart) ends the backend's session.
    let ended: i64 = pg.sql(|c| {
        c.query_one(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = $1) t",
            &[&app],
        )
        .unwrap()
        .get(0)
    });
    assert_eq!(ended, 1);
    assert_eq!(b.load().unwrap().state, s);
    let mut j = b.begin(&s).unwrap();
    j.record(&upsert("api", 1)).unwrap();
    assert_eq!(b.load().unwrap().replayed, 1);
}

/// The CLI calls backends from async tasks on its multi-thread runtime,
/// where the `postgres` crate would panic if called directly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn works_from_inside_a_multi_thread_runtime() {
    let pg = test_pg!("in_runtime_mt");
    exercise(&pg);
}

#[tokio::test(flavor = "current_thread")]
async fn works_from_inside_a_current_thread_runtime() {
    let pg = test_pg!("in_runtime_ct");
    exercise(&pg);
}

fn exercise(pg: &super::test_pg::TestPg) {
    let b = pg.backend();
    let guard = b
        .lock(
            &super::backend::LockRequest::new("apply"),
            std::time::Duration::ZERO,
        )
        .unwrap();
    let s = persisted(&b);
    b.begin(&s).unwrap().record(&upsert("api", 1)).unwrap();
    assert_eq!(b.load().unwrap().replayed, 1);
    drop(guard);
    drop(b);
}

/// Every text the backend shows — `describe()`, `Debug`, the `Display` and
/// `Debug` of its errors — scanned for the password.
#[test]
fn the_password_is_never_shown() {
    let pg = test_pg!("password_hidden");
    let config: postgres::Config = pg.conn.parse().unwrap();
    let password = String::from_utf8(config.get_password().unwrap().to_vec()).unwrap();
    let mut texts = Vec::new();

    let b = pg.backend();
    texts.push(b.describe());
    texts.push(format!("{b:?}"));
    let guard = b
        .lock(
            &super::backend::LockRequest::new("apply"),
            std::time::Duration::ZERO,
        )
        .unwrap();
    texts.push(format!("{:?}", guard.info()));
    let errors: Vec<StateError> = vec![
        b.lock(
            &super::backend::LockRequest::new("plan"),
            std::time::Duration::ZERO,
        )
        .err()
        .unwrap(),
        b.force_unlock("wrong").unwrap_err(),
        {
            persisted(&b);
            b.persist(&mut State::new()).unwrap_err()
        },
    ];
    drop(guard);
    let mut errors = errors;

    // A wrong password, in both spellings of a connection string.
    let host = match &config.get_hosts()[0] {
        postgres::config::Host::Tcp(h) => h.clone(),
        #[cfg(unix)]
        postgres::config::Host::Unix(p) => p.display().to_string(),
    };
    let port = config.get_ports()[0];
    let user = config.get_user().unwrap();
    let wrong = "Wr0ng-pass%word-7531";
    for conn in [
        format!("host={host} port={port} user={user} password='{wrong}' dbname=postgres"),
        format!(
            "postgres://{user}:{}@{host}:{port}/postgres",
            "Wr0ng-pass%25word-7531"
        ),
        // Nothing listens on port 1: a connection error.
        format!("postgres://{user}:{password}@127.0.0.1:1/postgres"),
        // Unparsable: the parser must not quote the string.
        format!("postgres://{user}:{password}@{host}:notaport/postgres"),
        format!("host={host} password={password} port=x{password}"),
    ] {
        let err =
            PostgresBackend::new(Some(ConnString::new(conn)), None, None).expect_err("refused");
        errors.push(err);
    }
    // A query error (permission, missing table, ...) from a live session.
    pg.exec("DROP TABLE {s}.journal");
    errors.push(b.load().unwrap_err());

    for e in &errors {
        texts.push(e.to_string());
        texts.push(format!("{e:?}"));
    }
    for t in &texts {
        for secret in [password.as_str(), wrong, "Wr0ng-pass%25word", &pg.conn] {
            assert!(!t.contains(secret), "{secret:?} shown in: {t}");
        }
    }
    // And the errors still say what went wrong.
    let all = texts.join("\n");
    for expected in [
        "password authentication failed",
        "error connecting to server",
        "connection string is not valid",
        "does not exist",
    ] {
        assert!(all.contains(expected), "{expected:?} not in:\n{all}");
    }
}

/// The only test that touches `PG_CONN_STR` (the environment is shared by
/// every test thread; no other test leaves the connection string unset).
#[test]
fn the_conn_string_defaults_to_pg_conn_str() {
    let pg = test_pg!("pg_conn_str");
    let before = std::env::var_os(super::postgres::CONN_STR_ENV);
    std::env::remove_var(super::postgres::CONN_STR_ENV);
    let err = PostgresBackend::new(None, Some(pg.schema.clone()), None).unwrap_err();
    assert!(matches!(err, StateError::BackendConfig { .. }), "{err}");
    assert!(err.to_string().contains("PG_CONN_STR"), "{err}");
    std::env::set_var(super::postgres::CONN_STR_ENV, &pg.conn);
    let got = PostgresBackend::new(None, Some(pg.schema.clone()), None);
    match before {
        Some(v) => std::env::set_var(super::postgres::CONN_STR_ENV, v),
        None => std::env::remove_var(super::postgres::CONN_STR_ENV),
    }
    assert!(!got.unwrap().load().unwrap().exists);
}
