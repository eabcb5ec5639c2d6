//! `for_each` and `count`: how many instances a resource block declares and
//! the `each.key`/`each.value`/`count.index` of each. Both are evaluated
//! before any plan, from variables, locals and functions only (like
//! Terraform, whose for_each must be known at plan time).

use super::diagnostics::EvalError;
use super::eval::Scope;
use super::source::SourceFile;
use super::value::{as_string, type_name, Val, V};
use crate::model::{Address, Diagnostic, InstanceKey};
use hcl_edit::structure::Block;
use hcl_edit::Span;
use std::collections::BTreeMap;

/// The instances one resource block declares.
#[derive(Clone, Debug, PartialEq)]
pub enum Expansion {
    /// No `for_each`/`count`: one instance, addressed without a key.
    Single,
    /// `count = N`: instances `[0]` .. `[N-1]`.
    Count(u64),
    /// `for_each`: one instance per key, with its `each.value`.
    ForEach(BTreeMap<String, V>),
}

impl Expansion {
    /// The instance addresses of resource `address`, in key order.
    pub fn instances(&self, address: &Address) -> Vec<Address> {
        match self {
            Expansion::Single => vec![address.clone()],
            Expansion::Count(n) => (0..*n)
                .map(|i| address.with_key(InstanceKey::Int(i)))
                .collect(),
            Expansion::ForEach(m) => m
                .keys()
                .map(|k| address.with_key(InstanceKey::Str(k.clone())))
                .collect(),
        }
    }

    /// Whether `key` (or no key) names an instance of this expansion.
    pub fn has(&self, key: Option<&InstanceKey>) -> bool {
        match (self, key) {
            (Expansion::Single, None) => true,
            (Expansion::Count(n), Some(InstanceKey::Int(i))) => i < n,
            (Expansion::ForEach(m), Some(InstanceKey::Str(k))) => m.contains_key(k),
            _ => false,
        }
    }

    /// The `each`/`count` values for the instance `key`.
    pub fn instance(&self, key: Option<&InstanceKey>) -> Option<Instance> {
        match (self, key) {
            (Expansion::Count(_), Some(k @ InstanceKey::Int(_))) => Some(Instance {
                key: k.clone(),
                value: None,
            }),
            (Expansion::ForEach(m), Some(k @ InstanceKey::Str(s))) => Some(Instance {
                key: k.clone(),
                value: m.get(s).cloned(),
            }),
            _ => None,
        }
    }

    /// What an index into this resource must look like, for messages.
    pub fn index_hint(&self, address: &Address) -> String {
        match self {
            Expansion::Count(_) => format!("{address}[0]"),
            _ => format!("{address}[\"KEY\"]"),
        }
    }
}

/// `each.key`/`each.value` (for_each) or `count.index` of one instance.
#[derive(Clone, Debug)]
pub struct Instance {
    pub key: InstanceKey,
    /// `each.value`; `None` for `count` instances.
    pub value: Option<V>,
}

/// Read `for_each`/`count` of a resource block. `None` when in error
/// (reported into `diags`).
pub fn expansion(
    scope: &Scope,
    f: &SourceFile,
    block: &Block,
    diags: &mut Vec<Diagnostic>,
) -> Option<Expansion> {
    let for_each = block.body.get_attribute("for_each");
    let count = block.body.get_attribute("count");
    let mut fail = |summary: &str, detail: String, at| {
        diags.push(Diagnostic::error(summary).with_detail(detail).at(at));
        None
    };
    match (for_each, count) {
        (None, None) => Some(Expansion::Single),
        (Some(_), Some(c)) => fail(
            "Invalid combination of \"count\" and \"for_each\"",
            "A resource may use count or for_each, not both.".into(),
            f.loc(c.key.span()),
        ),
        (None, Some(c)) => {
            let at = f.loc(c.value.span());
            let v = match eval_static(scope, f, &c.value, "count") {
                Ok(v) => v,
                Err(e) => {
                    diags.push(*e.diag);
                    return None;
                }
            };
            match v.val {
                Val::Num(n) if n.fract() == 0.0 && n >= 0.0 => Some(Expansion::Count(n as u64)),
                _ => fail(
                    "Invalid count argument",
                    format!("count must be a whole number, 0 or more; got {}.", v.show()),
                    at,
                ),
            }
        }
        (Some(fe), None) => {
            let at = f.loc(fe.value.span());
            let v = match eval_static(scope, f, &fe.value, "for_each") {
                Ok(v) => v,
                Err(e) => {
                    diags.push(*e.diag);
                    return None;
                }
            };
            match for_each_items(v) {
                Ok(items) => Some(Expansion::ForEach(items)),
                Err(detail) => fail("Invalid for_each argument", detail, at),
            }
        }
    }
}

/// Evaluate a meta-argument that must be known before planning and may not
/// be sensitive (its keys become part of resource addresses).
fn eval_static(
    scope: &Scope,
    f: &SourceFile,
    e: &hcl_edit::expr::Expression,
    what: &str,
) -> Result<V, EvalError> {
    let v = scope.eval(e, f)?;
    scope.no_unknown(&v, what, f, e)?;
    if v.any_sensitive() {
        return Err(EvalError::new(
            format!("Invalid {what} argument"),
            format!("Sensitive values cannot be used in {what}: the instance keys would show them in every plan."),
            f.loc(e.span()),
        ));
    }
    Ok(v)
}

/// The instances of a for_each value: a map (keys and values), or a set of
/// strings (each value is its own key). `toset()` yields a list without
/// duplicates here, so a list of distinct strings is taken as a set; a list
/// with duplicates is refused, since Terraform would refuse any list.
fn for_each_items(v: V) -> Result<BTreeMap<String, V>, String> {
    match v.val {
        Val::Map(m) => Ok(m),
        Val::List(items) => {
            let mut out = BTreeMap::new();
            for item in items {
                let Some(s) = as_string(&item.val).filter(|_| matches!(item.val, Val::Str(_)))
                else {
                    return Err(format!(
                        "for_each over a set needs strings; found a {}. Use a map to give each instance a value.",
                        type_name(&item.val)
                    ));
                };
                if out.insert(s.clone(), item).is_some() {
                    return Err(format!(
                        "for_each over a list needs distinct strings; \"{s}\" appears twice. Wrap it in toset() to drop duplicates."
                    ));
                }
            }
            Ok(out)
        }
        Val::Null => Err("for_each must be a map or a set of strings, not null.".into()),
        other => Err(format!(
            "for_each must be a map or a set of strings, not a {}.",
            type_name(&other)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instances_and_membership() {
        let a = Address::new("cdn_domain", "site");
        assert_eq!(Expansion::Single.instances(&a), vec![a.clone()]);
        let c = Expansion::Count(2);
        let got: Vec<String> = c.instances(&a).iter().map(ToString::to_string).collect();
        assert_eq!(got, ["cdn_domain.site[0]", "cdn_domain.site[1]"]);
        assert!(c.has(Some(&InstanceKey::Int(1))));
        assert!(!c.has(Some(&InstanceKey::Int(2))));
        assert!(!c.has(None));
        let mut m = BTreeMap::new();
        m.insert("eu".to_string(), V::str("x"));
        let fe = Expansion::ForEach(m);
        assert!(fe.has(Some(&InstanceKey::Str("eu".into()))));
        assert!(!fe.has(Some(&InstanceKey::Int(0))));
        let inst = fe.instance(Some(&InstanceKey::Str("eu".into()))).unwrap();
        assert_eq!(inst.value.unwrap().val, Val::Str("x".into()));
    }

    #[test]
    fn for_each_sets_and_maps() {
        let list = V::new(Val::List(vec![V::str("a"), V::str("b")]));
        assert_eq!(for_each_items(list).unwrap().len(), 2);
        let dup = V::new(Val::List(vec![V::str("a"), V::str("a")]));
        assert!(for_each_items(dup).unwrap_err().contains("twice"));
        let nums = V::new(Val::List(vec![V::num(1.0)]));
        assert!(for_each_items(nums).unwrap_err().contains("strings"));
        assert!(for_each_items(V::str("x")).is_err());
    }
}
