//! Human progress for apply, in Terraform's words (`cdn_domain.web:
//! Creating...`, `Creation complete after 3s`), and the vendor-call notes on
//! stderr. The refresh reports through `progress` (one line, not one per
//! resource).

use crate::apply::{ApplyError, ApplyHook};
use crate::cli::progress::Progress;
use crate::model::Address;
use crate::plan::Action;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

pub struct HumanApplyHook;

fn say(s: String) {
    let mut o = std::io::stdout().lock();
    let _ = writeln!(o, "{s}");
    let _ = o.flush();
}

fn verbs(address: &Address, action: Action) -> (&'static str, &'static str) {
    if crate::model::schema::is_content_type(&address.resource_type) {
        return match action {
            Action::Create | Action::Replace => ("Running...", "Run complete"),
            Action::Update => ("Recording...", "Recorded"),
            Action::Delete => ("Forgetting...", "Forgotten"),
            Action::NoOp => ("", ""),
        };
    }
    match action {
        Action::Create => ("Creating...", "Creation complete"),
        Action::Update => ("Modifying...", "Modifications complete"),
        Action::Delete => ("Destroying...", "Destruction complete"),
        Action::Replace => ("Replacing...", "Replacement complete"),
        Action::NoOp => ("", ""),
    }
}

impl ApplyHook for HumanApplyHook {
    fn start(&self, address: &Address, action: Action) {
        say(format!("{address}: {}", verbs(address, action).0));
    }
    fn progress(&self, address: &Address, message: &str) {
        say(format!("{address}: {message}"));
    }
    fn done(
        &self,
        address: &Address,
        action: Action,
        result: Result<(), &ApplyError>,
        elapsed: Duration,
    ) {
        match result {
            Ok(()) => say(format!(
                "{address}: {} after {}s",
                verbs(address, action).1,
                elapsed.as_secs()
            )),
            Err(_) => say(format!("{address}: failed after {}s", elapsed.as_secs())),
        }
    }
    fn skipped(&self, address: &Address, because: &Address) {
        say(format!(
            "{address}: skipped because {because} did not complete"
        ));
    }
}

/// With `-json`: the machine-readable stream is the whole output, so vendor
/// retries and rate-limit waits print nothing (a terminal merging stderr
/// would otherwise mix prose into the JSON lines).
pub struct QuietCallObserver;

impl crate::provider::CallObserver for QuietCallObserver {
    fn on_call(&self, _vendor: &str, _action: &str) {}
    fn on_retry(&self, _: &str, _: &str, _: &crate::provider::ProviderError, _: Duration) {}
}

/// Vendor-call events worth a line on stderr: waits on a vendor's rate limit
/// (with the expected wait) and retries, at most one line per vendor and
/// second so a large plan does not flood the terminal. Every call and wait
/// also feeds the progress line (rates, rate-limit countdowns), and the
/// notes print through it so they do not garble a live line.
pub struct HumanCallObserver {
    last: std::sync::Mutex<std::collections::HashMap<String, std::time::Instant>>,
    /// `CDNFORM_LOG=debug`: one line per vendor call attempt (vendor and
    /// action only: never parameters, headers or bodies, which may hold
    /// credentials or keys).
    debug: bool,
    progress: Arc<Progress>,
}

impl HumanCallObserver {
    pub fn new(debug: bool, progress: Arc<Progress>) -> Self {
        HumanCallObserver {
            last: Default::default(),
            debug,
            progress,
        }
    }
}

/// Whether `CDNFORM_LOG=debug` is set.
pub fn debug_logging() -> bool {
    std::env::var("CDNFORM_LOG").is_ok_and(|v| v.eq_ignore_ascii_case("debug"))
}

impl HumanCallObserver {
    fn throttled(&self, vendor: &str) -> bool {
        let mut last = self.last.lock().expect("observer lock");
        let now = std::time::Instant::now();
        match last.get(vendor) {
            Some(t) if now.duration_since(*t) < Duration::from_secs(1) => true,
            _ => {
                last.insert(vendor.to_string(), now);
                false
            }
        }
    }
}

impl crate::provider::CallObserver for HumanCallObserver {
    fn on_call(&self, vendor: &str, action: &str) {
        self.progress.call(vendor);
        if self.debug {
            self.progress
                .note(&format!("debug: {vendor}: calling {action}"));
        }
    }

    fn on_rate_limit_wait(&self, vendor: &str, action: &str, wait: Duration) {
        self.progress.rate_limit_wait(vendor, wait);
        if !self.throttled(vendor) {
            self.progress.note(&format!(
                "{vendor}: waiting {:.1}s for the vendor's rate limit ({action})",
                wait.as_secs_f64()
            ));
        }
    }

    fn on_retry(
        &self,
        vendor: &str,
        action: &str,
        error: &crate::provider::ProviderError,
        wait: Duration,
    ) {
        if !self.throttled(vendor) {
            // The vendor's code when it gave one, else what went wrong.
            let why = match &error.code {
                Some(code) => format!("answered {code}"),
                None => format!("failed: {}", error.message),
            };
            self.progress.note(&format!(
                "{vendor}: {action} {why}; retrying in {:.1}s",
                wait.as_secs_f64()
            ));
        }
    }
}
