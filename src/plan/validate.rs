//! Checks that need no API call: the vendor's capability table and its
//! rules on a wholly known resource value, reported at the config location.
//! The planner runs them on every plan; `cdnform validate` runs them offline.

use crate::model::schema::resource_schema;
use crate::model::value::pointer_segment;
use crate::model::BlockSchema;
use crate::model::{Address, Desired, Diagnostic, Domain, Lookup, PlannedValue};
use crate::plan::secrets::visit;
use crate::provider::{vendor_info, Capabilities, Invalid};
use serde_json::Value as Json;

/// Evaluate every declared resource with references to other resources
/// unknown, and apply the vendor checks to what is known.
pub fn validate_offline(desired: &dyn Desired) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut named = Vec::new();
    for r in desired.resources() {
        match desired.evaluate(&r.address, &|_, _| Lookup::Unknown) {
            Ok(value) if value.is_wholly_known() => {
                named.push((
                    r.address.clone(),
                    r.provider.to_string(),
                    value.value.clone(),
                ));
                // An unknown vendor is reported by the config loader.
                if let Some(info) = vendor_info(&r.provider.vendor) {
                    out.extend(vendor_checks(
                        desired,
                        &r.address,
                        &value,
                        info.capabilities,
                        &info.validate_domain,
                    ));
                }
            }
            Ok(_) => {}
            Err(mut d) => out.append(&mut d),
        }
    }
    out.extend(duplicate_domain_names(
        desired,
        named.iter().map(|(a, p, v)| (a, p.as_str(), v)),
    ));
    out
}

/// Two resources that would hold the same domain name through one provider
/// configuration: an account holds a name once, so the second create would
/// fail half-way through an apply. Reported at the later one's `name`.
/// (The same name on two providers is multi-CDN, and fine.)
pub fn duplicate_domain_names<'a>(
    desired: &dyn Desired,
    values: impl IntoIterator<Item = (&'a Address, &'a str, &'a Json)>,
) -> Vec<Diagnostic> {
    let mut first: std::collections::BTreeMap<(String, String), &Address> = Default::default();
    let mut out = Vec::new();
    for (address, provider, value) in values {
        if address.resource_type != "cdn_domain" {
            continue;
        }
        let Some(name) = value.get("name").and_then(Json::as_str) else {
            continue;
        };
        let key = (provider.to_string(), name.to_ascii_lowercase());
        match first.get(&key) {
            None => {
                first.insert(key, address);
            }
            Some(earlier) => out.push(
                Diagnostic::error("Duplicate domain name")
                    .with_detail(format!(
                        "{address} and {earlier} both manage {name} through provider \
                         {provider}; an account holds a domain name once, so give one of \
                         them another name or another provider"
                    ))
                    .at(desired.locate(address, "/name")),
            ),
        }
    }
    out
}

/// Vendor rules and the capability table, reported at the config location.
pub fn vendor_checks(
    desired: &dyn Desired,
    address: &Address,
    value: &PlannedValue,
    caps: &Capabilities,
    validate_domain: &dyn Fn(&Domain) -> Vec<Invalid>,
) -> Vec<Diagnostic> {
    let vendor = caps.vendor;
    let mut out = Vec::new();
    if !caps
        .resource_types
        .contains(&address.resource_type.as_str())
    {
        out.push(
            Diagnostic::error(format!(
                "{vendor} does not support resource type {}",
                address.resource_type
            ))
            .with_detail(format!("{address} uses provider {vendor}"))
            .at(desired.locate(address, "")),
        );
        return out;
    }
    // Attributes the capability table already refused: the vendor's own
    // rules are not reported on them again (one problem, one message).
    let mut refused: Vec<String> = Vec::new();
    if let Some(schema) =
        resource_schema(&address.resource_type).filter(|s| s.type_name == "cdn_domain")
    {
        for (ptr, problem) in capability_problems(schema.block, &value.value, caps) {
            refused.push(ptr.clone());
            out.push(
                Diagnostic::error(format!("{vendor} cannot express {problem}"))
                    .with_detail(format!(
                        "{address} uses provider {vendor}; change or remove {} (see `cdnform providers`)",
                        ptr.trim_start_matches('/')
                    ))
                    .at(desired.locate(address, &ptr)),
            );
        }
    }
    if address.resource_type == "cdn_domain" {
        match Domain::from_json(&value.value) {
            Ok(domain) => {
                let overlaps = |p: &str| {
                    !p.is_empty()
                        && refused.iter().any(|r| {
                            let within = |a: &str, b: &str| {
                                a == b || a.starts_with(&format!("{}/", b.trim_end_matches('/')))
                            };
                            within(p, r) || within(r, p)
                        })
                };
                for invalid in validate_domain(&domain) {
                    if overlaps(&invalid.pointer) {
                        continue;
                    }
                    out.push(
                        Diagnostic::error(format!("Invalid value for {vendor}"))
                            .with_detail(format!("{address}: {}", invalid.message))
                            .at(desired.locate(address, &invalid.pointer)),
                    );
                }
            }
            Err(e) => out.push(
                Diagnostic::error("Invalid resource value")
                    .with_detail(format!("{address}: {e}"))
                    .at(desired.locate(address, "")),
            ),
        }
    }
    out
}

/// What in `value` the vendor cannot express: attributes set to anything
/// but their default, blocks it lacks, values outside its allowed set, lists
/// longer than it accepts. Each with its pointer.
pub fn capability_problems(
    schema: &BlockSchema,
    value: &Json,
    caps: &Capabilities,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for nb in schema.blocks {
        let ptr = format!("/{}", pointer_segment(nb.json_name));
        let present = match value.get(nb.json_name) {
            Some(Json::Array(items)) => {
                if let Some(max) = caps.max_items(&ptr).filter(|m| items.len() > *m) {
                    out.push((ptr.clone(), format!("more than {max} {} blocks", nb.name)));
                }
                !items.is_empty()
            }
            Some(Json::Object(_)) => true,
            _ => false,
        };
        if present && !caps.supports_block(&ptr) {
            out.push((ptr, format!("{} blocks", nb.name)));
        }
    }
    visit(schema, value, "", &mut |attr, ptr, v| {
        let is_default = attr.default.is_some_and(|d| d.to_json() == *v);
        let empty = v.is_null() || v.as_array().is_some_and(Vec::is_empty);
        if attr.computed || is_default || empty {
            return;
        }
        if !caps.supports(ptr) {
            out.push((
                ptr.to_string(),
                format!("attribute {}", ptr.trim_start_matches('/')),
            ));
            return;
        }
        if let Some(allowed) = caps.allowed_values(ptr) {
            let text = match v {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            };
            if !allowed.contains(&text.as_str()) {
                out.push((
                    ptr.to_string(),
                    format!(
                        "{} = {v} (it accepts: {})",
                        ptr.trim_start_matches('/'),
                        allowed.join(", ")
                    ),
                ));
            }
        }
        if let (Some(max), Some(items)) = (caps.max_items(ptr), v.as_array()) {
            if items.len() > max {
                out.push((
                    ptr.to_string(),
                    format!("more than {max} entries in {}", ptr.trim_start_matches('/')),
                ));
            }
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::CDN_DOMAIN;
    use serde_json::json;

    /// A vendor that knows origins and referer lists of at most two entries,
    /// and only extension cache rules.
    static LIMITED: Capabilities = Capabilities {
        vendor: "limited",
        resource_types: &["cdn_domain"],
        attributes: &[
            "/name",
            "/cdn_type",
            "/enabled",
            "/origins",
            "/referer/mode",
            "/referer/list",
            "/cache_rules",
        ],
        max_origins: 1,
        allowed_values: &[("/cache_rules/*/match", &["extension"])],
        max_items: &[("/referer/list", 2), ("/origins", 1)],
    };

    fn problems(v: serde_json::Value) -> Vec<(String, String)> {
        capability_problems(CDN_DOMAIN.block, &v, &LIMITED)
    }

    #[test]
    fn defaults_and_empty_lists_are_not_problems() {
        let v = json!({"name": "a.example.com", "cdn_type": "web", "enabled": true, "origins": [{"type": "ip", "address": "192.0.2.1", "port": 80, "priority": 20, "weight": 10}],
                       "cache_rules": [], "response_headers": [], "https": null});
        assert_eq!(problems(v), vec![]);
    }

    #[test]
    fn unsupported_attributes_blocks_values_and_lengths() {
        let v = json!({
            "name": "a.example.com",
            "origin_host": "o.example.com",
            "origins": [{"type": "ip", "address": "192.0.2.1"}, {"type": "ip", "address": "192.0.2.2"}],
            "cache_rules": [{"match": "regex", "patterns": ["^/a"], "ttl": "1h"}],
            "referer": {"mode": "allow", "list": ["a", "b", "c"], "allow_empty": true},
            "compression": {"enabled": true}
        });
        let got = problems(v);
        let find = |p: &str| got.iter().find(|(ptr, _)| ptr == p).map(|(_, m)| m.clone());
        assert_eq!(find("/origin_host").unwrap(), "attribute origin_host");
        assert_eq!(find("/origins").unwrap(), "more than 1 origin blocks");
        assert!(find("/cache_rules/0/match")
            .unwrap()
            .contains("it accepts: extension"));
        assert_eq!(
            find("/referer/list").unwrap(),
            "more than 2 entries in referer/list"
        );
        assert_eq!(
            find("/referer/allow_empty").unwrap(),
            "attribute referer/allow_empty"
        );
        assert_eq!(find("/compression").unwrap(), "compression blocks");
        assert_eq!(got.len(), 6, "{got:?}");
    }

    #[test]
    fn the_vendors_rules_are_not_repeated_on_an_attribute_already_refused() {
        let desired = crate::plan::tests::FakeDesired::new(Vec::new());
        let address = Address::new("cdn_domain", "a");
        let v = PlannedValue::known(json!({
            "name": "a.example.com",
            "cdn_type": "web",
            "enabled": true,
            "origins": [
                {"type": "ip", "address": "192.0.2.1", "port": 80, "priority": 20, "weight": 10},
                {"type": "ip", "address": "192.0.2.2", "port": 80, "priority": 20, "weight": 10}
            ],
        }));
        // The vendor's own rules: one on the refused origins, one elsewhere
        // and one on the whole domain.
        let rules = |_: &Domain| {
            vec![
                Invalid {
                    pointer: "/origins/1".into(),
                    message: "at most 1 primary origin".into(),
                },
                Invalid {
                    pointer: "/name".into(),
                    message: "name not allowed".into(),
                },
                Invalid {
                    pointer: "".into(),
                    message: "the domain as a whole".into(),
                },
            ]
        };
        let got: Vec<String> = vendor_checks(&desired, &address, &v, &LIMITED, &rules)
            .iter()
            .map(|d| format!("{} / {}", d.summary, d.detail.clone().unwrap_or_default()))
            .collect();
        assert_eq!(got.len(), 3, "{got:#?}");
        assert!(
            got[0].contains("cannot express more than 1 origin blocks"),
            "{got:#?}"
        );
        assert!(got[1].contains("name not allowed"), "{got:#?}");
        assert!(got[2].contains("the domain as a whole"), "{got:#?}");
    }
}
