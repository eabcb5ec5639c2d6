//! Provider-neutral value checks of an evaluated `cdn_domain`: a valid
//! domain name, origin addresses that match their type, ports in range.
//! Vendor-specific rules (mixing origin types, counts) belong to the
//! providers.

use crate::model::domain::is_valid_domain_name;
use crate::model::PlannedValue;
use serde_json::Value as Json;
use std::net::IpAddr;

/// A problem at a JSON pointer of the value.
#[derive(Debug, PartialEq)]
pub struct Problem {
    pub pointer: String,
    pub summary: &'static str,
    pub detail: String,
}

/// Checks for resource type `ty` (only `cdn_domain` has any).
pub fn check(ty: &str, pv: &PlannedValue) -> Vec<Problem> {
    let mut out = Vec::new();
    if ty != "cdn_domain" {
        return out;
    }
    // Sensitive values are described, never shown.
    let show = |ptr: &str, s: &str| {
        if pv.is_sensitive_at(ptr) {
            "(sensitive value)".to_string()
        } else {
            format!("{s:?}")
        }
    };
    let known_str = |ptr: &str| -> Option<&str> {
        if pv.is_unknown_at(ptr) {
            return None;
        }
        pv.value.pointer(ptr).and_then(Json::as_str)
    };
    if let Some(name) = known_str("/name") {
        if !is_valid_domain_name(name) {
            out.push(Problem {
                pointer: "/name".into(),
                summary: "Invalid domain name",
                detail: format!("{} is not a valid domain name: labels of letters, digits and hyphens, at least two labels, optionally starting with \"*.\".", show("/name", name)),
            });
        }
    }
    let origins = pv
        .value
        .get("origins")
        .and_then(Json::as_array)
        .map_or(0, Vec::len);
    for i in 0..origins {
        let base = format!("/origins/{i}");
        let addr_ptr = format!("{base}/address");
        if let (Some(ty), Some(addr)) = (known_str(&format!("{base}/type")), known_str(&addr_ptr)) {
            let bad = match ty {
                "ip" => addr.parse::<IpAddr>().is_err().then_some("an IP address"),
                "domain" => (!is_host_name(addr)).then_some("a host name"),
                _ => None,
            };
            if let Some(want) = bad {
                out.push(Problem {
                    pointer: addr_ptr.clone(),
                    summary: "Invalid origin address",
                    detail: format!(
                        "An origin of type \"{ty}\" needs {want}, but got {}.",
                        show(&addr_ptr, addr)
                    ),
                });
            }
        }
        let port_ptr = format!("{base}/port");
        if !pv.is_unknown_at(&port_ptr) {
            if let Some(p) = pv.value.pointer(&port_ptr).and_then(Json::as_f64) {
                if p.fract() != 0.0 || !(1.0..=65535.0).contains(&p) {
                    out.push(Problem {
                        pointer: port_ptr.clone(),
                        summary: "Invalid port",
                        detail: format!(
                            "An origin port must be a whole number from 1 to 65535, but got {}.",
                            show(&port_ptr, &p.to_string()).trim_matches('"')
                        ),
                    });
                }
            }
        }
    }
    out
}

/// A host name: a domain name without wildcard.
fn is_host_name(s: &str) -> bool {
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
}
