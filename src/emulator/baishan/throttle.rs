//! Baishan rate limits: a per-token window over every request, plus a per-token window over
//! `POST /v2/domain/config`, and the `X-Ratelimit-*` headers that report them.
//!
//! The documents give the numbers (24 requests per 2 s per user; domain config 30 calls per
//! minute) and the header names with one example (`X-Ratelimit-Grad: minute`,
//! `X-Ratelimit-Limit: 50`, `X-Ratelimit-Remaining: 29`, `X-Retry-After: 43`), not their
//! exact meaning. MODELLED semantics:
//! - Each limit is a fixed window that opens at the first request after the previous window
//!   ended, and admits `limit` requests until it ends.
//! - `X-Ratelimit-Grad` names the window: `second`, `minute`, `hour` or `day` when it is
//!   exactly one of those, otherwise its length in humantime form (`2s`, `150ms`).
//! - `X-Ratelimit-Limit` is that window's limit, `X-Ratelimit-Remaining` how many more
//!   requests it admits after this one, `X-Retry-After` the whole seconds (rounded up) until
//!   it ends and admits `limit` again; 0 when no window is open.
//! - The headers describe the general window, except on `POST /v2/domain/config`, where they
//!   describe that endpoint's own window (the seed's example, on that endpoint's page, shows
//!   `Grad: minute`); on a refusal they describe the window that refused.
//! - A refused request uses up nothing. Answers that never reach the limiter (bad URL, bad
//!   token) carry the general window's limit as if nothing had been used.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::emulator::window::{current, Window};

/// Rate limits of the emulated Baishan API (small values keep tests fast).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaishanLimits {
    /// Requests per `window` per token, over all endpoints.
    pub requests_per_window: u32,
    pub window: Duration,
    /// `POST /v2/domain/config` calls per `config_window` per token.
    pub config_per_minute: u32,
    pub config_window: Duration,
}

impl Default for BaishanLimits {
    fn default() -> Self {
        BaishanLimits {
            requests_per_window: 24,
            window: Duration::from_secs(2),
            config_per_minute: 30,
            config_window: Duration::from_secs(60),
        }
    }
}

/// One window's state as reported in the headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quota {
    pub grad: String,
    pub limit: u32,
    pub remaining: u32,
    pub retry_after_secs: u64,
}

impl Quota {
    /// The general window with nothing used (for answers that never reach the limiter).
    pub fn idle(limits: &BaishanLimits) -> Self {
        Quota {
            grad: grad(limits.window),
            limit: limits.requests_per_window,
            remaining: limits.requests_per_window,
            retry_after_secs: 0,
        }
    }

    pub fn headers(&self) -> Vec<(&'static str, String)> {
        vec![
            ("X-Ratelimit-Grad", self.grad.clone()),
            ("X-Ratelimit-Limit", self.limit.to_string()),
            ("X-Ratelimit-Remaining", self.remaining.to_string()),
            ("X-Retry-After", self.retry_after_secs.to_string()),
        ]
    }
}

/// The name of a window in `X-Ratelimit-Grad`.
pub fn grad(window: Duration) -> String {
    match window.as_millis() {
        1_000 => "second".into(),
        60_000 => "minute".into(),
        3_600_000 => "hour".into(),
        86_400_000 => "day".into(),
        _ => humantime::format_duration(window).to_string(),
    }
}

/// The open windows of every token (only tokens that passed authentication get one, so the
/// maps stay as small as the configured token list).
#[derive(Debug, Default)]
pub struct Throttle {
    general: HashMap<String, Window>,
    config: HashMap<String, Window>,
}

fn quota(w: &Window, limit: u32, length: Duration, now: DateTime<Utc>) -> Quota {
    Quota {
        grad: grad(length),
        limit,
        remaining: limit.saturating_sub(w.used),
        retry_after_secs: w.retry_after_secs(now),
    }
}

impl Throttle {
    /// Admits (and counts) one request of `token` at `now`, or refuses it with the window
    /// that is exhausted. `is_config_write` adds the `POST /v2/domain/config` window.
    pub fn admit(
        &mut self,
        limits: &BaishanLimits,
        token: &str,
        is_config_write: bool,
        now: DateTime<Utc>,
    ) -> Result<Quota, Quota> {
        let general = current(&mut self.general, token, limits.window, now);
        if general.used >= limits.requests_per_window {
            return Err(quota(
                general,
                limits.requests_per_window,
                limits.window,
                now,
            ));
        }
        if is_config_write {
            let config = current(&mut self.config, token, limits.config_window, now);
            if config.used >= limits.config_per_minute {
                return Err(quota(
                    config,
                    limits.config_per_minute,
                    limits.config_window,
                    now,
                ));
            }
            config.used += 1;
        }
        let general = current(&mut self.general, token, limits.window, now);
        general.used += 1;
        if !is_config_write {
            return Ok(quota(
                general,
                limits.requests_per_window,
                limits.window,
                now,
            ));
        }
        let config = current(&mut self.config, token, limits.config_window, now);
        Ok(quota(
            config,
            limits.config_per_minute,
            limits.config_window,
            now,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn limits(n: u32, ms: u64, c: u32, cms: u64) -> BaishanLimits {
        BaishanLimits {
            requests_per_window: n,
            window: Duration::from_millis(ms),
            config_per_minute: c,
            config_window: Duration::from_millis(cms),
        }
    }

    fn t(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap() + TimeDelta::milliseconds(ms)
    }

    #[test]
    fn grad_names() {
        assert_eq!(grad(Duration::from_secs(60)), "minute");
        assert_eq!(grad(Duration::from_secs(1)), "second");
        assert_eq!(grad(Duration::from_secs(2)), "2s");
        assert_eq!(grad(Duration::from_millis(150)), "150ms");
    }

    #[test]
    fn general_window_counts_refuses_and_resets() {
        let l = limits(2, 2000, 30, 60_000);
        let mut th = Throttle::default();
        let q = th.admit(&l, "tk", false, t(0)).unwrap();
        assert_eq!((q.limit, q.remaining, q.retry_after_secs), (2, 1, 2));
        assert_eq!(q.grad, "2s");
        let q = th.admit(&l, "tk", false, t(500)).unwrap();
        assert_eq!((q.remaining, q.retry_after_secs), (0, 2));
        let q = th.admit(&l, "tk", false, t(1500)).unwrap_err();
        assert_eq!((q.remaining, q.retry_after_secs), (0, 1));
        // Another token has its own window.
        assert!(th.admit(&l, "other", false, t(1500)).is_ok());
        // The window ends 2 s after it opened.
        let q = th.admit(&l, "tk", false, t(2000)).unwrap();
        assert_eq!((q.remaining, q.retry_after_secs), (1, 2));
    }

    #[test]
    fn config_window_is_reported_and_refusals_use_nothing() {
        let l = limits(5, 1000, 2, 60_000);
        let mut th = Throttle::default();
        let q = th.admit(&l, "tk", true, t(0)).unwrap();
        assert_eq!((q.grad.as_str(), q.limit, q.remaining), ("minute", 2, 1));
        assert_eq!(q.retry_after_secs, 60);
        th.admit(&l, "tk", true, t(10)).unwrap();
        let q = th.admit(&l, "tk", true, t(20)).unwrap_err();
        assert_eq!(
            (q.grad.as_str(), q.remaining, q.retry_after_secs),
            ("minute", 0, 60)
        );
        // The refused config write did not use the general window: 3 of 5 remain.
        let q = th.admit(&l, "tk", false, t(30)).unwrap();
        assert_eq!((q.limit, q.remaining), (5, 2));
        // Other endpoints go on under the general window.
        th.admit(&l, "tk", false, t(40)).unwrap();
        let q = th.admit(&l, "tk", false, t(50)).unwrap();
        assert_eq!(q.remaining, 0);
        let q = th.admit(&l, "tk", false, t(60)).unwrap_err();
        assert_eq!((q.grad.as_str(), q.retry_after_secs), ("second", 1));
        // After a minute the config window admits again.
        let q = th.admit(&l, "tk", true, t(60_000)).unwrap();
        assert_eq!((q.grad.as_str(), q.remaining), ("minute", 1));
    }

    #[test]
    fn idle_quota_and_headers() {
        let q = Quota::idle(&BaishanLimits::default());
        let h = q.headers();
        assert_eq!(
            h,
            vec![
                ("X-Ratelimit-Grad", "2s".to_string()),
                ("X-Ratelimit-Limit", "24".to_string()),
                ("X-Ratelimit-Remaining", "24".to_string()),
                ("X-Retry-After", "0".to_string()),
            ]
        );
    }
}
