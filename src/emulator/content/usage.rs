//! What has been used today of each daily content quota. A new UTC day starts from zero
//! (API-NOTES: quotas are per day; MODELLED: the day turns at 00:00 UTC).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{ContentKind, DailyQuotas};

/// A quota that a call would go past: its kind, limit and what remained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverQuota {
    pub kind: ContentKind,
    pub limit: u64,
    pub remaining: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyUsage {
    /// The UTC day `used` counts; `None` before the first use.
    #[serde(default)]
    pub day: Option<NaiveDate>,
    #[serde(default)]
    pub used: BTreeMap<ContentKind, u64>,
}

impl DailyUsage {
    /// What was used of `kind` on the day of `now`.
    pub fn used(&self, kind: ContentKind, now: DateTime<Utc>) -> u64 {
        if self.day == Some(now.date_naive()) {
            self.used.get(&kind).copied().unwrap_or(0)
        } else {
            0
        }
    }

    pub fn remaining(&self, quotas: &DailyQuotas, kind: ContentKind, now: DateTime<Utc>) -> u64 {
        quotas.limit(kind).saturating_sub(self.used(kind, now))
    }

    /// Counts `n` of `kind` when they fit in what remains today; otherwise counts nothing.
    pub fn charge(
        &mut self,
        quotas: &DailyQuotas,
        kind: ContentKind,
        n: u64,
        now: DateTime<Utc>,
    ) -> Result<(), OverQuota> {
        let remaining = self.remaining(quotas, kind, now);
        if n > remaining {
            return Err(OverQuota {
                kind,
                limit: quotas.limit(kind),
                remaining,
            });
        }
        let used = self.used(kind, now) + n;
        self.set_used(kind, used, now);
        Ok(())
    }

    /// Sets today's use of `kind` (a new day first forgets the old one's).
    pub fn set_used(&mut self, kind: ContentKind, used: u64, now: DateTime<Utc>) {
        let today = now.date_naive();
        if self.day != Some(today) {
            self.day = Some(today);
            self.used.clear();
        }
        self.used.insert(kind, used);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn charges_until_the_limit_and_refuses_without_counting() {
        let q = DailyQuotas {
            refresh_urls: 5,
            ..DailyQuotas::aliyun()
        };
        let now = at("2024-05-01T12:00:00Z");
        let mut u = DailyUsage::default();
        u.charge(&q, ContentKind::Url, 3, now).unwrap();
        assert_eq!(u.remaining(&q, ContentKind::Url, now), 2);
        let e = u.charge(&q, ContentKind::Url, 3, now).unwrap_err();
        assert_eq!(
            e,
            OverQuota {
                kind: ContentKind::Url,
                limit: 5,
                remaining: 2
            }
        );
        assert_eq!(u.used(ContentKind::Url, now), 3);
        // Kinds are counted apart.
        assert_eq!(u.remaining(&q, ContentKind::Dir, now), 100);
        u.charge(&q, ContentKind::Url, 2, now).unwrap();
        assert_eq!(u.remaining(&q, ContentKind::Url, now), 0);
    }

    #[test]
    fn a_new_utc_day_starts_from_zero() {
        let q = DailyQuotas::aliyun();
        let late = at("2024-05-01T23:59:59Z");
        let mut u = DailyUsage::default();
        u.charge(&q, ContentKind::Dir, 100, late).unwrap();
        assert!(u.charge(&q, ContentKind::Dir, 1, late).is_err());
        let midnight = late + TimeDelta::seconds(1);
        assert_eq!(u.used(ContentKind::Dir, midnight), 0);
        u.charge(&q, ContentKind::Preload, 1, midnight).unwrap();
        assert_eq!(u.day, Some(midnight.date_naive()));
        assert_eq!(u.used.get(&ContentKind::Dir), None);
    }

    #[test]
    fn serialises_with_kind_names() {
        let mut u = DailyUsage::default();
        u.set_used(ContentKind::Regex, 4, at("2024-05-01T00:00:00Z"));
        let v = serde_json::to_value(&u).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"day": "2024-05-01", "used": {"regex": 4}})
        );
        let back: DailyUsage = serde_json::from_value(v).unwrap();
        assert_eq!(back, u);
    }
}
