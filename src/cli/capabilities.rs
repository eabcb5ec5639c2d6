//! `cdnform providers`: the capability matrix — which attributes of the
//! neutral schema each vendor can express, with value restrictions and list
//! limits — as a table or as JSON.

use crate::cli::error::CliError;
use crate::cli::output::Output;
use crate::model::schema::RESOURCE_TYPES;
use crate::model::BlockSchema;
use crate::provider::{Capabilities, VENDORS};
use serde_json::{json, Value as Json};

/// Every configurable attribute as (display name, schema pointer).
fn attributes() -> Vec<(String, String)> {
    fn walk(block: &BlockSchema, name: &str, ptr: &str, out: &mut Vec<(String, String)>) {
        for a in block.attributes.iter().filter(|a| !a.computed) {
            out.push((join(name, a.name), format!("{ptr}/{}", a.name)));
        }
        for nb in block.blocks {
            let p = if nb.single {
                format!("{ptr}/{}", nb.json_name)
            } else {
                format!("{ptr}/{}/*", nb.json_name)
            };
            walk(nb.block, &join(name, nb.name), &p, out);
        }
    }
    fn join(a: &str, b: &str) -> String {
        if a.is_empty() {
            b.to_string()
        } else {
            format!("{a}.{b}")
        }
    }
    let mut out = Vec::new();
    // The capability table is about domains; purge/preload limits are
    // listed apart (`content_rows`).
    for r in RESOURCE_TYPES
        .iter()
        .filter(|r| r.type_name == "cdn_domain")
    {
        walk(r.block, r.type_name, "", &mut out);
    }
    out
}

fn cell(caps: &Capabilities, pointer: &str) -> (bool, Option<Vec<&'static str>>, Option<usize>) {
    let parent_list = pointer.rsplit_once("/*").map(|(p, _)| p);
    let max = caps
        .max_items(pointer)
        .or_else(|| parent_list.and_then(|p| caps.max_items(p)));
    (
        caps.supports(pointer),
        caps.allowed_values(pointer).map(|v| v.to_vec()),
        max,
    )
}

pub fn run(as_json: bool, out: &Output) -> Result<i32, CliError> {
    let attrs = attributes();
    if as_json {
        let vendors: Vec<Json> = VENDORS
            .iter()
            .map(|v| {
                let attributes: serde_json::Map<String, Json> = attrs
                    .iter()
                    .map(|(name, ptr)| {
                        let (supported, values, max) = cell(v.capabilities, ptr);
                        let mut o = json!({ "supported": supported });
                        if let Some(values) = values {
                            o["values"] = json!(values);
                        }
                        if let Some(max) = max {
                            o["max_items"] = json!(max);
                        }
                        (name.clone(), o)
                    })
                    .collect();
                let limits = (v.content_limits)();
                let content: serde_json::Map<String, Json> = limits
                    .per_call
                    .iter()
                    .map(|(kind, per_call)| {
                        let name = serde_json::to_value(kind).expect("kind").as_str().unwrap_or_default().to_string();
                        (name, json!({"per_call": per_call, "per_day": limits.daily.get(kind)}))
                    })
                    .collect();
                json!({ "name": v.name, "title": v.title, "max_origins": v.capabilities.max_origins, "attributes": attributes,
                        "content": {"kinds": content, "hosts_per_call": limits.hosts_per_call, "preload_areas": limits.preload_areas, "quota_api": limits.quota_api} })
            })
            .collect();
        out.line(&serde_json::to_string_pretty(&json!({ "vendors": vendors })).expect("JSON"));
        return Ok(0);
    }
    let width = attrs.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let mut text = format!("{:width$}", "attribute");
    for v in VENDORS {
        text.push_str(&format!("  {}", v.name));
    }
    text.push('\n');
    for (name, ptr) in &attrs {
        text.push_str(&format!("{name:width$}"));
        for v in VENDORS {
            let (supported, values, max) = cell(v.capabilities, ptr);
            let mut c = if supported {
                "yes".to_string()
            } else {
                "no".to_string()
            };
            if let (true, Some(values)) = (supported, values) {
                c = format!("only {}", values.join(", "));
            }
            if let (true, Some(max)) = (supported, max) {
                c.push_str(&format!(" (max {max})"));
            }
            text.push_str(&format!("  {c}"));
        }
        text.push('\n');
    }
    text.push_str("\nUsing an attribute a provider cannot express is an error at plan time.\n");
    text.push_str("\ncdn_purge / cdn_preload (per call / per day):\n");
    for v in VENDORS {
        let limits = (v.content_limits)();
        let kinds: Vec<String> = limits
            .per_call
            .iter()
            .map(|(kind, n)| {
                let day = limits
                    .daily
                    .get(kind)
                    .map_or("-".to_string(), |d| d.to_string());
                format!("{} {n}/{day}", kind.noun())
            })
            .collect();
        let mut line = format!("  {}: {}", v.name, kinds.join(", "));
        if let Some(h) = limits.hosts_per_call {
            line.push_str(&format!("; at most {h} domains per call"));
        }
        if !limits.preload_areas.is_empty() {
            line.push_str(&format!(
                "; preload areas {}",
                limits.preload_areas.join(", ")
            ));
        }
        line.push_str(if limits.quota_api {
            "; quota read from the vendor"
        } else {
            "; quota counted from the state"
        });
        text.push_str(&line);
        text.push('\n');
    }
    out.text(&text);
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_nested_attributes_with_pointers() {
        let a = attributes();
        assert!(a.contains(&(
            "cdn_domain.origin.address".into(),
            "/origins/*/address".into()
        )));
        assert!(a.contains(&(
            "cdn_domain.https.certificate.private_pem".into(),
            "/https/certificate/private_pem".into()
        )));
        assert!(
            !a.iter().any(|(n, _)| n.ends_with(".cname")),
            "computed attributes are not listed"
        );
        assert!(
            !a.iter().any(|(n, _)| n.starts_with("cdn_purge")),
            "purge limits are listed apart, not as unsupported attributes"
        );
        let aliyun = (VENDORS[0].content_limits)();
        assert_eq!(aliyun.hosts_per_call, Some(10));
        assert!(VENDORS
            .iter()
            .all(|v| (v.content_limits)().supports(crate::provider::content::ContentKind::Url)));
    }
}
