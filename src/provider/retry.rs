//! Retry with exponential backoff and full jitter, shared by every vendor
//! client: how long to wait after a failed attempt (a pure computation) and
//! an async loop that retries only retryable errors within a bounded budget.

use super::{CallObserver, ProviderError};
use std::future::Future;
use std::time::{Duration, Instant};

/// How often and how long to retry a failed call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// Ceiling of the first wait; doubles with every further attempt.
    pub base_delay: Duration,
    /// No single wait is longer than this (a server's Retry-After excepted).
    pub max_delay: Duration,
    /// No retry is started once this much time has passed since the first
    /// attempt, or when its wait would end after it.
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_total: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// A policy that makes one attempt and never retries.
    pub fn never() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Upper bound of the wait after failed attempt number `attempt`
    /// (1-based): `base_delay * 2^(attempt-1)`, capped at `max_delay`.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }

    /// The wait after failed attempt `attempt` that failed with `error`, with
    /// `elapsed` time spent since the first attempt, or `None` to give up.
    /// `jitter` in `[0, 1]` picks the wait within `[0, ceiling]` ("full
    /// jitter", so that many clients throttled together spread out). A
    /// server's `retry_after` is a floor: waiting less would be refused again.
    pub fn delay(
        &self,
        attempt: u32,
        error: &ProviderError,
        elapsed: Duration,
        jitter: f64,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let jittered = self.ceiling(attempt).mul_f64(jitter.clamp(0.0, 1.0));
        let wait = match error.retry_after {
            Some(floor) => jittered.max(floor),
            None => jittered,
        };
        if elapsed.saturating_add(wait) > self.max_total {
            return None;
        }
        Some(wait)
    }
}

/// Run `op` until it succeeds, fails with an error that is not
/// [`ErrorKind::is_retryable`](super::ErrorKind::is_retryable), or the
/// policy gives up; each retry is reported to `observer` with its wait.
pub async fn retry<T, F, Fut>(
    policy: &RetryPolicy,
    observer: Option<&dyn CallObserver>,
    op: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
{
    retry_if(policy, observer, |e| e.kind.is_retryable(), op).await
}

/// [`retry`] with the caller's own test of which errors are worth retrying
/// (an idempotent write may also retry a lost answer).
pub async fn retry_if<T, F, Fut, P>(
    policy: &RetryPolicy,
    observer: Option<&dyn CallObserver>,
    should_retry: P,
    op: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
    P: Fn(&ProviderError) -> bool,
{
    retry_with(
        policy,
        observer,
        should_retry,
        tokio::time::sleep,
        rand::random::<f64>,
        op,
    )
    .await
}

/// The retry loop with its clock's sleep and its jitter source injected, so
/// that tests run without waiting.
pub async fn retry_with<T, F, Fut, P, S, SF, J>(
    policy: &RetryPolicy,
    observer: Option<&dyn CallObserver>,
    should_retry: P,
    sleep: S,
    mut jitter: J,
    mut op: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
    P: Fn(&ProviderError) -> bool,
    S: Fn(Duration) -> SF,
    SF: Future<Output = ()>,
    J: FnMut() -> f64,
{
    let started = Instant::now();
    // Time slept so far, counted apart so that an injected sleep that
    // returns at once still uses up the budget.
    let mut slept = Duration::ZERO;
    let mut attempt = 1;
    loop {
        let error = match op().await {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        if !should_retry(&error) {
            return Err(error);
        }
        let elapsed = started.elapsed().max(slept);
        let Some(wait) = policy.delay(attempt, &error, elapsed, jitter()) else {
            return Err(error);
        };
        if let Some(o) = observer {
            o.on_retry(error.vendor, &error.action, &error, wait);
        }
        sleep(wait).await;
        slept += wait;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::ErrorKind;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::{Arc, Mutex};

    fn err(kind: ErrorKind) -> ProviderError {
        ProviderError::new("test", "Act", kind, "boom")
    }

    fn policy() -> RetryPolicy {
        RetryPolicy::default()
    }

    #[test]
    fn ceiling_doubles_and_caps() {
        let p = policy();
        assert_eq!(p.ceiling(1), Duration::from_millis(200));
        assert_eq!(p.ceiling(2), Duration::from_millis(400));
        assert_eq!(p.ceiling(3), Duration::from_millis(800));
        assert_eq!(p.ceiling(7), Duration::from_secs(10));
        assert_eq!(p.ceiling(64), Duration::from_secs(10));
    }

    #[test]
    fn full_jitter_spans_zero_to_ceiling() {
        let p = policy();
        let e = err(ErrorKind::Server);
        assert_eq!(p.delay(2, &e, Duration::ZERO, 0.0), Some(Duration::ZERO));
        assert_eq!(
            p.delay(2, &e, Duration::ZERO, 1.0),
            Some(Duration::from_millis(400))
        );
        assert_eq!(
            p.delay(2, &e, Duration::ZERO, 0.5),
            Some(Duration::from_millis(200))
        );
    }

    #[test]
    fn gives_up_after_max_attempts() {
        let p = policy();
        let e = err(ErrorKind::Server);
        assert!(p.delay(5, &e, Duration::ZERO, 1.0).is_some());
        assert_eq!(p.delay(6, &e, Duration::ZERO, 1.0), None);
        assert_eq!(RetryPolicy::never().delay(1, &e, Duration::ZERO, 0.0), None);
    }

    #[test]
    fn retry_after_is_a_floor() {
        let p = policy();
        let mut e = err(ErrorKind::Throttled);
        e.retry_after = Some(Duration::from_secs(3));
        assert_eq!(
            p.delay(1, &e, Duration::ZERO, 1.0),
            Some(Duration::from_secs(3))
        );
    }

    #[test]
    fn total_budget_is_bounded() {
        let p = policy();
        let e = err(ErrorKind::Server);
        assert_eq!(p.delay(1, &e, Duration::from_secs(121), 0.0), None);
        // A wait that would end past the budget is not started either.
        let mut slow = err(ErrorKind::Throttled);
        slow.retry_after = Some(Duration::from_secs(30));
        assert_eq!(p.delay(1, &slow, Duration::from_secs(100), 0.0), None);
        assert!(p.delay(1, &slow, Duration::from_secs(80), 0.0).is_some());
    }

    #[derive(Default)]
    struct Recorder(Mutex<Vec<(String, Duration)>>);
    impl CallObserver for Recorder {
        fn on_call(&self, _: &str, _: &str) {}
        fn on_retry(&self, vendor: &str, action: &str, _: &ProviderError, wait: Duration) {
            self.0
                .lock()
                .unwrap()
                .push((format!("{vendor}/{action}"), wait));
        }
    }

    /// Runs the loop with a sleep that only records, and jitter 1.0.
    async fn run(
        p: &RetryPolicy,
        fail: Vec<ErrorKind>,
        obs: &Recorder,
    ) -> (Result<u32, ProviderError>, u32, Vec<Duration>) {
        let calls = AtomicU32::new(0);
        let slept = Arc::new(Mutex::new(Vec::new()));
        let fail = Arc::new(fail);
        let s2 = slept.clone();
        let r = retry_with(
            p,
            Some(obs),
            |e| e.kind.is_retryable(),
            move |d| {
                s2.lock().unwrap().push(d);
                std::future::ready(())
            },
            || 1.0,
            || {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                let fail = fail.clone();
                async move {
                    match fail.get(n as usize) {
                        Some(k) => Err(err(*k)),
                        None => Ok(n + 1),
                    }
                }
            },
        )
        .await;
        let v = slept.lock().unwrap().clone();
        (r, calls.load(Ordering::SeqCst), v)
    }

    #[tokio::test]
    async fn retries_retryable_then_succeeds() {
        let obs = Recorder::default();
        let (r, calls, slept) = run(
            &policy(),
            vec![
                ErrorKind::Throttled,
                ErrorKind::Server,
                ErrorKind::Transport,
            ],
            &obs,
        )
        .await;
        assert_eq!(r.unwrap(), 4);
        assert_eq!(calls, 4);
        let ms = |n| Duration::from_millis(n);
        assert_eq!(slept, vec![ms(200), ms(400), ms(800)]);
        let seen = obs.0.lock().unwrap();
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[0].0, "test/Act");
    }

    #[tokio::test]
    async fn does_not_retry_final_errors() {
        for kind in [
            ErrorKind::Auth,
            ErrorKind::Invalid,
            ErrorKind::NotFound,
            ErrorKind::OutcomeUnknown,
            ErrorKind::Quota,
        ] {
            let obs = Recorder::default();
            let (r, calls, slept) = run(&policy(), vec![kind], &obs).await;
            assert_eq!(r.unwrap_err().kind, kind);
            assert_eq!(calls, 1);
            assert!(slept.is_empty());
        }
    }

    #[tokio::test]
    async fn stops_at_max_attempts() {
        let obs = Recorder::default();
        let (r, calls, slept) = run(&policy(), vec![ErrorKind::Busy; 10], &obs).await;
        assert_eq!(r.unwrap_err().kind, ErrorKind::Busy);
        assert_eq!(calls, 6);
        assert_eq!(slept.len(), 5);
    }

    #[tokio::test]
    async fn slept_time_counts_against_the_budget() {
        let p = RetryPolicy {
            max_attempts: 100,
            max_total: Duration::from_secs(20),
            ..policy()
        };
        let obs = Recorder::default();
        let (r, _calls, slept) = run(&p, vec![ErrorKind::Server; 100], &obs).await;
        assert!(r.is_err());
        let total: Duration = slept.iter().sum();
        assert!(total <= Duration::from_secs(20), "{total:?}");
        // 0.2 + 0.4 + 0.8 + 1.6 + 3.2 + 6.4 = 12.6 s; the next 10 s would pass 20 s.
        assert_eq!(slept.len(), 6);
    }
}
