//! `cdnform force-unlock ID`: remove a lock left by a process that is gone.

use crate::cli::args::ForceUnlockArgs;
use crate::cli::error::CliError;
use crate::cli::output::Output;

pub fn run(args: ForceUnlockArgs, out: &Output) -> Result<i32, CliError> {
    crate::cli::backend::open_here(&args.state)?.force_unlock(&args.lock_id)?;
    out.line(&format!(
        "The state lock {} has been removed.",
        args.lock_id
    ));
    Ok(0)
}
