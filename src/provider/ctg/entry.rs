//! The domain entry (`GET /API/domain`), a listing page (`GET
//! /API/domain/list`) and the normal form of a desired domain: the form
//! CTG reports back, so an unchanged configuration plans as no change.

use super::mapping::{parse_origins, parse_product, text, Parsed};
use crate::model::domain::OriginProtocol;
use crate::model::Domain;
use crate::provider::DomainSummary;
use serde_json::Value;

/// `GET /API/domain` data: the domain without its configuration (origins
/// when the entry carries them).
pub fn domain_from_entry(v: &Value) -> Parsed<Domain> {
    let name = v["domain"]
        .as_str()
        .ok_or("the answer's data has no domain field")?;
    let mut d = Domain::new(
        name,
        parse_product(v["product"].as_str().unwrap_or("web"))?,
        Vec::new(),
    );
    if !v["origin"].is_null() {
        d.origins = parse_origins(&v["origin"])?;
    }
    let status = text(v, "status");
    d.enabled = status != "offline";
    d.status = Some(status).filter(|s| !s.is_empty());
    d.cname = Some(text(v, "cname")).filter(|s| !s.is_empty());
    Ok(d)
}

/// One `GET /API/domain/list` page: its domains and the total.
pub fn list_page(v: &Value) -> Parsed<(Vec<DomainSummary>, Option<u64>)> {
    let items = match &v["list"] {
        Value::Null => Vec::new(),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                Ok(DomainSummary {
                    name: i["domain"]
                        .as_str()
                        .ok_or(format!("entry {i} has no domain"))?
                        .to_string(),
                    status: text(i, "status"),
                })
            })
            .collect::<Parsed<_>>()?,
        other => return Err(format!("list: {other} is not a list")),
    };
    Ok((items, v["total"].as_u64()))
}

/// The form CTG reports back: unset features in their `None` form, the
/// origin protocol `http` as the default it is.
pub fn normalise(d: &mut Domain) {
    if d.origin_protocol == Some(OriginProtocol::Http) {
        d.origin_protocol = None;
    }
    if d.origin_host.as_deref() == Some("") {
        d.origin_host = None;
    }
    if d.ipv6 == Some(false) {
        d.ipv6 = None;
    }
    match &mut d.compression {
        Some(c) if !c.enabled => d.compression = None,
        Some(c) => {
            if c.content_types.as_ref().is_some_and(Vec::is_empty) {
                c.content_types = None;
            }
            if c.min_size == Some(0) {
                c.min_size = None;
            }
        }
        None => {}
    }
    // MODELLED: CTG reads an unset cache-rule priority as 0 and an unset
    // minimum TLS version as "1.0" (its defaults): both mean "not set".
    for rule in &mut d.cache_rules {
        if rule.priority == Some(0) {
            rule.priority = None;
        }
    }
    if let Some(h) = &mut d.https {
        if matches!(h.min_tls_version.as_deref(), Some("") | Some("1.0")) {
            h.min_tls_version = None;
        }
    }
}
