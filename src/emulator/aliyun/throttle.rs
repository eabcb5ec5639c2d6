//! Alibaba's per-account call limits, per action (API-NOTES' quota tables): past the limit a
//! call is answered `Throttling` with HTTP 503 (the status the 2014 seed's refresh tables
//! give) and does nothing.
//!
//! MODELLED: the emulated world is one account, so every AccessKeyId shares the limits; each
//! limit is a fixed window of `window` (one second by default, `emulator::window`); a refused
//! call uses nothing of the window, but still counts in `EmulatorHandle::aliyun_calls`.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::errors::AliError;
use crate::emulator::window::{current, Window};

/// Per-action call limits of the emulated Alibaba account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliyunLimits {
    /// Calls admitted per `window`, by `Action`. An action that is not listed is not limited.
    pub per_action: BTreeMap<String, u32>,
    pub window: Duration,
}

impl Default for AliyunLimits {
    /// API-NOTES' per-account limits, per second: `BatchSetCdnDomainConfig` 3,
    /// `DescribeCdnDomainConfigs` 100, `DescribeCdnDomainDetail` 30, `AddCdnDomain` 30,
    /// `StartCdnDomain` 99, `RefreshObjectCaches` 50, `PushObjectCache` 50,
    /// `DescribeCdnUserQuota` 30.
    fn default() -> Self {
        let per_action = [
            ("BatchSetCdnDomainConfig", 3),
            ("DescribeCdnDomainConfigs", 100),
            ("DescribeCdnDomainDetail", 30),
            ("AddCdnDomain", 30),
            ("StartCdnDomain", 99),
            ("RefreshObjectCaches", 50),
            ("PushObjectCache", 50),
            ("DescribeCdnUserQuota", 30),
        ]
        .into_iter()
        .map(|(a, n)| (a.to_string(), n))
        .collect();
        AliyunLimits {
            per_action,
            window: Duration::from_secs(1),
        }
    }
}

impl AliyunLimits {
    /// No limit on any action (for tests that are not about limits).
    pub fn unlimited() -> Self {
        AliyunLimits {
            per_action: BTreeMap::new(),
            window: Duration::from_secs(1),
        }
    }
}

/// The open window of every limited action.
#[derive(Debug, Default)]
pub struct CallLimiter {
    windows: HashMap<String, Window>,
}

impl CallLimiter {
    /// Admits (and counts) one call of `action` at `now`, or refuses it with `Throttling`.
    pub fn admit(
        &mut self,
        limits: &AliyunLimits,
        action: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AliError> {
        let Some(&limit) = limits.per_action.get(action) else {
            return Ok(());
        };
        let w = current(&mut self.windows, action, limits.window, now);
        if w.used >= limit {
            return Err(AliError::throttling());
        }
        w.used += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn t(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap() + TimeDelta::milliseconds(ms)
    }

    #[test]
    fn documented_limits_per_action_and_window() {
        let l = AliyunLimits::default();
        assert_eq!(l.per_action["BatchSetCdnDomainConfig"], 3);
        assert_eq!(l.per_action["RefreshObjectCaches"], 50);
        let mut c = CallLimiter::default();
        for _ in 0..3 {
            c.admit(&l, "BatchSetCdnDomainConfig", t(0)).unwrap();
        }
        let e = c.admit(&l, "BatchSetCdnDomainConfig", t(900)).unwrap_err();
        assert_eq!((e.status, e.code.as_str()), (503, "Throttling"));
        // Other actions have their own windows; unlisted ones are free.
        c.admit(&l, "DescribeCdnDomainDetail", t(900)).unwrap();
        for _ in 0..1000 {
            c.admit(&l, "DescribeUserDomains", t(900)).unwrap();
        }
        // A second after the window opened it admits again.
        c.admit(&l, "BatchSetCdnDomainConfig", t(1000)).unwrap();
    }

    #[test]
    fn unlimited_admits_everything() {
        let l = AliyunLimits::unlimited();
        let mut c = CallLimiter::default();
        for _ in 0..100 {
            c.admit(&l, "BatchSetCdnDomainConfig", t(0)).unwrap();
        }
    }
}
