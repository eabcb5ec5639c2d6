//! The command line: clap definitions, one file per command, and the
//! terminal side of the engine (rendering, prompts, progress). The only
//! module that prints or reads the terminal.

pub mod apply;
pub mod args;
pub mod backend;
pub mod bench;
pub mod capabilities;
pub mod diag;
pub mod drift;
pub mod emulator;
pub mod error;
pub mod fmt;
pub mod force_unlock;
pub mod generate;
pub mod graph;
pub mod hooks;
pub mod import;
pub mod init;
pub mod json_view;
pub mod output;
pub mod outputs;
pub mod plan;
pub mod progress;
pub mod providers;
pub mod purge;
pub mod session;
pub mod show;
pub mod state;
pub mod validate;

use args::{Cli, Command};
use clap::Parser;
use error::CliError;
use output::Output;
use std::ffi::OsString;

/// Parse `args`, run the command, return the process exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args::normalise_args(args)) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 1 } else { 0 };
        }
    };
    let json = match &cli.command {
        Command::Plan(a) => a.run.json,
        Command::Apply(a) | Command::Destroy(a) => a.run.json,
        Command::Drift(a) => a.run.json,
        Command::Validate(a) => a.json,
        _ => false,
    };
    let out = Output::new(cli.no_color || json, json);
    if let Some(dir) = &cli.chdir {
        if let Err(e) = std::env::set_current_dir(dir) {
            out.error(&CliError::user(format!(
                "cannot switch to directory {}: {e}",
                dir.display()
            )));
            return 1;
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            out.error(&CliError::runtime(format!(
                "cannot start the async runtime: {e}"
            )));
            return 1;
        }
    };
    let result = runtime.block_on(dispatch(cli.command, &out));
    match result {
        Ok(code) => code,
        Err(e) => {
            out.error(&e);
            e.exit_code()
        }
    }
}

async fn dispatch(command: Command, out: &Output) -> Result<i32, CliError> {
    match command {
        Command::Init(a) => init::run(a, out),
        Command::Validate(a) => validate::run(a, out),
        Command::Plan(a) => plan::run(a, out).await,
        Command::Apply(a) => apply::run(a, false, out).await,
        Command::Destroy(a) => apply::run(a, true, out).await,
        Command::Drift(a) => drift::run(a, out).await,
        Command::Show(a) => show::run(a, out),
        Command::Import(a) => import::run(a, out).await,
        Command::Graph(a) => graph::run(a, out),
        Command::Output(a) => outputs::run(a, out),
        Command::Purge(a) => purge::run(a, out).await,
        Command::Fmt(a) => fmt::run(a, out),
        Command::State(c) => state::run(c, out),
        Command::ForceUnlock(a) => force_unlock::run(a, out),
        Command::Emulator(a) => emulator::run(a, out).await,
        Command::Bench(a) => bench::run(a, out).await,
        Command::Providers { json } => capabilities::run(json, out),
        Command::Version => {
            out.line(&format!("cdnform v{}", env!("CARGO_PKG_VERSION")));
            Ok(0)
        }
    }
}
