//! The function table of `BatchSetCdnDomainConfig` (API-NOTES, Alibaba 2018-05-10): which
//! functions exist, their arguments and how each argument value is checked, and the parsing
//! of the `Functions` JSON parameter.
//!
//! Every argument of a function is required and no other argument is accepted; values are
//! JSON strings. Where API-NOTES names a function and its arguments but not the value rules,
//! the rules here are MODELLED (each says so).

use std::net::IpAddr;

use serde_json::Value;

use super::errors::AliError;
use super::model::FunctionArg;
use super::validate::host_name;

/// How one argument value is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgRule {
    /// `on` or `off`.
    OnOff,
    OneOf(&'static [&'static str]),
    /// MODELLED: a host name (no wildcard) or an IP address.
    Host,
    /// MODELLED: comma-separated file extensions without the dot, each 1..=16 of
    /// `A-Z a-z 0-9 _ -`.
    Extensions,
    /// Seconds, 0..=63072000 (two years), decimal digits only.
    Ttl,
    /// 1..=99, decimal digits only.
    Weight,
    /// Starts with `/`; MODELLED: at most 1024 characters, no whitespace or control characters.
    Path,
    /// MODELLED: comma-separated referer host names, each optionally prefixed `*.`.
    RefererList,
    /// Comma-separated IPv4/IPv6 addresses or CIDR blocks (prefix ≤ 32 / ≤ 128). MODELLED:
    /// spaces around an entry are allowed.
    IpList,
    /// MODELLED: `|`-separated user agents, each non-empty and without control characters.
    UserAgents,
    /// An HTTP header name: an RFC 9110 token.
    HeaderName,
    /// MODELLED: a non-empty header value without control characters (so no CR/LF).
    HeaderValue,
}

/// One function of the table.
#[derive(Debug)]
pub struct FunctionSpec {
    pub name: &'static str,
    pub args: &'static [(&'static str, ArgRule)],
    /// May appear several times per domain: each call without `configId` adds a new config.
    pub repeatable: bool,
    /// MODELLED: the function this one cannot coexist with on a domain; setting one removes
    /// the other (a referer list is either a white or a black list, the same for IP lists).
    pub excludes: Option<&'static str>,
}

const ON_OFF: ArgRule = ArgRule::OnOff;
const TTL_ARGS: [(&str, ArgRule); 3] = [
    ("file_type", ArgRule::Extensions),
    ("ttl", ArgRule::Ttl),
    ("weight", ArgRule::Weight),
];
const PATH_TTL_ARGS: [(&str, ArgRule); 3] = [
    ("path", ArgRule::Path),
    ("ttl", ArgRule::Ttl),
    ("weight", ArgRule::Weight),
];
const HEADER_ARGS: [(&str, ArgRule); 2] = [
    ("key", ArgRule::HeaderName),
    ("value", ArgRule::HeaderValue),
];

const fn single(
    name: &'static str,
    args: &'static [(&'static str, ArgRule)],
    excludes: Option<&'static str>,
) -> FunctionSpec {
    FunctionSpec {
        name,
        args,
        repeatable: false,
        excludes,
    }
}

const fn several(name: &'static str, args: &'static [(&'static str, ArgRule)]) -> FunctionSpec {
    FunctionSpec {
        name,
        args,
        repeatable: true,
        excludes: None,
    }
}

/// The functions the emulator serves (API-NOTES' list; `set_req_header` is MODELLED as the
/// request-side twin of `set_resp_header`).
pub const FUNCTIONS: &[FunctionSpec] = &[
    single(
        "set_req_host_header",
        &[("domain_name", ArgRule::Host)],
        None,
    ),
    single(
        "forward_scheme",
        &[
            ("enable", ON_OFF),
            (
                "scheme_origin",
                ArgRule::OneOf(&["follow", "http", "https"]),
            ),
        ],
        None,
    ),
    several("filetype_based_ttl_set", &TTL_ARGS),
    several("path_based_ttl_set", &PATH_TTL_ARGS),
    single(
        "referer_white_list_set",
        &[
            ("refer_domain_allow_list", ArgRule::RefererList),
            ("allow_empty", ON_OFF),
        ],
        Some("referer_black_list_set"),
    ),
    single(
        "referer_black_list_set",
        &[
            ("refer_domain_deny_list", ArgRule::RefererList),
            ("allow_empty", ON_OFF),
        ],
        Some("referer_white_list_set"),
    ),
    single(
        "ip_allow_list_set",
        &[("ip_list", ArgRule::IpList)],
        Some("ip_black_list_set"),
    ),
    single(
        "ip_black_list_set",
        &[("ip_list", ArgRule::IpList)],
        Some("ip_allow_list_set"),
    ),
    single(
        "ali_ua",
        &[
            ("ua", ArgRule::UserAgents),
            ("type", ArgRule::OneOf(&["black", "white"])),
        ],
        None,
    ),
    several("set_resp_header", &HEADER_ARGS),
    several("set_req_header", &HEADER_ARGS),
    single("https_force", &[("enable", ON_OFF)], None),
    single("https_option", &[("http2", ON_OFF)], None),
    single(
        "https_tls_version",
        &[
            ("tls10", ON_OFF),
            ("tls11", ON_OFF),
            ("tls12", ON_OFF),
            ("tls13", ON_OFF),
        ],
        None,
    ),
    single("gzip", &[("enable", ON_OFF)], None),
    single("ipv6", &[("switch", ON_OFF)], None),
];

/// The table entry of a function name (exact, case-sensitive).
pub fn spec(name: &str) -> Option<&'static FunctionSpec> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

/// One element of `Functions`, checked.
#[derive(Debug, Clone)]
pub struct FunctionCall {
    pub spec: &'static FunctionSpec,
    /// In the table's argument order.
    pub args: Vec<FunctionArg>,
    pub config_id: Option<u64>,
}

fn invalid_functions() -> AliError {
    AliError::invalid_value("Functions")
}

/// Parses and checks the `Functions` parameter: a non-empty JSON list of
/// `{"functionName", "functionArgs": [{"argName", "argValue"}], "configId"?}`.
/// MODELLED: other keys of an element are ignored; `configId` may be a number or a string of
/// digits; the same non-repeatable function twice in one call, both functions of an exclusive
/// pair, or the same configId twice are refused (which one would win is not documented).
pub fn parse_functions(raw: &str) -> Result<Vec<FunctionCall>, AliError> {
    let list: Vec<Value> = serde_json::from_str(raw).map_err(|_| invalid_functions())?;
    if list.is_empty() {
        return Err(invalid_functions());
    }
    let mut calls: Vec<FunctionCall> = Vec::with_capacity(list.len());
    for item in &list {
        let call = parse_one(item)?;
        let same_id =
            call.config_id.is_some() && calls.iter().any(|c| c.config_id == call.config_id);
        let twice = same_id
            || !call.spec.repeatable
                && calls.iter().any(|c| {
                    c.spec.name == call.spec.name || call.spec.excludes == Some(c.spec.name)
                });
        if twice {
            return Err(invalid_functions());
        }
        calls.push(call);
    }
    Ok(calls)
}

fn parse_one(item: &Value) -> Result<FunctionCall, AliError> {
    let obj = item.as_object().ok_or_else(invalid_functions)?;
    let name = obj
        .get("functionName")
        .and_then(Value::as_str)
        .ok_or_else(invalid_functions)?;
    let spec = spec(name).ok_or_else(|| AliError::invalid_function(name))?;
    let config_id = match obj.get("configId") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(n.as_u64().ok_or_else(invalid_functions)?),
        Some(Value::String(s)) => Some(parse_config_id(s).ok_or_else(invalid_functions)?),
        Some(_) => return Err(invalid_functions()),
    };
    let given = match obj.get("functionArgs") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => return Err(invalid_functions()),
    };
    let mut found: Vec<(String, String)> = Vec::new();
    for arg in &given {
        let arg = arg.as_object().ok_or_else(invalid_functions)?;
        let arg_name = arg
            .get("argName")
            .and_then(Value::as_str)
            .ok_or_else(invalid_functions)?;
        let bad = |problem| AliError::invalid_function_arg(name, arg_name, problem);
        if !spec.args.iter().any(|(n, _)| *n == arg_name) {
            return Err(bad("not a known argument"));
        }
        if found.iter().any(|(n, _)| n == arg_name) {
            return Err(bad("given more than once"));
        }
        // Arguments are strings in the JSON; a number or anything else is refused.
        let value = match arg.get("argValue") {
            Some(Value::String(s)) => s.clone(),
            None | Some(Value::Null) => return Err(bad("missing")),
            Some(_) => return Err(bad("not a string")),
        };
        found.push((arg_name.to_string(), value));
    }
    let mut args = Vec::with_capacity(spec.args.len());
    for (arg_name, rule) in spec.args {
        let Some((_, value)) = found.iter().find(|(n, _)| n == arg_name) else {
            return Err(AliError::invalid_function_arg(name, arg_name, "missing"));
        };
        if !check(*rule, value) {
            return Err(AliError::invalid_function_arg(name, arg_name, "not valid"));
        }
        args.push(FunctionArg {
            name: arg_name.to_string(),
            value: value.clone(),
        });
    }
    Ok(FunctionCall {
        spec,
        args,
        config_id,
    })
}

/// A ConfigId as text: decimal digits only.
pub fn parse_config_id(raw: &str) -> Option<u64> {
    let raw = raw.trim();
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok()
}

fn number_in(raw: &str, min: u64, max: u64) -> bool {
    !raw.is_empty()
        && raw.len() <= 12
        && raw.bytes().all(|b| b.is_ascii_digit())
        && raw.parse::<u64>().is_ok_and(|n| (min..=max).contains(&n))
}

fn no_controls(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(char::is_control)
}

fn ip_or_cidr(entry: &str) -> bool {
    let (addr, prefix) = match entry.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (entry, None),
    };
    let Ok(ip) = addr.parse::<IpAddr>() else {
        return false;
    };
    match prefix {
        None => true,
        Some(p) => {
            let max = if ip.is_ipv4() { 32 } else { 128 };
            number_in(p, 0, max) && p.len() <= 3
        }
    }
}

/// RFC 9110 `token`: one or more tchar.
fn http_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Whether `value` satisfies `rule`.
pub fn check(rule: ArgRule, value: &str) -> bool {
    match rule {
        ArgRule::OnOff => value == "on" || value == "off",
        ArgRule::OneOf(allowed) => allowed.contains(&value),
        ArgRule::Host => value.parse::<IpAddr>().is_ok() || host_name(value, false).is_some(),
        ArgRule::Extensions => value.split(',').all(|e| {
            (1..=16).contains(&e.len())
                && e.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        }),
        ArgRule::Ttl => number_in(value, 0, 63_072_000),
        ArgRule::Weight => number_in(value, 1, 99),
        ArgRule::Path => {
            value.starts_with('/')
                && value.len() <= 1024
                && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        ArgRule::RefererList => value.split(',').all(|e| {
            let host = e.strip_prefix("*.").unwrap_or(e);
            host_name(host, false).is_some()
        }),
        ArgRule::IpList => value.split(',').all(|e| ip_or_cidr(e.trim())),
        ArgRule::UserAgents => value.split('|').all(no_controls),
        ArgRule::HeaderName => http_token(value),
        ArgRule::HeaderValue => no_controls(value),
    }
}

#[cfg(test)]
#[path = "config_functions_tests.rs"]
mod tests;
