//! Baishan domain entries (`GET /domain/list`, `GET /domain`) as neutral
//! values: business types, statuses, and the lenient JSON readers the
//! configuration mapping shares (numbers that arrive as strings, lists that
//! arrive comma-separated).

use crate::model::{CdnType, Domain};
use crate::provider::DomainSummary;
use serde_json::Value;

/// web → page, download → download, video → video_demand. Baishan's
/// `dynamic` has no neutral counterpart.
pub fn type_name(t: CdnType) -> &'static str {
    match t {
        CdnType::Web => "page",
        CdnType::Download => "download",
        CdnType::Video => "video_demand",
    }
}

pub fn parse_type(s: &str) -> Result<CdnType, String> {
    match s {
        "page" | "web" => Ok(CdnType::Web),
        "download" => Ok(CdnType::Download),
        "video_demand" | "video" => Ok(CdnType::Video),
        other => Err(format!(
            "domain type {other:?} has no cdn_type counterpart (page, download, video_demand)"
        )),
    }
}

/// The neutral status of a Baishan status: `serving` → online, `suspend`
/// → offline, `deploying` → configuring (the applier waits on it).
pub fn neutral_status(s: &str) -> String {
    match s {
        "serving" => "online".into(),
        "suspend" => "offline".into(),
        "deploying" => "configuring".into(),
        other => other.into(),
    }
}

/// Does a domain in this Baishan status serve traffic (or will it)?
/// A `deploying` domain is taken as enabled: Baishan does not say which
/// way it is going.
pub fn is_enabled(s: &str) -> bool {
    s != "suspend"
}

/// A string, or a number as its text; `None` for absent, null or "".
pub fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A whole number, or a string holding one.
pub fn uint(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A list of strings: a JSON array, or one comma-separated string.
pub fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().filter_map(text).collect(),
        Value::String(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// The domain entries of an answer's `data`: an array, `{list: [...]}`, or
/// a single entry object. MODELLED: the seed shows no `GET /domain` answer.
pub fn entries(data: &Value) -> Vec<&Value> {
    match data {
        Value::Array(items) => items.iter().collect(),
        Value::Object(m) => match m.get("list") {
            Some(Value::Array(items)) => items.iter().collect(),
            _ if m.contains_key("domain") => vec![data],
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// The entry for `name` in a `GET /domain` answer, unless deleted.
pub fn find_entry<'a>(data: &'a Value, name: &str) -> Option<&'a Value> {
    entries(data).into_iter().find(|e| {
        text(&e["domain"]).is_some_and(|d| d.eq_ignore_ascii_case(name))
            && text(&e["status"]).as_deref() != Some("deleted")
    })
}

/// A domain entry as a `Domain` without its configuration (origins empty).
pub fn domain_from_entry(e: &Value) -> Result<Domain, String> {
    let name = text(&e["domain"]).ok_or("domain entry without domain")?;
    let cdn_type = parse_type(&text(&e["type"]).unwrap_or_else(|| "page".into()))
        .map_err(|why| format!("domain {name:?}: {why}"))?;
    let status = text(&e["status"]);
    Ok(Domain {
        enabled: status.as_deref().is_none_or(is_enabled),
        status: status.as_deref().map(neutral_status),
        cname: text(&e["cname"]),
        ..Domain::new(name, cdn_type, Vec::new())
    })
}

/// One `GET /domain/list` page: its live domains and the total, if given.
pub fn list_page(data: &Value) -> (Vec<DomainSummary>, usize, Option<u64>) {
    let all = entries(data);
    let count = all.len();
    let out = all
        .into_iter()
        .filter_map(|e| {
            let name = text(&e["domain"])?;
            let status = text(&e["status"]).unwrap_or_default();
            (status != "deleted").then(|| DomainSummary {
                name,
                status: neutral_status(&status),
            })
        })
        .collect();
    let total = ["total", "total_count", "count"]
        .iter()
        .find_map(|k| uint(&data[*k]));
    (out, count, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_and_statuses() {
        for t in [CdnType::Web, CdnType::Download, CdnType::Video] {
            assert_eq!(parse_type(type_name(t)).unwrap(), t);
        }
        assert!(parse_type("dynamic").unwrap_err().contains("dynamic"));
        assert_eq!(neutral_status("serving"), "online");
        assert_eq!(neutral_status("suspend"), "offline");
        assert_eq!(neutral_status("deploying"), "configuring");
        assert!(is_enabled("deploying") && !is_enabled("suspend"));
    }

    #[test]
    fn entry_shapes() {
        let e = json!({"id": 7, "domain": "a.example.com", "type": "download", "status": "suspend", "cname": "a.example.com.qingcdn.com"});
        for data in [json!([e.clone()]), json!({"list": [e.clone()]}), e.clone()] {
            let d = domain_from_entry(find_entry(&data, "A.example.com").unwrap()).unwrap();
            assert_eq!(d.cdn_type, CdnType::Download);
            assert!(!d.enabled);
            assert_eq!(d.status.as_deref(), Some("offline"));
            assert_eq!(d.cname.as_deref(), Some("a.example.com.qingcdn.com"));
        }
        let gone = json!([{"domain": "a.example.com", "status": "deleted"}]);
        assert!(find_entry(&gone, "a.example.com").is_none());
        assert!(find_entry(&json!([]), "a.example.com").is_none());
        assert_eq!(strings(&json!("a, b,,c")), ["a", "b", "c"]);
        assert_eq!(uint(&json!("86400")), Some(86400));
    }
}
