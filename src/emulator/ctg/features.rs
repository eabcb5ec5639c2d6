//! The CTG configuration features, one path each under `/API/domain/<name>`: `GET ?domain=`
//! reads a feature, the write method the seed's index gives (PUT or POST) writes it with a
//! body `{domain, ...}` (API-NOTES).
//!
//! MODELLED (the documents give no fields; these are the brief's, shared with the client):
//! - every feature's fields are validated strictly and an unknown body key is a 400;
//! - clearing: an empty list (`cache_policy`, both header lists, the three ACLs),
//!   `enable: false` (`https`, `force_https`, `compress`, `ipv6`, `http2`, `http3`),
//!   `cert_id: ""` (`https`, unless `enable` is true), `host: ""` (`origin_host`) and
//!   `version: ""` (`min_tls`) remove the feature; `origin` cannot be cleared (400);
//! - an unset feature reads as its default: `host: ""`, `protocol: "http"`,
//!   `{cert_id: "", enable: false}`, `enable: false`, `{enable: false, content_types: [],
//!   min_size: 0}`, `version: "1.0"`, `rules: []`, `headers: []`, ACLs `{type: "deny",
//!   list: []}` (an empty deny list restricts nothing) with `allow_empty: true` for referers;
//! - a write answers what a read then answers, and puts the domain into `configuring` for
//!   the configured delay (then back to online/offline), even when nothing changed.
//! - limits: 100 cache rules of up to 50 patterns, TTL 0..=2 years (63072000 s), rule
//!   priority 0..=100 (default 0), `ignore_query`/`honor_no_cache` default false; 50 headers
//!   (names unique regardless of case); 500 IP/CIDR or referer entries, 100 UA patterns;
//!   `compress.min_size` 0..=104857600 bytes, up to 50 `content_types` (`type/subtype`,
//!   subtype may be `*`); `cert_id` 1..=64 of letters, digits, `-`, `_`, `.`.

use serde_json::{json, Map, Value};

use super::domains::{origins, Ctx};
use super::error::CtgError;
use super::model::CtgWorld;
use super::values::{self as v, bad, is_header_name, is_header_value, object};

pub const MAX_TTL: i64 = 2 * 365 * 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    Origin,
    OriginHost,
    OriginProtocol,
    Https,
    ForceHttps,
    Compress,
    Ipv6,
    Http2,
    Http3,
    MinTls,
    CachePolicy,
    ResponseHeaders,
    OriginRequestHeaders,
    IpAcl,
    RefererAcl,
    UaAcl,
}

use Feature::*;

pub const ALL: [Feature; 16] = [
    Origin,
    OriginHost,
    OriginProtocol,
    Https,
    ForceHttps,
    Compress,
    Ipv6,
    Http2,
    Http3,
    MinTls,
    CachePolicy,
    ResponseHeaders,
    OriginRequestHeaders,
    IpAcl,
    RefererAcl,
    UaAcl,
];

impl Feature {
    pub fn name(self) -> &'static str {
        match self {
            Origin => "origin",
            OriginHost => "origin_host",
            OriginProtocol => "origin_protocol",
            Https => "https",
            ForceHttps => "force_https",
            Compress => "compress",
            Ipv6 => "ipv6",
            Http2 => "http2",
            Http3 => "http3",
            MinTls => "min_tls",
            CachePolicy => "cache_policy",
            ResponseHeaders => "response_headers",
            OriginRequestHeaders => "origin_request_headers",
            IpAcl => "ip_acl",
            RefererAcl => "referer_acl",
            UaAcl => "ua_acl",
        }
    }

    /// The seed index's write method: POST for header lists and ACLs, PUT for the rest.
    pub fn write_method(self) -> &'static str {
        match self {
            ResponseHeaders | OriginRequestHeaders | IpAcl | RefererAcl | UaAcl => "POST",
            _ => "PUT",
        }
    }

    pub fn from_name(name: &str) -> Option<Feature> {
        ALL.into_iter().find(|f| f.name() == name)
    }

    /// The body keys besides `domain`.
    fn fields(self) -> &'static [&'static str] {
        match self {
            Origin => &["origin"],
            OriginHost => &["host"],
            OriginProtocol => &["protocol"],
            Https => &["cert_id", "enable"],
            ForceHttps | Ipv6 | Http2 | Http3 => &["enable"],
            Compress => &["enable", "content_types", "min_size"],
            MinTls => &["version"],
            CachePolicy => &["rules"],
            ResponseHeaders | OriginRequestHeaders => &["headers"],
            IpAcl | UaAcl => &["type", "list"],
            RefererAcl => &["type", "list", "allow_empty"],
        }
    }

    /// What an unset feature reads as.
    fn default_value(self) -> Value {
        match self {
            Origin => json!({"origin": []}),
            OriginHost => json!({"host": ""}),
            OriginProtocol => json!({"protocol": "http"}),
            Https => json!({"cert_id": "", "enable": false}),
            ForceHttps | Ipv6 | Http2 | Http3 => json!({"enable": false}),
            Compress => json!({"enable": false, "content_types": [], "min_size": 0}),
            MinTls => json!({"version": "1.0"}),
            CachePolicy => json!({"rules": []}),
            ResponseHeaders | OriginRequestHeaders => json!({"headers": []}),
            IpAcl | UaAcl => json!({"type": "deny", "list": []}),
            RefererAcl => json!({"type": "deny", "list": [], "allow_empty": true}),
        }
    }

    /// The validated stored value of a write body, or `None` when it clears the feature.
    fn parse(self, b: &Map<String, Value>) -> Result<Option<Value>, CtgError> {
        Ok(match self {
            Origin => Some(json!({"origin": origins(b, "origin")?})),
            OriginHost => {
                let host = v::string(b, "host", "")?;
                if host.is_empty() {
                    return Ok(None);
                }
                if !(v::is_host_name(&host) || v::is_ip(&host)) {
                    return Err(bad("host", format!("{host:?} is not a host name or IP")));
                }
                Some(json!({"host": host}))
            }
            OriginProtocol => {
                let p = v::one_of(b, "protocol", "", &["http", "https", "follow"])?;
                Some(json!({"protocol": p}))
            }
            Https => https(b)?,
            ForceHttps | Ipv6 | Http2 | Http3 => {
                v::boolean(b, "enable", "")?.then(|| json!({"enable": true}))
            }
            Compress => compress(b)?,
            MinTls => {
                let version = v::one_of(b, "version", "", &["", "1.0", "1.1", "1.2", "1.3"])?;
                (!version.is_empty()).then(|| json!({"version": version}))
            }
            CachePolicy => cache_rules(b)?,
            ResponseHeaders | OriginRequestHeaders => headers(b)?,
            IpAcl => acl(b, 500, "an IP address or CIDR block", v::is_ip_or_cidr)?,
            UaAcl => acl(b, 100, "a User-Agent pattern", |s| {
                !s.is_empty() && s.len() <= 256 && s.bytes().all(|c| (0x20..0x7f).contains(&c))
            })?,
            RefererAcl => {
                let allow_empty = v::opt_boolean(b, "allow_empty", "")?.unwrap_or(true);
                acl(b, 500, "a referer host", |s| {
                    v::is_domain_name(s) || v::is_ip(s)
                })?
                .map(|mut a| {
                    a["allow_empty"] = json!(allow_empty);
                    a
                })
            }
        })
    }
}

fn https(b: &Map<String, Value>) -> Result<Option<Value>, CtgError> {
    let enable = v::opt_boolean(b, "enable", "")?;
    let cert = v::opt_string(b, "cert_id", "")?;
    match (enable, cert.as_deref()) {
        (None, None) => Err(bad("enable", "is required")),
        (Some(false), _) | (None, Some("")) => Ok(None),
        (Some(true), None | Some("")) => Err(bad("cert_id", "is required when enable is true")),
        (None, Some(_)) => Err(bad("enable", "is required")),
        (Some(true), Some(c)) => {
            let ok = c.len() <= 64
                && c.bytes()
                    .all(|x| x.is_ascii_alphanumeric() || b"-_.".contains(&x));
            if !ok {
                return Err(bad("cert_id", format!("{c:?} is not a certificate id")));
            }
            Ok(Some(json!({"cert_id": c, "enable": true})))
        }
    }
}

fn is_mime(s: &str) -> bool {
    let token = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&c))
    };
    match s.split_once('/') {
        Some((t, sub)) => token(t) && (sub == "*" || token(sub)),
        None => false,
    }
}

fn compress(b: &Map<String, Value>) -> Result<Option<Value>, CtgError> {
    let enable = v::boolean(b, "enable", "")?;
    let types = match b.get("content_types") {
        None => Vec::new(),
        Some(_) => v::string_list(b, "content_types", "", 50, "a MIME type", is_mime)?,
    };
    let min_size = v::opt_int(b, "min_size", "", 0, 104_857_600)?.unwrap_or(0);
    Ok(enable.then(|| json!({"enable": true, "content_types": types, "min_size": min_size})))
}

fn is_pattern(kind: &str, s: &str) -> bool {
    let no_space = !s.is_empty() && s.len() <= 512 && !s.chars().any(char::is_whitespace);
    match kind {
        "ext" => s.len() <= 16 && !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric()),
        "dir" | "path" => no_space && s.starts_with('/'),
        _ => no_space && regex_syntax::Parser::new().parse(s).is_ok(),
    }
}

fn cache_rules(b: &Map<String, Value>) -> Result<Option<Value>, CtgError> {
    let items = v::list(b, "rules", "", 100)?;
    let mut rules = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("rules[{i}]");
        let r = object(
            item,
            &p,
            &[
                "type",
                "patterns",
                "ttl",
                "ignore_query",
                "honor_no_cache",
                "priority",
            ],
        )?;
        let kind = v::one_of(r, "type", &p, &["ext", "dir", "path", "regex"])?;
        let what = match kind.as_str() {
            "ext" => "a file extension (letters and digits, no dot)",
            "dir" => "a directory starting with /",
            "path" => "a path starting with /",
            _ => "a valid regular expression",
        };
        let patterns = v::string_list(r, "patterns", &p, 50, what, |s| is_pattern(&kind, s))?;
        if patterns.is_empty() {
            return Err(bad(
                &format!("{p}.patterns"),
                "at least one pattern is required",
            ));
        }
        rules.push(json!({
            "type": kind,
            "patterns": patterns,
            "ttl": v::int(r, "ttl", &p, 0, MAX_TTL)?,
            "ignore_query": v::opt_boolean(r, "ignore_query", &p)?.unwrap_or(false),
            "honor_no_cache": v::opt_boolean(r, "honor_no_cache", &p)?.unwrap_or(false),
            "priority": v::opt_int(r, "priority", &p, 0, 100)?.unwrap_or(0),
        }));
    }
    Ok((!rules.is_empty()).then(|| json!({"rules": rules})))
}

fn headers(b: &Map<String, Value>) -> Result<Option<Value>, CtgError> {
    let items = v::list(b, "headers", "", 50)?;
    let mut out: Vec<Value> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("headers[{i}]");
        let h = object(item, &p, &["name", "value"])?;
        let name = v::string(h, "name", &p)?;
        if !is_header_name(&name) {
            return Err(bad(
                &format!("{p}.name"),
                format!("{name:?} is not a header name"),
            ));
        }
        let value = v::string(h, "value", &p)?;
        if !is_header_value(&value) {
            return Err(bad(
                &format!("{p}.value"),
                "must be 1 to 1024 printable characters",
            ));
        }
        if out.iter().any(|o| {
            o["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(&name))
        }) {
            return Err(bad(&format!("{p}.name"), format!("{name:?} is repeated")));
        }
        out.push(json!({"name": name, "value": value}));
    }
    Ok((!out.is_empty()).then(|| json!({"headers": out})))
}

fn acl(
    b: &Map<String, Value>,
    max: usize,
    what: &str,
    ok: impl Fn(&str) -> bool,
) -> Result<Option<Value>, CtgError> {
    let list = v::string_list(b, "list", "", max, what, ok)?;
    let kind = match b.get("type") {
        None if list.is_empty() => None,
        _ => Some(v::one_of(b, "type", "", &["allow", "deny"])?),
    };
    Ok(kind
        .filter(|_| !list.is_empty())
        .map(|k| json!({"type": k, "list": list})))
}

/// `{domain, ...}` of a feature as stored (or its default).
fn render(world: &CtgWorld, name: &str, f: Feature) -> Value {
    let d = &world.domains[name];
    let mut out = Map::new();
    out.insert("domain".into(), json!(name));
    let fields = match f {
        Origin => json!({"origin": d.origin}),
        _ => d
            .config
            .get(f.name())
            .cloned()
            .unwrap_or_else(|| f.default_value()),
    };
    if let Value::Object(m) = fields {
        out.extend(m);
    }
    Value::Object(out)
}

/// `GET /API/domain/<feature>?domain=`.
pub fn get(ctx: &Ctx, world: &CtgWorld, f: Feature) -> Result<Value, CtgError> {
    let name = ctx.query_domain(world)?.domain.clone();
    Ok(render(world, &name, f))
}

/// The write of a feature: validate, store (or remove), put the domain into `configuring`.
pub fn write(ctx: &Ctx, world: &mut CtgWorld, f: Feature) -> Result<Value, CtgError> {
    let mut allowed = vec!["domain"];
    allowed.extend_from_slice(f.fields());
    object(&Value::Object(ctx.body.clone()), "body", &allowed)?;
    let d = ctx.body_domain(world)?;
    let stored = f.parse(&ctx.body)?;
    match (f, stored) {
        (Origin, Some(o)) => d.origin = o["origin"].as_array().cloned().unwrap_or_default(),
        (_, Some(value)) => {
            d.config.insert(f.name().into(), value);
        }
        (_, None) => {
            d.config.remove(f.name());
        }
    }
    d.modified = ctx.now;
    d.configuring_until = ctx.until();
    let name = d.domain.clone();
    Ok(render(world, &name, f))
}
