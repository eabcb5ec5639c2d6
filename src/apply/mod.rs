//! Applying a plan: walk its changes in dependency order with bounded
//! parallelism; every finished change goes to the state journal at once; a
//! failed change skips what depends on it but not unrelated work. The
//! applier never re-decides: it executes the plan's actions.

pub mod content;
pub mod domain;
mod run;
pub mod walk;

pub use walk::{apply_plan, state_only_updates, ApplyOptions, ApplyReport};

use crate::model::Address;
use crate::plan::Action;
use crate::provider::ProviderError;
use crate::state::StateError;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("{address}: {error}")]
    Provider {
        address: Address,
        error: ProviderError,
    },
    #[error("{address}: values still unknown at apply time: {}", refs.join(", "))]
    Unresolved { address: Address, refs: Vec<String> },
    #[error("{address}: invalid planned value: {detail}")]
    Invalid { address: Address, detail: String },
    #[error("{address}: still {status} after waiting {}s for it to be ready", waited.as_secs())]
    NotReady {
        address: Address,
        status: String,
        waited: Duration,
    },
    #[error("{address}: the vendor reports status {status}")]
    Failed { address: Address, status: String },
    #[error("{address}: {detail}")]
    Content { address: Address, detail: String },
    #[error("recording {address} in the state journal: {error}")]
    Journal { address: Address, error: StateError },
}

/// Progress of an apply, reported to the CLI.
pub trait ApplyHook: Send + Sync {
    fn start(&self, _address: &Address, _action: Action) {}
    /// A step inside a change (`stopping`, `waiting: configuring (4s)`).
    fn progress(&self, _address: &Address, _message: &str) {}
    fn done(
        &self,
        _address: &Address,
        _action: Action,
        _result: Result<(), &ApplyError>,
        _elapsed: Duration,
    ) {
    }
    fn skipped(&self, _address: &Address, _because: &Address) {}
}

pub struct NoApplyHook;
impl ApplyHook for NoApplyHook {}
