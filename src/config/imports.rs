//! `import { to = cdn_domain.web, id = "www.example.com" }` blocks: adopt an
//! existing domain into the state at the next apply instead of creating it.
//! `to` may name a `for_each`/`count` instance (`cdn_domain.site["eu"]`);
//! `id` may use variables and locals; `provider`, when given, must be the
//! resource's own.

use super::eval::Scope;
use super::expand::Expansion;
use super::locate::header_span;
use super::meta::plain_traversal;
use super::source::SourceFile;
use super::value::Val;
use crate::model::schema::resource_schema;
use crate::model::{Address, DesiredResource, Diagnostic, InstanceKey, ProviderAddr};
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::Block;
use hcl_edit::Span;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A declared `import` block.
#[derive(Clone, Debug)]
pub struct ImportDecl {
    pub file: Arc<SourceFile>,
    pub block: Block,
}

/// Evaluate every import block and set `import_id` on the resources they
/// name.
pub fn resolve_imports(
    decls: &[ImportDecl],
    scope: &Scope,
    expansions: &BTreeMap<Address, Expansion>,
    desired: &mut [DesiredResource],
    diags: &mut Vec<Diagnostic>,
) {
    let mut seen: BTreeMap<Address, Option<crate::model::Location>> = BTreeMap::new();
    for d in decls {
        let f = &d.file;
        let header = f.loc(header_span(&d.block));
        let mut err = |summary: &str, detail: String, at: Option<crate::model::Location>| {
            diags.push(Diagnostic::error(summary).with_detail(detail).at(at));
        };
        for a in d.block.body.attributes() {
            if !["to", "id", "provider"].contains(&a.key.as_str()) {
                err(
                    "Unsupported argument",
                    format!(
                        "An argument named \"{}\" is not expected in an import block; use to, id and provider.",
                        a.key.as_str()
                    ),
                    f.loc(a.key.span()),
                );
            }
        }
        let (Some(to), Some(id)) = (
            d.block.body.get_attribute("to"),
            d.block.body.get_attribute("id"),
        ) else {
            err(
                "Missing required argument",
                "An import block needs to = RESOURCE and id = \"VENDOR_ID\".".into(),
                header,
            );
            continue;
        };
        let at = f.loc(to.value.span());
        let address = match target(scope, f, &to.value, expansions) {
            Ok(a) => a,
            Err(detail) => {
                err("Invalid import target", detail, at);
                continue;
            }
        };
        let id_value = match scope.eval(&id.value, f) {
            Ok(v) => v,
            Err(e) => {
                diags.push(*e.diag);
                continue;
            }
        };
        let Val::Str(id_text) = id_value.val else {
            err(
                "Invalid import id",
                "id must be a string: the vendor's name of the object (for a domain, its name)."
                    .into(),
                f.loc(id.value.span()),
            );
            continue;
        };
        if id_text.is_empty() {
            err(
                "Invalid import id",
                "id must not be empty.".into(),
                f.loc(id.value.span()),
            );
            continue;
        }
        if let Some(first) = seen.get(&address) {
            let first = first.as_ref().map(ToString::to_string).unwrap_or_default();
            err(
                "Duplicate import",
                format!("{address} is already the target of the import block at {first}."),
                header,
            );
            continue;
        }
        seen.insert(address.clone(), header.clone());
        let Some(resource) = desired.iter_mut().find(|r| r.address == address) else {
            err(
                "Import target not declared",
                format!("{address} is not declared in the configuration: add its resource block, then import into it."),
                at,
            );
            continue;
        };
        if let Some(p) = d.block.body.get_attribute("provider") {
            let named = match plain_traversal(&p.value).as_deref() {
                Some([v]) => Some(ProviderAddr::new(v, None)),
                Some([v, alias]) => Some(ProviderAddr::new(v, Some(alias.clone()))),
                _ => None,
            };
            if named.as_ref() != Some(&resource.provider) {
                err(
                    "Import provider mismatch",
                    format!(
                        "{address} uses the provider configuration \"{}\"; the import block must name the same one (or leave provider out).",
                        resource.provider
                    ),
                    f.loc(p.value.span()),
                );
                continue;
            }
        }
        resource.import_id = Some(id_text);
    }
}

/// The resource instance `to` names: `TYPE.NAME` or `TYPE.NAME[KEY]`.
fn target(
    scope: &Scope,
    f: &SourceFile,
    e: &Expression,
    expansions: &BTreeMap<Address, Expansion>,
) -> Result<Address, String> {
    let bad =
        || "to must name a resource, like cdn_domain.web or cdn_domain.site[\"eu\"].".to_string();
    let Expression::Traversal(t) = e else {
        return Err(bad());
    };
    let (Expression::Variable(ty), Some(TraversalOperator::GetAttr(name))) =
        (&t.expr, t.operators.first().map(|o| o.value()))
    else {
        return Err(bad());
    };
    let (ty, name) = (ty.as_str().to_string(), name.as_str().to_string());
    let key = match t.operators.get(1).map(|o| o.value()) {
        _ if t.operators.len() > 2 => return Err(bad()),
        None => None,
        Some(TraversalOperator::Index(ix)) => {
            let v = scope.eval(ix, f).map_err(|e| e.diag.to_string())?;
            match v.val {
                Val::Str(s) => Some(InstanceKey::Str(s)),
                Val::Num(n) if n.fract() == 0.0 && n >= 0.0 => Some(InstanceKey::Int(n as u64)),
                _ => return Err(bad()),
            }
        }
        Some(TraversalOperator::LegacyIndex(i)) => Some(InstanceKey::Int(*i.value())),
        Some(_) => return Err(bad()),
    };
    if resource_schema(&ty).is_none() {
        return Err(format!("\"{ty}\" is not a resource type."));
    }
    if ty != "cdn_domain" {
        return Err(format!(
            "only cdn_domain resources can be imported; {ty} is a task, not an object on the account."
        ));
    }
    let resource = Address::new(ty, name);
    let Some(expansion) = expansions.get(&resource) else {
        return Err(format!(
            "{resource} is not declared in the configuration: add its resource block, then import into it."
        ));
    };
    if !expansion.has(key.as_ref()) {
        return Err(match key {
            None => format!(
                "{resource} has several instances: name one, like {}.",
                expansion.index_hint(&resource)
            ),
            Some(k) => format!("{resource} has no instance with the key {k}."),
        });
    }
    Ok(match key {
        Some(k) => resource.with_key(k),
        None => resource,
    })
}
