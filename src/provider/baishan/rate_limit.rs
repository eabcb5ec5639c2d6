//! Client-side rate limiting for Baishan, as pure arithmetic over explicit
//! instants: a sliding window per limit (24 calls per 2 s per token; 30
//! config writes per minute), and the server's `X-Ratelimit-Remaining` /
//! `X-Retry-After` answer headers, which hold a class of calls back until
//! the server's window has passed.
//!
//! A sliding window (the start times of the last N calls) rather than a
//! token bucket: a bucket of N tokens refilled at N per window lets 2N calls
//! through in one window (a full bucket, then its refill), which a server
//! counting per window would refuse.

pub use crate::provider::window::Limit;
use crate::provider::window::Window;
use std::time::{Duration, Instant};

/// The limits the client keeps to. Defaults: Baishan's documented ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimits {
    /// Every call of one token.
    pub general: Limit,
    /// `POST /domain/config` (and the other configuration writes).
    pub config: Limit,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            general: Limit {
                calls: 24,
                per: Duration::from_secs(2),
            },
            config: Limit {
                calls: 30,
                per: Duration::from_secs(60),
            },
        }
    }
}

/// Which limits a call counts against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// The per-token limit only.
    General,
    /// The configuration-write limit, then the per-token limit.
    Config,
}

/// The rate-limit headers of one answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RateHeaders {
    pub remaining: Option<u64>,
    /// `X-Retry-After`: seconds until the server's window resets (MODELLED:
    /// sent on every answer, as in the seed's example, and on a 429).
    pub retry_after: Option<Duration>,
    /// `X-Ratelimit-Grad`: the window's unit (`second`, `minute`...).
    pub grad: Option<String>,
}

impl RateHeaders {
    pub fn from_headers(h: &reqwest::header::HeaderMap) -> RateHeaders {
        let get = |name: &str| {
            h.get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
        };
        RateHeaders {
            remaining: get("x-ratelimit-remaining").and_then(|v| v.parse().ok()),
            retry_after: get("x-retry-after")
                .or_else(|| get("retry-after"))
                .and_then(|v| v.parse::<u64>().ok())
                .map(Duration::from_secs),
            grad: get("x-ratelimit-grad"),
        }
    }

    /// The length of the server's window, from `X-Ratelimit-Grad`.
    pub fn grad_period(&self) -> Option<Duration> {
        match self.grad.as_deref()?.to_ascii_lowercase().as_str() {
            "second" | "sec" | "s" => Some(Duration::from_secs(1)),
            "minute" | "min" | "m" => Some(Duration::from_secs(60)),
            "hour" | "h" => Some(Duration::from_secs(3600)),
            "day" | "d" => Some(Duration::from_secs(86400)),
            _ => None,
        }
    }
}

/// The limits of one provider, shared by all its calls.
#[derive(Debug)]
pub struct Limiter {
    general: Window,
    config: Window,
}

impl Limiter {
    pub fn new(limits: RateLimits) -> Limiter {
        Limiter {
            general: Window::new(limits.general),
            config: Window::new(limits.config),
        }
    }

    /// Book a start in `window` at or after `now`; the caller waits until
    /// it. A config call books its config slot, waits, then books a
    /// general slot (two steps, so that a config write held back for a
    /// minute never holds the reads queued behind it).
    pub fn reserve(&mut self, window: Class, now: Instant) -> Instant {
        match window {
            Class::General => self.general.reserve(now),
            Class::Config => self.config.reserve(now),
        }
    }

    /// Take note of an answer's headers to a call of `class`, received at
    /// `now`. When no call remains, calls of that class wait until the
    /// server's window has passed (`X-Retry-After`, else the window's
    /// length). MODELLED: the headers on a config write's answer describe
    /// the config limit; on any other answer the per-token limit.
    pub fn observe(&mut self, class: Class, now: Instant, headers: &RateHeaders) {
        if headers.remaining == Some(0) {
            let wait = headers
                .retry_after
                .or_else(|| headers.grad_period())
                .unwrap_or(self.window(class).limit.per);
            self.block(class, now + wait);
        }
    }

    /// Hold calls of `class` until `until` (a 429's `X-Retry-After`).
    pub fn block(&mut self, class: Class, until: Instant) {
        match class {
            Class::General => self.general.block(until),
            Class::Config => self.config.block(until),
        }
    }

    fn window(&self, class: Class) -> &Window {
        match class {
            Class::General => &self.general,
            Class::Config => &self.config,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    /// At most `limit.calls` of `starts` in any period of `limit.per`.
    fn within(starts: &[Instant], limit: Limit) -> bool {
        starts.iter().all(|s| {
            starts
                .iter()
                .filter(|t| **t >= *s && **t - *s < limit.per)
                .count()
                <= limit.calls
        })
    }

    #[test]
    fn no_more_than_n_calls_in_any_window() {
        let limits = RateLimits::default();
        let mut l = Limiter::new(limits);
        let t0 = Instant::now();
        // 100 calls asked for at once, then some more spread out.
        let mut starts: Vec<Instant> = (0..100).map(|_| l.reserve(Class::General, t0)).collect();
        for i in 0..50 {
            starts.push(l.reserve(Class::General, t0 + secs(i as f64 * 0.05)));
        }
        assert!(within(&starts, limits.general));
        assert_eq!(starts[23], t0);
        // A window and its margin (40 ms of 2 s) apart.
        assert_eq!(starts[24], t0 + secs(2.04));
        assert_eq!(starts[48], t0 + secs(4.08));
        // The queue never goes back in time.
        assert!(starts.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn config_writes_thirty_a_minute() {
        let limits = RateLimits::default();
        let mut l = Limiter::new(limits);
        let t0 = Instant::now();
        let starts: Vec<Instant> = (0..65).map(|_| l.reserve(Class::Config, t0)).collect();
        assert!(within(&starts, limits.config));
        assert_eq!(starts[29], t0);
        // The margin is at most 100 ms.
        assert_eq!(starts[30], t0 + secs(60.1));
        assert_eq!(starts[64], t0 + secs(120.2));
    }

    #[test]
    fn old_calls_leave_the_window() {
        let mut l = Limiter::new(RateLimits {
            general: Limit {
                calls: 2,
                per: secs(1.0),
            },
            ..RateLimits::default()
        });
        let t0 = Instant::now();
        assert_eq!(l.reserve(Class::General, t0), t0);
        assert_eq!(l.reserve(Class::General, t0 + secs(0.5)), t0 + secs(0.5));
        assert_eq!(l.reserve(Class::General, t0 + secs(0.6)), t0 + secs(1.02));
        assert_eq!(l.reserve(Class::General, t0 + secs(5.0)), t0 + secs(5.0));
    }

    #[test]
    fn remaining_zero_holds_the_class_back() {
        let mut l = Limiter::new(RateLimits::default());
        let t0 = Instant::now();
        let h = RateHeaders {
            remaining: Some(0),
            retry_after: Some(secs(43.0)),
            grad: Some("minute".into()),
        };
        l.observe(Class::Config, t0, &h);
        assert_eq!(l.reserve(Class::Config, t0), t0 + secs(43.0));
        // Reads are not held back by the config limit.
        assert_eq!(l.reserve(Class::General, t0), t0);
        // Without X-Retry-After: the grad's period.
        let h = RateHeaders {
            remaining: Some(0),
            retry_after: None,
            grad: Some("second".into()),
        };
        l.observe(Class::General, t0, &h);
        assert_eq!(l.reserve(Class::General, t0), t0 + secs(1.0));
        // Calls remaining: nothing changes.
        let mut l = Limiter::new(RateLimits::default());
        let h = RateHeaders {
            remaining: Some(29),
            retry_after: Some(secs(43.0)),
            grad: None,
        };
        l.observe(Class::Config, t0, &h);
        assert_eq!(l.reserve(Class::Config, t0), t0);
    }

    #[test]
    fn headers_parse() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("X-Ratelimit-Grad", "minute".parse().unwrap());
        h.insert("X-Ratelimit-Remaining", "0".parse().unwrap());
        h.insert("X-Retry-After", " 43 ".parse().unwrap());
        let r = RateHeaders::from_headers(&h);
        assert_eq!(r.remaining, Some(0));
        assert_eq!(r.retry_after, Some(secs(43.0)));
        assert_eq!(r.grad_period(), Some(secs(60.0)));
        assert_eq!(
            RateHeaders::from_headers(&reqwest::header::HeaderMap::new()),
            RateHeaders::default()
        );
    }
}
