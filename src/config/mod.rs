//! HCL configuration files -> the desired resources: parsing (hcl-edit,
//! with spans), variables, locals, references, functions, unknown values,
//! sensitivity taint, schema checks and diagnostics with file:line:col.
//! Also `format_source` for `cdnform fmt`.

mod cycles;
mod diagnostics;
mod eval;
mod expand;
mod fmt;
mod functions;
mod imports;
mod load;
mod locate;
mod meta;
mod outputs;
mod parse;
mod references;
mod schema_check;
mod schema_paths;
mod settings;
mod source;
mod traversal;
mod types;
mod validate;
mod validate_content;
mod validate_filters;
mod validate_https;
mod validate_rules;
mod value;
mod variables;

#[cfg(test)]
mod tests_invalid;
#[cfg(test)]
mod tests_language;
#[cfg(test)]
mod tests_valid;

pub use fmt::format_source;
pub use load::load_dir;
pub use outputs::OutputDecl;
pub use settings::{read_settings, BackendSettings, Settings};
pub use source::SourceFile;
pub use validate_content::url_host;

use crate::model::schema::{provider_schema, resource_schema};
use crate::model::{
    Address, Desired, DesiredResource, Diagnostic, Location, Lookup, PlannedValue, ProviderAddr,
};
use eval::{LocalDecl, Scope};
use hcl_edit::structure::Block;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use value::V;

/// Variable values given on the command line and in the environment.
#[derive(Clone, Debug, Default)]
pub struct VarInputs {
    /// `-var k=v`, in command-line order.
    pub vars: Vec<(String, String)>,
    pub var_files: Vec<PathBuf>,
    /// `CDNFORM_VAR_name=value` pairs (the name with or without the prefix).
    pub env: Vec<(String, String)>,
}

/// A `provider` block, its settings evaluated.
#[derive(Clone)]
pub struct ProviderConfig {
    pub addr: ProviderAddr,
    pub settings: serde_json::Map<String, serde_json::Value>,
    pub location: Option<Location>,
}

impl std::fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let schema = provider_schema(&self.addr.vendor);
        let shown: BTreeMap<&str, String> = self
            .settings
            .iter()
            .map(|(k, v)| {
                let secret = schema
                    .and_then(|s| s.block.attribute(k))
                    .is_some_and(|a| a.sensitive);
                let text = if secret {
                    "(sensitive value)".to_string()
                } else {
                    v.to_string()
                };
                (k.as_str(), text)
            })
            .collect();
        f.debug_struct("ProviderConfig")
            .field("addr", &self.addr.to_string())
            .field("settings", &shown)
            .field("location", &self.location.as_ref().map(ToString::to_string))
            .finish()
    }
}

/// A declared resource block, kept for evaluation and `locate`.
#[derive(Clone, Debug)]
struct ResourceDecl {
    file: Arc<SourceFile>,
    block: Block,
}

/// A loaded, validated configuration.
#[derive(Debug)]
pub struct Config {
    files: Vec<Arc<SourceFile>>,
    providers: Vec<ProviderConfig>,
    resources: Vec<DesiredResource>,
    /// Keyed by resource address (no instance key).
    decls: BTreeMap<Address, ResourceDecl>,
    /// Resource addresses (no instance key).
    addresses: BTreeSet<Address>,
    expansions: BTreeMap<Address, expand::Expansion>,
    vars: BTreeMap<String, V>,
    locals: BTreeMap<String, LocalDecl>,
    settings: Settings,
    outputs: BTreeMap<String, outputs::OutputDecl>,
    warnings: Vec<Diagnostic>,
}

impl Config {
    pub fn providers(&self) -> &[ProviderConfig] {
        &self.providers
    }

    /// The `cdnform { }` block (defaults when there is none).
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The configuration files, in load order.
    pub fn files(&self) -> &[Arc<SourceFile>] {
        &self.files
    }

    /// Evaluate with `lookup`, keeping errors that come only from unknown
    /// values apart (`validate` ignores those).
    fn evaluate_resource(
        &self,
        address: &Address,
        lookup: &dyn Fn(&Address, &[String]) -> Lookup,
    ) -> (PlannedValue, Vec<diagnostics::EvalError>) {
        let expansion = self.expansions.get(&address.resource());
        let known = expansion.is_some_and(|e| e.has(address.key.as_ref()));
        let Some(decl) = self.decls.get(&address.resource()).filter(|_| known) else {
            let e = diagnostics::EvalError::new(
                "Unknown resource",
                format!("{address} is not declared in the configuration."),
                None,
            );
            return (PlannedValue::default(), vec![e]);
        };
        let schema =
            resource_schema(&address.resource_type).expect("declared resources have a schema");
        let mut scope = Scope::new(
            &self.vars,
            &self.locals,
            &self.addresses,
            Some(lookup),
            "a resource",
        );
        scope.expansions = Some(&self.expansions);
        scope.instance = expansion.and_then(|e| e.instance(address.key.as_ref()));
        let mut out = schema_check::Collected::default();
        let obj = schema_check::eval_block(
            &scope,
            &decl.file,
            &decl.block,
            schema.block,
            load::RESOURCE_META,
            "",
            &mut out,
        );
        let pv = PlannedValue {
            value: serde_json::Value::Object(obj),
            unknown: out.unknown,
            sensitive: out.sensitive,
        };
        let mut errors = out.errors;
        if errors.is_empty() {
            for p in validate::check(&address.resource_type, &pv) {
                let locate = |ptr: &str| {
                    locate::locate_value_in_block(&decl.file, &decl.block, schema.block, ptr)
                };
                let mut detail = p.detail;
                if let Some(first) = p.first.as_deref().and_then(locate) {
                    detail.push_str(&format!(" The first is at {first}."));
                }
                errors.push(diagnostics::EvalError::new(
                    p.summary,
                    detail,
                    locate(&p.pointer),
                ));
            }
        }
        (pv, errors)
    }
}

impl Desired for Config {
    fn resources(&self) -> &[DesiredResource] {
        &self.resources
    }

    fn evaluate(
        &self,
        address: &Address,
        lookup: &dyn Fn(&Address, &[String]) -> Lookup,
    ) -> Result<PlannedValue, Vec<Diagnostic>> {
        let (pv, errors) = self.evaluate_resource(address, lookup);
        if errors.is_empty() {
            Ok(pv)
        } else {
            Err(diagnostics::dedup(
                errors.into_iter().map(Diagnostic::from).collect(),
            ))
        }
    }

    fn locate(&self, address: &Address, pointer: &str) -> Option<Location> {
        let decl = self.decls.get(&address.resource())?;
        let schema = resource_schema(&address.resource_type)?;
        locate::locate_in_block(&decl.file, &decl.block, schema.block, pointer)
    }
}
#[cfg(test)]
mod tests_domain_invalid;
#[cfg(test)]
mod tests_features;

/// Fuzzing entry point: one HCL file through the parser, the loader (all
/// checks and evaluation) and the formatter. Must never panic.
pub fn fuzz_load(text: &str) {
    if let Ok(file) = parse::parse_source("fuzz.hcl", text) {
        let _ = load::load_files(vec![file], &VarInputs::default());
    }
    let _ = format_source("fuzz.hcl", text);
}
