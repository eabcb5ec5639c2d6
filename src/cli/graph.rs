//! `cdnform graph`: the configuration's dependency graph in DOT (Graphviz):
//! an edge `a -> b` means `a` depends on `b`, by reference or `depends_on`.

use crate::cli::args::VarArgs;
use crate::cli::error::CliError;
use crate::cli::output::Output;
use crate::cli::session::load_config;
use crate::model::Desired;
use std::fmt::Write;

pub fn run(args: VarArgs, out: &Output) -> Result<i32, CliError> {
    let config = load_config(&args, out)?;
    let mut dot = String::from("digraph cdnform {\n  rankdir = \"RL\";\n");
    for r in config.resources() {
        let _ = writeln!(
            dot,
            "  \"{}\" [label = \"{}\\n({})\"];",
            r.address, r.address, r.provider
        );
    }
    for r in config.resources() {
        for d in &r.depends_on {
            let _ = writeln!(dot, "  \"{}\" -> \"{d}\";", r.address);
        }
    }
    dot.push_str("}\n");
    out.text(&dot);
    Ok(0)
}
