//! The neutral `Domain` as Baishan configuration items (`POST /domain/config`
//! `config: {...}`), the items that differ between two domains, and the
//! batch key. Each item replaces the whole item on the server. The way back
//! (items read into a `Domain`) is in `config_read.rs`.

use crate::model::domain::{Compression, FilterMode, MatchKind, OriginProtocol};
use crate::model::Domain;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Every item read back (`GET /domain/config?config[]=...`).
pub const READ_ITEMS: &[&str] = &[
    "origin",
    "origin_host",
    "cache_rule",
    "cache_rule_list",
    "referer",
    "ip_black_list",
    "ip_white_list",
    "add_response_head",
    "https",
    "compress_response",
];

/// Configuration items by name: a `config` object in canonical key order.
pub type Items = BTreeMap<&'static str, Value>;

/// Origin priorities of the neutral schema: primary and backup.
pub const PRIMARY: u32 = 20;
pub const BACKUP: u32 = 30;

/// The neutral priority a cache rule at `index` has when it names none
/// (earlier wins): 99, 98, ...
pub fn positional_priority(index: usize) -> u32 {
    99u32.saturating_sub(u32::try_from(index).unwrap_or(u32::MAX))
}

/// Neutral priority (higher wins, 0..=99) → Baishan's (lower wins, 1..=100).
pub fn baishan_priority(neutral: u32) -> u64 {
    100 - u64::from(neutral.min(99))
}

/// Compression settings Baishan needs but the configuration may leave out.
/// MODELLED: Baishan's own defaults are not documented.
pub const DEFAULT_COMPRESS_TYPES: &[&str] = &[
    "text/plain",
    "text/html",
    "text/css",
    "application/javascript",
    "application/x-javascript",
    "application/json",
];
pub const DEFAULT_COMPRESS_MIN_SIZE: u64 = 1024;

/// The `origin` item: primaries and backups by priority; the protocol and
/// port as `origin_mode` (plus `ori_https` and `port` when `custom`).
pub fn origin_item(d: &Domain) -> Value {
    let join = |backup: bool| {
        d.origins
            .iter()
            .filter(|o| (o.priority == BACKUP) == backup)
            .map(|o| o.address.trim())
            .collect::<Vec<_>>()
            .join(",")
    };
    let port = d.origins.first().map_or(80, |o| o.port);
    let mut item = json!({ "default_master": join(false) });
    let slave = join(true);
    if !slave.is_empty() {
        item["default_slave"] = json!(slave);
    }
    let https = d.origin_protocol == Some(OriginProtocol::Https);
    let mode = match (d.origin_protocol, port) {
        (Some(OriginProtocol::Follow), _) => "default",
        (Some(OriginProtocol::Https), 443) => "https",
        (None | Some(OriginProtocol::Http), 80) => "http",
        _ => "custom",
    };
    item["origin_mode"] = json!(mode);
    if mode == "custom" {
        item["ori_https"] = json!(if https { "yes" } else { "no" });
        item["port"] = json!(port);
    }
    item
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn on_off(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}

/// A TTL in the largest unit that divides it: (expire, expire_unit).
pub fn ttl_units(seconds: u64) -> (u64, &'static str) {
    for (unit, size) in [("D", 86400), ("h", 3600), ("i", 60)] {
        if seconds > 0 && seconds.is_multiple_of(size) {
            return (seconds / size, unit);
        }
    }
    (seconds, "s")
}

pub fn match_method(k: MatchKind) -> &'static str {
    match k {
        MatchKind::Extension => "ext",
        MatchKind::Directory => "dir",
        MatchKind::Path => "route",
        MatchKind::Regex => "regex",
    }
}

/// The `cache_rule_list` item (the newer form): each rule with its Baishan
/// priority (its own, else by position).
pub fn cache_rule_list(d: &Domain) -> Value {
    let rules: Vec<Value> = d
        .cache_rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (expire, unit) = ttl_units(r.ttl.seconds());
            let neutral = r.priority.unwrap_or_else(|| positional_priority(i));
            json!({
                "match_method": match_method(r.match_kind),
                "pattern": r.patterns.join(","),
                "expire": expire,
                "expire_unit": unit,
                "ignore_no_cache_headers": yes_no(!r.honor_no_cache),
                "cache_query_params": if r.ignore_query { "remove" } else { "do_nothing" },
                "priority": baishan_priority(neutral),
            })
        })
        .collect();
    Value::Array(rules)
}

fn compress_item(c: &Compression) -> Value {
    let types = c.content_types.clone().unwrap_or_else(|| {
        DEFAULT_COMPRESS_TYPES
            .iter()
            .map(|s| s.to_string())
            .collect()
    });
    let bytes = c.min_size.unwrap_or(DEFAULT_COMPRESS_MIN_SIZE);
    let (size, unit) = if bytes > 0 && bytes.is_multiple_of(1024 * 1024) {
        (bytes / (1024 * 1024), "MB")
    } else {
        (bytes / 1024, "KB")
    };
    json!({ "content_type": types, "min_size": size, "min_size_unit": unit })
}

/// Every item a domain's configuration sets (features left unset are
/// absent).
pub fn items(d: &Domain) -> Items {
    let mut out = Items::new();
    out.insert("origin", origin_item(d));
    if let Some(host) = &d.origin_host {
        out.insert("origin_host", json!({ "host": host }));
    }
    if !d.cache_rules.is_empty() {
        out.insert("cache_rule_list", cache_rule_list(d));
    }
    if let Some(r) = &d.referer {
        let kind = match r.mode {
            FilterMode::Deny => 1,
            FilterMode::Allow => 2,
        };
        out.insert(
            "referer",
            json!({ "type": kind, "list": r.list, "allow_empty": r.allow_empty }),
        );
    }
    if let Some(f) = &d.ip_filter {
        let key = match f.mode {
            FilterMode::Deny => "ip_black_list",
            FilterMode::Allow => "ip_white_list",
        };
        out.insert(key, json!({ "list": f.list }));
    }
    if !d.response_headers.is_empty() {
        let list: Vec<Value> = d
            .response_headers
            .iter()
            .map(|h| json!({ "name": h.name, "value": h.value }))
            .collect();
        out.insert(
            "add_response_head",
            json!({ "type": "reset", "list": list }),
        );
    }
    if let Some(h) = &d.https {
        let id = h.certificate.id.as_deref().unwrap_or_default();
        let cert_id = id.trim().parse::<u64>().map_or(json!(id), |n| json!(n));
        out.insert(
            "https",
            json!({
                "cert_id": cert_id,
                "http2": on_off(h.http2),
                "force_https": on_off(h.force_redirect),
            }),
        );
    }
    if let Some(c) = d.compression.as_ref().filter(|c| c.enabled) {
        out.insert("compress_response", compress_item(c));
    }
    out
}

/// The value that switches an item off. MODELLED: the seed documents no
/// removal; we write the item as `null` (one rule for every item, which the
/// emulator's independent reading also follows).
pub fn cleared(_key: &str) -> Value {
    Value::Null
}

/// The `config` body that turns `prior` into `desired`: every item that
/// differs, and cleared items for features `desired` drops.
pub fn changes(prior: &Domain, desired: &Domain) -> Items {
    let before = items(prior);
    let after = items(desired);
    let mut out = Items::new();
    for (k, v) in &after {
        if before.get(k) != Some(v) {
            out.insert(k, v.clone());
        }
    }
    for k in before.keys() {
        if after.contains_key(k) {
            continue;
        }
        match *k {
            // Setting one IP list removes the other (seed).
            "ip_black_list" if after.contains_key("ip_white_list") => {}
            "ip_white_list" if after.contains_key("ip_black_list") => {}
            // Both forms describe one set of rules: clearing one clears it.
            "cache_rule_list" => {
                out.insert("cache_rule_list", cleared("cache_rule_list"));
            }
            _ => {
                out.insert(k, cleared(k));
            }
        }
    }
    out
}

/// Equal for two updates exactly when one `POST /domain/config` can carry
/// both: the same `config` body (canonical JSON, keys sorted).
pub fn batch_key(prior: &Domain, desired: &Domain) -> Option<String> {
    if prior.name != desired.name || prior.cdn_type != desired.cdn_type {
        return None;
    }
    let c = changes(prior, desired);
    if c.is_empty() {
        return None;
    }
    Some(format!(
        "baishan config {}",
        serde_json::to_string(&c).expect("items serialise")
    ))
}

/// The desired domain in the form Baishan reads back: origins primaries
/// first, `http` (the default) as no protocol, compression defaults filled
/// in or switched-off compression as none, cache rules by effective
/// priority with positional priorities left implicit.
pub fn normalise(d: &mut Domain) {
    d.origins.sort_by_key(|o| o.priority == BACKUP);
    if d.origin_protocol == Some(OriginProtocol::Http) {
        d.origin_protocol = None;
    }
    match &mut d.compression {
        Some(c) if !c.enabled => d.compression = None,
        Some(c) => {
            if c.content_types.is_none() {
                c.content_types = Some(
                    DEFAULT_COMPRESS_TYPES
                        .iter()
                        .map(|s| s.to_string())
                        .collect(),
                );
            }
            if c.min_size.is_none() {
                c.min_size = Some(DEFAULT_COMPRESS_MIN_SIZE);
            }
        }
        None => {}
    }
    let mut rules: Vec<(u32, _)> = std::mem::take(&mut d.cache_rules)
        .into_iter()
        .enumerate()
        .map(|(i, r)| (r.priority.unwrap_or_else(|| positional_priority(i)), r))
        .collect();
    rules.sort_by_key(|r| std::cmp::Reverse(r.0));
    d.cache_rules = rules
        .into_iter()
        .enumerate()
        .map(|(i, (p, mut r))| {
            r.priority = (p != positional_priority(i)).then_some(p);
            r
        })
        .collect();
}
