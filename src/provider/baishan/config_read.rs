//! Configuration items read back (`GET /domain/config`) into the neutral
//! `Domain`: the exact inverse of `config.rs` for what it writes, and
//! lenient about the older `cache_rule` form, numbers sent as strings and
//! cleared (empty) items, which read as unset.

use super::config::{positional_priority, BACKUP, PRIMARY};
use super::mapping::{strings, text, uint};
use crate::model::domain::{
    AccessFilter, CacheRule, Certificate, Compression, FilterMode, Header, Https, MatchKind,
    OriginProtocol, RefererFilter, Ttl,
};
use crate::model::{Domain, Origin, OriginType};
use serde_json::{Map, Value};

/// The `config` object for `name` in a `GET /domain/config` answer.
/// MODELLED: the seed shows only the write answer (`data.config`); also
/// accepted: `data[{domain, config}]` and `data[name].config`.
pub fn config_of<'a>(data: &'a Value, name: &str) -> Option<&'a Map<String, Value>> {
    let named = |e: &Value| text(&e["domain"]).is_some_and(|d| d.eq_ignore_ascii_case(name));
    match data {
        Value::Array(items) => items.iter().find(|e| named(e))?["config"].as_object(),
        Value::Object(m) => {
            if let Some(Value::Array(items)) = m.get("list") {
                return items.iter().find(|e| named(e))?["config"].as_object();
            }
            if let Some(c) = m.get("config").and_then(Value::as_object) {
                return Some(c);
            }
            let entry = m.get(name)?;
            entry["config"].as_object().or(entry.as_object())
        }
        _ => None,
    }
}

/// Is `data` the unnamed form (`data.config`), which cannot tell several
/// domains' configurations apart?
pub fn unnamed(data: &Value) -> bool {
    data.as_object().is_some_and(|m| {
        !matches!(m.get("list"), Some(Value::Array(_)))
            && m.get("config").is_some_and(Value::is_object)
    })
}

fn seconds_per(unit: &str) -> Option<u64> {
    Some(match unit {
        "" | "s" | "second" => 1,
        "i" | "minute" => 60,
        "h" | "hour" => 3600,
        "D" | "d" | "day" => 86400,
        // MODELLED: a month of 30 days, a year of 365.
        "M" | "month" => 30 * 86400,
        "Y" | "y" | "year" => 365 * 86400,
        _ => return None,
    })
}

fn ttl(amount: &Value, unit: &Value) -> Result<Ttl, String> {
    let n = uint(amount).ok_or_else(|| format!("cache TTL {amount} is not a number"))?;
    let unit = text(unit).unwrap_or_default();
    let per = seconds_per(&unit).ok_or_else(|| format!("unknown TTL unit {unit:?}"))?;
    Ok(Ttl(n.saturating_mul(per)))
}

fn flag(v: &Value, default: bool) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::String(s) => matches!(s.trim(), "yes" | "on" | "true" | "1"),
        Value::Number(n) => n.as_u64() == Some(1),
        _ => default,
    }
}

fn origins(item: &Value) -> Result<(Vec<Origin>, Option<OriginProtocol>), String> {
    let mode = text(&item["origin_mode"]).unwrap_or_else(|| "http".into());
    let custom_port = uint(&item["port"]).unwrap_or(80);
    let (port, protocol) = match mode.as_str() {
        "http" => (80, None),
        "https" => (443, Some(OriginProtocol::Https)),
        "default" => (80, Some(OriginProtocol::Follow)),
        "custom" if flag(&item["ori_https"], false) => (custom_port, Some(OriginProtocol::Https)),
        "custom" => (custom_port, None),
        other => return Err(format!("unknown origin_mode {other:?}")),
    };
    let port = u16::try_from(port).map_err(|_| format!("origin port {port} out of range"))?;
    let make = |address: String, priority| Origin {
        origin_type: if address.parse::<std::net::IpAddr>().is_ok() {
            OriginType::Ip
        } else {
            OriginType::Domain
        },
        address,
        port,
        priority,
        weight: 10,
    };
    let mut out: Vec<Origin> = strings(&item["default_master"])
        .into_iter()
        .map(|a| make(a, PRIMARY))
        .collect();
    out.extend(
        strings(&item["default_slave"])
            .into_iter()
            .map(|a| make(a, BACKUP)),
    );
    Ok((out, protocol))
}

fn new_form_rules(list: &[Value]) -> Result<Vec<CacheRule>, String> {
    let mut rules: Vec<(Option<u64>, CacheRule)> = Vec::new();
    for r in list {
        let match_kind = match text(&r["match_method"]).unwrap_or_default().as_str() {
            "ext" => MatchKind::Extension,
            "dir" => MatchKind::Directory,
            "route" => MatchKind::Path,
            "regex" => MatchKind::Regex,
            other => return Err(format!("unknown cache rule match_method {other:?}")),
        };
        let rule = CacheRule {
            match_kind,
            patterns: strings(&r["pattern"]),
            ttl: ttl(&r["expire"], &r["expire_unit"])?,
            ignore_query: text(&r["cache_query_params"]).as_deref() == Some("remove"),
            honor_no_cache: !flag(&r["ignore_no_cache_headers"], false),
            priority: None,
        };
        rules.push((uint(&r["priority"]), rule));
    }
    // Lower Baishan priority wins: that rule comes first.
    rules.sort_by_key(|(p, _)| p.unwrap_or(u64::MAX));
    Ok(rules
        .into_iter()
        .enumerate()
        .map(|(i, (p, mut rule))| {
            let neutral = p
                .filter(|p| (1..=100).contains(p))
                .map(|p| (100 - p) as u32);
            rule.priority = neutral.filter(|n| *n != positional_priority(i));
            rule
        })
        .collect())
}

fn old_form_rules(list: &[Value]) -> Result<Vec<CacheRule>, String> {
    list.iter()
        .map(|r| {
            let match_kind = match uint(&r["type"]) {
                Some(1) => MatchKind::Extension,
                Some(2) => MatchKind::Directory,
                Some(3) => MatchKind::Path,
                Some(4) => MatchKind::Regex,
                _ => return Err(format!("unknown cache_rule type {}", r["type"])),
            };
            Ok(CacheRule {
                match_kind,
                patterns: strings(&r["pattern"]),
                ttl: ttl(&r["time"], &r["timeunit"])?,
                ignore_query: flag(&r["ignore_query"], false),
                honor_no_cache: !flag(&r["ignore_no_cache"], false),
                priority: None,
            })
        })
        .collect()
}

fn list_of<'a>(config: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    config
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Fill `d`'s origins and configuration from the items of `config`.
pub fn apply(d: &mut Domain, config: &Map<String, Value>) -> Result<(), String> {
    let none = Value::Null;
    let item = |k: &str| config.get(k).unwrap_or(&none);
    let (origins, protocol) = origins(item("origin"))?;
    d.origins = origins;
    d.origin_protocol = protocol;
    d.origin_host = text(&item("origin_host")["host"]);
    let newer = list_of(config, "cache_rule_list");
    d.cache_rules = if newer.is_empty() {
        old_form_rules(list_of(config, "cache_rule"))?
    } else {
        new_form_rules(newer)?
    };
    let referer = item("referer");
    let list = strings(&referer["list"]);
    d.referer = (!list.is_empty()).then(|| RefererFilter {
        mode: if uint(&referer["type"]) == Some(2) {
            FilterMode::Allow
        } else {
            FilterMode::Deny
        },
        list,
        // Baishan's default is true.
        allow_empty: flag(&referer["allow_empty"], true),
    });
    let black = strings(&item("ip_black_list")["list"]);
    let white = strings(&item("ip_white_list")["list"]);
    d.ip_filter = match (black.is_empty(), white.is_empty()) {
        (false, _) => Some(AccessFilter {
            mode: FilterMode::Deny,
            list: black,
        }),
        (true, false) => Some(AccessFilter {
            mode: FilterMode::Allow,
            list: white,
        }),
        (true, true) => None,
    };
    let heads = item("add_response_head");
    d.response_headers = match text(&heads["type"]).as_deref() {
        Some("remove") => Vec::new(),
        _ => heads["list"]
            .as_array()
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|h| {
                Some(Header {
                    name: text(&h["name"])?,
                    value: h["value"]
                        .as_str()
                        .map(str::to_string)
                        .or_else(|| text(&h["value"]))?,
                })
            })
            .collect(),
    };
    let https = item("https");
    d.https = text(&https["cert_id"])
        .filter(|id| id != "0")
        .map(|id| Https {
            certificate: Certificate {
                id: Some(id),
                public_pem: None,
                private_pem: None,
            },
            http2: flag(&https["http2"], false),
            // Baishan has no HTTP/3 switch (not in the capability table).
            http3: false,
            force_redirect: flag(&https["force_https"], false),
            min_tls_version: None,
        });
    let compress = item("compress_response");
    let types = strings(&compress["content_type"]);
    d.compression = if types.is_empty() {
        None
    } else {
        let unit = text(&compress["min_size_unit"]).unwrap_or_else(|| "KB".into());
        let per = match unit.to_ascii_uppercase().as_str() {
            "MB" => 1024 * 1024,
            "KB" => 1024,
            other => return Err(format!("unknown min_size_unit {other:?}")),
        };
        Some(Compression {
            enabled: true,
            content_types: Some(types),
            min_size: Some(uint(&compress["min_size"]).unwrap_or(0) * per),
        })
    };
    Ok(())
}
