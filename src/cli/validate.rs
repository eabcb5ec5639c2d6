//! `cdnform validate`: load and check the configuration; no state, no APIs.

use crate::cli::args::ValidateArgs;
use crate::cli::error::CliError;
use crate::cli::json_view;
use crate::cli::output::Output;
use crate::cli::session::load_config;
use crate::model::Desired;

pub fn run(args: ValidateArgs, out: &Output) -> Result<i32, CliError> {
    if out.json {
        json_view::version();
    }
    let config = load_config(&args.vars, out)?;
    let problems = crate::plan::validate::validate_offline(&config);
    if problems.iter().any(|d| d.is_error()) {
        return Err(CliError::diagnostics(problems));
    }
    out.diagnostics(&problems);
    if out.json {
        json_view::emit(
            "validate_result",
            serde_json::json!({"valid": true, "resources": config.resources().len(), "providers": config.providers().len()}),
        );
        return Ok(0);
    }
    out.line(&format!(
        "Success! The configuration is valid ({} resource{}, {} provider{}).",
        config.resources().len(),
        if config.resources().len() == 1 {
            ""
        } else {
            "s"
        },
        config.providers().len(),
        if config.providers().len() == 1 {
            ""
        } else {
            "s"
        },
    ));
    Ok(0)
}
