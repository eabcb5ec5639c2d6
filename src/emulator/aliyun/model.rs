//! The Alibaba part of the emulated world: accelerated domains, their origins and lifecycle.
//!
//! Status is computed lazily from timestamps (no background task): a domain is `configuring`
//! until `configuring_until`, then `online` or `offline` according to `enabled`.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliyunWorld {
    /// When the (single, emulated) account opened the CDN service: `DescribeCdnService`'s
    /// `OpeningTime`.
    #[serde(default = "default_opened")]
    pub opened: DateTime<Utc>,
    #[serde(default)]
    pub domains: BTreeMap<String, AliDomain>,
}

impl Default for AliyunWorld {
    fn default() -> Self {
        AliyunWorld {
            opened: default_opened(),
            domains: BTreeMap::new(),
        }
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
