//! Resolving references and traversals for the evaluator: `var.x`,
//! `local.y` (evaluated once per scope), `TYPE.NAME.attr[0].x` through the
//! lookup callback (known, unknown as an `Unknown::Expr` reference, or no
//! such attribute), and `.attr` / `[index]` on values.

use super::diagnostics::{
    did_you_mean, undeclared_local, undeclared_resource, undeclared_var, EvalError,
};
use super::eval::{unknown_error, Scope, R};
use super::expand::{Expansion, Instance};
use super::schema_paths::unsupported_segment;
use super::source::SourceFile;
use super::types::{convert, TypeC};
use super::value::{as_string, type_name, Val, V};
use crate::model::schema::{resource_schema, RESOURCE_TYPES};
use crate::model::{Address, InstanceKey, Lookup, Part};
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::Span;

impl Scope<'_> {
    pub(super) fn roots(&self) -> Vec<&'static str> {
        let mut r = vec!["var", "local", "each", "count"];
        r.extend(RESOURCE_TYPES.iter().map(|t| t.type_name));
        r
    }

    /// Resolve `root.op...`; returns the value and the operators left over.
    pub(super) fn reference<'o>(
        &self,
        root: &str,
        ops: &'o [hcl_edit::Decorated<TraversalOperator>],
        f: &SourceFile,
        whole: &Expression,
    ) -> Result<(V, &'o [hcl_edit::Decorated<TraversalOperator>]), EvalError> {
        let name = match ops.first().map(|o| o.value()) {
            Some(TraversalOperator::GetAttr(n)) => n.as_str().to_string(),
            _ => {
                return Err(EvalError::new(
                    "Invalid reference",
                    format!("\"{root}\" must be followed by an attribute name, like {root}.NAME."),
                    f.loc(whole.span()),
                ))
            }
        };
        let at = f.loc(whole.span());
        match root {
            "var" => match self.vars.get(&name) {
                Some(v) => Ok((v.clone(), &ops[1..])),
                None => Err(undeclared_var(&name, self.vars.keys().map(String::as_str), at)),
            },
            "local" => Ok((self.local(&name, at)?, &ops[1..])),
            "each" | "count" => Ok((self.instance_value(root, &name, at)?, &ops[1..])),
            _ if resource_schema(root).is_some() => self.resource_ref(root, &name, ops, f, whole),
            _ => Err(EvalError::new(
                "Reference to undeclared resource",
                format!("A resource \"{root}\" \"{name}\" has not been declared; references start with var., local. or a resource type.{}", did_you_mean(root, self.roots())),
                f.loc(whole.span()),
            )),
        }
    }

    fn local(&self, name: &str, at: Option<crate::model::Location>) -> R {
        if let Some(r) = self.cache.borrow().get(name) {
            return r.clone();
        }
        let Some(decl) = self.locals.get(name) else {
            return Err(undeclared_local(
                name,
                self.locals.keys().map(String::as_str),
                at,
            ));
        };
        if !self.visiting.borrow_mut().insert(name.to_string()) {
            // Cycles are reported once at load time; this only stops recursion.
            return Err(EvalError::new(
                "Cycle in local values",
                format!("local.{name} refers to itself."),
                at,
            ));
        }
        let r = self.eval(&decl.expr, &decl.file);
        self.visiting.borrow_mut().remove(name);
        self.cache.borrow_mut().insert(name.to_string(), r.clone());
        r
    }

    /// `each.key`, `each.value` or `count.index` of the instance being
    /// evaluated.
    fn instance_value(&self, root: &str, name: &str, at: Option<crate::model::Location>) -> R {
        let inst = self.instance.as_ref();
        let got = match (root, name, inst) {
            (
                "each",
                "key",
                Some(Instance {
                    key: InstanceKey::Str(k),
                    ..
                }),
            ) => Some(V::str(k)),
            ("each", "value", Some(Instance { value: Some(v), .. })) => Some(v.clone()),
            (
                "count",
                "index",
                Some(Instance {
                    key: InstanceKey::Int(i),
                    ..
                }),
            ) => Some(V::num(*i as f64)),
            _ => None,
        };
        if let Some(v) = got {
            return Ok(v);
        }
        let (meta, names) = match root {
            "each" => ("for_each", "each.key and each.value"),
            _ => ("count", "count.index"),
        };
        let detail =
            match (root, name) {
                ("each", "key" | "value") | ("count", "index") => format!(
                "{root}.{name} can be used only in a resource block that sets {meta}, not in {}.",
                if inst.is_some() { "a resource with the other one" } else { self.context }
            ),
                _ => format!("\"{root}\" has only {names}."),
            };
        Err(EvalError::new("Invalid reference", detail, at))
    }

    fn resource_ref<'o>(
        &self,
        ty: &str,
        name: &str,
        ops: &'o [hcl_edit::Decorated<TraversalOperator>],
        f: &SourceFile,
        whole: &Expression,
    ) -> Result<(V, &'o [hcl_edit::Decorated<TraversalOperator>]), EvalError> {
        let address = Address::new(ty, name);
        if !self.resources.contains(&address) {
            let names = self
                .resources
                .iter()
                .filter(|a| a.resource_type == ty)
                .map(|a| a.name.as_str());
            return Err(undeclared_resource(ty, name, names, f.loc(whole.span())));
        }
        let Some(lookup) = self.lookup else {
            return Err(EvalError::new(
                "Invalid reference",
                format!("Resource attributes cannot be used in {}.", self.context),
                f.loc(whole.span()),
            ));
        };
        let (address, rest) = self.instance_of(address, ops, f, whole)?;
        let mut path = Vec::new();
        let mut spans = Vec::new();
        for op in rest {
            let seg = match op.value() {
                TraversalOperator::GetAttr(a) => a.as_str().to_string(),
                TraversalOperator::LegacyIndex(i) => i.value().to_string(),
                TraversalOperator::Index(ix) => {
                    let k = self.eval(ix, f)?;
                    self.no_unknown(&k, "an index", f, ix)?;
                    match &k.val {
                        Val::Num(n) if n.fract() == 0.0 && *n >= 0.0 => format!("{}", *n as u64),
                        Val::Str(s) => s.clone(),
                        _ => {
                            return Err(EvalError::new(
                                "Invalid index",
                                format!(
                                    "An index must be a whole number or a string, not {}.",
                                    k.show()
                                ),
                                f.loc(ix.span()),
                            ))
                        }
                    }
                }
                _ => {
                    return Err(EvalError::new(
                        "Unsupported expression",
                        "Splat expressions ([*], .*) are not supported.",
                        f.loc(op.span()),
                    ))
                }
            };
            path.push(seg);
            spans.push(op.span());
        }
        let v = match lookup(&address, &path) {
            Lookup::Known(j) => V::from_json(&j),
            Lookup::Unknown => V::new(Val::Unknown(vec![Part::Ref {
                address: address.to_string(),
                path,
            }])),
            Lookup::NoSuchAttribute => {
                let (i, hint) = unsupported_segment(ty, &path);
                let at = spans.get(i).cloned().flatten().or(whole.span());
                let seg = path.get(i).map_or("", String::as_str);
                return Err(EvalError::new(
                    "Unsupported attribute",
                    format!("This object has no attribute named \"{seg}\".{hint}"),
                    f.loc(at),
                ));
            }
        };
        Ok((v, &[]))
    }

    /// For a resource with `for_each`/`count`, the instance the index after
    /// its name selects (`cdn_domain.site["eu"]`); returns the operators
    /// left for the attribute path.
    fn instance_of<'o>(
        &self,
        address: Address,
        ops: &'o [hcl_edit::Decorated<TraversalOperator>],
        f: &SourceFile,
        whole: &Expression,
    ) -> Result<(Address, &'o [hcl_edit::Decorated<TraversalOperator>]), EvalError> {
        let expansion = self.expansions.and_then(|m| m.get(&address));
        let Some(expansion) = expansion.filter(|e| **e != Expansion::Single) else {
            return Ok((address, &ops[1..]));
        };
        let hint = expansion.index_hint(&address);
        let key = match ops.get(1).map(|o| o.value()) {
            Some(TraversalOperator::Index(ix)) => {
                let k = self.eval(ix, f)?;
                self.no_unknown(&k, "an index", f, ix)?;
                match (&k.val, expansion) {
                    (Val::Num(n), Expansion::Count(_)) if n.fract() == 0.0 && *n >= 0.0 => {
                        Some(InstanceKey::Int(*n as u64))
                    }
                    (Val::Str(s), Expansion::ForEach(_)) => Some(InstanceKey::Str(s.clone())),
                    _ => None,
                }
            }
            Some(TraversalOperator::LegacyIndex(i)) if matches!(expansion, Expansion::Count(_)) => {
                Some(InstanceKey::Int(*i.value()))
            }
            _ => None,
        };
        let at = f.loc(whole.span());
        let Some(key) = key else {
            return Err(EvalError::new(
                "Missing resource instance key",
                format!(
                    "{address} has {}: refer to one instance, like {hint}.",
                    if matches!(expansion, Expansion::Count(_)) {
                        "count"
                    } else {
                        "for_each"
                    }
                ),
                at,
            ));
        };
        if !expansion.has(Some(&key)) {
            return Err(EvalError::new(
                "Invalid resource instance key",
                format!("{address} has no instance with the key {key}."),
                at,
            ));
        }
        Ok((address.with_key(key), &ops[2..]))
    }

    pub(super) fn apply_op(
        &self,
        v: V,
        op: &TraversalOperator,
        f: &SourceFile,
        span: Option<std::ops::Range<usize>>,
    ) -> R {
        let at = || f.loc(span.clone());
        let key = match op {
            TraversalOperator::GetAttr(a) => V::str(a.as_str()),
            TraversalOperator::LegacyIndex(i) => V::num(*i.value() as f64),
            TraversalOperator::Index(ix) => {
                let k = self.eval(ix, f)?;
                self.no_unknown(&k, "an index", f, ix)?;
                k
            }
            _ => {
                return Err(EvalError::new(
                    "Unsupported expression",
                    "Splat expressions ([*], .*) are not supported.",
                    at(),
                ))
            }
        };
        let sens = v.sensitive || key.any_sensitive();
        let got = match (&v.val, &key.val) {
            (Val::Unknown(parts), _) => match parts.as_slice() {
                [Part::Ref { address, path }] => {
                    let mut path = path.clone();
                    path.push(as_string(&key.val).unwrap_or_default());
                    return Ok(V::new(Val::Unknown(vec![Part::Ref {
                        address: address.clone(),
                        path,
                    }]))
                    .tainted(sens));
                }
                _ => return Err(unknown_error(parts, "an attribute access", at())),
            },
            (Val::Map(m), k) => {
                let k = as_string(k).unwrap_or_default();
                m.get(&k).cloned().ok_or_else(|| {
                    EvalError::new(
                        "Unsupported attribute",
                        format!(
                            "This object has no attribute named \"{k}\".{}",
                            did_you_mean(&k, m.keys().map(String::as_str))
                        ),
                        at(),
                    )
                })?
            }
            (Val::List(l), k) => {
                let idx = match convert(V::new(k.clone()), &TypeC::Number).map(|x| x.val) {
                    Ok(Val::Num(n)) if n.fract() == 0.0 && n >= 0.0 => n as usize,
                    _ => {
                        return Err(EvalError::new(
                            "Invalid index",
                            "A list index must be a whole number.",
                            at(),
                        ))
                    }
                };
                l.get(idx).cloned().ok_or_else(|| {
                    EvalError::new(
                        "Invalid index",
                        format!(
                            "The index {idx} is out of range: the list has {} element(s).",
                            l.len()
                        ),
                        at(),
                    )
                })?
            }
            (other, _) => {
                return Err(EvalError::new(
                    "Unsupported attribute",
                    format!(
                        "Cannot access an attribute or element of a {}.",
                        type_name(other)
                    ),
                    at(),
                ))
            }
        };
        Ok(got.tainted(sens))
    }
}
