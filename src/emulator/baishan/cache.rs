//! Cache rules, in both of the seed's forms: the older `cache_rule` (`type` 1-4, `time`,
//! `timeunit`, `ignore_*` on/off) and the newer `cache_rule_list` (`match_method`, `expire`,
//! `expire_unit`, yes/no switches, `priority`).
//!
//! MODELLED: a domain has one set of cache rules. Writing either form replaces the whole set
//! (both in one call is an error, and an empty list removes the rules). The set is stored in
//! the newer form with every default the seed states filled in; answers carry it as
//! `cache_rule_list` and, derived from it, as `cache_rule` (the fields the older form has).
//! A rule written in the older form gets `case_ignore=yes`,
//! `back_source_query_params=do_nothing` and `priority` = its 1-based position; a newer-form
//! rule without `priority` gets its position too. Rules keep the order they were given in.

use serde_json::{json, Map, Value};

use super::error::BsError;
use super::values::{array, bad, int, object, one_of, opt_one_of, required, string};

/// "The maximum TTL is 2 years". MODELLED: a year is 365 days and a month 30 days.
pub const MAX_TTL_SECS: i64 = 2 * 365 * 86_400;

const UNITS: &[&str] = &["Y", "M", "D", "h", "i", "s"];
const METHODS: &[&str] = &["ext", "dir", "route", "regex"];

fn unit_secs(unit: &str) -> i64 {
    match unit {
        "Y" => 365 * 86_400,
        "M" => 30 * 86_400,
        "D" => 86_400,
        "h" => 3_600,
        "i" => 60,
        _ => 1,
    }
}

/// A TTL of `time` `unit`s: not negative and at most two years.
fn ttl(time: i64, unit: &str, path: &str) -> Result<i64, BsError> {
    if time < 0 {
        return Err(bad(path, "must not be negative"));
    }
    if time.saturating_mul(unit_secs(unit)) > MAX_TTL_SECS {
        return Err(bad(path, "the TTL must not exceed 2 years"));
    }
    Ok(time)
}

/// The pattern of a rule, checked against its match method and trimmed:
/// `ext` file extensions (MODELLED: letters, digits, `_`, `-`, no leading dot), `dir` and
/// `route` paths starting with `/` (MODELLED: without spaces), all comma-separated; `regex`
/// one regular expression that must parse.
fn pattern(method: &str, v: &Value, path: &str) -> Result<String, BsError> {
    let raw = string(v, path)?;
    if method == "regex" {
        regex_syntax::Parser::new()
            .parse(raw)
            .map_err(|e| bad(path, format!("is not a valid regular expression: {e}")))?;
        return Ok(raw.to_string());
    }
    let mut parts = Vec::new();
    for p in raw.split(',').map(str::trim) {
        let ok = match method {
            "ext" => {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            }
            _ => p.starts_with('/') && !p.contains(char::is_whitespace),
        };
        if !ok {
            let what = if method == "ext" {
                "file extensions like jpg,png"
            } else {
                "paths starting with /"
            };
            return Err(bad(
                path,
                format!("{p:?} is not valid: {method} rules take {what}"),
            ));
        }
        parts.push(p);
    }
    Ok(parts.join(","))
}

/// The yes/no switch `key` of a newer-form rule, `default` when absent.
fn switch(
    m: &Map<String, Value>,
    key: &str,
    path: &str,
    allowed: &[&str],
    default: &str,
) -> Result<String, BsError> {
    Ok(opt_one_of(m, key, path, allowed)?.unwrap_or_else(|| default.to_string()))
}

fn new_rule(v: &Value, index: usize) -> Result<Value, BsError> {
    let path = format!("config.cache_rule_list[{index}]");
    let p = path.as_str();
    let m = object(
        v,
        p,
        &[
            "match_method",
            "pattern",
            "case_ignore",
            "expire",
            "expire_unit",
            "ignore_no_cache_headers",
            "follow_expired",
            "cache_query_params",
            "back_source_query_params",
            "priority",
        ],
    )?;
    let method = one_of(
        required(m, "match_method", p)?,
        &format!("{p}.match_method"),
        METHODS,
    )?;
    let pattern = pattern(&method, required(m, "pattern", p)?, &format!("{p}.pattern"))?;
    let unit = switch(m, "expire_unit", p, UNITS, "s")?;
    let expire = ttl(
        int(required(m, "expire", p)?, &format!("{p}.expire"))?,
        &unit,
        &format!("{p}.expire"),
    )?;
    let priority = match m.get("priority") {
        Some(v) => {
            let n = int(v, &format!("{p}.priority"))?;
            if n < 0 {
                return Err(bad(&format!("{p}.priority"), "must not be negative"));
            }
            n
        }
        None => index as i64 + 1,
    };
    Ok(json!({
        "match_method": method,
        "pattern": pattern,
        "case_ignore": switch(m, "case_ignore", p, &["yes", "no"], "yes")?,
        "expire": expire,
        "expire_unit": unit,
        "ignore_no_cache_headers": switch(m, "ignore_no_cache_headers", p, &["no", "yes"], "no")?,
        "follow_expired": switch(m, "follow_expired", p, &["no", "yes"], "no")?,
        "cache_query_params": switch(m, "cache_query_params", p, &["do_nothing", "remove"], "do_nothing")?,
        "back_source_query_params": switch(m, "back_source_query_params", p, &["do_nothing", "remove"], "do_nothing")?,
        "priority": priority,
    }))
}

fn old_rule(v: &Value, index: usize) -> Result<Value, BsError> {
    let path = format!("config.cache_rule[{index}]");
    let p = path.as_str();
    let m = object(
        v,
        p,
        &[
            "type",
            "pattern",
            "time",
            "timeunit",
            "ignore_no_cache",
            "ignore_expired",
            "ignore_query",
        ],
    )?;
    let method = match int(required(m, "type", p)?, &format!("{p}.type"))? {
        1 => "ext",
        2 => "dir",
        3 => "route",
        4 => "regex",
        _ => return Err(bad(&format!("{p}.type"), "must be 1, 2, 3 or 4")),
    };
    let pattern = pattern(method, required(m, "pattern", p)?, &format!("{p}.pattern"))?;
    let unit = switch(m, "timeunit", p, UNITS, "s")?;
    let time = ttl(
        int(required(m, "time", p)?, &format!("{p}.time"))?,
        &unit,
        &format!("{p}.time"),
    )?;
    let on_off = |key: &str, default: &str| switch(m, key, p, &["on", "off"], default);
    // "Only valid when TTL>0." MODELLED: giving one of them with time=0 is an error.
    if time == 0 {
        if let Some(k) = ["ignore_no_cache", "ignore_expired", "ignore_query"]
            .into_iter()
            .find(|k| m.contains_key(*k))
        {
            return Err(bad(
                &format!("{p}.{k}"),
                "is only valid when the TTL is above 0",
            ));
        }
    }
    let yes_if = |b: bool, yes: &str, no: &str| if b { yes.to_string() } else { no.to_string() };
    Ok(json!({
        "match_method": method,
        "pattern": pattern,
        "case_ignore": "yes",
        "expire": time,
        "expire_unit": unit,
        "ignore_no_cache_headers": yes_if(on_off("ignore_no_cache", "off")? == "on", "yes", "no"),
        // ignore_expired=on (the default) ignores the origin's Expires: follow_expired=no.
        "follow_expired": yes_if(on_off("ignore_expired", "on")? == "off", "yes", "no"),
        "cache_query_params": yes_if(on_off("ignore_query", "off")? == "on", "remove", "do_nothing"),
        "back_source_query_params": "do_nothing",
        "priority": index as i64 + 1,
    }))
}

/// A written `cache_rule_list` (`older == false`) or `cache_rule` (`older == true`): the
/// rules in the stored (newer) form, or `None` for an empty list (no rules).
pub fn rules(v: &Value, older: bool) -> Result<Option<Value>, BsError> {
    let item = if older {
        "cache_rule"
    } else {
        "cache_rule_list"
    };
    let list = array(v, &format!("config.{item}"))?;
    if list.is_empty() {
        return Ok(None);
    }
    let rules = list
        .iter()
        .enumerate()
        .map(|(i, r)| {
            if older {
                old_rule(r, i)
            } else {
                new_rule(r, i)
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Value::Array(rules)))
}

/// The stored rules in the older `cache_rule` form (`type` as a number; the `ignore_*`
/// switches only for a TTL above 0, where they are valid).
pub fn as_older(stored: &Value) -> Value {
    let rules = stored.as_array().map(Vec::as_slice).unwrap_or_default();
    Value::Array(
        rules
            .iter()
            .map(|r| {
                let kind = match r["match_method"].as_str() {
                    Some("ext") => 1,
                    Some("dir") => 2,
                    Some("route") => 3,
                    _ => 4,
                };
                let mut o = json!({
                    "type": kind,
                    "pattern": r["pattern"],
                    "time": r["expire"],
                    "timeunit": r["expire_unit"],
                });
                if r["expire"].as_i64().unwrap_or(0) > 0 {
                    let on = |b: bool| if b { "on" } else { "off" };
                    o["ignore_no_cache"] = on(r["ignore_no_cache_headers"] == "yes").into();
                    o["ignore_expired"] = on(r["follow_expired"] == "no").into();
                    o["ignore_query"] = on(r["cache_query_params"] == "remove").into();
                }
                o
            })
            .collect(),
    )
}
