//! A client-side call limit as a sliding window: the start times of the
//! last N calls, so that no period of the window's length holds more than N
//! starts (a token bucket would let 2N through in one window: a full
//! bucket, then its refill — which a server counting per window refuses).
//! Shared by the vendors' clients (Baishan's per-token and config limits,
//! Alibaba's per-action call limits).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// At most `calls` calls in any period of length `per`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub calls: usize,
    pub per: Duration,
}

/// Kept between a call and the one a whole limit later, beyond the window's
/// length. A server counts its window from when the first call *arrives*;
/// a later call can arrive sooner after it was sent than that first one did
/// (which, say, opened the connection), so calls sent exactly one window
/// apart can land in the same server window and be refused, each refusal
/// costing a retry-after wait of whole seconds (measured by `cdnform
/// bench`). 2% of the window, at most 100 ms.
pub fn margin(per: Duration) -> Duration {
    (per / 50).min(Duration::from_millis(100))
}

/// One limit: the start times booked in the current window, in order.
#[derive(Debug)]
pub struct Window {
    pub limit: Limit,
    booked: VecDeque<Instant>,
    /// The server said the window is used up: nothing before this.
    blocked_until: Option<Instant>,
}

impl Window {
    pub fn new(limit: Limit) -> Window {
        Window {
            limit,
            booked: VecDeque::new(),
            blocked_until: None,
        }
    }

    /// Book the earliest start at or after `now` that keeps every period
    /// of length `per` (plus `margin`) at `calls` or fewer. Bookings are
    /// made in order and never earlier than the previous one, so the queue
    /// stays sorted.
    pub fn reserve(&mut self, now: Instant) -> Instant {
        let per = self.limit.per;
        while self
            .booked
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= per)
        {
            self.booked.pop_front();
        }
        let mut at = now;
        let n = self.limit.calls.max(1);
        if self.booked.len() >= n {
            // The call n places back must be a whole period behind.
            at = at.max(self.booked[self.booked.len() - n] + per + margin(per));
        }
        if let Some(b) = self.blocked_until {
            at = at.max(b);
        }
        if let Some(last) = self.booked.back() {
            at = at.max(*last);
        }
        self.booked.push_back(at);
        // Keep only what can still matter.
        while self.booked.len() > n {
            self.booked.pop_front();
        }
        at
    }

    /// Nothing starts before `until` (the server said the window is used up).
    pub fn block(&mut self, until: Instant) {
        self.blocked_until = Some(self.blocked_until.map_or(until, |b| b.max(until)));
    }
}
