//! `cdnform fmt`: rewrite *.hcl files canonically; `-check` only reports.

use crate::cli::args::FmtArgs;
use crate::cli::error::CliError;
use crate::cli::output::Output;
use crate::config::format_source;
use std::path::{Path, PathBuf};

pub fn run(args: FmtArgs, out: &Output) -> Result<i32, CliError> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let mut files = Vec::new();
    for p in &paths {
        collect(p, &mut files)?;
    }
    let mut unformatted = 0;
    let mut errors = Vec::new();
    for file in files {
        let src = std::fs::read_to_string(&file)
            .map_err(|e| CliError::user(format!("cannot read {}: {e}", file.display())))?;
        let name = file.display().to_string();
        match format_source(&src, &name) {
            Ok(formatted) if formatted != src => {
                unformatted += 1;
                out.line(&name);
                if !args.check {
                    std::fs::write(&file, formatted)
                        .map_err(|e| CliError::runtime(format!("cannot write {name}: {e}")))?;
                }
            }
            Ok(_) => {}
            Err(mut d) => errors.append(&mut d),
        }
    }
    if !errors.is_empty() {
        return Err(CliError::diagnostics(errors));
    }
    Ok(if args.check && unformatted > 0 { 3 } else { 0 })
}

fn collect(p: &Path, files: &mut Vec<PathBuf>) -> Result<(), CliError> {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .map_err(|e| CliError::user(format!("cannot read directory {}: {e}", p.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|f| f.extension().is_some_and(|x| x == "hcl") && f.is_file())
            .collect();
        entries.sort();
        files.extend(entries);
        Ok(())
    } else if p.is_file() {
        files.push(p.to_path_buf());
        Ok(())
    } else {
        Err(CliError::user(format!(
            "no such file or directory: {}",
            p.display()
        )))
    }
}
