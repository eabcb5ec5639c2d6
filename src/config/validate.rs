//! Provider-neutral value checks of an evaluated `cdn_domain`: a valid
//! domain name, origin addresses that match their type, ports in range,
//! and (in the `validate_*` modules) cache rules, access lists, headers,
//! HTTPS and compression. Vendor-specific rules (mixing origin types,
//! counts) belong to the providers. Values known only after apply are
//! skipped; sensitive values are never shown.

use super::{validate_filters, validate_https, validate_rules};

use crate::model::domain::is_valid_domain_name;
use crate::model::PlannedValue;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// A problem at a JSON pointer of the value.
#[derive(Debug, PartialEq)]
pub struct Problem {
    pub pointer: String,
    pub summary: &'static str,
    pub detail: String,
    /// For duplicates: the pointer of the first occurrence.
    pub first: Option<String>,
}

/// The value under check and the problems found so far.
pub struct Ctx<'a> {
    pub pv: &'a PlannedValue,
    pub out: Vec<Problem>,
}

impl<'a> Ctx<'a> {
    /// The value at `ptr` when it is present, not null and not (inside)
    /// a value known only after apply.
    pub fn known(&self, ptr: &str) -> Option<&'a Json> {
        let under_unknown = self
            .pv
            .unknown
            .keys()
            .any(|k| k == ptr || ptr.starts_with(&format!("{k}/")));
        if under_unknown {
            return None;
        }
        self.pv.value.pointer(ptr).filter(|v| !v.is_null())
    }

    pub fn str_at(&self, ptr: &str) -> Option<&'a str> {
        self.known(ptr).and_then(Json::as_str)
    }

    pub fn num_at(&self, ptr: &str) -> Option<f64> {
        self.known(ptr).and_then(Json::as_f64)
    }

    /// Length of the list at `ptr` (0 when absent or unknown).
    pub fn len_at(&self, ptr: &str) -> usize {
        self.known(ptr).and_then(Json::as_array).map_or(0, Vec::len)
    }

    /// Is the key `key` set in the object at `ptr` (possibly to a value
    /// known only after apply)?
    pub fn is_set(&self, ptr: &str, key: &str) -> bool {
        self.pv
            .value
            .pointer(ptr)
            .and_then(Json::as_object)
            .is_some_and(|o| o.contains_key(key))
    }

    pub fn secret(&self, ptr: &str) -> bool {
        self.pv.is_sensitive_at(ptr)
    }

    /// The value as a diagnostic may quote it.
    pub fn show(&self, ptr: &str, s: &str) -> String {
        if self.secret(ptr) {
            "(sensitive value)".to_string()
        } else {
            format!("{s:?}")
        }
    }

    /// ` Did you mean "x"?` unless the value at `ptr` is sensitive (the
    /// suggestion would give it away).
    pub fn suggest(&self, ptr: &str, s: &str) -> String {
        if self.secret(ptr) {
            String::new()
        } else {
            format!(" Did you mean {s:?}?")
        }
    }

    pub fn push(&mut self, pointer: String, summary: &'static str, detail: String) {
        self.out.push(Problem {
            pointer,
            summary,
            detail,
            first: None,
        });
    }

    /// Report every entry whose key was seen before, at the later entry,
    /// with a note on the first. `entries` are (pointer, key, shown text).
    pub fn duplicates(
        &mut self,
        entries: Vec<(String, String, String)>,
        summary: &'static str,
        detail: impl Fn(&str) -> String,
    ) {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for (ptr, key, shown) in entries {
            match seen.get(&key) {
                Some(first) => self.out.push(Problem {
                    pointer: ptr,
                    summary,
                    detail: detail(&shown),
                    first: Some(first.clone()),
                }),
                None => {
                    seen.insert(key, ptr);
                }
            }
        }
    }

    /// The known strings of the list at `ptr`, with their pointers.
    pub fn strings(&self, ptr: &str) -> Vec<(String, &'a str)> {
        (0..self.len_at(ptr))
            .filter_map(|i| {
                let p = format!("{ptr}/{i}");
                self.str_at(&p).map(|s| (p, s))
            })
            .collect()
    }
}

/// Checks for resource type `ty`.
pub fn check(ty: &str, pv: &PlannedValue) -> Vec<Problem> {
    let mut c = Ctx {
        pv,
        out: Vec::new(),
    };
    match ty {
        "cdn_purge" | "cdn_preload" => {
            super::validate_content::check(&mut c, ty == "cdn_purge");
            return c.out;
        }
        "cdn_domain" => {}
        _ => return c.out,
    }
    if let Some(name) = c.str_at("/name") {
        if !is_valid_domain_name(name) {
            let detail = format!("{} is not a valid domain name: labels of letters, digits and hyphens, at least two labels, optionally starting with \"*.\".", c.show("/name", name));
            c.push("/name".into(), "Invalid domain name", detail);
        }
    }
    origins(&mut c);
    validate_rules::check(&mut c);
    validate_filters::check(&mut c);
    validate_https::check(&mut c);
    c.out
}

fn origins(c: &mut Ctx) {
    for i in 0..c.len_at("/origins") {
        let base = format!("/origins/{i}");
        let addr_ptr = format!("{base}/address");
        if let (Some(ty), Some(addr)) = (c.str_at(&format!("{base}/type")), c.str_at(&addr_ptr)) {
            let bad = match ty {
                "ip" => addr.parse::<IpAddr>().is_err().then_some("an IP address"),
                "domain" => (!is_host_name(addr)).then_some("a host name"),
                _ => None,
            };
            if let Some(want) = bad {
                let detail = format!(
                    "An origin of type \"{ty}\" needs {want}, but got {}.",
                    c.show(&addr_ptr, addr)
                );
                c.push(addr_ptr.clone(), "Invalid origin address", detail);
            }
        }
        let port_ptr = format!("{base}/port");
        if let Some(p) = c.num_at(&port_ptr) {
            if p.fract() != 0.0 || !(1.0..=65535.0).contains(&p) {
                let detail = format!(
                    "An origin port must be a whole number from 1 to 65535, but got {}.",
                    c.show(&port_ptr, &p.to_string()).trim_matches('"')
                );
                c.push(port_ptr, "Invalid port", detail);
            }
        }
    }
}

/// A host name: a domain name without wildcard.
pub fn is_host_name(s: &str) -> bool {
    !s.starts_with('*') && !s.starts_with('.') && is_valid_domain_name(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn neutral_checks() {
        let pv = PlannedValue::known(json!({
            "name": "bad_name",
            "origins": [
                {"type": "ip", "address": "origin.example.com", "port": 80},
                {"type": "domain", "address": "origin.example.com", "port": 70000},
                {"type": "domain", "address": "*.example.com", "port": 443},
            ]
        }));
        let ptrs: Vec<String> = check("cdn_domain", &pv)
            .into_iter()
            .map(|p| p.pointer)
            .collect();
        assert_eq!(
            ptrs,
            [
                "/name",
                "/origins/0/address",
                "/origins/1/port",
                "/origins/2/address"
            ]
        );
        let mut secret = PlannedValue::known(json!({"name": "s3cret_name", "origins": []}));
        secret.sensitive.insert("/name".into());
        let p = check("cdn_domain", &secret);
        assert!(!p[0].detail.contains("s3cret"));
    }

    #[test]
    fn sensitive_entries_never_shown() {
        let mut pv = PlannedValue::known(json!({
            "name": "a.example.com",
            "origins": [],
            "ip_filter": {"mode": "deny", "list": ["192.0.2.1/24", "192.0.2.1/24"]},
            "referer": {"mode": "allow", "list": ["https://h1dden.example.com", "h1dden.example.com", "h1dden.example.com"]},
            "cache_rules": [{"match": "path", "patterns": ["s3cret"], "ttl": "s3cret"}],
        }));
        for p in ["/ip_filter/list", "/referer/list", "/cache_rules/0"] {
            pv.sensitive.insert(p.into());
        }
        let problems = check("cdn_domain", &pv);
        assert_eq!(problems.len(), 6, "{problems:?}");
        for p in problems {
            for secret in ["192.0.2", "h1dden", "s3cret"] {
                assert!(!p.detail.contains(secret), "{p:?}");
            }
        }
    }

    #[test]
    fn unknown_values_are_skipped() {
        let mut pv = PlannedValue::known(json!({
            "name": "a.example.com",
            "origins": [],
            "ip_filter": {"mode": "deny", "list": null},
            "cache_rules": [{"match": "extension", "patterns": [null, ".jpg"], "ttl": null}],
        }));
        for p in [
            "/ip_filter/list",
            "/cache_rules/0/patterns/0",
            "/cache_rules/0/ttl",
        ] {
            pv.unknown.insert(p.into(), crate::model::Unknown::Computed);
        }
        let ptrs: Vec<String> = check("cdn_domain", &pv)
            .into_iter()
            .map(|p| p.pointer)
            .collect();
        assert_eq!(ptrs, ["/cache_rules/0/patterns/1"]);
    }
}
