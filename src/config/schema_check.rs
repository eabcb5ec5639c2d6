//! Evaluating a block body against its schema into the schema's JSON shape:
//! attributes by name, repeatable nested blocks as lists under their
//! `json_name`, single blocks as an object (or null when absent), defaults
//! applied, computed attributes refused, types and `one_of` checked,
//! required attributes and block counts enforced.

use super::diagnostics::{did_you_mean, EvalError};
use super::eval::Scope;
use super::locate::header_span;
use super::source::SourceFile;
use super::types::convert;
use super::value::Val;
use crate::model::schema::BlockSchema;
use crate::model::value::pointer_segment;
use crate::model::{Diagnostic, Unknown};
use hcl_edit::structure::Block;
use hcl_edit::Span;
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

/// What an evaluation of a block collects besides the JSON value.
#[derive(Default)]
pub struct Collected {
    pub unknown: BTreeMap<String, Unknown>,
    pub sensitive: BTreeSet<String>,
    pub errors: Vec<EvalError>,
}

impl Collected {
    fn error(&mut self, summary: &str, detail: String, at: Option<crate::model::Location>) {
        self.errors.push(EvalError {
            diag: Box::new(Diagnostic::error(summary).with_detail(detail).at(at)),
            after_apply: false,
        });
    }
}

/// Evaluate `block`'s body against `schema`. `meta` names arguments that
/// belong to the caller (`provider`, `depends_on`, `alias`); `ptr` is the
/// JSON pointer of the block's object.
pub fn eval_block(
    scope: &Scope,
    f: &SourceFile,
    block: &Block,
    schema: &BlockSchema,
    meta: &[&str],
    ptr: &str,
    out: &mut Collected,
) -> Map<String, Json> {
    let mut attrs: BTreeMap<&str, Json> = BTreeMap::new();
    let settable = || {
        schema
            .attributes
            .iter()
            .filter(|a| !a.computed)
            .map(|a| a.name)
            .chain(meta.iter().copied())
    };
    // Present but in error: not "missing" as well.
    let mut present: BTreeSet<&str> = BTreeSet::new();
    for a in block.body.attributes() {
        let key = a.key.as_str();
        present.insert(key);
        if meta.contains(&key) {
            continue;
        }
        let Some(attr) = schema.attribute(key) else {
            let hint = match schema.block(key) {
                Some(b) => format!(" Did you mean to define a block of type \"{}\"?", b.name),
                None => did_you_mean(key, settable()),
            };
            out.error(
                "Unsupported argument",
                format!("An argument named \"{key}\" is not expected here.{hint}"),
                f.loc(a.key.span()),
            );
            continue;
        };
        if attr.computed {
            out.error(
                "Computed attribute cannot be set",
                format!("\"{key}\" is set by the vendor and cannot be set in the configuration."),
                f.loc(a.key.span()),
            );
            continue;
        }
        let v = match scope.eval(&a.value, f) {
            Ok(v) => v,
            Err(e) => {
                out.errors.push(e);
                continue;
            }
        };
        // Tainted before any message can show it: a write-only or
        // sensitive attribute is never quoted, not even when mistyped.
        let v = v.tainted(attr.sensitive);
        let v = match convert(v, &attr.ty.into()) {
            Ok(v) => v,
            Err(msg) => {
                out.error(
                    "Incorrect attribute value type",
                    format!("Inappropriate value for attribute \"{key}\": {msg}."),
                    f.loc(a.value.span()),
                );
                continue;
            }
        };
        if let Val::Str(s) = &v.val {
            if !attr.one_of.is_empty() && !attr.one_of.contains(&s.as_str()) {
                let allowed: Vec<String> = attr.one_of.iter().map(|x| format!("\"{x}\"")).collect();
                out.error(
                    "Invalid value",
                    format!(
                        "\"{key}\" must be one of {}; got {}.{}",
                        allowed.join(", "),
                        v.show(),
                        if v.any_sensitive() {
                            String::new()
                        } else {
                            did_you_mean(s, attr.one_of.iter().copied())
                        }
                    ),
                    f.loc(a.value.span()),
                );
                continue;
            }
        }
        if v.val == Val::Null {
            continue;
        }
        let p = format!("{ptr}/{}", pointer_segment(key));
        attrs.insert(
            attr.name,
            v.to_json(&p, false, &mut out.unknown, &mut out.sensitive),
        );
    }
    let mut lists: BTreeMap<&str, Vec<Json>> = BTreeMap::new();
    // The first block of each single-block type, for "at most one".
    let mut firsts: BTreeMap<&str, &Block> = BTreeMap::new();
    for b in block.body.blocks() {
        let ident = b.ident.as_str();
        present.insert(ident);
        if meta.contains(&ident) {
            continue;
        }
        let Some(nested) = schema.block(ident) else {
            let hint = match schema.attribute(ident) {
                Some(_) => {
                    format!(" Did you mean to set the argument \"{ident}\" with {ident} = ...?")
                }
                None => did_you_mean(ident, schema.blocks.iter().map(|x| x.name)),
            };
            out.error(
                "Unsupported block type",
                format!("Blocks of type \"{ident}\" are not expected here.{hint}"),
                f.loc(b.ident.span()),
            );
            continue;
        };
        if let Some(l) = b.labels.first() {
            out.error(
                "Extra label",
                format!("A \"{ident}\" block has no labels."),
                f.loc(l.span()),
            );
        }
        if nested.single {
            if let Some(first) = firsts.get(nested.name) {
                // Its body is not checked: it is to be merged or removed.
                duplicate_single(out, f, nested.name, first, b);
                continue;
            }
            firsts.insert(nested.name, b);
            let p = format!("{ptr}/{}", pointer_segment(nested.json_name));
            let obj = eval_block(scope, f, b, nested.block, &[], &p, out);
            lists
                .entry(nested.json_name)
                .or_default()
                .push(Json::Object(obj));
            continue;
        }
        let list = lists.entry(nested.json_name).or_default();
        let p = format!("{ptr}/{}/{}", nested.json_name, list.len());
        list.push(Json::Object(eval_block(
            scope,
            f,
            b,
            nested.block,
            &[],
            &p,
            out,
        )));
    }
    let header = header_span(block);
    let mut obj = Map::new();
    for attr in schema.attributes.iter().filter(|a| !a.computed) {
        match (attrs.remove(attr.name), attr.default) {
            (Some(v), _) => {
                obj.insert(attr.name.into(), v);
            }
            (None, Some(d)) => {
                obj.insert(attr.name.into(), d.to_json());
            }
            (None, None) if attr.required && !present.contains(attr.name) => missing(
                out,
                f,
                header.clone(),
                &format!(
                    "The argument \"{}\" is required, but no definition was found.",
                    attr.name
                ),
                "Missing required argument",
            ),
            (None, None) => {}
        }
    }
    for nested in schema.blocks {
        let list = lists.remove(nested.json_name).unwrap_or_default();
        let short = list.len() < nested.min_items
            && (!list.is_empty() || !misspelled_block(&present, nested.name));
        if short && nested.single {
            missing(
                out,
                f,
                header.clone(),
                &format!(
                    "A \"{}\" block is required inside \"{}\".",
                    nested.name,
                    block.ident.as_str()
                ),
                &format!("Missing {} block", nested.name),
            );
        } else if short {
            missing(
                out,
                f,
                header.clone(),
                &format!(
                    "At least {} \"{}\" block(s) required, found {}.",
                    nested.min_items,
                    nested.name,
                    list.len()
                ),
                &format!("Insufficient {} blocks", nested.name),
            );
        }
        if let Some(max) = nested
            .max_items
            .filter(|m| list.len() > *m && !nested.single)
        {
            missing(
                out,
                f,
                header.clone(),
                &format!(
                    "At most {max} \"{}\" block(s) allowed, found {}.",
                    nested.name,
                    list.len()
                ),
                &format!("Too many {} blocks", nested.name),
            );
        }
        let value = if nested.single {
            list.into_iter().next().unwrap_or(Json::Null)
        } else {
            Json::Array(list)
        };
        obj.insert(nested.json_name.into(), value);
    }
    obj
}

/// A second block of a single-block type: an error at the second, naming
/// where the first is.
fn duplicate_single(
    out: &mut Collected,
    f: &SourceFile,
    name: &str,
    first: &Block,
    second: &Block,
) {
    let why = match name {
        "ip_filter" => ": an ip_filter is either an allow list or a deny list; use one block",
        "referer" => ": a referer is either an allow list or a deny list; use one block",
        "user_agent_filter" => {
            ": a user_agent_filter is either an allow list or a deny list; use one block"
        }
        _ => "",
    };
    let first_at = f
        .loc(first.ident.span())
        .map_or(String::new(), |l| format!(" The first is at {l}."));
    out.error(
        &format!("Duplicate {name} block"),
        format!("At most one {name} block is allowed{why}.{first_at}"),
        f.loc(second.ident.span()),
    );
}

fn missing(
    out: &mut Collected,
    f: &SourceFile,
    header: Option<Range<usize>>,
    detail: &str,
    summary: &str,
) {
    out.error(summary, detail.to_string(), f.loc(header));
}

/// Is there a block whose name is a likely typo of `name` (already
/// reported as unsupported, so "insufficient blocks" would be noise)?
fn misspelled_block(present: &BTreeSet<&str>, name: &str) -> bool {
    present
        .iter()
        .any(|p| *p != name && super::diagnostics::suggest(p, [name]).is_some())
}
