//! HCL for existing domains (`import -all -generate-config`): the schema
//! walked over a domain's attribute JSON, writing every configured value
//! that differs from its default, then laid out by `fmt`.

use crate::config::format_source;
use crate::model::{BlockSchema, ProviderAddr};
use serde_json::Value as Json;
use std::collections::BTreeSet;

/// An HCL literal: strings quoted with `${`/`%{` escaped, lists inline.
fn literal(v: &Json) -> String {
    match v {
        Json::String(s) => Json::String(s.clone())
            .to_string()
            .replace("${", "$${")
            .replace("%{", "%%{"),
        Json::Array(items) => format!(
            "[{}]",
            items.iter().map(literal).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

fn body(schema: &BlockSchema, v: &Json, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for a in schema
        .attributes
        .iter()
        .filter(|a| !a.computed && !a.write_only)
    {
        let Some(value) = v.get(a.name).filter(|x| !x.is_null()) else {
            continue;
        };
        if a.default.is_some_and(|d| d.to_json() == *value) {
            continue;
        }
        out.push_str(&format!("{pad}{} = {}\n", a.name, literal(value)));
    }
    for nb in schema.blocks {
        let items: Vec<&Json> = match v.get(nb.json_name) {
            Some(Json::Array(items)) => items.iter().collect(),
            Some(obj @ Json::Object(_)) => vec![obj],
            _ => Vec::new(),
        };
        for item in items {
            out.push_str(&format!("\n{pad}{} {{\n", nb.name));
            body(nb.block, item, indent + 2, out);
            out.push_str(&format!("{pad}}}\n"));
        }
    }
}

/// A resource name from a domain name: `www.example.com` -> `www_example_com`,
/// unique among `taken`.
pub fn resource_name(domain: &str, taken: &mut BTreeSet<String>) -> String {
    let mut base: String = domain
        .trim_start_matches("*.")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if base.starts_with(|c: char| c.is_ascii_digit()) || base.is_empty() {
        base = format!("d_{base}");
    }
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

/// One `resource "cdn_domain" "NAME" { ... }` block, formatted.
pub fn resource_block(
    schema: &BlockSchema,
    name: &str,
    provider: &ProviderAddr,
    attributes: &Json,
) -> String {
    let mut text = format!("resource \"cdn_domain\" \"{name}\" {{\n  provider = {provider}\n");
    body(schema, attributes, 2, &mut text);
    text.push_str("}\n");
    format_source(&text, "generated.hcl").unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::CDN_DOMAIN;
    use serde_json::json;

    #[test]
    fn writes_configured_values_only() {
        let v = json!({
            "name": "www.example.com", "cdn_type": "web", "enabled": true, "cname": "x.cdn",
            "origins": [{"type": "ip", "address": "192.0.2.1", "port": 80, "priority": 20, "weight": 10}],
            "response_headers": [{"name": "X-A", "value": "${not a template}"}],
            "https": {"certificate": {"id": "1", "private_pem": "sha256:ab"}, "http2": true, "http3": false, "force_redirect": false}
        });
        let text = resource_block(
            CDN_DOMAIN.block,
            "www_example_com",
            &ProviderAddr::new("aliyun", None),
            &v,
        );
        assert!(text.contains("name     = \"www.example.com\""), "{text}");
        assert!(
            !text.contains("cdn_type") && !text.contains("cname") && !text.contains("port"),
            "defaults and computed left out: {text}"
        );
        assert!(text.contains("$${not a template}"), "{text}");
        assert!(
            text.contains("http2 = true") && !text.contains("private_pem"),
            "{text}"
        );
        let mut taken = BTreeSet::new();
        assert_eq!(
            resource_name("www.example.com", &mut taken),
            "www_example_com"
        );
        assert_eq!(
            resource_name("www-example.com", &mut taken),
            "www_example_com_2"
        );
        assert_eq!(
            resource_name("1.example.com", &mut taken),
            "d_1_example_com"
        );
    }
}
