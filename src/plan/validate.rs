//! Checks that need no API call: the vendor's capability table and its
//! rules on a wholly known resource value, reported at the config location.
//! The planner runs them on every plan; `cdnform validate` runs them offline.

use crate::model::value::pointer_segment;
use crate::model::{Address, Desired, Diagnostic, Domain, Lookup, PlannedValue};
use crate::provider::{vendor_info, Capabilities, Invalid};
use serde_json::Value as Json;

/// Evaluate every declared resource with references to other resources
/// unknown, and apply the vendor checks to what is known.
pub fn validate_offline(desired: &dyn Desired) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for r in desired.resources() {
        match desired.evaluate(&r.address, &|_, _| Lookup::Unknown) {
            Ok(value) if value.is_wholly_known() => {
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
    for ptr in set_pointers(&value.value, String::new()) {
        if !caps.supports(&ptr) {
            out.push(
                Diagnostic::error(format!("{vendor} cannot express attribute {}", ptr.trim_start_matches('/')))
                    .with_detail(format!("{address}: remove the attribute or use a provider that supports it (see `cdnform providers`)"))
                    .at(desired.locate(address, &ptr)),
            );
        }
    }
    if address.resource_type == "cdn_domain" {
        match Domain::from_json(&value.value) {
            Ok(domain) => {
                for invalid in validate_domain(&domain) {
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

/// JSON pointers of every leaf that holds a non-null value.
fn set_pointers(v: &Json, prefix: String) -> Vec<String> {
    match v {
        Json::Object(m) => m
            .iter()
            .flat_map(|(k, v)| set_pointers(v, format!("{prefix}/{}", pointer_segment(k))))
            .collect(),
        Json::Array(items) if items.iter().any(|i| i.is_object()) => items
            .iter()
            .enumerate()
            .flat_map(|(i, v)| set_pointers(v, format!("{prefix}/{i}")))
            .collect(),
        Json::Null => Vec::new(),
        _ => vec![prefix],
    }
}
