//! Purges and preloads in the plan: the vendor's rules (supported kinds,
//! areas, the documented daily quota), implicit ordering after every change
//! to the `cdn_domain` a URL is on, and a warning for URLs on domains this
//! configuration does not manage.

use crate::config::url_host;
use crate::model::schema::is_content_type;
use crate::model::{Address, Desired, Diagnostic, PlannedValue};
use crate::plan::ResourceChange;
use crate::provider::content::{ContentKind, ContentLimits};
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};

/// The items of a purge or preload value, per kind, deduplicated in order.
pub fn items(resource_type: &str, value: &Json) -> BTreeMap<ContentKind, Vec<String>> {
    let list = |key: &str| -> Vec<String> {
        let mut seen = BTreeSet::new();
        value
            .get(key)
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .filter(|s| seen.insert(s.to_string()))
            .map(str::to_string)
            .collect()
    };
    let mut out = BTreeMap::new();
    let kinds: &[(ContentKind, &str)] = if resource_type == "cdn_preload" {
        &[(ContentKind::Preload, "urls")]
    } else {
        &[
            (ContentKind::Url, "urls"),
            (ContentKind::Directory, "directories"),
            (ContentKind::Regex, "regexes"),
        ]
    };
    for (kind, key) in kinds {
        let l = list(key);
        if !l.is_empty() {
            out.insert(*kind, l);
        }
    }
    out
}

/// The hosts a purge or preload touches.
pub fn hosts(resource_type: &str, value: &Json) -> BTreeSet<String> {
    items(resource_type, value)
        .values()
        .flatten()
        .filter_map(|s| match url_host(s) {
            Ok(h) => Some(h),
            // A regex entry: the host is what precedes the first `/`.
            Err(_) => s
                .split_once("://")
                .and_then(|(_, r)| r.split('/').next())
                .map(str::to_string),
        })
        .collect()
}

/// The vendor's rules for one wholly known purge/preload value.
pub fn vendor_checks(
    desired: &dyn Desired,
    address: &Address,
    value: &PlannedValue,
    vendor: &str,
    limits: &ContentLimits,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let key = |kind: ContentKind| match kind {
        ContentKind::Directory => "/directories",
        ContentKind::Regex => "/regexes",
        _ => "/urls",
    };
    for (kind, list) in items(&address.resource_type, &value.value) {
        if !limits.supports(kind) {
            out.push(
                Diagnostic::error(format!("{vendor} cannot {} by {}", verb(kind), kind.noun()))
                    .with_detail(format!(
                        "{address} uses provider {vendor}, which has no {} {}; use URLs or directories",
                        verb(kind),
                        kind.plural()
                    ))
                    .at(desired.locate(address, key(kind))),
            );
            continue;
        }
        if let Some(daily) = limits.daily.get(&kind) {
            if list.len() as u64 > *daily {
                out.push(
                    Diagnostic::error("Over the daily quota")
                        .with_detail(format!(
                            "{address} has {}; {vendor} allows {daily} a day",
                            kind.count(list.len())
                        ))
                        .at(desired.locate(address, key(kind))),
                );
            }
        }
    }
    if let Some(area) = value.value.get("area").and_then(Json::as_str) {
        if !limits.preload_areas.contains(&area) {
            let detail = if limits.preload_areas.is_empty() {
                format!("{vendor} takes no area for preloads; remove it")
            } else {
                format!(
                    "{vendor} preloads to {}; got {area:?}",
                    limits.preload_areas.join(" or ")
                )
            };
            out.push(
                Diagnostic::error("Invalid area")
                    .with_detail(format!("{address}: {detail}"))
                    .at(desired.locate(address, "/area")),
            );
        }
    }
    out
}

fn verb(kind: ContentKind) -> &'static str {
    if kind == ContentKind::Preload {
        "preload"
    } else {
        "purge"
    }
}

/// Make every purge/preload wait for the changes to the domains its URLs
/// are on; warn about hosts no `cdn_domain` of the configuration names.
pub fn order_after_domains(
    changes: &mut [ResourceChange],
    desired: &dyn Desired,
) -> Vec<Diagnostic> {
    let mut by_name: BTreeMap<String, Address> = BTreeMap::new();
    for c in changes
        .iter()
        .filter(|c| c.address.resource_type == "cdn_domain")
    {
        let name = c
            .after
            .as_ref()
            .and_then(|a| a.value.get("name"))
            .or_else(|| c.before.as_ref().and_then(|b| b.get("name")))
            .and_then(Json::as_str);
        if let Some(name) = name {
            by_name.insert(name.to_string(), c.address.clone());
        }
    }
    let mut warnings = Vec::new();
    for c in changes.iter_mut() {
        if !is_content_type(&c.address.resource_type) {
            continue;
        }
        let Some(after) = &c.after else { continue };
        let mut unmanaged = Vec::new();
        for host in hosts(&c.address.resource_type, &after.value) {
            match by_name.get(&host) {
                Some(domain) if !c.depends_on.contains(domain) => c.depends_on.push(domain.clone()),
                Some(_) => {}
                None => unmanaged.push(host),
            }
        }
        if !unmanaged.is_empty() {
            warnings.push(
                Diagnostic::warning("Domain not managed here")
                    .with_detail(format!(
                        "{} names {}, which no cdn_domain of this configuration manages; it runs in no particular order with the domain changes",
                        c.address,
                        unmanaged.join(", ")
                    ))
                    .at(desired.locate(&c.address, "/urls")),
            );
        }
        c.depends_on.sort();
    }
    warnings
}
