//! Where the CLI writes: stdout for results, stderr for progress, warnings
//! and errors; colour only on a terminal without NO_COLOR or -no-color.

use crate::cli::diag;
use crate::cli::error::CliError;
use crate::cli::json_view;
use crate::model::Diagnostic;
use std::io::{IsTerminal, Write};

pub struct Output {
    pub color: bool,
    pub err_color: bool,
    /// `-json`: messages as JSON lines on stdout.
    pub json: bool,
}

impl Output {
    pub fn new(no_color: bool, json: bool) -> Self {
        let allowed = !no_color && std::env::var_os("NO_COLOR").is_none();
        Output {
            color: allowed && std::io::stdout().is_terminal(),
            err_color: allowed && std::io::stderr().is_terminal(),
            json,
        }
    }

    pub fn line(&self, s: &str) {
        let mut o = std::io::stdout().lock();
        let _ = writeln!(o, "{s}");
        let _ = o.flush();
    }

    pub fn text(&self, s: &str) {
        let mut o = std::io::stdout().lock();
        let _ = write!(o, "{s}");
        let _ = o.flush();
    }

    pub fn progress(&self, s: &str) {
        eprintln!("{s}");
    }

    pub fn diagnostics(&self, ds: &[Diagnostic]) {
        if self.json {
            ds.iter().for_each(json_view::diagnostic);
            return;
        }
        for d in ds {
            eprintln!("{}", diag::render(d, self.err_color));
        }
    }

    pub fn error(&self, e: &CliError) {
        self.diagnostics(&e.diagnostics);
        if self.json {
            json_view::diagnostic(&Diagnostic::error(e.message.clone()));
            return;
        }
        let prefix = if self.err_color {
            "\x1b[1;31mError:\x1b[0m"
        } else {
            "Error:"
        };
        eprintln!("{prefix} {}", e.message);
    }

    pub fn warning(&self, s: &str) {
        if self.json {
            json_view::diagnostic(&Diagnostic::warning(s));
            return;
        }
        let prefix = if self.err_color {
            "\x1b[1;33mWarning:\x1b[0m"
        } else {
            "Warning:"
        };
        eprintln!("{prefix} {s}");
    }
}
