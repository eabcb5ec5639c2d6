//! Test support for the postgres backend: the server named by
//! `CDNFORM_TEST_PG`, and a fresh schema per test (dropped afterwards), so
//! that tests run in parallel without seeing each other.
//!
//! Without `CDNFORM_TEST_PG` these tests say they are skipped and pass,
//! unless `CDNFORM_REQUIRE_PG=1` (as CI sets it): then they fail, so a
//! missing server can never pass for a green run.

use super::postgres::{ConnString, PostgresBackend};
use std::sync::atomic::{AtomicUsize, Ordering};

pub(crate) const SERVER_ENV: &str = "CDNFORM_TEST_PG";
pub(crate) const REQUIRE_ENV: &str = "CDNFORM_REQUIRE_PG";

/// The test server's connection string; `None` (after saying so) when the
/// tests are to be skipped.
pub(crate) fn server() -> Option<String> {
    match std::env::var(SERVER_ENV) {
        Ok(s) if !s.trim().is_empty() => Some(s),
        _ if std::env::var(REQUIRE_ENV).as_deref() == Ok("1") => panic!(
            "{REQUIRE_ENV}=1 but {SERVER_ENV} is not set: start a server with \
             scripts/pg-test-cluster.sh"
        ),
        _ => {
            eprintln!("skipped: set {SERVER_ENV} (scripts/pg-test-cluster.sh)");
            None
        }
    }
}

/// One test's schema on the test server.
pub(crate) struct TestPg {
    pub conn: String,
    pub schema: String,
}

impl TestPg {
    /// A schema of its own for `test`; `None` when skipping.
    pub fn new(test: &str) -> Option<TestPg> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let conn = server()?;
        let mut name: String = test.chars().take(32).collect();
        name.make_ascii_lowercase();
        let schema = format!(
            "t_{name}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        Some(TestPg { conn, schema })
    }

    pub fn conn_str(&self) -> ConnString {
        ConnString::new(self.conn.clone())
    }

    /// A backend on the `default` workspace of this test's schema.
    pub fn backend(&self) -> PostgresBackend {
        self.workspace("default")
    }

    pub fn workspace(&self, workspace: &str) -> PostgresBackend {
        PostgresBackend::new(
            Some(self.conn_str()),
            Some(self.schema.clone()),
            Some(workspace.to_string()),
        )
        .expect("connect to the test server")
    }

    /// Run `f` with a plain client, to look at (or tamper with) the tables
    /// directly. On a thread of its own: the `postgres` crate panics when
    /// called from inside a tokio runtime, as some tests are.
    pub fn sql<T: Send>(&self, f: impl FnOnce(&mut postgres::Client) -> T + Send) -> T {
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let mut c = postgres::Client::connect(&self.conn, postgres::NoTls)
                        .expect("connect to the test server");
                    f(&mut c)
                })
                .join()
                .expect("the SQL thread panicked")
        })
    }

    /// `SELECT count(*) FROM <schema>.<table>`.
    pub fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT count(*) FROM \"{}\".{table}", self.schema);
        self.sql(|c| c.query_one(&sql, &[]).unwrap().get(0))
    }

    /// Run SQL with `{s}` standing for the quoted schema.
    pub fn exec(&self, sql: &str) {
        let sql = sql.replace("{s}", &format!("\"{}\"", self.schema));
        self.sql(|c| c.batch_execute(&sql).unwrap());
    }

    /// The connection string with `application_name` set, so that a test
    /// can find its backend's sessions in `pg_stat_activity`.
    pub fn conn_named(&self, application_name: &str) -> ConnString {
        let c = &self.conn;
        ConnString::new(
            if c.starts_with("postgres://") || c.starts_with("postgresql://") {
                let sep = if c.contains('?') { '&' } else { '?' };
                format!("{c}{sep}application_name={application_name}")
            } else {
                format!("{c} application_name={application_name}")
            },
        )
    }
}

impl Drop for TestPg {
    fn drop(&mut self) {
        let sql = format!(
            "SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS \"{}\" CASCADE",
            self.schema
        );
        let conn = self.conn.clone();
        let _ = std::thread::spawn(move || {
            if let Ok(mut c) = postgres::Client::connect(&conn, postgres::NoTls) {
                let _ = c.batch_execute(&sql);
            }
        })
        .join();
    }
}

/// `let pg = test_pg!("name");` — or return from the test when skipping.
macro_rules! test_pg {
    ($name:expr) => {
        match $crate::state::test_pg::TestPg::new($name) {
            Some(pg) => pg,
            None => return,
        }
    };
}
pub(crate) use test_pg;
