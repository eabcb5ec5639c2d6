//! The built-in functions. They see fully known arguments only: the
//! evaluator rejects unknown arguments before calling (see `eval.rs`), and
//! it taints the result when any argument is sensitive.

use super::types::{convert, TypeC};
use super::value::{as_string, num_string, Val, V};
use std::collections::BTreeMap;
use std::path::Path;

pub const FUNCTIONS: &[&str] = &[
    "coalesce",
    "concat",
    "contains",
    "file",
    "format",
    "join",
    "jsonencode",
    "keys",
    "length",
    "lookup",
    "lower",
    "merge",
    "replace",
    "sha256",
    "split",
    "tolist",
    "tonumber",
    "toset",
    "tostring",
    "trimspace",
    "upper",
    "values",
];

pub fn is_function(name: &str) -> bool {
    FUNCTIONS.contains(&name)
}

/// Call `name` (which must be in [`FUNCTIONS`]); `Err` is the detail of an
/// "Invalid function argument" diagnostic. `base` is the directory of the
/// file the call is in (`file()` paths are relative to it).
pub fn call(name: &str, args: &[V], base: &Path) -> Result<Val, String> {
    let arity = |min: usize, max: usize| -> Result<(), String> {
        if args.len() < min || args.len() > max {
            let want = if min == max {
                format!("{min}")
            } else if max == usize::MAX {
                format!("at least {min}")
            } else {
                format!("{min} to {max}")
            };
            return Err(format!(
                "{name}() takes {want} argument(s), got {}",
                args.len()
            ));
        }
        Ok(())
    };
    match name {
        "lower" | "upper" | "trimspace" => {
            arity(1, 1)?;
            let s = string_arg(name, &args[0])?;
            Ok(Val::Str(match name {
                "lower" => s.to_lowercase(),
                "upper" => s.to_uppercase(),
                _ => s.trim().to_string(),
            }))
        }
        "join" => {
            arity(2, 2)?;
            let sep = string_arg(name, &args[0])?;
            let items = list_arg(name, &args[1])?;
            let parts: Result<Vec<String>, String> =
                items.iter().map(|v| string_arg(name, v)).collect();
            Ok(Val::Str(parts?.join(&sep)))
        }
        "split" => {
            arity(2, 2)?;
            let sep = string_arg(name, &args[0])?;
            let s = string_arg(name, &args[1])?;
            if sep.is_empty() {
                return Err("split() needs a non-empty separator".into());
            }
            Ok(Val::List(s.split(sep.as_str()).map(V::str).collect()))
        }
        "format" => {
            arity(1, usize::MAX)?;
            format(&string_arg(name, &args[0])?, &args[1..]).map(Val::Str)
        }
        "length" => {
            arity(1, 1)?;
            let n = match &args[0].val {
                Val::List(l) => l.len(),
                Val::Map(m) => m.len(),
                Val::Str(s) => s.chars().count(),
                _ => return Err("length() needs a list, map or string".into()),
            };
            Ok(Val::Num(n as f64))
        }
        "concat" => {
            let mut out = Vec::new();
            for a in args {
                out.extend(list_arg(name, a)?.iter().cloned());
            }
            Ok(Val::List(out))
        }
        "lookup" => {
            arity(2, 3)?;
            let map = map_arg(name, &args[0])?;
            let key = string_arg(name, &args[1])?;
            match (map.get(&key), args.get(2)) {
                (Some(v), _) => Ok(v.val.clone()),
                (None, Some(d)) => Ok(d.val.clone()),
                (None, None) => Err(format!("the map has no element with key {key:?}")),
            }
        }
        "merge" => {
            let mut out = BTreeMap::new();
            for a in args {
                if a.val != Val::Null {
                    out.extend(map_arg(name, a)?.clone());
                }
            }
            Ok(Val::Map(out))
        }
        "tostring" => {
            arity(1, 1)?;
            match &args[0].val {
                Val::Null => Ok(Val::Null),
                v => as_string(v)
                    .map(Val::Str)
                    .ok_or_else(|| "tostring() needs a string, number or bool".into()),
            }
        }
        "tonumber" => {
            arity(1, 1)?;
            convert(args[0].clone(), &TypeC::Number).map(|v| v.val)
        }
        "coalesce" => {
            arity(1, usize::MAX)?;
            args.iter()
                .find(|a| !matches!(&a.val, Val::Null) && a.val != Val::Str(String::new()))
                .map(|a| a.val.clone())
                .ok_or_else(|| "coalesce() got no non-null, non-empty argument".into())
        }
        "replace" => {
            // Plain substring replacement; Terraform's `/regex/` form is not
            // supported.
            arity(3, 3)?;
            let s = string_arg(name, &args[0])?;
            let from = string_arg(name, &args[1])?;
            let to = string_arg(name, &args[2])?;
            if from.is_empty() {
                return Ok(Val::Str(s));
            }
            Ok(Val::Str(s.replace(&from, &to)))
        }
        "contains" => {
            arity(2, 2)?;
            let items = list_arg(name, &args[0])?;
            let needle = args[1].to_plain_json();
            Ok(Val::Bool(items.iter().any(|v| v.to_plain_json() == needle)))
        }
        "toset" => {
            // Sets are modelled as sorted lists without duplicates.
            arity(1, 1)?;
            let mut items = list_arg(name, &args[0])?.to_vec();
            items.sort_by_key(|v| v.to_plain_json().to_string());
            items.dedup_by(|a, b| a.to_plain_json() == b.to_plain_json());
            Ok(Val::List(items))
        }
        "tolist" => {
            arity(1, 1)?;
            Ok(Val::List(list_arg(name, &args[0])?.to_vec()))
        }
        "keys" | "values" => {
            arity(1, 1)?;
            let map = map_arg(name, &args[0])?;
            Ok(Val::List(if name == "keys" {
                map.keys().map(|k| V::str(k.clone())).collect()
            } else {
                map.values().cloned().collect()
            }))
        }
        "jsonencode" => {
            arity(1, 1)?;
            Ok(Val::Str(args[0].to_plain_json().to_string()))
        }
        "sha256" => {
            use sha2::Digest;
            arity(1, 1)?;
            let s = string_arg(name, &args[0])?;
            let digest = sha2::Sha256::digest(s.as_bytes());
            Ok(Val::Str(
                digest.iter().map(|b| format!("{b:02x}")).collect(),
            ))
        }
        "file" => {
            arity(1, 1)?;
            let rel = string_arg(name, &args[0])?;
            let path = base.join(&rel);
            std::fs::read_to_string(&path)
                .map(Val::Str)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))
        }
        other => Err(format!("unknown function {other}()")),
    }
}

fn string_arg(func: &str, v: &V) -> Result<String, String> {
    as_string(&v.val).ok_or_else(|| format!("{func}() needs a string, got {}", v.show()))
}

fn list_arg<'a>(func: &str, v: &'a V) -> Result<&'a [V], String> {
    match &v.val {
        Val::List(l) => Ok(l),
        _ => Err(format!("{func}() needs a list, got {}", v.show())),
    }
}

fn map_arg<'a>(func: &str, v: &'a V) -> Result<&'a BTreeMap<String, V>, String> {
    match &v.val {
        Val::Map(m) => Ok(m),
        _ => Err(format!("{func}() needs a map, got {}", v.show())),
    }
}

/// `format` verbs: `%s`, `%d`, `%f`, `%v`, `%q`, `%%`.
fn format(spec: &str, args: &[V]) -> Result<String, String> {
    let mut out = String::new();
    let mut next = args.iter();
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let verb = chars.next().ok_or("format string ends with a lone %")?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let arg = next
            .next()
            .ok_or_else(|| format!("not enough arguments for %{verb}"))?;
        match verb {
            's' | 'v' => out
                .push_str(&as_string(&arg.val).unwrap_or_else(|| arg.to_plain_json().to_string())),
            'q' => out.push_str(&serde_json::Value::String(string_arg("format", arg)?).to_string()),
            'd' => match convert(arg.clone(), &TypeC::Number)?.val {
                Val::Num(n) => out.push_str(&num_string(n.trunc())),
                _ => return Err("%d needs a number".into()),
            },
            'f' => match convert(arg.clone(), &TypeC::Number)?.val {
                Val::Num(n) => out.push_str(&format!("{n:.6}")),
                _ => return Err("%f needs a number".into()),
            },
            other => return Err(format!("unsupported format verb %{other}")),
        }
    }
    if next.next().is_some() {
        return Err("too many arguments for the format string".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: &[V]) -> Result<Val, String> {
        super::call(name, args, Path::new("."))
    }

    fn list(items: &[&str]) -> V {
        V::new(Val::List(items.iter().map(|s| V::str(*s)).collect()))
    }

    #[test]
    fn string_functions() {
        assert_eq!(
            call("lower", &[V::str("AbC")]).unwrap(),
            Val::Str("abc".into())
        );
        assert_eq!(
            call("upper", &[V::str("ab")]).unwrap(),
            Val::Str("AB".into())
        );
        assert_eq!(
            call("trimspace", &[V::str(" a ")]).unwrap(),
            Val::Str("a".into())
        );
        assert_eq!(
            call("join", &[V::str(","), list(&["a", "b"])]).unwrap(),
            Val::Str("a,b".into())
        );
        assert_eq!(
            call("split", &[V::str(","), V::str("a,b")]).unwrap(),
            list(&["a", "b"]).val
        );
        assert_eq!(
            call(
                "format",
                &[
                    V::str("%s:%d %q 100%%"),
                    V::str("h"),
                    V::num(80.0),
                    V::str("x")
                ]
            )
            .unwrap(),
            Val::Str("h:80 \"x\" 100%".into())
        );
        assert_eq!(
            call("replace", &[V::str("a.b"), V::str("."), V::str("-")]).unwrap(),
            Val::Str("a-b".into())
        );
    }

    #[test]
    fn collection_functions() {
        assert_eq!(call("length", &[list(&["a", "b"])]).unwrap(), Val::Num(2.0));
        assert_eq!(
            call("concat", &[list(&["a"]), list(&["b"])]).unwrap(),
            list(&["a", "b"]).val
        );
        assert_eq!(
            call("contains", &[list(&["a"]), V::str("a")]).unwrap(),
            Val::Bool(true)
        );
        let m = V::new(Val::Map([("k".to_string(), V::str("v"))].into()));
        assert_eq!(
            call("lookup", &[m.clone(), V::str("k")]).unwrap(),
            Val::Str("v".into())
        );
        assert_eq!(
            call("lookup", &[m.clone(), V::str("x"), V::str("d")]).unwrap(),
            Val::Str("d".into())
        );
        let m2 = V::new(Val::Map([("j".to_string(), V::str("w"))].into()));
        assert!(matches!(call("merge", &[m, m2]).unwrap(), Val::Map(x) if x.len() == 2));
        assert_eq!(
            call("coalesce", &[V::null(), V::str(""), V::str("x")]).unwrap(),
            Val::Str("x".into())
        );
        assert_eq!(call("tonumber", &[V::str("8")]).unwrap(), Val::Num(8.0));
        assert_eq!(
            call("tostring", &[V::num(8.0)]).unwrap(),
            Val::Str("8".into())
        );
        assert!(call("length", &[])
            .unwrap_err()
            .contains("takes 1 argument"));
    }

    #[test]
    fn collection_encoding_and_file_functions() {
        let strs = |v: Val| match v {
            Val::List(items) => items.iter().map(|x| x.show()).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            strs(call("toset", &[list(&["b", "a", "b"])]).unwrap()),
            ["\"a\"", "\"b\""]
        );
        assert_eq!(strs(call("tolist", &[list(&["b", "a"])]).unwrap()).len(), 2);
        let m = V::new(Val::Map(
            [
                ("k".to_string(), V::str("v")),
                ("a".to_string(), V::num(1.0)),
            ]
            .into(),
        ));
        assert_eq!(
            strs(call("keys", std::slice::from_ref(&m)).unwrap()),
            ["\"a\"", "\"k\""]
        );
        assert_eq!(
            strs(call("values", std::slice::from_ref(&m)).unwrap()),
            ["1", "\"v\""]
        );
        assert_eq!(
            call("jsonencode", &[m]).unwrap(),
            Val::Str("{\"a\":1,\"k\":\"v\"}".into())
        );
        assert_eq!(
            call("sha256", &[V::str("abc")]).unwrap(),
            Val::Str("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".into())
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cert.pem"), "PEM\n").unwrap();
        assert_eq!(
            super::call("file", &[V::str("cert.pem")], dir.path()).unwrap(),
            Val::Str("PEM\n".into())
        );
        assert!(super::call("file", &[V::str("nope.pem")], dir.path())
            .unwrap_err()
            .contains("cannot read"));
    }
}
