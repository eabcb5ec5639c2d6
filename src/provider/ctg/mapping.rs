//! The neutral `Domain` in CTG terms and back: one configuration path per
//! feature (its write body and how its read answer fills the domain), the
//! origins and product of the create call, and which features an update
//! writes (`changes`).
//!
//! MODELLED (see the module docs of `ctg`): every path and field name, and
//! how an unset feature reads and is cleared: an empty list, `enable:
//! false`, `cert_id: ""`, `host: ""`, `version: ""`, `protocol: "http"`.

use crate::model::domain::{
    AccessFilter, CacheRule, Certificate, Compression, FilterMode, Header, Https, MatchKind,
    OriginProtocol, RefererFilter, Ttl,
};
use crate::model::{CdnType, Domain, Origin, OriginType};
use reqwest::Method;
use serde_json::{json, Map, Value};

/// One configuration path of `/API/domain/...`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    Origin,
    OriginHost,
    OriginProtocol,
    Https,
    ForceHttps,
    Http2,
    Http3,
    MinTls,
    Compress,
    Ipv6,
    CachePolicy,
    ResponseHeaders,
    OriginRequestHeaders,
    IpAcl,
    RefererAcl,
    UaAcl,
}

/// Every feature, in write order (HTTPS before what depends on it). Reads
/// are applied in this order too: `Https` first creates the block the
/// later HTTPS features fill.
pub const FEATURES: &[Feature] = &[
    Feature::Origin,
    Feature::OriginHost,
    Feature::OriginProtocol,
    Feature::Https,
    Feature::ForceHttps,
    Feature::Http2,
    Feature::Http3,
    Feature::MinTls,
    Feature::Compress,
    Feature::Ipv6,
    Feature::CachePolicy,
    Feature::ResponseHeaders,
    Feature::OriginRequestHeaders,
    Feature::IpAcl,
    Feature::RefererAcl,
    Feature::UaAcl,
];

pub(super) type Parsed<T> = Result<T, String>;

fn enable(v: &Value) -> bool {
    v["enable"].as_bool().unwrap_or(false)
}

pub(super) fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_string()
}

fn strings(v: &Value, key: &str) -> Parsed<Vec<String>> {
    match &v[key] {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or(format!("{key}: {i} is not a string"))
            })
            .collect(),
        other => Err(format!("{key}: {other} is not a list")),
    }
}

fn mode_name(m: FilterMode) -> &'static str {
    match m {
        FilterMode::Allow => "allow",
        FilterMode::Deny => "deny",
    }
}

fn mode(v: &Value) -> Parsed<FilterMode> {
    match v["type"].as_str() {
        Some("allow") => Ok(FilterMode::Allow),
        Some("deny") => Ok(FilterMode::Deny),
        other => Err(format!("type {other:?} is neither allow nor deny")),
    }
}

fn headers_body(h: &[Header]) -> Value {
    json!({"headers": h.iter().map(|h| json!({"name": h.name, "value": h.value})).collect::<Vec<_>>()})
}

fn headers(v: &Value) -> Parsed<Vec<Header>> {
    let Some(items) = v["headers"].as_array() else {
        return Ok(Vec::new());
    };
    items
        .iter()
        .map(|h| match (h["name"].as_str(), h["value"].as_str()) {
            (Some(n), Some(val)) => Ok(Header {
                name: n.to_string(),
                value: val.to_string(),
            }),
            _ => Err(format!("header {h} lacks a name or value")),
        })
        .collect()
}

fn filter_body(f: Option<&AccessFilter>) -> Value {
    match f {
        Some(f) => json!({"type": mode_name(f.mode), "list": f.list}),
        None => json!({"type": "deny", "list": []}),
    }
}

fn filter(v: &Value) -> Parsed<Option<AccessFilter>> {
    let list = strings(v, "list")?;
    if list.is_empty() {
        return Ok(None);
    }
    Ok(Some(AccessFilter {
        mode: mode(v)?,
        list,
    }))
}

pub fn product(t: CdnType) -> &'static str {
    match t {
        CdnType::Web => "web",
        CdnType::Download => "download",
        CdnType::Video => "video",
    }
}

pub(super) fn parse_product(s: &str) -> Parsed<CdnType> {
    match s {
        "web" => Ok(CdnType::Web),
        "download" => Ok(CdnType::Download),
        "video" => Ok(CdnType::Video),
        other => Err(format!("unknown product {other:?}")),
    }
}

pub fn origins_body(origins: &[Origin]) -> Value {
    origins
        .iter()
        .map(|o| {
            json!({
                "address": o.address,
                "type": match o.origin_type { OriginType::Ip => "ip", _ => "domain" },
                "port": o.port,
                "priority": o.priority,
                "weight": o.weight,
            })
        })
        .collect()
}

fn number(v: &Value, key: &str, default: u64) -> Parsed<u64> {
    match &v[key] {
        Value::Null => Ok(default),
        Value::Number(n) => n.as_u64().ok_or(format!("{key}: {n} is not a count")),
        Value::String(s) => s
            .parse()
            .map_err(|_| format!("{key}: {s:?} is not a number")),
        other => Err(format!("{key}: {other} is not a number")),
    }
}

pub fn parse_origins(v: &Value) -> Parsed<Vec<Origin>> {
    let items = v.as_array().ok_or("origin is not a list")?;
    items
        .iter()
        .map(|o| {
            let origin_type = match o["type"].as_str() {
                Some("ip") => OriginType::Ip,
                Some("domain") => OriginType::Domain,
                other => return Err(format!("origin type {other:?} is neither ip nor domain")),
            };
            let port = number(o, "port", 80)?;
            Ok(Origin {
                origin_type,
                address: text(o, "address"),
                port: u16::try_from(port).map_err(|_| format!("port {port} out of range"))?,
                priority: number(o, "priority", 20)? as u32,
                weight: number(o, "weight", 10)? as u32,
            })
        })
        .collect()
}

fn match_name(m: MatchKind) -> &'static str {
    match m {
        MatchKind::Extension => "ext",
        MatchKind::Directory => "dir",
        MatchKind::Path => "path",
        MatchKind::Regex => "regex",
    }
}

fn cache_rule(r: &Value) -> Parsed<CacheRule> {
    let match_kind = match r["type"].as_str() {
        Some("ext") => MatchKind::Extension,
        Some("dir") => MatchKind::Directory,
        Some("path") => MatchKind::Path,
        Some("regex") => MatchKind::Regex,
        other => return Err(format!("cache rule type {other:?} is unknown")),
    };
    let priority = match &r["priority"] {
        Value::Null => None,
        _ => Some(number(r, "priority", 0)? as u32),
    };
    Ok(CacheRule {
        match_kind,
        patterns: strings(r, "patterns")?,
        ttl: Ttl(number(r, "ttl", 0)?),
        ignore_query: r["ignore_query"].as_bool().unwrap_or(false),
        honor_no_cache: r["honor_no_cache"].as_bool().unwrap_or(false),
        priority,
    })
}

impl Feature {
    pub fn path(self) -> &'static str {
        match self {
            Feature::Origin => "/API/domain/origin",
            Feature::OriginHost => "/API/domain/origin_host",
            Feature::OriginProtocol => "/API/domain/origin_protocol",
            Feature::Https => "/API/domain/https",
            Feature::ForceHttps => "/API/domain/force_https",
            Feature::Http2 => "/API/domain/http2",
            Feature::Http3 => "/API/domain/http3",
            Feature::MinTls => "/API/domain/min_tls",
            Feature::Compress => "/API/domain/compress",
            Feature::Ipv6 => "/API/domain/ipv6",
            Feature::CachePolicy => "/API/domain/cache_policy",
            Feature::ResponseHeaders => "/API/domain/response_headers",
            Feature::OriginRequestHeaders => "/API/domain/origin_request_headers",
            Feature::IpAcl => "/API/domain/ip_acl",
            Feature::RefererAcl => "/API/domain/referer_acl",
            Feature::UaAcl => "/API/domain/ua_acl",
        }
    }

    /// The write method the seed's index gives.
    pub fn method(self) -> Method {
        match self {
            Feature::ResponseHeaders
            | Feature::OriginRequestHeaders
            | Feature::IpAcl
            | Feature::RefererAcl
            | Feature::UaAcl => Method::POST,
            _ => Method::PUT,
        }
    }

    /// The feature's fields for `d` (the write body without `domain`).
    pub fn fields(self, d: &Domain) -> Value {
        let https = d.https.as_ref();
        match self {
            Feature::Origin => json!({"origin": origins_body(&d.origins)}),
            Feature::OriginHost => json!({"host": d.origin_host.clone().unwrap_or_default()}),
            Feature::OriginProtocol => json!({"protocol": match d.origin_protocol {
                None | Some(OriginProtocol::Http) => "http",
                Some(OriginProtocol::Https) => "https",
                Some(OriginProtocol::Follow) => "follow",
            }}),
            Feature::Https => json!({
                "cert_id": https.and_then(|h| h.certificate.id.clone()).unwrap_or_default(),
                "enable": https.is_some(),
            }),
            Feature::ForceHttps => json!({"enable": https.is_some_and(|h| h.force_redirect)}),
            Feature::Http2 => json!({"enable": https.is_some_and(|h| h.http2)}),
            Feature::Http3 => json!({"enable": https.is_some_and(|h| h.http3)}),
            Feature::MinTls => json!({
                "version": https.and_then(|h| h.min_tls_version.clone()).unwrap_or_default()
            }),
            Feature::Compress => match d.compression.as_ref().filter(|c| c.enabled) {
                Some(c) => json!({
                    "enable": true,
                    "content_types": c.content_types.clone().unwrap_or_default(),
                    "min_size": c.min_size.unwrap_or(0),
                }),
                None => json!({"enable": false, "content_types": [], "min_size": 0}),
            },
            Feature::Ipv6 => json!({"enable": d.ipv6 == Some(true)}),
            Feature::CachePolicy => json!({"rules": d.cache_rules.iter().map(|r| {
                let mut rule = json!({
                    "type": match_name(r.match_kind),
                    "patterns": r.patterns,
                    "ttl": r.ttl.seconds(),
                    "ignore_query": r.ignore_query,
                    "honor_no_cache": r.honor_no_cache,
                });
                if let Some(p) = r.priority {
                    rule["priority"] = json!(p);
                }
                rule
            }).collect::<Vec<_>>()}),
            Feature::ResponseHeaders => headers_body(&d.response_headers),
            Feature::OriginRequestHeaders => headers_body(&d.origin_request_headers),
            Feature::IpAcl => filter_body(d.ip_filter.as_ref()),
            Feature::UaAcl => filter_body(d.user_agent_filter.as_ref()),
            Feature::RefererAcl => match &d.referer {
                Some(r) => {
                    json!({"type": mode_name(r.mode), "list": r.list, "allow_empty": r.allow_empty})
                }
                None => json!({"type": "deny", "list": [], "allow_empty": false}),
            },
        }
    }

    /// The write body: `{domain, ...fields}`.
    pub fn body(self, d: &Domain) -> Value {
        let mut body = Map::new();
        body.insert("domain".into(), json!(d.name));
        if let Value::Object(fields) = self.fields(d) {
            body.extend(fields);
        }
        Value::Object(body)
    }

    /// Fill `d` from this feature's read answer (`data`).
    pub fn apply(self, d: &mut Domain, v: &Value) -> Parsed<()> {
        match self {
            Feature::Origin => d.origins = parse_origins(&v["origin"])?,
            Feature::OriginHost => d.origin_host = Some(text(v, "host")).filter(|h| !h.is_empty()),
            Feature::OriginProtocol => {
                d.origin_protocol = match v["protocol"].as_str().unwrap_or_default() {
                    "" | "http" => None,
                    "https" => Some(OriginProtocol::Https),
                    "follow" => Some(OriginProtocol::Follow),
                    other => return Err(format!("origin protocol {other:?} is unknown")),
                }
            }
            Feature::Https => {
                let id = text(v, "cert_id");
                d.https = (enable(v) && !id.is_empty()).then_some(Https {
                    certificate: Certificate {
                        id: Some(id),
                        public_pem: None,
                        private_pem: None,
                    },
                    http2: false,
                    http3: false,
                    force_redirect: false,
                    min_tls_version: None,
                });
            }
            Feature::ForceHttps | Feature::Http2 | Feature::Http3 | Feature::MinTls => {
                // Without HTTPS these are not part of the neutral domain.
                let Some(h) = d.https.as_mut() else {
                    return Ok(());
                };
                match self {
                    Feature::ForceHttps => h.force_redirect = enable(v),
                    Feature::Http2 => h.http2 = enable(v),
                    Feature::Http3 => h.http3 = enable(v),
                    _ => h.min_tls_version = Some(text(v, "version")).filter(|s| !s.is_empty()),
                }
            }
            Feature::Compress => {
                d.compression = if enable(v) {
                    let types = strings(v, "content_types")?;
                    let min = number(v, "min_size", 0)?;
                    Some(Compression {
                        enabled: true,
                        content_types: (!types.is_empty()).then_some(types),
                        min_size: (min > 0).then_some(min),
                    })
                } else {
                    None
                }
            }
            Feature::Ipv6 => d.ipv6 = enable(v).then_some(true),
            Feature::CachePolicy => {
                d.cache_rules = match v["rules"].as_array() {
                    Some(rules) => rules.iter().map(cache_rule).collect::<Parsed<_>>()?,
                    None => Vec::new(),
                }
            }
            Feature::ResponseHeaders => d.response_headers = headers(v)?,
            Feature::OriginRequestHeaders => d.origin_request_headers = headers(v)?,
            Feature::IpAcl => d.ip_filter = filter(v)?,
            Feature::UaAcl => d.user_agent_filter = filter(v)?,
            Feature::RefererAcl => {
                let list = strings(v, "list")?;
                d.referer = if list.is_empty() {
                    None
                } else {
                    Some(RefererFilter {
                        mode: mode(v)?,
                        list,
                        allow_empty: v["allow_empty"].as_bool().unwrap_or(false),
                    })
                }
            }
        }
        Ok(())
    }
}

/// The features whose fields differ, in write order; when HTTPS goes away,
/// the features that depend on it are switched off before it.
pub fn changes(prior: &Domain, desired: &Domain) -> Vec<Feature> {
    let mut out: Vec<Feature> = FEATURES
        .iter()
        .copied()
        .filter(|f| f.fields(prior) != f.fields(desired))
        .collect();
    if desired.https.is_none() {
        let dependent = |f: &Feature| {
            matches!(
                f,
                Feature::ForceHttps | Feature::Http2 | Feature::Http3 | Feature::MinTls
            )
        };
        if let (Some(at), Some(last)) = (
            out.iter().position(|f| *f == Feature::Https),
            out.iter().rposition(dependent),
        ) {
            // `at < last`: after the removal, index `last` is just past it.
            let https = out.remove(at);
            out.insert(last, https);
        }
    }
    out
}
