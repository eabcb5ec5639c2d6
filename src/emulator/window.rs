//! Fixed-window call counters, keyed by caller or action: the rate limits of Baishan (per
//! token) and Alibaba (per action) are built on them.
//!
//! MODELLED (the documents give numbers, not algorithms): a window opens at the first call
//! after the previous one ended and admits `limit` calls until it ends.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

/// One open window: when it ends and how many calls it has admitted.
#[derive(Debug, Clone)]
pub struct Window {
    pub ends: DateTime<Utc>,
    pub used: u32,
}

impl Window {
    /// Whole seconds (rounded up) until the window ends.
    pub fn retry_after_secs(&self, now: DateTime<Utc>) -> u64 {
        let left_ms = (self.ends - now).num_milliseconds().max(0) as u64;
        left_ms.div_ceil(1000)
    }
}

/// The window of `key` that is open at `now` (a new one of `length` if the last has ended).
pub fn current<'a>(
    map: &'a mut HashMap<String, Window>,
    key: &str,
    length: Duration,
    now: DateTime<Utc>,
) -> &'a mut Window {
    let w = map
        .entry(key.to_string())
        .or_insert(Window { ends: now, used: 0 });
    if now >= w.ends {
        w.ends = now + TimeDelta::from_std(length).unwrap_or(TimeDelta::MAX);
        w.used = 0;
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_open_count_and_close() {
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let mut m = HashMap::new();
        current(&mut m, "k", Duration::from_millis(1500), t0).used += 1;
        let w = current(
            &mut m,
            "k",
            Duration::from_millis(1500),
            t0 + TimeDelta::milliseconds(400),
        );
        assert_eq!(
            (
                w.used,
                w.retry_after_secs(t0 + TimeDelta::milliseconds(400))
            ),
            (1, 2)
        );
        let w = current(
            &mut m,
            "k",
            Duration::from_millis(1500),
            t0 + TimeDelta::milliseconds(1500),
        );
        assert_eq!(w.used, 0);
        assert_eq!(current(&mut m, "other", Duration::from_secs(1), t0).used, 0);
    }
}
