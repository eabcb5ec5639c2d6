//! Which state backend a command uses: the `cdnform { backend ... }` block
//! (read alone by the commands that do not load the whole configuration),
//! else the local file named by `-state`.

use crate::cli::error::CliError;
use crate::config::{read_settings, BackendSettings, Settings};
use crate::state::{BackendConfig, ConnString, StateBackend, DEFAULT_STATE_PATH};
use std::path::Path;

/// The backend settings resolved against the `-state` flag.
pub fn backend_config(settings: &Settings, state_flag: &Path) -> Result<BackendConfig, CliError> {
    let flag_given = state_flag != Path::new(DEFAULT_STATE_PATH);
    Ok(match &settings.backend {
        None => BackendConfig::Local {
            path: state_flag.to_path_buf(),
        },
        Some(BackendSettings::Local { path }) => BackendConfig::Local {
            path: match path {
                Some(p) if !flag_given => p.clone(),
                _ => state_flag.to_path_buf(),
            },
        },
        Some(BackendSettings::Postgres {
            conn_str,
            schema_name,
            workspace,
        }) => {
            if flag_given {
                return Err(CliError::user(
                    "-state names a local state file, but the cdnform block configures the postgres backend; leave -state out",
                ));
            }
            BackendConfig::Postgres {
                conn_str: conn_str.as_ref().map(|s| ConnString::new(s.expose())),
                schema_name: schema_name.clone(),
                workspace: workspace.clone(),
            }
        }
    })
}

/// Open the backend the configuration names.
pub fn open(settings: &Settings, state_flag: &Path) -> Result<Box<dyn StateBackend>, CliError> {
    Ok(backend_config(settings, state_flag)?.open()?)
}

/// Open the backend named by the `cdnform` block of the working directory's
/// configuration (read without variables), for state, output and
/// force-unlock.
pub fn open_here(state_flag: &Path) -> Result<Box<dyn StateBackend>, CliError> {
    let settings = read_settings(Path::new(".")).map_err(CliError::diagnostics)?;
    open(&settings, state_flag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Secret;

    #[test]
    fn flag_and_settings() {
        let default = Path::new(DEFAULT_STATE_PATH);
        let none = Settings::default();
        assert_eq!(
            backend_config(&none, Path::new("x.json")).unwrap(),
            BackendConfig::Local {
                path: "x.json".into()
            }
        );
        let local = Settings {
            backend: Some(BackendSettings::Local {
                path: Some("team.json".into()),
            }),
            ..Settings::default()
        };
        assert_eq!(
            backend_config(&local, default).unwrap(),
            BackendConfig::Local {
                path: "team.json".into()
            }
        );
        assert_eq!(
            backend_config(&local, Path::new("y.json")).unwrap(),
            BackendConfig::Local {
                path: "y.json".into()
            }
        );
        let pg = Settings {
            backend: Some(BackendSettings::Postgres {
                conn_str: Some(Secret::new("postgres://u:pw@127.0.0.1/db")),
                schema_name: Some("s".into()),
                workspace: None,
            }),
            ..Settings::default()
        };
        assert!(matches!(
            backend_config(&pg, default).unwrap(),
            BackendConfig::Postgres { .. }
        ));
        assert!(backend_config(&pg, Path::new("y.json")).is_err());
    }
}
