//! The state: what cdnform manages, its journal of finished changes, and the
//! backends that store and lock it (a local file today; PostgreSQL later).

mod backend;
mod error;
mod fsutil;
mod journal;
mod local;
mod lock;
mod model;

#[cfg(test)]
mod local_tests;

pub use backend::{Journal, Loaded, LockGuard, LockInfo, LockRequest, StateBackend};
pub use error::StateError;
pub use local::{parse_snapshot, LocalBackend, DEFAULT_STATE_PATH};
pub use model::{JournalOp, OutputState, ResourceState, State, FORMAT_VERSION};
