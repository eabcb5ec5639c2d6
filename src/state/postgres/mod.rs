//! `PostgresBackend`: the state in a PostgreSQL database shared by a team,
//! with the local backend's semantics: a snapshot row per workspace, one
//! committed journal row per finished change (replayed by the next load if
//! the run never persisted), an optimistic serial check when persisting,
//! and a per-workspace advisory lock.

mod conn;
mod journal;
mod lock;
mod schema;
mod secret;
mod store;

#[cfg(test)]
pub(crate) use schema::state_lock_key;
pub use schema::{DEFAULT_SCHEMA, DEFAULT_WORKSPACE};
pub use secret::{ConnString, CONN_STR_ENV};

use super::backend::{Journal, Loaded, LockGuard, LockRequest, StateBackend};
use super::error::StateError;
use super::model::State;
use conn::{Failure, PgConn};
use postgres::Client;
use secret::Redactor;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The state of one workspace in a PostgreSQL database.
///
/// Every call blocks the calling thread until the server answers (as the
/// local backend blocks on fsync); it is safe to call from async tasks.
pub struct PostgresBackend {
    shared: Arc<Shared>,
}

/// The names a query needs; cheap to clone into a session's job.
#[derive(Clone, Debug)]
pub(crate) struct Names {
    /// The schema as a quoted SQL identifier.
    pub schema: String,
    pub workspace: String,
    pub lock_key: i64,
    /// `describe()`: what errors call this state.
    pub location: String,
}

/// What the backend, its journals and its locks share.
pub(crate) struct Shared {
    names: Names,
    config: postgres::Config,
    redactor: Redactor,
    /// The session for reads and writes; reopened if the server closes it.
    main: PgConn,
}

impl Shared {
    /// A failed call as a `StateError`, with no secret in its text.
    fn failed(&self, action: &'static str, failure: Failure) -> StateError {
        let detail = match failure {
            Failure::State(e) => return e,
            Failure::Db(e) => secret::error_text(&e),
            Failure::Closed => "the PostgreSQL session ended unexpectedly".to_string(),
        };
        StateError::Postgres {
            action,
            location: self.names.location.clone(),
            detail: self.redactor.clean(&detail),
        }
    }

    /// Run `f` on the main session.
    fn main_call<T, F>(&self, action: &'static str, f: F) -> Result<T, StateError>
    where
        T: Send + 'static,
        F: Fn(&mut Client) -> Result<T, Failure> + Send + 'static,
    {
        self.main.call(f).map_err(|e| self.failed(action, e))
    }
}

impl PostgresBackend {
    /// Connect and create the schema's tables if they are missing.
    ///
    /// `conn_str` defaults to `$PG_CONN_STR`, `schema_name` to `cdnform`,
    /// `workspace` to `default`.
    pub fn new(
        conn_str: Option<ConnString>,
        schema_name: Option<String>,
        workspace: Option<String>,
    ) -> Result<PostgresBackend, StateError> {
        let missing = || StateError::BackendConfig {
            detail: format!(
                "the postgres backend needs a connection string: set conn_str or the \
                 {CONN_STR_ENV} environment variable"
            ),
        };
        let conn_str = conn_str.or_else(ConnString::from_env).ok_or_else(missing)?;
        let schema_name = schema_name.unwrap_or_else(|| DEFAULT_SCHEMA.to_string());
        let workspace = workspace.unwrap_or_else(|| DEFAULT_WORKSPACE.to_string());
        let schema = schema::quote_schema(&schema_name)?;
        schema::check_workspace(&workspace)?;
        let config = secret::parse(&conn_str)?;
        let redactor = Redactor::new(&conn_str, &config);
        let names = Names {
            lock_key: schema::state_lock_key(&schema_name, &workspace),
            location: format!(
                "postgres state (schema {schema_name}, workspace {workspace}) at {}",
                target(&config)
            ),
            schema,
            workspace,
        };
        let failed = |action, detail: String| StateError::Postgres {
            action,
            location: names.location.clone(),
            detail: redactor.clean(&detail),
        };
        let main = PgConn::open(&config, true).map_err(|f| match f {
            Failure::State(e) => e,
            Failure::Db(e) => failed("connect to", secret::error_text(&e)),
            Failure::Closed => failed("connect to", "the session ended at once".into()),
        })?;
        let shared = Shared {
            names,
            config,
            redactor,
            main,
        };
        let (name, quoted) = (schema_name, shared.names.schema.clone());
        shared.main_call("create the tables of", move |c| {
            Ok(schema::ensure_tables(c, &name, &quoted)?)
        })?;
        Ok(PostgresBackend {
            shared: Arc::new(shared),
        })
    }

    pub fn workspace(&self) -> &str {
        &self.shared.names.workspace
    }
}

/// `host:port/dbname`, for humans; never the user or password.
fn target(config: &postgres::Config) -> String {
    use postgres::config::Host;
    let ports = config.get_ports();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let host = match h {
                Host::Tcp(name) => name.clone(),
                #[cfg(unix)]
                Host::Unix(path) => path.display().to_string(),
            };
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
            format!("{host}:{port}")
        })
        .collect();
    let hosts = if hosts.is_empty() {
        "localhost:5432".to_string()
    } else {
        hosts.join(",")
    };
    let db = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or("(default database)");
    format!("{hosts}/{db}")
}

impl fmt::Debug for PostgresBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresBackend")
            .field("location", &self.shared.names.location)
            .field("conn_str", &"******")
            .finish()
    }
}

impl StateBackend for PostgresBackend {
    fn describe(&self) -> String {
        self.shared.names.location.clone()
    }

    fn load(&self) -> Result<Loaded, StateError> {
        store::load(&self.shared)
    }

    fn lock(
        &self,
        request: &LockRequest,
        timeout: Duration,
    ) -> Result<Box<dyn LockGuard>, StateError> {
        Ok(Box::new(lock::acquire(&self.shared, request, timeout)?))
    }

    fn force_unlock(&self, id: &str) -> Result<(), StateError> {
        lock::force_unlock(&self.shared, id)
    }

    fn begin(&self, state: &State) -> Result<Box<dyn Journal>, StateError> {
        Ok(Box::new(journal::PgJournal::new(&self.shared, state)?))
    }

    fn persist(&self, state: &mut State) -> Result<(), StateError> {
        store::persist(&self.shared, state)
    }

    fn overwrite(&self, state: &State) -> Result<(), StateError> {
        store::overwrite(&self.shared, state)
    }
}
