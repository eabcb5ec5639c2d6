//! The Alibaba part of the emulated world: accelerated domains, their origins and lifecycle.
//!
//! Status is computed lazily from timestamps (no background task): a domain is `configuring`
//! until `configuring_until`, then `online` or `offline` according to `enabled`; a function
//! configuration is `configuring` until its own `configuring_until`, then `success`.
//!
//! Function configurations and certificates live beside the domains, keyed by ConfigId and
//! by domain name, and refresh/push tasks in `content` (kept when their domain goes); every field added after the first world files has a serde default, so
//! older files still load.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::emulator::content::TaskBook;

/// One origin, in the 2018-05-10 `Sources` shape. Priority and weight are kept as the strings
/// the API returns them as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub content: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub port: u16,
    pub priority: String,
    pub weight: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliDomain {
    pub name: String,
    pub cdn_type: String,
    pub scope: String,
    pub origins: Vec<Origin>,
    pub cname: String,
    pub https_cname: String,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    /// Until this instant the domain answers `configuring`.
    pub configuring_until: DateTime<Utc>,
    /// Started (`online`) or stopped (`offline`) once configuring is over.
    pub enabled: bool,
}

impl AliDomain {
    pub fn status(&self, now: DateTime<Utc>) -> &'static str {
        if now < self.configuring_until {
            "configuring"
        } else if self.enabled {
            "online"
        } else {
            "offline"
        }
    }

    /// The 2014 `SourceType`: the common type of the origins (validation keeps them uniform).
    pub fn source_type(&self) -> &str {
        self.origins.first().map(|o| o.kind.as_str()).unwrap_or("")
    }

    /// The origins in the request shape of 2018 `Sources` (for `EmulatorHandle::aliyun_domains`).
    pub fn to_world_json(&self, now: DateTime<Utc>) -> Value {
        json!({
            "DomainName": self.name,
            "CdnType": self.cdn_type,
            "DomainStatus": self.status(now),
            "Scope": self.scope,
            "Cname": self.cname,
            "HttpsCname": self.https_cname,
            "GmtCreated": gmt(self.created),
            "GmtModified": gmt(self.modified),
            "Sources": self.origins,
        })
    }
}

/// Alibaba's time format in answers: `YYYY-MM-DDThh:mm:ssZ`.
pub fn gmt(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// MODELLED: `Cname` is `<domain>.w.kunlunsl.com` (the 2014 example shows
/// `bb.test.com.w.kunlunle.com`; current accounts get `kunlunsl.com`), and `HttpsCname` is the
/// name with dots turned into dashes under `alikunlun.com`, as the 2014 example
/// `bb-test-com.alikunlun.com` shows. A wildcard `.example.com` gets `all.example.com...`
/// so that it does not share a CNAME with `example.com`.
pub fn cnames_for(domain: &str) -> (String, String) {
    let base = match domain.strip_prefix('.') {
        Some(rest) => format!("all.{rest}"),
        None => domain.to_string(),
    };
    (
        format!("{base}.w.kunlunsl.com"),
        format!("{}.alikunlun.com", base.replace('.', "-")),
    )
}

fn default_opened() -> DateTime<Utc> {
    Utc::now()
}

/// MODELLED: the emulated account's uid, a 16-digit number like Alibaba account ids, drawn
/// once when the world is created (or first loaded from a file that has none) and then kept.
/// It is what the server adds as `aliyun_id` to every function configuration it returns.
fn default_uid() -> String {
    format!(
        "{}",
        rand::random_range(1_000_000_000_000_000u64..10_000_000_000_000_000)
    )
}

/// MODELLED: ConfigIds are numbers unique in the account, handed out in increasing order and
/// never reused; the first one is 3000001 (the documents give no range).
fn default_next_config_id() -> u64 {
    3_000_001
}

/// One argument of a function configuration, as `functionArgs` carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionArg {
    pub name: String,
    pub value: String,
}

/// One function configuration (`BatchSetCdnDomainConfig`) of one domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainConfig {
    pub id: u64,
    pub domain: String,
    pub function: String,
    /// In the order the caller gave them.
    pub args: Vec<FunctionArg>,
    pub modified: DateTime<Utc>,
    /// Until this instant the configuration answers `configuring`.
    pub configuring_until: DateTime<Utc>,
}

impl DomainConfig {
    pub fn status(&self, now: DateTime<Utc>) -> &'static str {
        if now < self.configuring_until {
            "configuring"
        } else {
            "success"
        }
    }
}

/// The HTTPS certificate of one domain (`SetCdnDomainSSLCertificate` with `SSLProtocol=on`).
/// The private key itself is never kept: only its SHA-256 (API-NOTES: "store only a digest").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub name: String,
    /// upload | cas | free
    pub kind: String,
    /// The public certificate (PEM) as uploaded; empty for cas and free certificates.
    pub public_pem: String,
    /// Lower-case hex SHA-256 of the uploaded private key PEM; empty when none was uploaded.
    pub private_key_sha256: String,
    /// `CertExpireTime`, when it is known (see `certificate::expiry`).
    pub expires: Option<DateTime<Utc>>,
    pub set_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliyunWorld {
    /// When the (single, emulated) account opened the CDN service: `DescribeCdnService`'s
    /// `OpeningTime`.
    #[serde(default = "default_opened")]
    pub opened: DateTime<Utc>,
    #[serde(default = "default_uid")]
    pub account_uid: String,
    #[serde(default)]
    pub domains: BTreeMap<String, AliDomain>,
    /// Function configurations of all domains, by ConfigId.
    #[serde(default)]
    pub configs: BTreeMap<u64, DomainConfig>,
    #[serde(default = "default_next_config_id")]
    pub next_config_id: u64,
    /// Certificates by domain name.
    #[serde(default)]
    pub certificates: BTreeMap<String, Certificate>,
    /// Refresh and push tasks, their ids and today's quota usage.
    #[serde(default)]
    pub content: TaskBook,
}

impl Default for AliyunWorld {
    fn default() -> Self {
        AliyunWorld {
            opened: default_opened(),
            account_uid: default_uid(),
            domains: BTreeMap::new(),
            configs: BTreeMap::new(),
            next_config_id: default_next_config_id(),
            certificates: BTreeMap::new(),
            content: TaskBook::default(),
        }
    }
}

impl AliyunWorld {
    /// A new ConfigId, never handed out before in this account.
    pub fn new_config_id(&mut self) -> u64 {
        let floor = self.configs.keys().next_back().map_or(0, |k| k + 1);
        let id = self.next_config_id.max(floor);
        self.next_config_id = id + 1;
        id
    }

    /// Removes a domain with everything attached to it (configurations, certificate).
    pub fn remove_domain(&mut self, name: &str) {
        self.domains.remove(name);
        self.configs.retain(|_, c| c.domain != name);
        self.certificates.remove(name);
    }

    /// The domain's configurations in ConfigId order.
    pub fn configs_of<'a>(&'a self, domain: &'a str) -> impl Iterator<Item = &'a DomainConfig> {
        self.configs.values().filter(move |c| c.domain == domain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn status_is_lazy_and_follows_enabled() {
        let t0 = Utc::now();
        let mut d = AliDomain {
            name: "a.com".into(),
            cdn_type: "web".into(),
            scope: "domestic".into(),
            origins: vec![],
            cname: String::new(),
            https_cname: String::new(),
            created: t0,
            modified: t0,
            configuring_until: t0 + TimeDelta::seconds(1),
            enabled: true,
        };
        assert_eq!(d.status(t0), "configuring");
        assert_eq!(d.status(t0 + TimeDelta::seconds(1)), "online");
        d.enabled = false;
        assert_eq!(d.status(t0 + TimeDelta::seconds(2)), "offline");
    }

    #[test]
    fn cnames_and_time_format() {
        assert_eq!(
            cnames_for("bb.test.com"),
            (
                "bb.test.com.w.kunlunsl.com".into(),
                "bb-test-com.alikunlun.com".into()
            )
        );
        assert_eq!(cnames_for(".x.com").0, "all.x.com.w.kunlunsl.com");
        let t = DateTime::parse_from_rfc3339("2015-06-25T03:30:50.123Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(gmt(t), "2015-06-25T03:30:50Z");
    }
}
