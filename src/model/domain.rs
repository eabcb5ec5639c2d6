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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OriginType {
    Ip,
    Domain,
    Oss,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

impl Domain {
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
    fn json_round_trip() {
        let v = json!({
            "name": "a.example.com", "cdn_type": "web", "enabled": true,
            "origins": [{"type": "ip", "address": "1.1.1.1", "port": 80, "priority": 20, "weight": 10}]
        });
        let d = Domain::from_json(&v).unwrap();
        assert_eq!(d.to_json(), v);
    }
}
