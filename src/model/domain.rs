//! The provider-neutral CDN domain. Its serde form is the attribute object
//! the config produces, the state stores and the planner diffs.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CdnType {
    Web,
    Download,
    Video,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OriginType {
    Ip,
    Domain,
    Oss,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Origin {
    #[serde(rename = "type")]
    pub origin_type: OriginType,
    pub address: String,
    pub port: u16,
    pub priority: u32,
    pub weight: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    pub name: String,
    pub cdn_type: CdnType,
    pub origins: Vec<Origin>,
    pub enabled: bool,
    /// Host header sent to the origin (`None`: the vendor's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_protocol: Option<OriginProtocol>,
    /// In order: earlier rules win unless priorities say otherwise.
    #[serde(default)]
    pub cache_rules: Vec<CacheRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referer: Option<RefererFilter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_filter: Option<AccessFilter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent_filter: Option<AccessFilter>,
    #[serde(default)]
    pub response_headers: Vec<Header>,
    #[serde(default)]
    pub origin_request_headers: Vec<Header>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub https: Option<Https>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<Compression>,
    /// `None`: not managed (the vendor's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6: Option<bool>,
    // Computed by the vendor; absent in the desired configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub https_cname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_at: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OriginProtocol {
    Http,
    Https,
    /// Use the protocol the client used.
    Follow,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// File extensions, without the dot: `jpg`.
    Extension,
    /// Directories: `/static/`.
    Directory,
    /// Exact paths: `/index.html`.
    Path,
    /// Regular expressions over the path.
    Regex,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheRule {
    #[serde(rename = "match")]
    pub match_kind: MatchKind,
    pub patterns: Vec<String>,
    pub ttl: Ttl,
    #[serde(default)]
    pub ignore_query: bool,
    #[serde(default)]
    pub honor_no_cache: bool,
    /// Higher wins; `None`: by position (earlier wins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterMode {
    Allow,
    Deny,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefererFilter {
    pub mode: FilterMode,
    pub list: Vec<String>,
    #[serde(default)]
    pub allow_empty: bool,
}

/// An allow or deny list (IP CIDRs, user agents).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessFilter {
    pub mode: FilterMode,
    pub list: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Header {
    pub name: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Https {
    pub certificate: Certificate,
    #[serde(default)]
    pub http2: bool,
    /// HTTP/3 (QUIC).
    #[serde(default)]
    pub http3: bool,
    #[serde(default)]
    pub force_redirect: bool,
    /// `"1.0"` .. `"1.3"`; `None`: the vendor's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_tls_version: Option<String>,
}

/// A certificate by vendor id, or uploaded as PEM. `private_pem` is
/// write-only: after planning it holds a `sha256:` digest, never the key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_pem: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_pem: Option<String>,
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certificate")
            .field("id", &self.id)
            .field("public_pem", &self.public_pem.as_ref().map(|_| "(pem)"))
            .field(
                "private_pem",
                &self.private_pem.as_ref().map(|_| "(sensitive value)"),
            )
            .finish()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compression {
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_types: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_size: Option<u64>,
}

fn yes() -> bool {
    true
}

/// A cache lifetime in seconds. Written `"90s"`, `"10m"`, `"1h"`, `"7d"`
/// (or a bare number of seconds); always serialised in the largest unit
/// that divides it exactly, so `"60m"` and `"1h"` compare equal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ttl(pub u64);

/// The longest TTL vendors accept: two years.
pub const MAX_TTL_SECONDS: u64 = 2 * 365 * 24 * 3600;

impl Ttl {
    pub fn parse(s: &str) -> Result<Ttl, String> {
        let s = s.trim();
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (num, unit) = s.split_at(split);
        let n: u64 = num.parse().map_err(|_| {
            format!("invalid TTL {s:?}: expected a number with a unit s, m, h or d (e.g. \"1h\")")
        })?;
        let mult = match unit {
            "" | "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86400,
            other => {
                return Err(format!(
                    "invalid TTL unit {other:?} in {s:?}: use s, m, h or d"
                ))
            }
        };
        let secs = n.checked_mul(mult).filter(|v| *v <= MAX_TTL_SECONDS).ok_or_else(|| {
            format!("TTL {s:?} is longer than two years ({MAX_TTL_SECONDS}s), the most vendors accept")
        })?;
        Ok(Ttl(secs))
    }

    pub fn seconds(self) -> u64 {
        self.0
    }
}

impl std::fmt::Display for Ttl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.0;
        match s {
            0 => f.write_str("0s"),
            s if s % 86400 == 0 => write!(f, "{}d", s / 86400),
            s if s % 3600 == 0 => write!(f, "{}h", s / 3600),
            s if s % 60 == 0 => write!(f, "{}m", s / 60),
            s => write!(f, "{s}s"),
        }
    }
}

impl Serialize for Ttl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Ttl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Ttl, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ttl::parse(&s).map_err(serde::de::Error::custom),
            serde_json::Value::Number(n) => n
                .as_u64()
                .map(|v| Ttl::parse(&v.to_string()))
                .unwrap_or_else(|| Err(format!("invalid TTL {n}")))
                .map_err(serde::de::Error::custom),
            other => Err(serde::de::Error::custom(format!("invalid TTL {other}"))),
        }
    }
}

impl Domain {
    /// A domain with just the essentials; every optional feature unset.
    pub fn new(name: impl Into<String>, cdn_type: CdnType, origins: Vec<Origin>) -> Domain {
        Domain {
            name: name.into(),
            cdn_type,
            origins,
            enabled: true,
            origin_host: None,
            origin_protocol: None,
            cache_rules: Vec::new(),
            referer: None,
            ip_filter: None,
            user_agent_filter: None,
            response_headers: Vec::new(),
            origin_request_headers: Vec::new(),
            https: None,
            compression: None,
            ipv6: None,
            cname: None,
            https_cname: None,
            status: None,
            created_at: None,
            modified_at: None,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("Domain serialises")
    }
    pub fn from_json(v: &serde_json::Value) -> Result<Domain, serde_json::Error> {
        Domain::deserialize(v)
    }
}

/// Is `name` a valid accelerated domain name (optionally a `*.` or `.`
/// wildcard)? Labels of letters, digits and hyphens, not starting or ending
/// with a hyphen, at least two labels, a TLD that is not all digits, at most
/// 253 characters.
pub fn is_valid_domain_name(name: &str) -> bool {
    let bare = name
        .strip_prefix("*.")
        .or_else(|| name.strip_prefix('.'))
        .unwrap_or(name);
    if bare.len() > 253 || bare.is_empty() {
        return false;
    }
    let labels: Vec<&str> = bare.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    labels.iter().all(|l| label_ok(l))
        && !labels.last().unwrap().chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn domain_names() {
        for ok in [
            "example.com",
            "a-b.example.com",
            "*.example.com",
            ".example.com",
            "x1.io",
        ] {
            assert!(is_valid_domain_name(ok), "{ok}");
        }
        for bad in [
            "",
            "com",
            "exa_mple.com",
            "-a.com",
            "a-.com",
            "a..com",
            "1.2.3.4",
            "a b.com",
        ] {
            assert!(!is_valid_domain_name(bad), "{bad}");
        }
    }

    #[test]
    fn ttl_parses_and_normalises() {
        assert_eq!(Ttl::parse("1h").unwrap(), Ttl(3600));
        assert_eq!(Ttl::parse("60m").unwrap().to_string(), "1h");
        assert_eq!(Ttl::parse("90").unwrap().to_string(), "90s");
        assert_eq!(Ttl::parse("0").unwrap().to_string(), "0s");
        assert_eq!(Ttl::parse("730d").unwrap().to_string(), "730d");
        assert!(Ttl::parse("731d").unwrap_err().contains("two years"));
        assert!(Ttl::parse("1w").unwrap_err().contains("unit"));
        assert!(Ttl::parse("h").is_err());
    }

    #[test]
    fn full_domain_round_trip() {
        let v = json!({
            "name": "a.example.com", "cdn_type": "web", "enabled": true,
            "origins": [{"type": "ip", "address": "1.1.1.1", "port": 80, "priority": 20, "weight": 10}],
            "origin_host": "origin.example.com", "origin_protocol": "follow",
            "cache_rules": [{"match": "extension", "patterns": ["jpg"], "ttl": "1d", "ignore_query": true, "honor_no_cache": false}],
            "referer": {"mode": "allow", "list": ["*.example.com"], "allow_empty": true},
            "ip_filter": {"mode": "deny", "list": ["192.0.2.0/24"]},
            "response_headers": [{"name": "X-A", "value": "1"}],
            "origin_request_headers": [],
            "https": {"certificate": {"id": "cert-1"}, "http2": true, "http3": false, "force_redirect": true, "min_tls_version": "1.2"},
            "compression": {"enabled": true},
            "ipv6": false
        });
        let d = Domain::from_json(&v).unwrap();
        assert_eq!(d.to_json(), v);
        assert!(!format!(
            "{:?}",
            Certificate {
                id: None,
                public_pem: None,
                private_pem: Some("KEY".into())
            }
        )
        .contains("KEY"));
    }

    #[test]
    fn json_round_trip() {
        let v = json!({
            "name": "a.example.com", "cdn_type": "web", "enabled": true,
            "origins": [{"type": "ip", "address": "1.1.1.1", "port": 80, "priority": 20, "weight": 10}],
            "cache_rules": [], "response_headers": [], "origin_request_headers": []
        });
        let d = Domain::from_json(&v).unwrap();
        assert_eq!(d.to_json(), v);
    }
}
