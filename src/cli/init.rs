//! `cdnform init [-migrate-state [-force-copy]]`: open the state backend the
//! `cdnform` block names (for postgres: connect and create the tables) and,
//! on request, copy the local state file into it — the way a team moves
//! from one laptop's state to a shared one.

use crate::cli::args::InitArgs;
use crate::cli::backend::open;
use crate::cli::error::CliError;
use crate::cli::output::Output;
use crate::config::read_settings;
use crate::state::{migrate, LocalBackend, MigrateOptions, StateBackend, DEFAULT_STATE_PATH};
use std::path::Path;

pub fn run(args: InitArgs, out: &Output) -> Result<i32, CliError> {
    let settings = read_settings(Path::new(".")).map_err(CliError::diagnostics)?;
    let target = open(&settings, Path::new(DEFAULT_STATE_PATH))?;
    let source = LocalBackend::new(args.from_state.clone());
    let same = source.describe() == target.describe();
    if !args.migrate_state {
        out.line(&format!(
            "cdnform is initialized: the state is in the {}.",
            target.describe()
        ));
        let local_has_state = !same && source.path().exists();
        if local_has_state && !target.load()?.exists {
            out.warning(&format!(
                "{} holds a state and the configured backend holds none: run `cdnform init -migrate-state` to copy it there",
                args.from_state.display()
            ));
        }
        return Ok(0);
    }
    if same {
        return Err(CliError::user(format!(
            "the configured backend is the {} itself: nothing to migrate (configure another backend in the cdnform block first)",
            target.describe()
        )));
    }
    if !source.path().exists() {
        return Err(CliError::user(format!(
            "there is no state at {} to migrate",
            args.from_state.display()
        )));
    }
    let done = migrate(
        &source,
        target.as_ref(),
        &MigrateOptions {
            force: args.force_copy,
            lock_timeout: Some(args.lock_timeout),
        },
    )?;
    for w in &done.warnings {
        out.warning(w);
    }
    if !done.copied {
        out.line(&format!(
            "The {} already holds this state (lineage {}, serial {}); nothing copied.",
            target.describe(),
            done.lineage,
            done.serial
        ));
        return Ok(0);
    }
    out.line(&format!(
        "Migrated the state (lineage {}, {} resources) from {} to the {} as serial {}.{}",
        done.lineage,
        done.resources,
        args.from_state.display(),
        target.describe(),
        done.serial,
        match &done.replaced {
            Some((lineage, serial)) => format!(" It replaced lineage {lineage} serial {serial}."),
            None => String::new(),
        }
    ));
    out.line(&format!(
        "The local file {} is left as it was; remove it once the team uses the new backend.",
        args.from_state.display()
    ));
    Ok(0)
}
