//! Human progress for plan (refresh) and apply, in Terraform's words:
//! `cdn_domain.web: Creating...`, `Creation complete after 3s`.

use crate::apply::{ApplyError, ApplyHook};
use crate::model::Address;
use crate::plan::{Action, PlanHook};
use std::io::Write;
use std::time::Duration;

/// Refresh progress goes to stderr so stdout holds only the plan.
pub struct HumanPlanHook;

impl PlanHook for HumanPlanHook {
    fn refresh_start(&self, address: &Address) {
        eprintln!("{address}: Refreshing state...");
    }
}

pub struct HumanApplyHook;

fn say(s: String) {
    let mut o = std::io::stdout().lock();
    let _ = writeln!(o, "{s}");
    let _ = o.flush();
}

fn verbs(action: Action) -> (&'static str, &'static str) {
    match action {
        Action::Create => ("Creating...", "Creation complete"),
        Action::Update => ("Modifying...", "Modifications complete"),
        Action::Delete => ("Destroying...", "Destruction complete"),
        Action::Replace => (
            "Replacing (destroy, then create)...",
            "Replacement complete",
        ),
        Action::NoOp => ("", ""),
    }
}

impl ApplyHook for HumanApplyHook {
    fn start(&self, address: &Address, action: Action) {
        say(format!("{address}: {}", verbs(action).0));
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
                verbs(action).1,
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
