//! cdnform: a declarative reconciler for CDN accounts.
//!
//! The modules follow the flow config -> plan -> apply -> state (see
//! `../shared/DESIGN.md`); `emulator` is an independent reading of the vendor
//! API documents and uses nothing else of this crate.

// Errors carry the vendor's code, message and request id for the user (a
// provider error is ~136 bytes); they travel on cold paths only, so boxing
// them everywhere would buy nothing.
#![allow(clippy::result_large_err)]

pub mod apply;
pub mod bench;
pub mod cli;
pub mod config;
pub mod emulator;
pub mod model;
pub mod plan;
pub mod provider;
pub mod state;
