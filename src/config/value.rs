//! Values during evaluation: JSON-like data where any node may be unknown
//! (a deferred template over other resources' attributes) or tainted as
//! sensitive (derived from a `sensitive = true` variable).

use crate::model::value::pointer_segment;
use crate::model::{Part, Unknown};
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<V>),
    Map(BTreeMap<String, V>),
    /// Known only after apply; the parts form the deferred string (a single
    /// `Ref` part stands for the referenced value itself).
    Unknown(Vec<Part>),
}

/// A value and whether it is sensitive as a whole.
#[derive(Clone, Debug, PartialEq)]
pub struct V {
    pub val: Val,
    pub sensitive: bool,
}

impl V {
    pub fn new(val: Val) -> V {
        V {
            val,
            sensitive: false,
        }
    }
    pub fn str(s: impl Into<String>) -> V {
        V::new(Val::Str(s.into()))
    }
    pub fn num(n: f64) -> V {
        V::new(Val::Num(n))
    }
    pub fn bool(b: bool) -> V {
        V::new(Val::Bool(b))
    }
    pub fn null() -> V {
        V::new(Val::Null)
    }

    pub fn tainted(mut self, sensitive: bool) -> V {
        self.sensitive |= sensitive;
        self
    }

    /// Is this value, or anything inside it, sensitive?
    pub fn any_sensitive(&self) -> bool {
        self.sensitive
            || match &self.val {
                Val::List(l) => l.iter().any(V::any_sensitive),
                Val::Map(m) => m.values().any(V::any_sensitive),
                _ => false,
            }
    }

    /// The first unknown inside this value, if any.
    pub fn first_unknown(&self) -> Option<&[Part]> {
        match &self.val {
            Val::Unknown(p) => Some(p),
            Val::List(l) => l.iter().find_map(V::first_unknown),
            Val::Map(m) => m.values().find_map(V::first_unknown),
            _ => None,
        }
    }

    pub fn from_json(j: &Json) -> V {
        V::new(match j {
            Json::Null => Val::Null,
            Json::Bool(b) => Val::Bool(*b),
            Json::Number(n) => Val::Num(n.as_f64().unwrap_or(0.0)),
            Json::String(s) => Val::Str(s.clone()),
            Json::Array(a) => Val::List(a.iter().map(V::from_json).collect()),
            Json::Object(o) => Val::Map(
                o.iter()
                    .map(|(k, v)| (k.clone(), V::from_json(v)))
                    .collect(),
            ),
        })
    }

    /// Plain JSON, unknowns as `null`, taint dropped.
    pub fn to_plain_json(&self) -> Json {
        let mut u = BTreeMap::new();
        let mut s = BTreeSet::new();
        self.to_json("", false, &mut u, &mut s)
    }

    /// JSON at pointer `ptr`, recording unknown and sensitive pointers.
    pub fn to_json(
        &self,
        ptr: &str,
        inherited_sensitive: bool,
        unknown: &mut BTreeMap<String, Unknown>,
        sensitive: &mut BTreeSet<String>,
    ) -> Json {
        let tainted = inherited_sensitive || self.sensitive;
        if self.sensitive && !inherited_sensitive {
            sensitive.insert(ptr.to_string());
        }
        match &self.val {
            Val::Null => Json::Null,
            Val::Bool(b) => Json::Bool(*b),
            Val::Num(n) => num_json(*n),
            Val::Str(s) => Json::String(s.clone()),
            Val::List(l) => Json::Array(
                l.iter()
                    .enumerate()
                    .map(|(i, v)| v.to_json(&format!("{ptr}/{i}"), tainted, unknown, sensitive))
                    .collect(),
            ),
            Val::Map(m) => Json::Object(
                m.iter()
                    .map(|(k, v)| {
                        let p = format!("{ptr}/{}", pointer_segment(k));
                        (k.clone(), v.to_json(&p, tainted, unknown, sensitive))
                    })
                    .collect(),
            ),
            Val::Unknown(parts) => {
                unknown.insert(ptr.to_string(), Unknown::Expr(parts.clone()));
                Json::Null
            }
        }
    }

    /// The value as it may appear in a diagnostic: never a sensitive one.
    pub fn show(&self) -> String {
        if self.any_sensitive() {
            return "(sensitive value)".into();
        }
        match &self.val {
            Val::Unknown(p) => format!("({} known after apply)", describe_unknown(p)),
            _ => self.to_plain_json().to_string(),
        }
    }
}

/// A whole number as a JSON integer, anything else as a float.
pub fn num_json(n: f64) -> Json {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Json::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Json::Null, Json::Number)
    }
}

/// Number formatting for string conversion: `80`, not `80.0`.
pub fn num_string(n: f64) -> String {
    num_json(n).to_string()
}

/// The value's type name for messages.
pub fn type_name(v: &Val) -> &'static str {
    match v {
        Val::Null => "null",
        Val::Bool(_) => "bool",
        Val::Num(_) => "number",
        Val::Str(_) => "string",
        Val::List(_) => "list",
        Val::Map(_) => "object",
        Val::Unknown(_) => "unknown value",
    }
}

/// `cdn_domain.web.origins[0].address` for the first reference of a
/// deferred value: what the user wrote.
pub fn describe_unknown(parts: &[Part]) -> String {
    parts
        .iter()
        .find_map(|p| match p {
            Part::Ref { address, path } => Some(ref_text(address, path)),
            Part::Lit(_) => None,
        })
        .unwrap_or_else(|| "value".into())
}

pub fn ref_text(address: &str, path: &[String]) -> String {
    let mut s = address.to_string();
    for seg in path {
        if seg.parse::<usize>().is_ok() {
            s.push_str(&format!("[{seg}]"));
        } else {
            s.push('.');
            s.push_str(seg);
        }
    }
    s
}

/// String form used by templates and `tostring`; `None` for values that
/// have no string form (collections, unknowns).
pub fn as_string(v: &Val) -> Option<String> {
    match v {
        Val::Str(s) => Some(s.clone()),
        Val::Num(n) => Some(num_string(*n)),
        Val::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_with_taint_and_unknowns() {
        let secret = V::str("s3cret").tainted(true);
        let unk = V::new(Val::Unknown(vec![Part::Ref {
            address: "cdn_domain.a".into(),
            path: vec!["cname".into()],
        }]));
        let m = V::new(Val::Map(
            [("a".to_string(), secret.clone()), ("b".to_string(), unk)].into(),
        ));
        let (mut u, mut s) = (BTreeMap::new(), BTreeSet::new());
        let j = m.to_json("/x", false, &mut u, &mut s);
        assert_eq!(j, json!({"a": "s3cret", "b": null}));
        assert!(s.contains("/x/a"));
        assert!(u.contains_key("/x/b"));
        assert_eq!(secret.show(), "(sensitive value)");
        assert_eq!(num_string(80.0), "80");
        assert_eq!(
            ref_text(
                "cdn_domain.a",
                &["origins".into(), "0".into(), "address".into()]
            ),
            "cdn_domain.a.origins[0].address"
        );
    }
}
