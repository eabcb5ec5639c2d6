//! Attribute values as planned: a JSON object plus the paths whose value is
//! not known until apply, and the paths that hold sensitive values.
//!
//! Unknown values stay JSON-serialisable so a plan can be saved to a file:
//! an unknown is either computed by the vendor (`cname` of a new domain) or
//! an expression over other resources' attributes that the applier finishes
//! once those resources are done ([`Unknown::Expr`]).

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};

/// One piece of a deferred string: literal text or another resource's
/// attribute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Lit(String),
    /// `cdn_domain.web.cname` is `{address: "cdn_domain.web", path: ["cname"]}`.
    Ref {
        address: String,
        path: Vec<String>,
    },
}

/// Why a value is unknown at plan time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unknown {
    /// The vendor sets it (computed attribute of a resource being created).
    Computed,
    /// Concatenation of parts; a single `Ref` part yields the referenced
    /// value unchanged (not stringified).
    Expr(Vec<Part>),
}

/// Planned attribute values. `unknown` and `sensitive` are keyed by JSON
/// pointer (`/origins/0/address`); the value at an unknown path is `null`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlannedValue {
    pub value: Json,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unknown: BTreeMap<String, Unknown>,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub sensitive: BTreeSet<String>,
}

impl PlannedValue {
    pub fn known(value: Json) -> Self {
        PlannedValue {
            value,
            ..Default::default()
        }
    }

    pub fn is_wholly_known(&self) -> bool {
        self.unknown.is_empty()
    }

    /// Is `pointer` itself, or anything under it, unknown?
    pub fn is_unknown_at(&self, pointer: &str) -> bool {
        self.unknown
            .keys()
            .any(|k| k == pointer || k.starts_with(&format!("{pointer}/")))
    }

    pub fn is_sensitive_at(&self, pointer: &str) -> bool {
        self.sensitive
            .iter()
            .any(|k| k == pointer || pointer.starts_with(&format!("{k}/")))
    }

    /// Replace every unknown whose inputs `lookup` can now answer. Returns
    /// the references still unresolved (empty when fully known).
    pub fn resolve(&mut self, lookup: &dyn Fn(&str, &[String]) -> Option<Json>) -> Vec<String> {
        let mut missing = Vec::new();
        let pending: Vec<(String, Unknown)> =
            std::mem::take(&mut self.unknown).into_iter().collect();
        for (ptr, unknown) in pending {
            match resolve_one(&unknown, lookup) {
                Ok(v) => {
                    if let Some(slot) = self.value.pointer_mut(&ptr) {
                        *slot = v;
                    }
                }
                Err(r) => {
                    missing.push(r);
                    self.unknown.insert(ptr, unknown);
                }
            }
        }
        missing
    }
}

fn resolve_one(
    u: &Unknown,
    lookup: &dyn Fn(&str, &[String]) -> Option<Json>,
) -> Result<Json, String> {
    let parts = match u {
        Unknown::Computed => return Err("(computed)".into()),
        Unknown::Expr(p) => p,
    };
    let get = |address: &str, path: &[String]| {
        lookup(address, path).ok_or_else(|| format!("{address}.{}", path.join(".")))
    };
    if let [Part::Ref { address, path }] = parts.as_slice() {
        return get(address, path);
    }
    let mut out = String::new();
    for p in parts {
        match p {
            Part::Lit(s) => out.push_str(s),
            Part::Ref { address, path } => match get(address, path)? {
                Json::String(s) => out.push_str(&s),
                Json::Null => {}
                other => out.push_str(&other.to_string()),
            },
        }
    }
    Ok(Json::String(out))
}

/// Escape one JSON-pointer segment.
pub fn pointer_segment(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolve_template_and_direct_ref() {
        let mut v = PlannedValue {
            value: json!({"a": null, "b": null, "c": "x"}),
            ..Default::default()
        };
        let r = |p: &str| Part::Ref {
            address: "cdn_domain.x".into(),
            path: vec![p.into()],
        };
        v.unknown.insert(
            "/a".into(),
            Unknown::Expr(vec![Part::Lit("pre-".into()), r("cname")]),
        );
        v.unknown
            .insert("/b".into(), Unknown::Expr(vec![r("port")]));
        let missing = v.resolve(&|addr, path| {
            assert_eq!(addr, "cdn_domain.x");
            match path[0].as_str() {
                "cname" => Some(json!("x.cdn.test")),
                "port" => Some(json!(8080)),
                _ => None,
            }
        });
        assert!(missing.is_empty());
        assert_eq!(v.value, json!({"a": "pre-x.cdn.test", "b": 8080, "c": "x"}));
        assert!(v.is_wholly_known());
    }

    #[test]
    fn unresolved_stays_unknown() {
        let mut v = PlannedValue {
            value: json!({"a": null}),
            ..Default::default()
        };
        v.unknown.insert("/a".into(), Unknown::Computed);
        assert_eq!(v.resolve(&|_, _| None).len(), 1);
        assert!(v.is_unknown_at("/a"));
    }
}
