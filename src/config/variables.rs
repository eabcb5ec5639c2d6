//! `variable` blocks and their values: `default`, `CDNFORM_VAR_name`,
//! `-var-file` files, then `-var` (highest precedence), converted to the
//! declared type and tainted when the variable is sensitive. Diagnostics
//! never show a sensitive variable's value.

use super::diagnostics::did_you_mean;
use super::eval::Scope;
use super::parse::{read_file, ParsedFile};
use super::references::refs_in_expr;
use super::source::SourceFile;
use super::types::{convert, parse_type, TypeC, TYPE_KEYWORDS};
use super::value::V;
use super::VarInputs;
use crate::model::{Diagnostic, Location};
use hcl_edit::expr::Expression;
use hcl_edit::structure::Block;
use hcl_edit::Span;
use std::collections::{BTreeMap, BTreeSet};

const VARIABLE_ARGS: &[&str] = &["type", "default", "description", "sensitive"];

/// A declared variable.
#[derive(Clone, Debug)]
pub struct VariableDecl {
    pub ty: TypeC,
    pub default: Option<(V, Option<Location>)>,
    pub sensitive: bool,
    pub location: Option<Location>,
}

/// Read a `variable "name" { ... }` block.
pub fn declare(
    block: &Block,
    f: &SourceFile,
    header: Option<Location>,
    diags: &mut Vec<Diagnostic>,
) -> VariableDecl {
    let mut decl = VariableDecl {
        ty: TypeC::Any,
        default: None,
        sensitive: false,
        location: header,
    };
    for b in block.body.blocks() {
        diags.push(
            Diagnostic::error("Unsupported block type")
                .with_detail(format!(
                    "Blocks of type \"{}\" are not expected in a variable block.",
                    b.ident.as_str()
                ))
                .at(f.loc(b.ident.span())),
        );
    }
    let no_vars = BTreeMap::new();
    let no_locals = BTreeMap::new();
    let no_resources = BTreeSet::new();
    let scope = Scope::new(
        &no_vars,
        &no_locals,
        &no_resources,
        None,
        "a variable declaration",
    );
    let mut default_expr = None;
    for a in block.body.attributes() {
        let key = a.key.as_str();
        match key {
            "type" => match parse_type(&a.value) {
                Ok(t) => decl.ty = t,
                Err(word) => diags.push(Diagnostic::error("Invalid type specification").with_detail(format!("\"{word}\" is not a type; use string, number, bool, list(T), map(T) or any.{}", did_you_mean(&word, TYPE_KEYWORDS.iter().copied()))).at(f.loc(a.value.span()))),
            },
            "sensitive" => match a.value.as_bool() {
                Some(b) => decl.sensitive = b,
                None => diags.push(Diagnostic::error("Invalid sensitive value").with_detail("sensitive must be true or false.").at(f.loc(a.value.span()))),
            },
            "description" => {}
            "default" => default_expr = Some(&a.value),
            other => diags.push(Diagnostic::error("Unsupported argument").with_detail(format!("An argument named \"{other}\" is not expected in a variable block.{}", did_you_mean(other, VARIABLE_ARGS.iter().copied()))).at(f.loc(a.key.span()))),
        }
    }
    if let Some(e) = default_expr {
        if !refs_in_expr(e).is_empty() {
            diags.push(
                Diagnostic::error("Variables not allowed")
                    .with_detail("A variable's default value cannot refer to other values.")
                    .at(f.loc(e.span())),
            );
        } else {
            match scope.eval(e, f) {
                Ok(v) => decl.default = Some((v, f.loc(e.span()))),
                Err(err) => diags.push(*err.diag),
            }
        }
    }
    decl
}

/// A raw value and where it came from.
struct Given {
    value: V,
    source: String,
    at: Option<Location>,
}

/// Resolve every declared variable's value. Unknown names in var files
/// are warnings; `-var` for an undeclared variable is an error.
pub fn resolve(
    decls: &BTreeMap<String, VariableDecl>,
    inputs: &VarInputs,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, V> {
    let mut given: BTreeMap<String, Given> = BTreeMap::new();
    for (k, raw) in &inputs.env {
        let name = k.strip_prefix("CDNFORM_VAR_").unwrap_or(k);
        if let Some(d) = decls.get(name) {
            given.insert(
                name.to_string(),
                Given {
                    value: from_cli(raw, &d.ty),
                    source: format!("environment variable CDNFORM_VAR_{name}"),
                    at: None,
                },
            );
        }
    }
    for path in &inputs.var_files {
        match read_file(path) {
            Ok(file) => {
                let secret_names: Vec<&str> = file
                    .body
                    .attributes()
                    .map(|a| a.key.as_str())
                    .filter(|n| decls.get(*n).is_some_and(|d| d.sensitive))
                    .collect();
                if !secret_names.is_empty() && readable_by_others(path) {
                    diags.push(
                        Diagnostic::warning("Credentials file readable by others")
                            .with_detail(format!(
                                "{} sets the sensitive variable(s) {} and other users can read it; run chmod 600 {}",
                                path.display(),
                                secret_names.join(", "),
                                path.display()
                            )),
                    );
                }
                var_file(&file, decls, &mut given, diags)
            }
            Err(d) => diags.extend(d),
        }
    }
    for (name, raw) in &inputs.vars {
        match decls.get(name) {
            Some(d) => {
                given.insert(name.clone(), Given { value: from_cli(raw, &d.ty), source: "-var".into(), at: None });
            }
            None => diags.push(Diagnostic::error("Value for undeclared variable").with_detail(format!("A variable named \"{name}\" was assigned with -var, but the configuration does not declare a variable of that name.{}", did_you_mean(name, decls.keys().map(String::as_str))))),
        }
    }
    let mut out = BTreeMap::new();
    for (name, d) in decls {
        let (value, source, at) = match (given.remove(name), &d.default) {
            (Some(g), _) => (g.value, g.source, g.at),
            (None, Some((v, at))) => (v.clone(), "the default".to_string(), at.clone()),
            (None, None) => {
                diags.push(Diagnostic::error("No value for required variable").with_detail(format!("The variable \"{name}\" has no default value; set it with -var, -var-file or CDNFORM_VAR_{name}.")).at(d.location.clone()));
                continue;
            }
        };
        let value = value.tainted(d.sensitive);
        match convert(value, &d.ty) {
            Ok(v) => {
                out.insert(name.clone(), v);
            }
            Err(msg) => diags.push(Diagnostic::error("Invalid value for input variable").with_detail(format!("The value for variable \"{name}\" from {source} is not suitable for type {}: {msg}.", d.ty)).at(at.or(d.location.clone()))),
        }
    }
    out
}

/// A value from `-var` or the environment: a string for string variables,
/// otherwise parsed as an HCL expression (falling back to the string, so
/// the type conversion reports the problem).
fn from_cli(raw: &str, ty: &TypeC) -> V {
    if *ty == TypeC::String {
        return V::str(raw);
    }
    let constant = hcl_edit::parser::parse_expr(raw)
        .ok()
        .filter(|e| refs_in_expr(e).is_empty() && !matches!(e, Expression::Variable(_)));
    let (vars, locals, resources) = (BTreeMap::new(), BTreeMap::new(), BTreeSet::new());
    let scope = Scope::new(&vars, &locals, &resources, None, "a -var value");
    let f = SourceFile::new("-var", raw);
    constant
        .and_then(|e| scope.eval(&e, &f).ok())
        .unwrap_or_else(|| V::str(raw))
}

/// Whether group or others may read the file (Unix permissions).
fn readable_by_others(path: &std::path::Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o044 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

fn var_file(
    file: &ParsedFile,
    decls: &BTreeMap<String, VariableDecl>,
    given: &mut BTreeMap<String, Given>,
    diags: &mut Vec<Diagnostic>,
) {
    let f = &file.source;
    let (vars, locals, resources) = (BTreeMap::new(), BTreeMap::new(), BTreeSet::new());
    let scope = Scope::new(&vars, &locals, &resources, None, "a variables file");
    for b in file.body.blocks() {
        diags.push(
            Diagnostic::error("Unexpected block in variables file")
                .with_detail("A variables file holds only name = value assignments.")
                .at(f.loc(b.ident.span())),
        );
    }
    for a in file.body.attributes() {
        let name = a.key.as_str();
        if !decls.contains_key(name) {
            diags.push(Diagnostic::warning("Value for undeclared variable").with_detail(format!("The variables file sets \"{name}\", but the configuration does not declare a variable of that name.{}", did_you_mean(name, decls.keys().map(String::as_str)))).at(f.loc(a.key.span())));
            continue;
        }
        if !refs_in_expr(&a.value).is_empty() {
            diags.push(
                Diagnostic::error("Variables not allowed")
                    .with_detail("A variables file cannot refer to other values.")
                    .at(f.loc(a.value.span())),
            );
            continue;
        }
        match scope.eval(&a.value, f) {
            Ok(v) => {
                given.insert(
                    name.to_string(),
                    Given {
                        value: v,
                        source: format!("the variables file {}", f.name),
                        at: f.loc(a.value.span()),
                    },
                );
            }
            Err(e) => diags.push(*e.diag),
        }
    }
}
