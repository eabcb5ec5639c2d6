//! `output "name" { value = ..., sensitive = true, description = "..." }`:
//! values computed from resources after an apply, kept in the state and
//! printed by `cdnform output`. An output that uses a sensitive value must
//! say `sensitive = true`, as in Terraform.

use super::diagnostics::{did_you_mean, EvalError};
use super::eval::Scope;
use super::locate::header_span;
use super::source::SourceFile;
use super::Config;
use crate::model::{Address, Diagnostic, Lookup, PlannedValue};
use hcl_edit::structure::Block;
use hcl_edit::Span;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A declared output block.
#[derive(Clone, Debug)]
pub struct OutputDecl {
    pub name: String,
    pub sensitive: bool,
    pub description: Option<String>,
    pub(super) file: Arc<SourceFile>,
    pub(super) block: Block,
}

const OUTPUT_ARGS: &[&str] = &["value", "sensitive", "description"];

/// Read an output block's literal settings (its value is evaluated later).
pub fn declare_output(f: &Arc<SourceFile>, b: &Block, diags: &mut Vec<Diagnostic>) -> OutputDecl {
    let mut decl = OutputDecl {
        name: b.labels[0].as_str().to_string(),
        sensitive: false,
        description: None,
        file: f.clone(),
        block: b.clone(),
    };
    for inner in b.body.blocks() {
        diags.push(
            Diagnostic::error("Unsupported block type")
                .with_detail("An output block holds value, sensitive and description.")
                .at(f.loc(inner.ident.span())),
        );
    }
    for a in b.body.attributes() {
        let at = f.loc(a.value.span());
        match a.key.as_str() {
            "value" => {}
            "sensitive" => match a.value.as_bool() {
                Some(v) => decl.sensitive = v,
                None => diags.push(
                    Diagnostic::error("Invalid sensitive value")
                        .with_detail("sensitive must be the literal true or false.")
                        .at(at),
                ),
            },
            "description" => match a.value.as_str() {
                Some(s) => decl.description = Some(s.to_string()),
                None => diags.push(
                    Diagnostic::error("Invalid description")
                        .with_detail("description must be a literal string.")
                        .at(at),
                ),
            },
            other => diags.push(
                Diagnostic::error("Unsupported argument")
                    .with_detail(format!(
                        "An argument named \"{other}\" is not expected in an output block.{}",
                        did_you_mean(other, OUTPUT_ARGS.iter().copied())
                    ))
                    .at(f.loc(a.key.span())),
            ),
        }
    }
    if b.body.get_attribute("value").is_none() {
        diags.push(
            Diagnostic::error("Missing required argument")
                .with_detail(format!("output \"{}\" needs a value.", decl.name))
                .at(f.loc(header_span(b))),
        );
    }
    decl
}

impl Config {
    /// The declared outputs, by name.
    pub fn outputs(&self) -> &BTreeMap<String, OutputDecl> {
        &self.outputs
    }

    /// Evaluate output `name`; references to resources go through `lookup`
    /// (known values, or unknown until apply). A declared sensitive output
    /// is sensitive as a whole.
    pub fn evaluate_output(
        &self,
        name: &str,
        lookup: &dyn Fn(&Address, &[String]) -> Lookup,
    ) -> Result<PlannedValue, Vec<Diagnostic>> {
        self.output_value(name, lookup)
            .map_err(|errors| errors.into_iter().map(Diagnostic::from).collect())
    }

    pub(super) fn output_value(
        &self,
        name: &str,
        lookup: &dyn Fn(&Address, &[String]) -> Lookup,
    ) -> Result<PlannedValue, Vec<EvalError>> {
        let Some(decl) = self.outputs.get(name) else {
            return Err(vec![EvalError::new(
                "Unknown output",
                format!("There is no output \"{name}\" in the configuration."),
                None,
            )]);
        };
        let Some(attr) = decl.block.body.get_attribute("value") else {
            return Err(Vec::new());
        };
        let mut scope = Scope::new(
            &self.vars,
            &self.locals,
            &self.addresses,
            Some(lookup),
            "an output",
        );
        scope.expansions = Some(&self.expansions);
        let v = scope.eval(&attr.value, &decl.file).map_err(|e| vec![e])?;
        if v.any_sensitive() && !decl.sensitive {
            return Err(vec![EvalError::new(
                "Output refers to sensitive values",
                format!("output \"{name}\" uses a sensitive value; set sensitive = true in its block to allow it (its value is then never printed nor stored)."),
                decl.file.loc(attr.value.span()),
            )]);
        }
        let mut unknown = BTreeMap::new();
        let mut sensitive = BTreeSet::new();
        let value = v.to_json("", decl.sensitive, &mut unknown, &mut sensitive);
        if decl.sensitive {
            sensitive.insert(String::new());
        }
        Ok(PlannedValue {
            value,
            unknown,
            sensitive,
        })
    }
}
