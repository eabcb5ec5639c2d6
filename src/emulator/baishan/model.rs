//! The Baishan part of the emulated world: accelerated domains, their lifecycle and their
//! stored configuration.
//!
//! Status is computed lazily from timestamps: a domain is `deploying` until
//! `deploying_until`, then `suspend` or `serving`; a deleted domain stays as a tombstone with
//! status `deleted` (so `domain_status=deleted` can list it) until its name is added again.
//! Every field has a serde default, so world files written before Baishan existed load.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::config;
use crate::emulator::content::TaskBook;

/// The domain types of `domain/list`.
pub const TYPES: &[&str] = &["page", "download", "video_demand", "dynamic"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BsDomain {
    pub id: u64,
    pub name: String,
    /// page | download | video_demand | dynamic
    #[serde(rename = "type")]
    pub kind: String,
    pub cname: String,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    /// Until this instant the domain answers `deploying`.
    pub deploying_until: DateTime<Utc>,
    /// Disabled with `PUT /v2/domain/status` `suspend`.
    #[serde(default)]
    pub suspended: bool,
    #[serde(default)]
    pub deleted: bool,
    /// The stored configuration items (see `config`), by item name.
    #[serde(default)]
    pub config: Map<String, Value>,
}

impl BsDomain {
    pub fn status(&self, now: DateTime<Utc>) -> &'static str {
        if self.deleted {
            "deleted"
        } else if now < self.deploying_until {
            "deploying"
        } else if self.suspended {
            "suspend"
        } else {
            "serving"
        }
    }

    /// The entry of `domain/list`: `{id, domain, type, status, cname}`.
    pub fn summary(&self, now: DateTime<Utc>) -> Value {
        json!({
            "id": self.id,
            "domain": self.name,
            "type": self.kind,
            "status": self.status(now),
            "cname": self.cname,
        })
    }

    /// The entry of `GET /v2/domain`: the summary with every configuration item.
    pub fn detail(&self, now: DateTime<Utc>) -> Value {
        let mut v = self.summary(now);
        v["config"] = Value::Object(config::render(&self.config, None));
        v
    }
}

/// MODELLED: a domain's CNAME is `<domain>.bsgslb.cn`; a wildcard `*.example.com` gets
/// `all.example.com.bsgslb.cn` (the documents show no CNAME).
pub fn cname_for(domain: &str) -> String {
    match domain.strip_prefix("*.") {
        Some(rest) => format!("all.{rest}.bsgslb.cn"),
        None => format!("{domain}.bsgslb.cn"),
    }
}

/// MODELLED: domain ids are numbers unique in the account, handed out in increasing order
/// from 100001 and never reused.
fn default_next_id() -> u64 {
    100_001
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaishanWorld {
    /// Domains (and tombstones of deleted ones) by name.
    #[serde(default)]
    pub domains: BTreeMap<String, BsDomain>,
    #[serde(default = "default_next_id")]
    pub next_id: u64,
    /// Refresh and prefetch tasks, their ids and today's quota usage.
    #[serde(default)]
    pub content: TaskBook,
}

impl Default for BaishanWorld {
    fn default() -> Self {
        BaishanWorld {
            domains: BTreeMap::new(),
            next_id: default_next_id(),
            content: TaskBook::default(),
        }
    }
}

impl BaishanWorld {
    pub fn new_id(&mut self) -> u64 {
        let floor = self.domains.values().map(|d| d.id + 1).max().unwrap_or(0);
        let id = self.next_id.max(floor);
        self.next_id = id + 1;
        id
    }

    /// A domain that exists (not deleted).
    pub fn live(&self, name: &str) -> Option<&BsDomain> {
        self.domains.get(name).filter(|d| !d.deleted)
    }

    pub fn live_count(&self) -> usize {
        self.domains.values().filter(|d| !d.deleted).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn status_is_lazy() {
        let t0 = Utc::now();
        let mut d = BsDomain {
            id: 1,
            name: "a.com".into(),
            kind: "page".into(),
            cname: cname_for("a.com"),
            created: t0,
            modified: t0,
            deploying_until: t0 + TimeDelta::seconds(1),
            suspended: false,
            deleted: false,
            config: Map::new(),
        };
        assert_eq!(d.status(t0), "deploying");
        assert_eq!(d.status(t0 + TimeDelta::seconds(1)), "serving");
        d.suspended = true;
        assert_eq!(d.status(t0 + TimeDelta::seconds(1)), "suspend");
        d.deleted = true;
        assert_eq!(d.status(t0), "deleted");
        assert_eq!(d.cname, "a.com.bsgslb.cn");
        assert_eq!(cname_for("*.b.com"), "all.b.com.bsgslb.cn");
    }

    #[test]
    fn ids_increase_and_old_files_load() {
        let w: BaishanWorld = serde_json::from_str("{}").unwrap();
        assert_eq!(w, BaishanWorld::default());
        let mut w = BaishanWorld::default();
        assert_eq!(w.new_id(), 100_001);
        assert_eq!(w.new_id(), 100_002);
    }
}
