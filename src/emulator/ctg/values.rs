//! Readers for CTG request fields, each failing with a 400 that names the offending field
//! (`origin[0].port: must be an integer`).
//!
//! MODELLED: bodies are strict JSON: integers are JSON numbers, flags are JSON booleans, and
//! a body key the endpoint does not know is a 400 (so a misspelt field is never ignored).

use std::net::IpAddr;

use serde_json::{Map, Value};

use super::error::CtgError;

pub fn bad(path: &str, what: impl std::fmt::Display) -> CtgError {
    CtgError::invalid(format!("{path}: {what}"))
}

/// `v` as an object with no keys beyond `allowed`.
pub fn object<'a>(
    v: &'a Value,
    path: &str,
    allowed: &[&str],
) -> Result<&'a Map<String, Value>, CtgError> {
    let m = v
        .as_object()
        .ok_or_else(|| bad(path, "must be an object"))?;
    if let Some(k) = m.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(bad(path, format!("unknown field {k}")));
    }
    Ok(m)
}

fn field_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

pub fn required<'a>(
    m: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a Value, CtgError> {
    m.get(key)
        .ok_or_else(|| bad(&field_path(path, key), "is required"))
}

pub fn string(m: &Map<String, Value>, key: &str, path: &str) -> Result<String, CtgError> {
    let p = field_path(path, key);
    required(m, key, path)?
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| bad(&p, "must be a string"))
}

pub fn opt_string(
    m: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<String>, CtgError> {
    match m.get(key) {
        None => Ok(None),
        Some(_) => string(m, key, path).map(Some),
    }
}

pub fn boolean(m: &Map<String, Value>, key: &str, path: &str) -> Result<bool, CtgError> {
    required(m, key, path)?
        .as_bool()
        .ok_or_else(|| bad(&field_path(path, key), "must be true or false"))
}

pub fn opt_boolean(
    m: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<bool>, CtgError> {
    match m.get(key) {
        None => Ok(None),
        Some(_) => boolean(m, key, path).map(Some),
    }
}

/// An integer within `lo..=hi`.
pub fn int(
    m: &Map<String, Value>,
    key: &str,
    path: &str,
    lo: i64,
    hi: i64,
) -> Result<i64, CtgError> {
    let p = field_path(path, key);
    let n = required(m, key, path)?
        .as_i64()
        .ok_or_else(|| bad(&p, "must be an integer"))?;
    if n < lo || n > hi {
        return Err(bad(&p, format!("must be between {lo} and {hi}")));
    }
    Ok(n)
}

pub fn opt_int(
    m: &Map<String, Value>,
    key: &str,
    path: &str,
    lo: i64,
    hi: i64,
) -> Result<Option<i64>, CtgError> {
    match m.get(key) {
        None => Ok(None),
        Some(_) => int(m, key, path, lo, hi).map(Some),
    }
}

pub fn one_of(
    m: &Map<String, Value>,
    key: &str,
    path: &str,
    allowed: &[&str],
) -> Result<String, CtgError> {
    let s = string(m, key, path)?;
    if allowed.contains(&s.as_str()) {
        Ok(s)
    } else {
        Err(bad(
            &field_path(path, key),
            format!("must be one of {}", allowed.join(", ")),
        ))
    }
}

/// A list of at most `max` items.
pub fn list<'a>(
    m: &'a Map<String, Value>,
    key: &str,
    path: &str,
    max: usize,
) -> Result<&'a Vec<Value>, CtgError> {
    let p = field_path(path, key);
    let items = required(m, key, path)?
        .as_array()
        .ok_or_else(|| bad(&p, "must be a list"))?;
    if items.len() > max {
        return Err(bad(&p, format!("at most {max} entries")));
    }
    Ok(items)
}

/// A list of strings (at most `max`), each accepted by `ok` (described by `what`), no repeats.
pub fn string_list(
    m: &Map<String, Value>,
    key: &str,
    path: &str,
    max: usize,
    what: &str,
    ok: impl Fn(&str) -> bool,
) -> Result<Vec<String>, CtgError> {
    let p = field_path(path, key);
    let mut out: Vec<String> = Vec::new();
    for (i, v) in list(m, key, path, max)?.iter().enumerate() {
        let s = v
            .as_str()
            .ok_or_else(|| bad(&format!("{p}[{i}]"), "must be a string"))?;
        if !ok(s) {
            return Err(bad(&format!("{p}[{i}]"), format!("{s:?} is not {what}")));
        }
        if out.iter().any(|o| o == s) {
            return Err(bad(&format!("{p}[{i}]"), format!("{s:?} is repeated")));
        }
        out.push(s.to_string());
    }
    Ok(out)
}

/// A DNS host name: at least two dot-separated labels of letters, digits and inner `-`, at
/// most 253 characters, not ending in an all-numeric label (a malformed IP address).
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

/// MODELLED: an accelerated domain is a lower-case host name, or `*.` and one (wildcard).
pub fn is_domain_name(s: &str) -> bool {
    s == s.to_ascii_lowercase() && is_host_name(s.strip_prefix("*.").unwrap_or(s))
}

pub fn is_ip(s: &str) -> bool {
    s.parse::<IpAddr>().is_ok()
}

/// An IP address or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`) with a prefix length that
/// fits the family.
pub fn is_ip_or_cidr(s: &str) -> bool {
    match s.split_once('/') {
        None => is_ip(s),
        Some((ip, len)) => {
            let Ok(ip) = ip.parse::<IpAddr>() else {
                return false;
            };
            let max = if ip.is_ipv4() { 32 } else { 128 };
            !len.is_empty()
                && len.bytes().all(|b| b.is_ascii_digit())
                && len.parse::<u32>().is_ok_and(|l| l <= max)
        }
    }
}

/// An HTTP header field name: a non-empty RFC 9110 token of at most 64 characters.
pub fn is_header_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// A header value: 1 to 1024 visible ASCII characters or inner spaces (no CR, LF, controls).
/// MODELLED: an empty value is refused (removing a header is done by leaving it out).
pub fn is_header_value(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 1024
        && s.trim() == s
        && s.bytes().all(|b| (0x20..0x7f).contains(&b) || b == b'\t')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_and_kinds() {
        let v = json!({"a": 1, "b": "x", "c": true, "l": ["1.1.1.1", "10.0.0.0/8"]});
        let m = object(&v, "", &["a", "b", "c", "l"]).unwrap();
        assert!(object(&v, "", &["a"])
            .unwrap_err()
            .message
            .contains("unknown field b"));
        assert_eq!(int(m, "a", "", 0, 5).unwrap(), 1);
        assert_eq!(
            int(m, "a", "", 2, 5).unwrap_err().message,
            "a: must be between 2 and 5"
        );
        assert_eq!(
            int(m, "b", "x", 0, 5).unwrap_err().message,
            "x.b: must be an integer"
        );
        assert!(boolean(m, "c", "").unwrap());
        assert!(boolean(m, "a", "").is_err());
        assert_eq!(string(m, "z", "").unwrap_err().message, "z: is required");
        assert_eq!(opt_int(m, "z", "", 0, 1).unwrap(), None);
        assert_eq!(
            string_list(m, "l", "", 5, "an IP", is_ip_or_cidr)
                .unwrap()
                .len(),
            2
        );
        assert!(string_list(m, "l", "", 1, "an IP", is_ip_or_cidr).is_err());
    }

    #[test]
    fn names_addresses_headers() {
        assert!(is_host_name("a.example.com"));
        assert!(!is_host_name("localhost"));
        assert!(!is_host_name("1.2.3.999"));
        assert!(is_domain_name("*.a.com"));
        assert!(!is_domain_name("A.com"));
        assert!(is_ip_or_cidr("2001:db8::/32"));
        assert!(is_ip_or_cidr("1.2.3.4/32"));
        assert!(!is_ip_or_cidr("1.2.3.4/33"));
        assert!(!is_ip_or_cidr("1.2.3.4/"));
        assert!(!is_ip_or_cidr("1.2.3/24"));
        assert!(is_header_name("X-Cache_1"));
        assert!(!is_header_name("X Cache"));
        assert!(!is_header_name("X:y"));
        assert!(is_header_value("max-age=60, public"));
        assert!(!is_header_value("a\r\nb"));
        assert!(!is_header_value(""));
    }
}
