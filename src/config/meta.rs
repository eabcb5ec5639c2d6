//! Resource meta-arguments and provider blocks: `provider = aliyun.eu`
//! (or the single default provider configuration when omitted),
//! `depends_on = [cdn_domain.x]`, and `provider "v" { alias = "..." }`.

use super::diagnostics::{did_you_mean, undeclared_resource};
use super::locate::header_span;
use super::source::SourceFile;
use crate::model::schema::resource_schema;
use crate::model::{Address, Diagnostic, IgnoreChanges, Lifecycle, Lookup, ProviderAddr};
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::Block;
use hcl_edit::Span;
use std::collections::BTreeSet;
use std::sync::Arc;

/// A declared provider block.
#[derive(Clone, Debug)]
pub struct ProviderDecl {
    pub addr: ProviderAddr,
    pub file: Arc<SourceFile>,
    pub block: Block,
}

impl ProviderDecl {
    /// Read the vendor label and the `alias` (a literal name).
    pub fn new(
        f: &Arc<SourceFile>,
        b: &Block,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<ProviderDecl> {
        let vendor = b.labels[0].as_str();
        let alias = match b.body.get_attribute("alias") {
            None => None,
            Some(a) => match a.value.as_str() {
                Some(s) if is_ident(s) => Some(s.to_string()),
                _ => {
                    diags.push(Diagnostic::error("Invalid provider alias").with_detail("alias must be a literal name of letters, digits, underscores and hyphens.").at(f.loc(a.value.span())));
                    return None;
                }
            },
        };
        Some(ProviderDecl {
            addr: ProviderAddr::new(vendor, alias),
            file: f.clone(),
            block: b.clone(),
        })
    }
}

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A plain reference `a` or `a.b` (no indexes), as its names.
pub(super) fn plain_traversal(e: &Expression) -> Option<Vec<String>> {
    match e {
        Expression::Variable(v) => Some(vec![v.as_str().to_string()]),
        Expression::Traversal(t) => {
            let mut names = plain_traversal(&t.expr)?;
            for op in &t.operators {
                match op.value() {
                    TraversalOperator::GetAttr(a) => names.push(a.as_str().to_string()),
                    _ => return None,
                }
            }
            Some(names)
        }
        _ => None,
    }
}

/// The provider configuration a resource uses.
pub fn resolve_provider(
    f: &SourceFile,
    b: &Block,
    providers: &[ProviderDecl],
    diags: &mut Vec<Diagnostic>,
) -> Option<ProviderAddr> {
    let names: Vec<String> = providers.iter().map(|p| p.addr.to_string()).collect();
    let choices = if names.is_empty() {
        "none is declared".to_string()
    } else {
        format!("declared: {}", names.join(", "))
    };
    let Some(attr) = b.body.get_attribute("provider") else {
        let defaults: Vec<&ProviderDecl> = providers
            .iter()
            .filter(|p| p.addr.alias.is_none())
            .collect();
        if let [only] = defaults.as_slice() {
            return Some(only.addr.clone());
        }
        let why = if defaults.is_empty() {
            "there is no provider configuration without alias"
        } else {
            "there are several provider configurations without alias"
        };
        diags.push(
            Diagnostic::error("Provider configuration not chosen")
                .with_detail(format!(
                    "Set provider = ... for this resource: {why} ({choices})."
                ))
                .at(f.loc(header_span(b))),
        );
        return None;
    };
    let at = f.loc(attr.value.span());
    let addr = match plain_traversal(&attr.value).as_deref() {
        Some([vendor]) => ProviderAddr::new(vendor, None),
        Some([vendor, alias]) => ProviderAddr::new(vendor, Some(alias.clone())),
        _ => {
            diags.push(Diagnostic::error("Invalid provider reference").with_detail("provider must be a provider name like aliyun or aliyun.ALIAS, without quotes.").at(at));
            return None;
        }
    };
    if providers.iter().any(|p| p.addr == addr) {
        return Some(addr);
    }
    let text = addr.to_string();
    diags.push(
        Diagnostic::error("Reference to undeclared provider")
            .with_detail(format!(
                "There is no provider configuration \"{text}\" ({choices}).{}",
                did_you_mean(&text, names.iter().map(String::as_str))
            ))
            .at(at),
    );
    None
}

/// The resources named in `depends_on`.
pub fn depends_on(
    f: &SourceFile,
    b: &Block,
    addresses: &BTreeSet<Address>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Address> {
    let Some(attr) = b.body.get_attribute("depends_on") else {
        return Vec::new();
    };
    let Expression::Array(items) = &attr.value else {
        diags.push(
            Diagnostic::error("Invalid depends_on")
                .with_detail(
                    "depends_on must be a list of resource references, like [cdn_domain.web].",
                )
                .at(f.loc(attr.value.span())),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items.iter() {
        let at = f.loc(item.span());
        match plain_traversal(item).as_deref() {
            Some([ty, name]) if resource_schema(ty).is_some() => {
                let a = Address::new(ty.as_str(), name.as_str());
                if addresses.contains(&a) {
                    out.push(a);
                } else {
                    let names = addresses
                        .iter()
                        .filter(|x| &x.resource_type == ty)
                        .map(|x| x.name.as_str());
                    diags.push(undeclared_resource(ty, name, names, at).into());
                }
            }
            _ => diags.push(
                Diagnostic::error("Invalid depends_on reference")
                    .with_detail("Each depends_on entry must be a resource, like cdn_domain.web.")
                    .at(at),
            ),
        }
    }
    out
}

/// A resource's `lifecycle { prevent_destroy, ignore_changes,
/// create_before_destroy }` block; literal values only, as in Terraform.
pub fn lifecycle(
    f: &SourceFile,
    b: &Block,
    resource_type: &str,
    diags: &mut Vec<Diagnostic>,
) -> Lifecycle {
    let mut out = Lifecycle::default();
    let mut blocks = b.body.blocks().filter(|x| x.ident.as_str() == "lifecycle");
    let Some(lc) = blocks.next() else {
        return out;
    };
    for extra in blocks {
        diags.push(
            Diagnostic::error("Duplicate lifecycle block")
                .with_detail("A resource may have one lifecycle block.")
                .at(f.loc(extra.ident.span())),
        );
    }
    let mut err = |summary: &str, detail: String, at| {
        diags.push(Diagnostic::error(summary).with_detail(detail).at(at));
    };
    for inner in lc.body.blocks() {
        err(
            "Unsupported block type",
            "A lifecycle block holds only prevent_destroy, ignore_changes and create_before_destroy.".into(),
            f.loc(inner.ident.span()),
        );
    }
    for a in lc.body.attributes() {
        let key = a.key.as_str();
        let at = f.loc(a.value.span());
        match key {
            "prevent_destroy" | "create_before_destroy" => match a.value.as_bool() {
                Some(v) if key == "prevent_destroy" => out.prevent_destroy = v,
                Some(v) => out.create_before_destroy = v,
                None => err(
                    "Invalid lifecycle argument",
                    format!("{key} must be the literal true or false."),
                    at,
                ),
            },
            "ignore_changes" => match ignore_changes(&a.value, resource_type) {
                Ok(v) => out.ignore_changes = v,
                Err((detail, span)) => err(
                    "Invalid ignore_changes",
                    detail,
                    f.loc(span.or(a.value.span())),
                ),
            },
            other => err(
                "Unsupported argument",
                format!(
                    "An argument named \"{other}\" is not expected in a lifecycle block.{}",
                    did_you_mean(
                        other,
                        ["prevent_destroy", "ignore_changes", "create_before_destroy"]
                    )
                ),
                f.loc(a.key.span()),
            ),
        }
    }
    out
}

type SpanErr = (String, Option<std::ops::Range<usize>>);

/// `all`, or a list of attribute paths (`origins`, `https.http2`, also as
/// strings) checked against the resource's schema.
fn ignore_changes(e: &Expression, resource_type: &str) -> Result<IgnoreChanges, SpanErr> {
    if plain_traversal(e).as_deref() == Some(&["all".to_string()]) || e.as_str() == Some("all") {
        return Ok(IgnoreChanges::All);
    }
    let Expression::Array(items) = e else {
        return Err((
            "ignore_changes must be all or a list of attribute names, like [origins, https.http2]."
                .into(),
            e.span(),
        ));
    };
    let mut out = Vec::new();
    for item in items.iter() {
        let path: Vec<String> = match (plain_traversal(item), item.as_str()) {
            (Some(p), _) => p,
            (None, Some(s)) => s.split('.').map(str::to_string).collect(),
            _ => return Err((
                "Each ignore_changes entry must be an attribute name, like origins or https.http2."
                    .into(),
                item.span(),
            )),
        };
        let known = crate::model::schema::resource_schema(resource_type).is_some_and(|s| {
            matches!(
                super::schema_paths::schema_lookup(&Address::new(resource_type, "x"), &path),
                Lookup::Unknown
            ) && !path.first().is_some_and(|k| s.block.is_computed(k))
        });
        if !known {
            return Err((
                format!(
                    "{resource_type} has no configurable attribute \"{}\".",
                    path.join(".")
                ),
                item.span(),
            ));
        }
        let ptr: Vec<String> = path
            .iter()
            .map(|p| crate::model::value::pointer_segment(p))
            .collect();
        out.push(format!("/{}", ptr.join("/")));
    }
    Ok(IgnoreChanges::Some(out))
}
