//! `cdnform show PLAN`: a saved plan rendered again, or as one JSON document.

use crate::cli::args::ShowArgs;
use crate::cli::error::CliError;
use crate::cli::output::Output;
use crate::plan::render::{render_plan, RenderOptions};
use crate::plan::saved::SavedPlan;

pub fn run(args: ShowArgs, out: &Output) -> Result<i32, CliError> {
    let saved = SavedPlan::read(&args.plan_file).map_err(|e| CliError::user(e.to_string()))?;
    if args.json {
        out.line(&serde_json::to_string_pretty(&saved).expect("plans serialise"));
    } else {
        out.text(&render_plan(
            &saved.plan,
            RenderOptions { color: out.color },
        ));
    }
    Ok(0)
}
