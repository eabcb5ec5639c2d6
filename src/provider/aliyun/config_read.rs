//! The way back from Alibaba to the neutral model: a
//! `DescribeCdnDomainConfigs` answer as configs, the configs as `Domain`
//! fields, and the MODELLED `DescribeDomainCertificateInfo` answer as a
//! `Certificate`. Arguments the server adds that nobody set (`aliyun_id`,
//! `scheme_origin_port`, `dsl`...) and functions not mapped are ignored.

use super::body;
use super::config_map::{is_repeatable, positional_weight, TLS_VERSIONS};
use crate::model::domain::{
    AccessFilter, CacheRule, Certificate, Compression, FilterMode, Header, Https, MatchKind,
    OriginProtocol, RefererFilter, Ttl,
};
use crate::model::Domain;
use serde_json::Value;
use std::collections::BTreeMap;

/// One live config of a domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveConfig {
    pub config_id: String,
    pub function: String,
    pub args: BTreeMap<String, String>,
    /// success | testing | failed | configuring
    pub status: String,
}

impl LiveConfig {
    fn arg(&self, name: &str) -> Option<&str> {
        self.args.get(name).map(|s| s.as_str())
    }
    fn need(&self, name: &str) -> Result<&str, String> {
        self.arg(name).ok_or_else(|| {
            format!(
                "config {} ({}) has no argument {name}",
                self.config_id, self.function
            )
        })
    }
    fn is_on(&self, name: &str) -> bool {
        self.arg(name).is_some_and(|v| v.eq_ignore_ascii_case("on"))
    }
    fn number(&self, name: &str) -> Result<u64, String> {
        let v = self.need(name)?;
        v.trim().parse().map_err(|_| {
            format!(
                "config {} ({}): {name} {v:?} is not a number",
                self.config_id, self.function
            )
        })
    }
}

/// `DomainConfigs.DomainConfig[{ConfigId, FunctionName,
/// FunctionArgs.FunctionArg[{ArgName, ArgValue}], Status}]`, JSON or XML.
pub fn parse_configs(answer: &Value) -> Result<Vec<LiveConfig>, String> {
    body::list(answer, "DomainConfigs", "DomainConfig")
        .into_iter()
        .map(|c| {
            let function =
                body::non_empty(c, "FunctionName").ok_or("config without FunctionName")?;
            let args = body::list(c, "FunctionArgs", "FunctionArg")
                .into_iter()
                .filter_map(|a| {
                    Some((
                        body::non_empty(a, "ArgName")?,
                        body::string(a, "ArgValue").unwrap_or_default(),
                    ))
                })
                .collect();
            Ok(LiveConfig {
                config_id: body::string(c, "ConfigId").unwrap_or_default(),
                function,
                args,
                status: body::string(c, "Status")
                    .unwrap_or_default()
                    .to_ascii_lowercase(),
            })
        })
        .collect()
}

/// Orders configs of a repeatable function by creation: numeric ConfigIds
/// ascending (the order they were added), the answer's order otherwise.
fn by_creation<'a>(configs: &'a [LiveConfig], function: &str) -> Vec<&'a LiveConfig> {
    let mut out: Vec<&LiveConfig> = configs.iter().filter(|c| c.function == function).collect();
    if out.iter().all(|c| c.config_id.parse::<u64>().is_ok()) {
        out.sort_by_key(|c| c.config_id.parse::<u64>().unwrap_or(0));
    }
    out
}

fn split(list: &str, sep: char) -> Vec<String> {
    list.split(sep)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn the<'a>(configs: &'a [LiveConfig], function: &str) -> Option<&'a LiveConfig> {
    debug_assert!(!is_repeatable(function));
    // Several configs of a single function should not happen: take the last.
    by_creation(configs, function).pop()
}

/// Set every configuration field of `d` from the live configs. `cert` is
/// the certificate when `DescribeCdnDomainDetail` says HTTPS is on (then
/// `d.https` is set, with the https functions), `None` otherwise.
pub fn apply_configs(
    d: &mut Domain,
    configs: &[LiveConfig],
    cert: Option<Certificate>,
) -> Result<(), String> {
    d.origin_host = the(configs, "set_req_host_header")
        .map(|c| c.need("domain_name").map(String::from))
        .transpose()?;
    d.origin_protocol = match the(configs, "forward_scheme") {
        Some(c) if c.is_on("enable") => Some(match c.need("scheme_origin")? {
            "http" => OriginProtocol::Http,
            "https" => OriginProtocol::Https,
            "follow" => OriginProtocol::Follow,
            other => return Err(format!("forward_scheme: unknown scheme_origin {other:?}")),
        }),
        _ => None,
    };
    d.cache_rules = cache_rules(configs)?;
    d.referer = match (
        the(configs, "referer_white_list_set"),
        the(configs, "referer_black_list_set"),
    ) {
        (Some(c), _) => Some(referer(c, FilterMode::Allow, "refer_domain_allow_list")?),
        (None, Some(c)) => Some(referer(c, FilterMode::Deny, "refer_domain_deny_list")?),
        (None, None) => None,
    };
    let ip = |c: &LiveConfig, mode| -> Result<AccessFilter, String> {
        Ok(AccessFilter {
            mode,
            list: split(c.need("ip_list")?, ','),
        })
    };
    d.ip_filter = match (
        the(configs, "ip_allow_list_set"),
        the(configs, "ip_black_list_set"),
    ) {
        (Some(c), _) => Some(ip(c, FilterMode::Allow)?),
        (None, Some(c)) => Some(ip(c, FilterMode::Deny)?),
        (None, None) => None,
    };
    d.user_agent_filter = the(configs, "ali_ua")
        .map(|c| -> Result<AccessFilter, String> {
            let mode = match c.need("type")? {
                "white" => FilterMode::Allow,
                "black" => FilterMode::Deny,
                other => return Err(format!("ali_ua: unknown type {other:?}")),
            };
            Ok(AccessFilter {
                mode,
                list: split(c.need("ua")?, '|'),
            })
        })
        .transpose()?;
    d.response_headers = headers(configs, "set_resp_header")?;
    d.origin_request_headers = headers(configs, "set_req_header")?;
    d.https = cert.map(|certificate| Https {
        certificate,
        http2: the(configs, "https_option").is_some_and(|c| c.is_on("http2")),
        // Alibaba has no HTTP/3 switch (not in the capability table).
        http3: false,
        force_redirect: the(configs, "https_force").is_some_and(|c| c.is_on("enable")),
        min_tls_version: the(configs, "https_tls_version").and_then(|c| {
            TLS_VERSIONS
                .iter()
                .find(|(_, arg)| c.is_on(arg))
                .map(|(v, _)| v.to_string())
        }),
    });
    d.compression = the(configs, "gzip").map(|c| Compression {
        enabled: c.is_on("enable"),
        content_types: None,
        min_size: None,
    });
    d.ipv6 = the(configs, "ipv6").map(|c| c.is_on("switch"));
    Ok(())
}

fn referer(c: &LiveConfig, mode: FilterMode, list_arg: &str) -> Result<RefererFilter, String> {
    Ok(RefererFilter {
        mode,
        list: split(c.need(list_arg)?, ','),
        allow_empty: c.is_on("allow_empty"),
    })
}

fn headers(configs: &[LiveConfig], function: &str) -> Result<Vec<Header>, String> {
    by_creation(configs, function)
        .into_iter()
        .map(|c| {
            Ok(Header {
                name: c.need("key")?.to_string(),
                value: c.need("value")?.to_string(),
            })
        })
        .collect()
}

/// The TTL configs as rules: one rule per `filetype_based_ttl_set`; the
/// `path_based_ttl_set` configs sharing ttl and weight (and kind: a
/// directory ends with `/`) grouped into one rule; rules by weight,
/// highest first; `priority: None` where the weight is the positional one.
fn cache_rules(configs: &[LiveConfig]) -> Result<Vec<CacheRule>, String> {
    let mut rules: Vec<(u64, CacheRule)> = Vec::new();
    let ttl = |c: &LiveConfig| -> Result<Ttl, String> { Ok(Ttl(c.number("ttl")?)) };
    for c in by_creation(configs, "filetype_based_ttl_set") {
        rules.push((
            c.number("weight")?,
            rule(
                MatchKind::Extension,
                split(c.need("file_type")?, ','),
                ttl(c)?,
            ),
        ));
    }
    for c in by_creation(configs, "path_based_ttl_set") {
        let path = c.need("path")?.to_string();
        let kind = if path.ends_with('/') {
            MatchKind::Directory
        } else {
            MatchKind::Path
        };
        let (weight, ttl) = (c.number("weight")?, ttl(c)?);
        let same = rules
            .iter_mut()
            .find(|(w, r)| *w == weight && r.ttl == ttl && r.match_kind == kind);
        match same {
            Some((_, r)) => r.patterns.push(path),
            None => rules.push((weight, rule(kind, vec![path], ttl))),
        }
    }
    // Stable: equal weights keep extensions first, then paths by creation.
    rules.sort_by_key(|r| std::cmp::Reverse(r.0));
    Ok(rules
        .into_iter()
        .enumerate()
        .map(|(i, (weight, mut r))| {
            let positional = u64::from(positional_weight(i));
            r.priority = (weight != positional).then(|| u32::try_from(weight).unwrap_or(u32::MAX));
            r
        })
        .collect())
}

fn rule(match_kind: MatchKind, patterns: Vec<String>, ttl: Ttl) -> CacheRule {
    CacheRule {
        match_kind,
        patterns,
        ttl,
        ignore_query: false,
        honor_no_cache: false,
        priority: None,
    }
}

/// MODELLED `DescribeDomainCertificateInfo` answer:
/// `CertInfos.CertInfo[{CertName, CertType, ServerCertificateStatus,
/// ServerCertificate}]`. An uploaded certificate reads back as its PEM, a
/// `cas` (or `free`) one as its name; the private key never comes back.
pub fn certificate_from_info(answer: &Value) -> Certificate {
    let info = body::list(answer, "CertInfos", "CertInfo")
        .into_iter()
        .find(|i| body::string(i, "ServerCertificateStatus").is_none_or(|s| s != "off"));
    let mut cert = Certificate {
        id: None,
        public_pem: None,
        private_pem: None,
    };
    if let Some(i) = info {
        match body::string(i, "CertType").as_deref() {
            // The XML reader trims text: give PEM its customary final newline.
            Some("upload") => {
                cert.public_pem = body::non_empty(i, "ServerCertificate").map(|p| p + "\n")
            }
            _ => cert.id = body::non_empty(i, "CertName"),
        }
    }
    cert
}
