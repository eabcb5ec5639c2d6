//! Planning: compare the configuration with the state and the live vendor
//! accounts, and produce a [`Plan`] — plain data the applier executes and
//! the renderers print. The planner never calls a write API.

pub mod action;
pub mod change;
pub mod content;
pub mod diff;
pub mod graph;
pub mod guard;
pub mod imports;
pub mod lifecycle;
pub mod planner;
pub mod refresh;
pub mod render;
pub mod saved;
pub mod secrets;
pub mod validate;

mod unmanaged;

pub use action::Action;
pub use change::{ChangeLifecycle, ResourceChange, ResourceDrift};
pub use planner::{make_plan, PlanMode, PlanOptions};

use crate::model::{Address, Diagnostic, ProviderAddr};
use crate::provider::ProviderError;
use crate::state::State;
use serde::{Deserialize, Serialize};

pub const PLAN_FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format_version: u32,
    pub mode: PlanMode,
    /// Lineage and serial of the state the plan was made against.
    pub lineage: String,
    pub serial: u64,
    /// Every resource in the configuration or the state, by address.
    pub changes: Vec<ResourceChange>,
    pub drift: Vec<ResourceDrift>,
    /// The prior state with the live values read during refresh.
    pub refreshed: State,
    /// Warnings found while planning (shown, never blocking; not kept in
    /// a plan file).
    #[serde(skip)]
    pub warnings: Vec<Diagnostic>,
    /// Write-only values (private keys) for the applier; in memory only,
    /// never in a plan file.
    #[serde(skip)]
    pub secrets: secrets::Secrets,
}

/// Counts for `Plan: X to add, Y to change, Z to destroy.`
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
    /// Existing objects adopted by `import` blocks.
    #[serde(default)]
    pub import: usize,
    /// Purges and preloads to run (first runs and changed triggers).
    #[serde(default)]
    pub run: usize,
}

impl Plan {
    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(ResourceChange::is_change)
    }

    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.changes {
            if c.importing.is_some() {
                s.import += 1;
            }
            if crate::model::schema::is_content_type(c.resource_type())
                && matches!(c.action, Action::Create | Action::Replace)
            {
                s.run += 1;
                continue;
            }
            match c.action {
                Action::NoOp => {}
                Action::Create => s.add += 1,
                Action::Update => s.change += 1,
                Action::Replace => {
                    s.add += 1;
                    s.destroy += 1
                }
                Action::Delete => s.destroy += 1,
            }
        }
        s
    }

    pub fn change(&self, address: &Address) -> Option<&ResourceChange> {
        self.changes.iter().find(|c| &c.address == address)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{} error(s) in the configuration", .0.iter().filter(|d| d.is_error()).count())]
    Diagnostics(Vec<Diagnostic>),
    #[error(
        "{address} is managed through provider \"{provider}\", which the configuration \
         does not declare; add its provider block, or forget the resource with \
         `cdnform state rm {address}`"
    )]
    MissingProvider {
        address: Address,
        provider: ProviderAddr,
    },
    /// A state edited by hand or written by a newer cdnform.
    #[error(
        "the state holds {0}, a resource type this cdnform does not know; forget it with \
         `cdnform state rm {0}` (what it stands for is left as it is), or use the cdnform \
         that wrote the state"
    )]
    UnknownResourceType(Address),
    #[error("reading {address} through provider \"{provider}\": {error}")]
    Refresh {
        address: Address,
        provider: ProviderAddr,
        error: ProviderError,
    },
    #[error("dependency cycle: {}", cycle_text(.0))]
    Cycle(Vec<Address>),
}

fn cycle_text(c: &[Address]) -> String {
    let mut names: Vec<String> = c.iter().map(|a| a.to_string()).collect();
    if let Some(first) = names.first().cloned() {
        names.push(first);
    }
    names.join(" -> ")
}

/// Progress of a plan, reported to the CLI (which prints; the engine never does).
pub trait PlanHook: Send + Sync {
    /// The refresh is about to read `total` resources.
    fn refresh_begin(&self, _total: usize) {}
    /// The planner is about to read the names of `total` domains it would
    /// create, to refuse ones that already exist (their reads are reported
    /// through `refresh_start`/`refresh_done` too).
    fn check_begin(&self, _total: usize) {}
    fn refresh_start(&self, _address: &Address) {}
    /// `Ok(true)` found, `Ok(false)` gone, `Err` message.
    fn refresh_done(&self, _address: &Address, _result: Result<bool, String>) {}
}

/// A hook that reports nothing.
pub struct NoHook;
impl PlanHook for NoHook {}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_batch;
#[cfg(test)]
mod tests_content;
#[cfg(test)]
mod tests_more;
#[cfg(test)]
mod tests_refresh;
