//! Creating a domain without ever creating it twice, shared by every vendor's
//! create path. A create is the one write that must not be blindly repeated:
//! when an attempt's outcome is unknown (a lost answer, a server error that
//! may have come after the work), the domain is read before any further
//! attempt, and "already exists" after such an attempt is our own earlier
//! success. Every unknown outcome is resolved this way, not just the first.

use super::retry::RetryPolicy;
use super::{CallObserver, ErrorKind, ProviderError};
use std::future::Future;
use std::time::{Duration, Instant};

/// Runs `attempt` (one create call, never retried inside) until it succeeds
/// or fails for good; `exists` reads whether the domain is there. Retryable
/// failures are retried under `policy`, reported to `observer`.
pub async fn create<A, AF, E, EF>(
    policy: &RetryPolicy,
    observer: Option<&dyn CallObserver>,
    attempt: A,
    exists: E,
) -> Result<(), ProviderError>
where
    A: FnMut() -> AF,
    AF: Future<Output = Result<(), ProviderError>>,
    E: FnMut() -> EF,
    EF: Future<Output = Result<bool, ProviderError>>,
{
    create_with(
        policy,
        observer,
        tokio::time::sleep,
        rand::random::<f64>,
        attempt,
        exists,
    )
    .await
}

/// [`create`] with its sleep and jitter injected (tests).
pub async fn create_with<A, AF, E, EF, S, SF, J>(
    policy: &RetryPolicy,
    observer: Option<&dyn CallObserver>,
    sleep: S,
    mut jitter: J,
    mut attempt: A,
    mut exists: E,
) -> Result<(), ProviderError>
where
    A: FnMut() -> AF,
    AF: Future<Output = Result<(), ProviderError>>,
    E: FnMut() -> EF,
    EF: Future<Output = Result<bool, ProviderError>>,
    S: Fn(Duration) -> SF,
    SF: Future<Output = ()>,
    J: FnMut() -> f64,
{
    let started = Instant::now();
    let mut slept = Duration::ZERO;
    // Some earlier attempt may have created the domain.
    let mut maybe_created = false;
    let mut n = 1;
    loop {
        let error = match attempt().await {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        if error.kind == ErrorKind::AlreadyExists && maybe_created {
            return Ok(());
        }
        if matches!(error.kind, ErrorKind::OutcomeUnknown | ErrorKind::Server) {
            maybe_created = true;
            match exists().await {
                Ok(true) => return Ok(()),
                Ok(false) => {}
                // We cannot tell: say so rather than guess.
                Err(read) => return Err(unresolved(error, &read)),
            }
        } else if !error.kind.is_retryable() {
            return Err(error);
        }
        let elapsed = started.elapsed().max(slept);
        let Some(wait) = policy.delay(n, &error, elapsed, jitter()) else {
            return Err(unsettled(error, maybe_created));
        };
        if let Some(o) = observer {
            o.on_retry(error.vendor, &error.action, &error, wait);
        }
        sleep(wait).await;
        slept += wait;
        n += 1;
    }
}

/// The create's own error, marked unknown, with why reading did not settle it.
fn unresolved(mut error: ProviderError, read: &ProviderError) -> ProviderError {
    error.kind = ErrorKind::OutcomeUnknown;
    error.message = format!(
        "{}; whether the domain was created is unknown (reading it back failed: {read})",
        error.message
    );
    error
}

/// The last error when the retries ran out. The domain was not there at the
/// last read, but an attempt after it may still have created it.
fn unsettled(mut error: ProviderError, maybe_created: bool) -> ProviderError {
    if maybe_created && error.kind != ErrorKind::OutcomeUnknown {
        error.message = format!(
            "{}; an earlier attempt may have created the domain",
            error.message
        );
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    fn err(kind: ErrorKind) -> ProviderError {
        ProviderError::new("test", "Create", kind, "boom")
    }

    /// Runs `create_with` over scripted attempt and read outcomes (sleeps
    /// recorded, not slept); returns the result and the calls in order.
    async fn run(
        attempts: Vec<Result<(), ErrorKind>>,
        reads: Vec<Result<bool, ErrorKind>>,
    ) -> (Result<(), ProviderError>, Vec<&'static str>) {
        let log = RefCell::new(Vec::new());
        let attempts = RefCell::new(attempts.into_iter());
        let reads = RefCell::new(reads.into_iter());
        let r = create_with(
            &RetryPolicy::default(),
            None,
            |_| std::future::ready(()),
            || 1.0,
            || {
                log.borrow_mut().push("create");
                let next = attempts.borrow_mut().next().expect("an attempt scripted");
                std::future::ready(next.map_err(err))
            },
            || {
                log.borrow_mut().push("read");
                let next = reads.borrow_mut().next().expect("a read scripted");
                std::future::ready(next.map_err(err))
            },
        )
        .await;
        (r, log.into_inner())
    }

    #[tokio::test]
    async fn a_lost_answer_is_settled_by_reading() {
        let (r, log) = run(vec![Err(ErrorKind::OutcomeUnknown)], vec![Ok(true)]).await;
        assert!(r.is_ok());
        assert_eq!(log, ["create", "read"]);
    }

    #[tokio::test]
    async fn every_unknown_outcome_is_read_not_just_the_first() {
        // Lost (not there), lost again (there this time): never a third create.
        let (r, log) = run(
            vec![
                Err(ErrorKind::OutcomeUnknown),
                Err(ErrorKind::OutcomeUnknown),
            ],
            vec![Ok(false), Ok(true)],
        )
        .await;
        assert!(r.is_ok());
        assert_eq!(log, ["create", "read", "create", "read"]);
    }

    #[tokio::test]
    async fn already_exists_after_an_uncertain_attempt_is_our_success() {
        let (r, log) = run(
            vec![Err(ErrorKind::Server), Err(ErrorKind::AlreadyExists)],
            vec![Ok(false)],
        )
        .await;
        assert!(r.is_ok());
        assert_eq!(log, ["create", "read", "create"]);
    }

    #[tokio::test]
    async fn already_exists_otherwise_is_an_error() {
        let (r, _) = run(vec![Err(ErrorKind::AlreadyExists)], vec![]).await;
        assert_eq!(r.unwrap_err().kind, ErrorKind::AlreadyExists);
        // A throttled attempt surely did nothing.
        let (r, log) = run(
            vec![Err(ErrorKind::Throttled), Err(ErrorKind::AlreadyExists)],
            vec![],
        )
        .await;
        assert_eq!(r.unwrap_err().kind, ErrorKind::AlreadyExists);
        assert_eq!(log, ["create", "create"]);
    }

    #[tokio::test]
    async fn retryable_failures_are_retried_without_reading() {
        let (r, log) = run(
            vec![
                Err(ErrorKind::Throttled),
                Err(ErrorKind::Transport),
                Err(ErrorKind::Busy),
                Ok(()),
            ],
            vec![],
        )
        .await;
        assert!(r.is_ok());
        assert_eq!(log, ["create"; 4]);
    }

    #[tokio::test]
    async fn final_failures_are_not_retried() {
        for kind in [ErrorKind::Invalid, ErrorKind::Auth, ErrorKind::Quota] {
            let (r, log) = run(vec![Err(kind)], vec![]).await;
            assert_eq!(r.unwrap_err().kind, kind);
            assert_eq!(log, ["create"]);
        }
    }

    #[tokio::test]
    async fn an_unreadable_outcome_is_reported_unknown() {
        let (r, log) = run(
            vec![Err(ErrorKind::Server)],
            vec![Err(ErrorKind::Transport)],
        )
        .await;
        let e = r.unwrap_err();
        assert_eq!(e.kind, ErrorKind::OutcomeUnknown);
        assert!(
            e.message
                .contains("whether the domain was created is unknown"),
            "{e}"
        );
        assert_eq!(log, ["create", "read"]);
    }

    #[tokio::test]
    async fn retries_are_bounded() {
        let (r, log) = run(vec![Err(ErrorKind::Server); 6], vec![Ok(false); 6]).await;
        let e = r.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Server);
        assert!(e.message.contains("may have created"), "{e}");
        assert_eq!(log.iter().filter(|c| **c == "create").count(), 6);
    }
}
