//! cdnform: a declarative reconciler for CDN accounts.
//!
//! The modules follow the flow config -> plan -> apply -> state (see
//! `../shared/DESIGN.md`); `emulator` is an independent reading of the vendor
//! API documents and uses nothing else of this crate.

pub mod apply;
pub mod cli;
pub mod config;
pub mod emulator;
pub mod model;
pub mod plan;
pub mod provider;
pub mod state;
