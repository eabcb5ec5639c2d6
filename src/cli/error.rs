//! The one error the CLI reports: a classified message (and diagnostics)
//! that decides the exit code.

use crate::model::Diagnostic;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// Bad input: flags, configuration, state, credentials.
    User,
    /// The vendor or the machine failed.
    Runtime,
}

#[derive(Debug)]
pub struct CliError {
    pub class: ErrorClass,
    pub message: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl CliError {
    pub fn user(message: impl Into<String>) -> Self {
        CliError {
            class: ErrorClass::User,
            message: message.into(),
            diagnostics: Vec::new(),
        }
    }
    pub fn runtime(message: impl Into<String>) -> Self {
        CliError {
            class: ErrorClass::Runtime,
            message: message.into(),
            diagnostics: Vec::new(),
        }
    }
    pub fn diagnostics(diagnostics: Vec<Diagnostic>) -> Self {
        let n = diagnostics.iter().filter(|d| d.is_error()).count();
        CliError {
            class: ErrorClass::User,
            message: format!(
                "{n} error{} in the configuration",
                if n == 1 { "" } else { "s" }
            ),
            diagnostics,
        }
    }
    /// Every failure exits 1; 2 is reserved for "changes present".
    pub fn exit_code(&self) -> i32 {
        1
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<crate::state::StateError> for CliError {
    fn from(e: crate::state::StateError) -> Self {
        CliError::user(e.to_string())
    }
}

impl From<crate::plan::PlanError> for CliError {
    fn from(e: crate::plan::PlanError) -> Self {
        match e {
            crate::plan::PlanError::Diagnostics(d) => CliError::diagnostics(d),
            crate::plan::PlanError::Refresh { .. } => CliError::runtime(e.to_string()),
            other => CliError::user(other.to_string()),
        }
    }
}
