//! Domain configuration as Alibaba "functions" (`BatchSetCdnDomainConfig`):
//! the neutral `Domain` to the list of functions it maps to, the `Functions`
//! parameter, and the change set between two domains (functions to set,
//! functions whose live configs to delete, origins, certificate).
//! The way back (configs read into a `Domain`) is in `config_read.rs`.

use crate::model::domain::{Certificate, FilterMode, MatchKind, OriginProtocol};
use crate::model::Domain;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Every function this provider maps, in the order they are read and sent.
/// `set_req_header` is MODELLED: Alibaba documents it for origin request
/// headers (key, value), but API-NOTES does not list it.
pub const FUNCTIONS: &[&str] = &[
    "set_req_host_header",
    "forward_scheme",
    "filetype_based_ttl_set",
    "path_based_ttl_set",
    "referer_white_list_set",
    "referer_black_list_set",
    "ip_allow_list_set",
    "ip_black_list_set",
    "ali_ua",
    "set_resp_header",
    "set_req_header",
    "https_force",
    "https_option",
    "https_tls_version",
    "gzip",
    "ipv6",
];

/// Functions a domain may hold several configs of (one per rule or
/// header). Setting one adds a config; the others replace their one config.
pub fn is_repeatable(function: &str) -> bool {
    matches!(
        function,
        "filetype_based_ttl_set" | "path_based_ttl_set" | "set_resp_header" | "set_req_header"
    )
}

/// The highest cache rule weight; the first rule without a priority gets it.
pub const MAX_WEIGHT: u32 = 99;

/// TLS versions of `https_tls_version`, lowest first: (neutral, argument).
pub const TLS_VERSIONS: [(&str, &str); 4] = [
    ("1.0", "tls10"),
    ("1.1", "tls11"),
    ("1.2", "tls12"),
    ("1.3", "tls13"),
];

/// One function with its arguments, in the order they are sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    pub name: &'static str,
    pub args: Vec<(&'static str, String)>,
}

fn func(name: &'static str, args: Vec<(&'static str, String)>) -> Function {
    Function { name, args }
}

pub fn on_off(b: bool) -> String {
    if b { "on" } else { "off" }.to_string()
}

/// The weight of the cache rule at `index`: its priority, or by position
/// (99, 98, ...).
pub fn rule_weight(index: usize, priority: Option<u32>) -> u32 {
    priority.unwrap_or_else(|| positional_weight(index))
}

pub fn positional_weight(index: usize) -> u32 {
    MAX_WEIGHT.saturating_sub(u32::try_from(index).unwrap_or(u32::MAX))
}

pub fn protocol_name(p: OriginProtocol) -> &'static str {
    match p {
        OriginProtocol::Http => "http",
        OriginProtocol::Https => "https",
        OriginProtocol::Follow => "follow",
    }
}

/// Every function `d` maps to, in `FUNCTIONS` order. Regex rules are not
/// mapped: the capability table makes them a plan-time error.
pub fn functions(d: &Domain) -> Vec<Function> {
    let mut out = Vec::new();
    if let Some(host) = &d.origin_host {
        out.push(func(
            "set_req_host_header",
            vec![("domain_name", host.clone())],
        ));
    }
    if let Some(p) = d.origin_protocol {
        out.push(func(
            "forward_scheme",
            vec![
                ("enable", on_off(true)),
                ("scheme_origin", protocol_name(p).into()),
            ],
        ));
    }
    let mut paths = Vec::new();
    for (i, rule) in d.cache_rules.iter().enumerate() {
        let weight = rule_weight(i, rule.priority).to_string();
        let ttl = rule.ttl.seconds().to_string();
        match rule.match_kind {
            MatchKind::Extension => out.push(func(
                "filetype_based_ttl_set",
                vec![
                    ("file_type", rule.patterns.join(",")),
                    ("ttl", ttl),
                    ("weight", weight),
                ],
            )),
            MatchKind::Directory | MatchKind::Path => {
                for p in &rule.patterns {
                    paths.push(func(
                        "path_based_ttl_set",
                        vec![
                            ("path", p.clone()),
                            ("ttl", ttl.clone()),
                            ("weight", weight.clone()),
                        ],
                    ));
                }
            }
            MatchKind::Regex => {}
        }
    }
    out.extend(paths);
    if let Some(r) = &d.referer {
        let (name, list_arg) = match r.mode {
            FilterMode::Allow => ("referer_white_list_set", "refer_domain_allow_list"),
            FilterMode::Deny => ("referer_black_list_set", "refer_domain_deny_list"),
        };
        out.push(func(
            name,
            vec![
                (list_arg, r.list.join(",")),
                ("allow_empty", on_off(r.allow_empty)),
            ],
        ));
    }
    if let Some(f) = &d.ip_filter {
        let name = match f.mode {
            FilterMode::Allow => "ip_allow_list_set",
            FilterMode::Deny => "ip_black_list_set",
        };
        out.push(func(name, vec![("ip_list", f.list.join(","))]));
    }
    if let Some(f) = &d.user_agent_filter {
        let kind = match f.mode {
            FilterMode::Allow => "white",
            FilterMode::Deny => "black",
        };
        out.push(func(
            "ali_ua",
            vec![("ua", f.list.join("|")), ("type", kind.into())],
        ));
    }
    for h in &d.response_headers {
        out.push(func(
            "set_resp_header",
            vec![("key", h.name.clone()), ("value", h.value.clone())],
        ));
    }
    for h in &d.origin_request_headers {
        out.push(func(
            "set_req_header",
            vec![("key", h.name.clone()), ("value", h.value.clone())],
        ));
    }
    if let Some(h) = &d.https {
        out.push(func(
            "https_force",
            vec![("enable", on_off(h.force_redirect))],
        ));
        out.push(func("https_option", vec![("http2", on_off(h.http2))]));
        if let Some(min) = &h.min_tls_version {
            let from = TLS_VERSIONS.iter().position(|(v, _)| v == min);
            let args = TLS_VERSIONS
                .iter()
                .enumerate()
                .map(|(i, (_, arg))| (*arg, on_off(from.is_some_and(|f| i >= f))))
                .collect();
            out.push(func("https_tls_version", args));
        }
    }
    if let Some(c) = &d.compression {
        out.push(func("gzip", vec![("enable", on_off(c.enabled))]));
    }
    if let Some(v6) = d.ipv6 {
        out.push(func("ipv6", vec![("switch", on_off(v6))]));
    }
    out
}

/// The `Functions` parameter of `BatchSetCdnDomainConfig`: canonical JSON
/// (fixed key and argument order), so equal sets give equal text.
pub fn functions_param(set: &[Function]) -> String {
    let list: Vec<Value> = set
        .iter()
        .map(|f| {
            let args: Vec<Value> = f
                .args
                .iter()
                .map(|(n, v)| json!({"argName": n, "argValue": v}))
                .collect();
            json!({"functionName": f.name, "functionArgs": args})
        })
        .collect();
    Value::Array(list).to_string()
}

/// What to do to the certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertChange {
    Keep,
    /// `SetCdnDomainSSLCertificate` with SSLProtocol on and this certificate.
    Set(Certificate),
    /// SSLProtocol off.
    Off,
}

/// Everything an update does, in neutral terms of functions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changes {
    /// Origins differ: `ModifyCdnDomain`.
    pub origins: bool,
    pub certificate: CertChange,
    /// Functions whose live configs are all deleted first (features
    /// removed, and repeatable functions whose set is replaced).
    pub delete: Vec<&'static str>,
    /// Functions to set, in one `BatchSetCdnDomainConfig`.
    pub set: Vec<Function>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        !self.origins
            && self.certificate == CertChange::Keep
            && self.delete.is_empty()
            && self.set.is_empty()
    }

    /// Only set-functions: the same change can go to many domains at once.
    pub fn set_only(&self) -> bool {
        !self.origins
            && self.certificate == CertChange::Keep
            && self.delete.is_empty()
            && !self.set.is_empty()
    }
}

/// The change from `prior` to `desired`, function by function: a function
/// whose arguments are the same is left alone; a single function that
/// differs is set (replacing its config); a repeatable function that
/// differs is deleted (if `prior` had it) and set anew as a whole.
pub fn changes(prior: &Domain, desired: &Domain) -> Changes {
    let before = functions(prior);
    let after = functions(desired);
    let of = |list: &[Function], name: &str| -> Vec<Function> {
        list.iter().filter(|f| f.name == name).cloned().collect()
    };
    let mut delete = Vec::new();
    let mut set = Vec::new();
    for name in FUNCTIONS {
        let (p, d) = (of(&before, name), of(&after, name));
        if p == d {
            continue;
        }
        if !p.is_empty() && (d.is_empty() || is_repeatable(name)) {
            delete.push(*name);
        }
        set.extend(d);
    }
    Changes {
        origins: prior.origins != desired.origins,
        certificate: cert_change(prior, desired),
        delete,
        set,
    }
}

/// `sha256:<hex>` of a private key, as the planner stores it.
pub fn key_digest(key: &str) -> String {
    let sum = Sha256::digest(key.as_bytes());
    let hex: String = sum.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Is this `private_pem` a stored digest rather than a key?
pub fn is_digest(v: &str) -> bool {
    v.starts_with("sha256:")
}

/// Does `desired` carry a private key that differs from `prior`'s (whose
/// value is the key, its digest, or unknown after a read)?
fn new_private_key(prior: &Certificate, desired: &Certificate) -> bool {
    match (&prior.private_pem, &desired.private_pem) {
        (_, None) => false,
        (_, Some(d)) if is_digest(d) => false,
        (Some(p), Some(d)) => p != d && *p != key_digest(d),
        (None, Some(_)) => true,
    }
}

fn cert_change(prior: &Domain, desired: &Domain) -> CertChange {
    match (&prior.https, &desired.https) {
        (None, None) => CertChange::Keep,
        (Some(_), None) => CertChange::Off,
        (None, Some(d)) => CertChange::Set(d.certificate.clone()),
        (Some(p), Some(d)) => {
            let (p, d) = (&p.certificate, &d.certificate);
            if p.id != d.id || p.public_pem != d.public_pem || new_private_key(p, d) {
                CertChange::Set(d.clone())
            } else {
                CertChange::Keep
            }
        }
    }
}

/// The batch key of an update: the canonical `Functions` text when the
/// update only sets functions, else `None`.
pub fn batch_key(prior: &Domain, desired: &Domain) -> Option<String> {
    if prior.name != desired.name || prior.cdn_type != desired.cdn_type {
        return None;
    }
    let c = changes(prior, desired);
    c.set_only().then(|| functions_param(&c.set))
}
