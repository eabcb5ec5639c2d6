//! The CTG part of the emulated world: accelerated domains with their origins and the
//! configuration features written to them. Persisted in the data file's `ctg` section; every
//! field has a serde default so older files load.
//!
//! Status is computed from timestamps: `configuring` until `configuring_until`, then `online`
//! or `offline` (API-NOTES' three statuses).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::emulator::content::TaskBook;

/// The products of `POST /API/domain` (API-NOTES).
pub const PRODUCTS: &[&str] = &["web", "download", "video"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CtgDomain {
    pub domain: String,
    pub product: String,
    pub cname: String,
    /// The origin list, each `{address, type, port, priority, weight}` as validated.
    #[serde(default)]
    pub origin: Vec<Value>,
    /// `false` after `PUT /API/domain/disable`.
    #[serde(default = "yes")]
    pub enabled: bool,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub configuring_until: DateTime<Utc>,
    /// The features that are set, by path name (`https`, `cache_policy`, ..), each as its
    /// normalised body without `domain`. A cleared feature is absent.
    #[serde(default)]
    pub config: Map<String, Value>,
}

fn yes() -> bool {
    true
}

impl CtgDomain {
    pub fn status(&self, now: DateTime<Utc>) -> &'static str {
        if now < self.configuring_until {
            "configuring"
        } else if self.enabled {
            "online"
        } else {
            "offline"
        }
    }

    /// The entry of `GET /API/domain/list`.
    pub fn summary(&self, now: DateTime<Utc>) -> Value {
        json!({
            "domain": self.domain,
            "cname": self.cname,
            "product": self.product,
            "status": self.status(now),
        })
    }

    /// `GET /API/domain` (MODELLED): the summary with the origin list.
    pub fn detail(&self, now: DateTime<Utc>) -> Value {
        let mut v = self.summary(now);
        v["origin"] = Value::Array(self.origin.clone());
        v
    }
}

/// MODELLED: the CNAME is `<domain>.ctgcdn.esurfingcloud.com`, a wildcard `*.a.com` getting
/// `wildcard.a.com.ctgcdn.esurfingcloud.com` (the documents show none).
pub fn cname_for(domain: &str) -> String {
    match domain.strip_prefix("*.") {
        Some(rest) => format!("wildcard.{rest}.ctgcdn.esurfingcloud.com"),
        None => format!("{domain}.ctgcdn.esurfingcloud.com"),
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CtgWorld {
    /// Domains by name (deleting a domain removes it).
    #[serde(default)]
    pub domains: BTreeMap<String, CtgDomain>,
    /// Purge and prefetch tasks, their ids and today's quota usage.
    #[serde(default)]
    pub content: TaskBook,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn status_from_time_and_flag() {
        let t = Utc::now();
        let mut d = CtgDomain {
            domain: "a.com".into(),
            product: "web".into(),
            cname: cname_for("a.com"),
            origin: vec![],
            enabled: true,
            created: t,
            modified: t,
            configuring_until: t + TimeDelta::seconds(1),
            config: Map::new(),
        };
        assert_eq!(d.status(t), "configuring");
        assert_eq!(d.status(t + TimeDelta::seconds(1)), "online");
        d.enabled = false;
        assert_eq!(d.status(t + TimeDelta::seconds(1)), "offline");
        assert_eq!(
            cname_for("*.b.com"),
            "wildcard.b.com.ctgcdn.esurfingcloud.com"
        );
        let w: CtgWorld = serde_json::from_str("{}").unwrap();
        assert!(w.domains.is_empty());
    }
}
