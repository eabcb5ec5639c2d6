//! `BackendConfig`: which state backend a configuration names, and opening
//! it. The CLI builds one from the `cdnform { backend ... }` block (or from
//! its defaults) and never needs to know the backend types.

use super::backend::StateBackend;
use super::error::StateError;
use super::local::{LocalBackend, DEFAULT_STATE_PATH};
use super::postgres::{ConnString, PostgresBackend};
use std::path::PathBuf;

/// Where the state lives. `Debug` never shows the connection string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackendConfig {
    /// A local file (and its `.journal`, `.lock`, `.backup` siblings).
    Local { path: PathBuf },
    /// A PostgreSQL database shared by a team.
    Postgres {
        /// `None`: `$PG_CONN_STR`.
        conn_str: Option<ConnString>,
        /// `None`: `cdnform`.
        schema_name: Option<String>,
        /// `None`: `default`.
        workspace: Option<String>,
    },
}

impl Default for BackendConfig {
    fn default() -> Self {
        BackendConfig::Local {
            path: PathBuf::from(DEFAULT_STATE_PATH),
        }
    }
}

impl BackendConfig {
    /// The backend, ready to lock and load. For postgres this connects and
    /// creates the tables if they are missing.
    pub fn open(&self) -> Result<Box<dyn StateBackend>, StateError> {
        Ok(match self {
            BackendConfig::Local { path } => Box::new(LocalBackend::new(path.clone())),
            BackendConfig::Postgres {
                conn_str,
                schema_name,
                workspace,
            } => Box::new(PostgresBackend::new(
                conn_str.clone(),
                schema_name.clone(),
                workspace.clone(),
            )?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_local_file() {
        let b = BackendConfig::default().open().unwrap();
        assert_eq!(b.describe(), "local state file state/cdnform.state.json");
    }

    #[test]
    fn debug_hides_the_conn_string() {
        let c = BackendConfig::Postgres {
            conn_str: Some(ConnString::new("postgres://u:hunter2@db/x")),
            schema_name: None,
            workspace: None,
        };
        let text = format!("{c:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("******"), "{text}");
    }

    #[test]
    fn bad_settings_fail_before_connecting() {
        let open = |conn: &str, schema: &str| {
            BackendConfig::Postgres {
                conn_str: Some(ConnString::new(conn)),
                schema_name: Some(schema.into()),
                workspace: None,
            }
            .open()
            .err()
            .expect("refused")
        };
        let err = open("host=127.0.0.1 port=1", "pg_x");
        assert!(matches!(err, StateError::BackendConfig { .. }), "{err}");
        let err = open("host=127.0.0.1 port=nope password=hunter2", "cdnform");
        assert!(matches!(err, StateError::BackendConfig { .. }), "{err}");
        assert!(!format!("{err} {err:?}").contains("hunter2"), "{err}");
    }
}
