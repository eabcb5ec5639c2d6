//! The state: what cdnform manages, its journal of finished changes, and the
//! backends that store and lock it (a local file, or PostgreSQL).

mod backend;
mod config;
mod error;
mod fsutil;
mod journal;
mod local;
mod lock;
mod migrate;
mod model;
mod postgres;
mod snapshot;

#[cfg(test)]
mod local_tests;
#[cfg(test)]
mod migrate_tests;
#[cfg(test)]
mod postgres_lock_tests;
#[cfg(test)]
mod postgres_tests;
#[cfg(test)]
mod test_pg;

pub use self::postgres::{
    ConnString, PostgresBackend, CONN_STR_ENV, DEFAULT_SCHEMA, DEFAULT_WORKSPACE,
};
pub use backend::{Journal, Loaded, LockGuard, LockInfo, LockRequest, StateBackend};
pub use config::BackendConfig;
pub use error::StateError;
pub use local::{parse_snapshot, LocalBackend, DEFAULT_STATE_PATH};
pub use migrate::{migrate, MigrateOptions, Migrated};
pub use model::{JournalOp, OutputState, PendingCreate, ResourceState, State, FORMAT_VERSION};
