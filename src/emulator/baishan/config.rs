//! The configuration items of a domain as a whole: which items exist, how a written `config`
//! object becomes validated changes (all items checked before anything is applied), how the
//! changes apply to one domain, and how a domain's configuration is answered.
//!
//! Items: `origin`, `origin_host`, `cache_rule` / `cache_rule_list` (one set of rules, see
//! `cache`), `referer`, `ip_black_list`, `ip_white_list`, `add_response_head`, `https`,
//! `compress_response`. The seed's other items (`visit_timestamp`, forbidding a protocol,
//! `cache_error_code`, `video_drag`, `visit_deny_whitelist`) are not modelled: writing one is
//! a 400 that says so.
//!
//! MODELLED: each written item replaces the stored item whole (except `add_response_head`,
//! an edit); an item written as `null` is removed (`origin` cannot be removed).

use serde_json::{Map, Value};

use super::error::BsError;
use super::response_head::HeaderEdit;
use super::{access, cache, delivery, origin, response_head};

/// Every item answered, in answer order. `cache_rule` is derived from `cache_rule_list`.
pub const ITEMS: &[&str] = &[
    "origin",
    "origin_host",
    "cache_rule_list",
    "cache_rule",
    "referer",
    "ip_black_list",
    "ip_white_list",
    "add_response_head",
    "https",
    "compress_response",
];

/// Items of the seed that the emulator does not model.
const NOT_MODELLED: &[&str] = &[
    "visit_timestamp",
    "forbid_http",
    "forbid_https",
    "cache_error_code",
    "video_drag",
    "visit_deny_whitelist",
];

/// One validated change to a domain's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    Set(&'static str, Value),
    Remove(&'static str),
    Headers(HeaderEdit),
}

/// A validated `config` object: the changes, and the normalised items for the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWrite {
    changes: Vec<Change>,
    pub echo: Map<String, Value>,
}

fn item_name(name: &str) -> Result<&'static str, BsError> {
    if let Some(known) = ITEMS.iter().find(|i| **i == name) {
        return Ok(known);
    }
    if NOT_MODELLED.contains(&name) {
        return Err(BsError::invalid(format!(
            "config.{name}: this configuration item is not supported by the emulator"
        )));
    }
    Err(BsError::invalid(format!(
        "config.{name}: unknown configuration item"
    )))
}

/// Validates a whole `config` object. Any invalid item fails it all.
pub fn parse(config: &Value) -> Result<ConfigWrite, BsError> {
    let m = config
        .as_object()
        .ok_or_else(|| BsError::invalid("config must be an object"))?;
    if m.is_empty() {
        return Err(BsError::invalid("config has no configuration item"));
    }
    if m.contains_key("cache_rule") && m.contains_key("cache_rule_list") {
        return Err(BsError::invalid(
            "config: cache_rule and cache_rule_list set the same rules; send one of them",
        ));
    }
    // "If both ip_black_list and ip_white_list are configuring at the same time, neither
    // configuration would be successful."
    if m.contains_key("ip_black_list") && m.contains_key("ip_white_list") {
        return Err(BsError::invalid(
            "config: ip_black_list and ip_white_list cannot be set at the same time",
        ));
    }
    let mut changes = Vec::new();
    let mut echo = Map::new();
    for (name, value) in m {
        let item = item_name(name)?;
        if value.is_null() {
            if item == "origin" {
                return Err(BsError::invalid(
                    "config.origin: the origin cannot be removed",
                ));
            }
            let stored = if item == "cache_rule" {
                "cache_rule_list"
            } else {
                item
            };
            changes.push(Change::Remove(stored));
            echo.insert(name.clone(), Value::Null);
            continue;
        }
        let (change, shown) = match item {
            "add_response_head" => {
                let edit = response_head::parse(value)?;
                let shown = edit.echo();
                (Change::Headers(edit), shown)
            }
            "cache_rule" | "cache_rule_list" => {
                let older = item == "cache_rule";
                match cache::rules(value, older)? {
                    Some(rules) => {
                        let shown = if older {
                            cache::as_older(&rules)
                        } else {
                            rules.clone()
                        };
                        (Change::Set("cache_rule_list", rules), shown)
                    }
                    None => (Change::Remove("cache_rule_list"), Value::Array(vec![])),
                }
            }
            _ => {
                let parsed = match item {
                    "origin" => Some(origin::origin(value)?),
                    "origin_host" => Some(origin::origin_host(value)?),
                    "referer" => access::referer(value)?,
                    "ip_black_list" | "ip_white_list" => access::ip_list(item, value)?,
                    "https" => Some(delivery::https(value)?),
                    _ => Some(delivery::compress(value)?),
                };
                match parsed {
                    Some(v) => (Change::Set(item, v.clone()), v),
                    None => (Change::Remove(item), value.clone()),
                }
            }
        };
        changes.push(change);
        echo.insert(name.clone(), shown);
    }
    Ok(ConfigWrite { changes, echo })
}

impl ConfigWrite {
    /// Whether the write sets an origin (a new domain needs one).
    pub fn sets_origin(&self) -> bool {
        self.changes
            .iter()
            .any(|c| matches!(c, Change::Set("origin", _)))
    }

    /// Applies the changes to one domain's stored configuration.
    pub fn apply(&self, config: &mut Map<String, Value>) {
        for change in &self.changes {
            match change {
                Change::Set(item, value) => {
                    // "Setting blacklist will remove whitelist" and the other way round.
                    match *item {
                        "ip_black_list" => config.remove("ip_white_list"),
                        "ip_white_list" => config.remove("ip_black_list"),
                        _ => None,
                    };
                    config.insert(item.to_string(), value.clone());
                }
                Change::Remove(item) => {
                    config.remove(*item);
                }
                Change::Headers(edit) => match edit.apply(config.get("add_response_head")) {
                    Some(v) => {
                        config.insert("add_response_head".into(), v);
                    }
                    None => {
                        config.remove("add_response_head");
                    }
                },
            }
        }
    }
}

/// The items named by `config[]=..` (also MODELLED: `config=a,b` or a body array); `None`
/// means every item.
pub fn wanted(names: Vec<String>) -> Result<Option<Vec<&'static str>>, BsError> {
    let names: Vec<String> = names
        .iter()
        .flat_map(|n| n.split(','))
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for n in names {
        let item = item_name(&n)?;
        if !out.contains(&item) {
            out.push(item);
        }
    }
    Ok(Some(out))
}

/// A domain's configuration as answered: every stored item (or the `wanted` ones, `null`
/// when not set), in `ITEMS` order, with `cache_rule` derived from `cache_rule_list`.
pub fn render(config: &Map<String, Value>, wanted: Option<&[&'static str]>) -> Map<String, Value> {
    let mut out = Map::new();
    for item in ITEMS {
        if wanted.is_some_and(|w| !w.contains(item)) {
            continue;
        }
        let value = if *item == "cache_rule" {
            config.get("cache_rule_list").map(cache::as_older)
        } else {
            config.get(*item).cloned()
        };
        match value {
            Some(v) => {
                out.insert(item.to_string(), v);
            }
            None if wanted.is_some() => {
                out.insert(item.to_string(), Value::Null);
            }
            None => {}
        }
    }
    out
}
