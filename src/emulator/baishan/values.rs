//! Readers for the values of configuration items, each failing with a 400 that names the
//! offending field (`config.origin.port: ...`).
//!
//! The seed's sample request sends numbers both as JSON numbers (`"time": 86400`) and as
//! strings (`"type": "2"`, `"min_size": "2"`). MODELLED: an integer field accepts either, and
//! answers carry it as a JSON number.

use std::net::IpAddr;

use serde_json::{Map, Value};

use super::error::BsError;

pub fn bad(path: &str, what: impl std::fmt::Display) -> BsError {
    BsError::invalid(format!("{path}: {what}"))
}

/// The object of an item (`{..}`), with no keys beyond `allowed` (MODELLED: unknown keys are
/// an error, so a misspelt field is not silently ignored).
pub fn object<'a>(
    v: &'a Value,
    path: &str,
    allowed: &[&str],
) -> Result<&'a Map<String, Value>, BsError> {
    let m = v
        .as_object()
        .ok_or_else(|| bad(path, "must be an object"))?;
    if let Some(k) = m.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(bad(path, format!("unknown field {k}")));
    }
    Ok(m)
}

pub fn array<'a>(v: &'a Value, path: &str) -> Result<&'a Vec<Value>, BsError> {
    v.as_array().ok_or_else(|| bad(path, "must be an array"))
}

pub fn required<'a>(
    m: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a Value, BsError> {
    m.get(key)
        .ok_or_else(|| bad(&format!("{path}.{key}"), "is required"))
}

pub fn string<'a>(v: &'a Value, path: &str) -> Result<&'a str, BsError> {
    v.as_str().ok_or_else(|| bad(path, "must be a string"))
}

/// An integer given as a JSON number or as a string of digits (optionally signed).
pub fn int(v: &Value, path: &str) -> Result<i64, BsError> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
    .ok_or_else(|| bad(path, "must be an integer"))
}

/// A string that is one of `allowed` (exact case).
pub fn one_of(v: &Value, path: &str, allowed: &[&str]) -> Result<String, BsError> {
    let s = string(v, path)?;
    if allowed.contains(&s) {
        Ok(s.to_string())
    } else {
        Err(bad(path, format!("must be one of {}", allowed.join(", "))))
    }
}

/// An optional enum field: its value, or `None` when absent.
pub fn opt_one_of(
    m: &Map<String, Value>,
    key: &str,
    path: &str,
    allowed: &[&str],
) -> Result<Option<String>, BsError> {
    m.get(key)
        .map(|v| one_of(v, &format!("{path}.{key}"), allowed))
        .transpose()
}

/// A DNS host name: dot-separated labels of letters, digits and `-` (not at either end of a
/// label), at least two labels, at most 253 characters, and not all-numeric at the end (that
/// would be a malformed IP address).
pub fn is_host_name(s: &str) -> bool {
    if s.is_empty() || s.len() > 253 {
        return false;
    }
    let labels: Vec<&str> = s.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && !labels
            .last()
            .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()))
}

/// An IP address (v4 or v6) or a host name: what an origin or a referer entry may be.
pub fn is_ip_or_host(s: &str) -> bool {
    s.parse::<IpAddr>().is_ok() || is_host_name(s)
}

/// MODELLED: an accelerated domain is a host name, or a wildcard `*.` followed by one.
pub fn is_domain_name(s: &str) -> bool {
    is_host_name(s.strip_prefix("*.").unwrap_or(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integers_from_numbers_and_strings() {
        assert_eq!(int(&json!(3600), "t").unwrap(), 3600);
        assert_eq!(int(&json!("3600"), "t").unwrap(), 3600);
        assert!(int(&json!("1h"), "t").is_err());
        assert!(int(&json!(1.5), "t").is_err());
        let e = int(&json!(true), "config.x.t").unwrap_err();
        assert_eq!(e.message, "config.x.t: must be an integer");
    }

    #[test]
    fn names() {
        assert!(is_host_name("a.qingcdn.com"));
        assert!(is_host_name("x-1.example.com"));
        assert!(!is_host_name("localhost"));
        assert!(!is_host_name("-a.com"));
        assert!(!is_host_name("a..com"));
        assert!(!is_host_name("1.2.3.999"));
        assert!(!is_host_name("a_b.com"));
        assert!(is_ip_or_host("1.2.3.4"));
        assert!(is_ip_or_host("2001:db8::1"));
        assert!(is_domain_name("*.a.com"));
        assert!(!is_domain_name("a.*.com"));
    }

    #[test]
    fn objects_reject_unknown_fields() {
        let v = json!({"a": 1, "b": 2});
        assert!(object(&v, "p", &["a", "b"]).is_ok());
        let e = object(&v, "p", &["a"]).unwrap_err();
        assert_eq!(e.message, "p: unknown field b");
        assert!(object(&json!([1]), "p", &["a"]).is_err());
    }
}
