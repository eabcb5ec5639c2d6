//! Helpers to build diagnostics: "Did you mean" suggestions and the
//! evaluation error type that remembers whether an error is only due to a
//! value being unknown until apply.

use crate::model::{Diagnostic, Location};

/// The closest candidate to `name`, if close enough to be a likely typo.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, c)| {
            let close_edit = strsim::osa_distance(name, c) <= (name.chars().count() / 3).max(1);
            (*score >= 0.8 || close_edit) && *c != name
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// ` Did you mean "x"?` or the empty string.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match suggest(name, candidates) {
        Some(s) => format!(" Did you mean \"{s}\"?"),
        None => String::new(),
    }
}

/// An error from evaluating an expression.
#[derive(Clone, Debug)]
pub struct EvalError {
    pub diag: Box<Diagnostic>,
    /// The error only arises because a value is unknown until apply; a
    /// validation pass that treats every resource attribute as unknown
    /// ignores these (the value may well be known at plan time).
    pub after_apply: bool,
}

impl EvalError {
    pub fn new(
        summary: impl Into<String>,
        detail: impl Into<String>,
        at: Option<Location>,
    ) -> Self {
        EvalError {
            diag: Box::new(Diagnostic::error(summary).with_detail(detail).at(at)),
            after_apply: false,
        }
    }
}

impl From<EvalError> for Diagnostic {
    fn from(e: EvalError) -> Diagnostic {
        *e.diag
    }
}

/// "Reference to undeclared input variable" (shared by the static check
/// and the evaluator so both report the same text).
pub fn undeclared_var<'a>(
    name: &str,
    declared: impl IntoIterator<Item = &'a str>,
    at: Option<Location>,
) -> EvalError {
    EvalError::new(
        "Reference to undeclared input variable",
        format!(
            "An input variable with the name \"{name}\" has not been declared.{}",
            did_you_mean(name, declared)
        ),
        at,
    )
}

pub fn undeclared_local<'a>(
    name: &str,
    declared: impl IntoIterator<Item = &'a str>,
    at: Option<Location>,
) -> EvalError {
    EvalError::new(
        "Reference to undeclared local value",
        format!(
            "A local value with the name \"{name}\" has not been declared.{}",
            did_you_mean(name, declared)
        ),
        at,
    )
}

pub fn undeclared_resource<'a>(
    ty: &str,
    name: &str,
    declared: impl IntoIterator<Item = &'a str>,
    at: Option<Location>,
) -> EvalError {
    EvalError::new(
        "Reference to undeclared resource",
        format!(
            "A resource \"{ty}\" \"{name}\" has not been declared.{}",
            did_you_mean(name, declared)
        ),
        at,
    )
}

/// Drop exact repeats (same severity, text and place): a reference can be
/// reported by both the static check and an evaluation.
pub fn dedup(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = std::collections::HashSet::new();
    diags
        .into_iter()
        .filter(|d| seen.insert(d.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(suggest("adress", ["address", "port"]), Some("address"));
        assert_eq!(suggest("zzz", ["address", "port"]), None);
        assert_eq!(
            did_you_mean("orgin", ["origin"]),
            " Did you mean \"origin\"?"
        );
    }
}
