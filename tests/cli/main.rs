//! Integration tests: the real `cdnform` binary against the emulator on a
//! loopback port.

mod bad_corpus;
mod baishan;
mod bench;
mod ci_pipeline;
mod commands;
mod common;
mod conformance;
mod content_clients;
mod crash;
mod ctg;
mod drift;
mod errors;
mod faults;
mod features;
mod fuzz_smoke;
mod json_schema;
mod language;
mod lifecycle;
mod pg;
mod progress;
mod purge;
mod quickstart;
mod secrets;
