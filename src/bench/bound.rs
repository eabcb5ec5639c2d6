//! The lower bound the vendor APIs allow for a run: the calls it made, each
//! taking the round-trip latency, `parallelism` at a time; or, when larger,
//! the time the vendor's rate limits need to admit them.

use std::collections::BTreeMap;
use std::time::Duration;

/// One rate limit: at most `calls` in any `window`, of one call (an action
/// or `METHOD /path`) or, with `only` unset, of every call.
#[derive(Clone, Debug)]
pub struct RateLimit {
    pub name: String,
    pub calls: u32,
    pub window: Duration,
    pub only: Option<String>,
}

/// What bounds a run from below, and by how much.
#[derive(Clone, Debug, PartialEq)]
pub struct Bound {
    pub seconds: f64,
    /// `concurrency`, or the name of the binding rate limit.
    pub by: String,
}

/// Calls of `limit` need `ceil(n / calls) - 1` whole windows before the
/// last one can start, and the last takes one round trip.
fn window_bound(n: usize, limit: &RateLimit, latency: Duration) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let windows = n.div_ceil(limit.calls.max(1) as usize) - 1;
    windows as f64 * limit.window.as_secs_f64() + latency.as_secs_f64()
}

/// The larger of the concurrency bound (`ceil(calls / parallelism)` round
/// trips) and every rate limit's bound.
pub fn lower_bound(
    counts: &BTreeMap<String, usize>,
    latency: Duration,
    parallelism: usize,
    limits: &[RateLimit],
) -> Bound {
    let total: usize = counts.values().sum();
    let mut best = Bound {
        seconds: total.div_ceil(parallelism.max(1)) as f64 * latency.as_secs_f64(),
        by: "concurrency".into(),
    };
    for limit in limits {
        let n: usize = counts
            .iter()
            .filter(|(call, _)| limit.only.as_ref().is_none_or(|only| only == *call))
            .map(|(_, n)| *n)
            .sum();
        let seconds = window_bound(n, limit, latency);
        if seconds > best.seconds {
            best = Bound {
                seconds,
                by: limit.name.clone(),
            };
        }
    }
    best
}

/// A limit on one call.
pub fn on_call(call: &str, calls: u32, window: Duration) -> RateLimit {
    RateLimit {
        name: format!("{call} {calls}/{}", per(window)),
        calls,
        window,
        only: Some(call.to_string()),
    }
}

/// A limit on every call.
pub fn on_all(name: &str, calls: u32, window: Duration) -> RateLimit {
    RateLimit {
        name: format!("{name} {calls}/{}", per(window)),
        calls,
        window,
        only: None,
    }
}

fn per(window: Duration) -> String {
    match window.as_secs() {
        1 => "s".into(),
        60 => "min".into(),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(list: &[(&str, usize)]) -> BTreeMap<String, usize> {
        list.iter().map(|(c, n)| (c.to_string(), *n)).collect()
    }

    #[test]
    fn concurrency_bound_without_limits() {
        let b = lower_bound(
            &counts(&[("GET /a", 1000), ("PUT /b", 1000)]),
            Duration::from_millis(20),
            10,
            &[],
        );
        assert_eq!(b.by, "concurrency");
        assert!((b.seconds - 4.0).abs() < 1e-9);
    }

    #[test]
    fn a_rate_limit_binds_when_larger() {
        let limits = [on_call(
            "DescribeCdnDomainDetail",
            30,
            Duration::from_secs(1),
        )];
        let b = lower_bound(
            &counts(&[("DescribeCdnDomainDetail", 1000), ("Other", 10)]),
            Duration::from_millis(20),
            10,
            &limits,
        );
        // 34 windows: 33 whole seconds, then one round trip.
        assert_eq!(b.by, "DescribeCdnDomainDetail 30/s");
        assert!((b.seconds - 33.02).abs() < 1e-9);
        // 30 calls fit in the first window.
        let b = lower_bound(
            &counts(&[("DescribeCdnDomainDetail", 30)]),
            Duration::from_millis(20),
            1,
            &limits,
        );
        assert_eq!(b.by, "concurrency");
        assert!((b.seconds - 0.6).abs() < 1e-9);
    }

    #[test]
    fn a_limit_on_every_call_counts_them_all() {
        let limits = [on_all("per token", 24, Duration::from_secs(2))];
        let b = lower_bound(
            &counts(&[("GET /v2/domain", 50), ("GET /v2/domain/config", 50)]),
            Duration::from_millis(20),
            10,
            &limits,
        );
        assert_eq!(b.by, "per token 24/2s");
        assert!((b.seconds - 8.02).abs() < 1e-9);
    }
}
