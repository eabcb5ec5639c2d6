//! What plan, apply and destroy share: the loaded configuration, the locked
//! state backend, the loaded state and the configured providers.

use crate::cli::args::{RunArgs, VarArgs};
use crate::cli::error::CliError;
use crate::cli::output::Output;
use crate::cli::providers::{build_providers, ProviderRuntime};
use crate::config::{self, Config, VarInputs};
use crate::state::{LockGuard, LockRequest, State, StateBackend};
use std::path::Path;

pub struct Session {
    pub config: Config,
    pub backend: Box<dyn StateBackend>,
    pub state: State,
    /// The state existed on disk (or in the journal) before this run.
    pub state_exists: bool,
    pub providers: ProviderRuntime,
    // Held for the whole command (unless -lock=false); released on drop.
    _lock: Option<Box<dyn LockGuard>>,
}

impl Session {
    pub async fn open(args: &RunArgs, operation: &str, out: &Output) -> Result<Session, CliError> {
        let config = load_config(&args.vars, out)?;
        let backend = crate::cli::backend::open(config.settings(), &args.state.state)?;
        let lock = if args.lock {
            Some(backend.lock(
                &LockRequest {
                    operation: operation.to_string(),
                },
                args.state.lock_timeout,
            )?)
        } else {
            None
        };
        if let Some(old) = lock.as_ref().and_then(|l| l.taken_over()) {
            out.warning(&format!(
                "took over the state lock of {} (pid {} on {}, `{}` since {}), \
                 whose process ended without releasing it",
                old.who, old.pid, old.host, old.operation, old.created
            ));
        }
        let loaded = backend.load()?;
        for w in &loaded.warnings {
            out.warning(w);
        }
        if loaded.replayed > 0 {
            out.warning(&format!(
                "recovered {} change(s) from the state journal of an interrupted run",
                loaded.replayed
            ));
        }
        let providers = build_providers(&config, Path::new("state"), out.json).await?;
        Ok(Session {
            config,
            backend,
            state: loaded.state,
            state_exists: loaded.exists,
            providers,
            _lock: lock,
        })
    }
}

/// Variable inputs from flags and `CDNFORM_VAR_*` environment variables.
pub fn var_inputs(args: &VarArgs) -> Result<VarInputs, CliError> {
    let mut vars = Vec::new();
    for v in &args.vars {
        let (k, val) = v
            .split_once('=')
            .ok_or_else(|| CliError::user(format!("invalid -var {v:?}: expected NAME=VALUE")))?;
        vars.push((k.trim().to_string(), val.to_string()));
    }
    let env = std::env::vars()
        .filter_map(|(k, v)| k.strip_prefix("CDNFORM_VAR_").map(|n| (n.to_string(), v)))
        .collect();
    Ok(VarInputs {
        vars,
        var_files: args.var_files.clone(),
        env,
    })
}

/// Load every *.hcl file of the current directory; print warnings.
pub fn load_config(args: &VarArgs, out: &Output) -> Result<Config, CliError> {
    let inputs = var_inputs(args)?;
    let config = config::load_dir(Path::new("."), &inputs).map_err(CliError::diagnostics)?;
    out.diagnostics(config.warnings());
    Ok(config)
}
