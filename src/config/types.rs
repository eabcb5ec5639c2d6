//! Type constraints of variables (`string`, `number`, `bool`, `list(T)`,
//! `map(T)`, `any`) and schema attributes, and the Terraform-style value
//! conversions between them (`"80"` converts to the number 80).

use super::value::{as_string, Val, V};
use crate::model::AttrType;
use hcl_edit::expr::Expression;
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum TypeC {
    String,
    Number,
    Bool,
    List(Box<TypeC>),
    Map(Box<TypeC>),
    Any,
}

impl fmt::Display for TypeC {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeC::String => f.write_str("string"),
            TypeC::Number => f.write_str("number"),
            TypeC::Bool => f.write_str("bool"),
            TypeC::List(t) => write!(f, "list({t})"),
            TypeC::Map(t) => write!(f, "map({t})"),
            TypeC::Any => f.write_str("any"),
        }
    }
}

impl From<AttrType> for TypeC {
    fn from(t: AttrType) -> TypeC {
        match t {
            AttrType::String => TypeC::String,
            AttrType::Number => TypeC::Number,
            AttrType::Bool => TypeC::Bool,
            AttrType::List(e) => TypeC::List(Box::new((*e).into())),
            AttrType::Map(e) => TypeC::Map(Box::new((*e).into())),
        }
    }
}

/// The keywords a type expression may use, for suggestions.
pub const TYPE_KEYWORDS: &[&str] = &["string", "number", "bool", "list", "map", "any"];

/// Read a type expression (`list(string)`); `Err` names the offending word.
pub fn parse_type(e: &Expression) -> Result<TypeC, String> {
    match e {
        Expression::Variable(v) => match v.as_str() {
            "string" => Ok(TypeC::String),
            "number" => Ok(TypeC::Number),
            "bool" => Ok(TypeC::Bool),
            "any" => Ok(TypeC::Any),
            "list" => Ok(TypeC::List(Box::new(TypeC::Any))),
            "map" => Ok(TypeC::Map(Box::new(TypeC::Any))),
            other => Err(other.to_string()),
        },
        Expression::FuncCall(call) => {
            let name = call.name.name.as_str();
            let elem = match call.args.iter().collect::<Vec<_>>().as_slice() {
                [one] => parse_type(one)?,
                _ => return Err(format!("{name}(...)")),
            };
            match name {
                "list" | "set" => Ok(TypeC::List(Box::new(elem))),
                "map" => Ok(TypeC::Map(Box::new(elem))),
                other => Err(other.to_string()),
            }
        }
        Expression::Parenthesis(p) => parse_type(p.inner()),
        _ => Err(e.to_string().trim().to_string()),
    }
}

/// Convert `v` to type `t`. Unknown values pass unchecked (their type is
/// only known after apply). The error text never shows a sensitive value.
pub fn convert(v: V, t: &TypeC) -> Result<V, String> {
    let sensitive = v.sensitive;
    let shown = v.show();
    let fail = |what: &str| Err(format!("{what} required, but got {shown}"));
    let val = match (v.val, t) {
        (val @ (Val::Unknown(_) | Val::Null), _) | (val, TypeC::Any) => val,
        (Val::Str(s), TypeC::String) => Val::Str(s),
        (val @ (Val::Num(_) | Val::Bool(_)), TypeC::String) => {
            Val::Str(as_string(&val).unwrap_or_default())
        }
        (Val::Num(n), TypeC::Number) => Val::Num(n),
        (Val::Str(s), TypeC::Number) => match s.trim().parse::<f64>() {
            Ok(n) if n.is_finite() && s == s.trim() => Val::Num(n),
            _ => return fail("a number is"),
        },
        (Val::Bool(b), TypeC::Bool) => Val::Bool(b),
        (Val::Str(s), TypeC::Bool) if s == "true" || s == "false" => Val::Bool(s == "true"),
        (Val::List(items), TypeC::List(e)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                out.push(convert(item, e).map_err(|m| format!("element {i}: {m}"))?);
            }
            Val::List(out)
        }
        (Val::Map(items), TypeC::Map(e)) => {
            let mut out = std::collections::BTreeMap::new();
            for (k, item) in items {
                let c = convert(item, e).map_err(|m| format!("element {k:?}: {m}"))?;
                out.insert(k, c);
            }
            Val::Map(out)
        }
        (_, TypeC::String) => return fail("a string is"),
        (_, TypeC::Number) => return fail("a number is"),
        (_, TypeC::Bool) => return fail("a bool is"),
        (_, TypeC::List(_)) => return fail("a list is"),
        (_, TypeC::Map(_)) => return fail("a map is"),
    };
    Ok(V { val, sensitive })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(s: &str) -> TypeC {
        let body = hcl_edit::parser::parse_body(&format!("t = {s}\n")).unwrap();
        parse_type(&body.get_attribute("t").unwrap().value).unwrap()
    }

    #[test]
    fn conversions() {
        assert_eq!(ty("list(number)"), TypeC::List(Box::new(TypeC::Number)));
        assert_eq!(convert(V::str("80"), &TypeC::Number).unwrap(), V::num(80.0));
        assert_eq!(convert(V::num(80.0), &TypeC::String).unwrap(), V::str("80"));
        assert_eq!(
            convert(V::str("true"), &TypeC::Bool).unwrap(),
            V::bool(true)
        );
        assert_eq!(
            convert(V::str("abc"), &TypeC::Number).unwrap_err(),
            "a number is required, but got \"abc\""
        );
        assert_eq!(
            convert(V::str("yes"), &TypeC::Bool).unwrap_err(),
            "a bool is required, but got \"yes\""
        );
        let secret = V::str("hunter2").tainted(true);
        assert!(!convert(secret, &TypeC::Number)
            .unwrap_err()
            .contains("hunter2"));
        let l = V::new(Val::List(vec![V::str("1"), V::str("x")]));
        assert_eq!(
            convert(l, &ty("list(number)")).unwrap_err(),
            "element 1: a number is required, but got \"x\""
        );
    }
}
