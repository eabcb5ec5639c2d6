//! `RefreshObjectCaches` and `PushObjectCache`: check the call, charge the daily quota and
//! add the tasks (see `content_paths` for the path rules).
//!
//! A call is all-or-nothing: every check (parameters, paths, domain states, quota) is made
//! before anything is counted, so a refused call uses none of the quota.

use serde_json::json;

use super::actions::{ActionCtx, Outcome};
use super::content_paths::{self, ObjectPath};
use super::errors::AliError;
use super::model::AliyunWorld;
use super::ApiVersion;
use crate::emulator::content::{ContentKind, StatusWords};

/// MODELLED: task ids are decimal numbers unique in the account, increasing from this one
/// (the seed's examples are 9-digit numbers such as `704225667`).
pub const FIRST_TASK_ID: u64 = 704_300_001;

/// Alibaba's task statuses (TaskItem: "Pending Refreshing Failed ... Complete").
pub const STATUS_WORDS: StatusWords = StatusWords {
    pending: "Pending",
    running: "Refreshing",
    done: "Complete",
    failed: "Failed",
};

/// An optional parameter that must be one of `allowed` (MODELLED: exact spelling).
fn one_of<'a>(
    ctx: &'a ActionCtx,
    name: &str,
    allowed: &[&'a str],
) -> Result<Option<&'a str>, AliError> {
    match ctx.params.optional(name) {
        None => Ok(None),
        Some(v) if allowed.contains(&v) => Ok(Some(v)),
        Some(_) => Err(AliError::invalid_value(name)),
    }
}

/// The checked paths of a call, the tasks they make, charged and added; answers the task
/// ids, comma-separated.
fn submit(
    ctx: &ActionCtx,
    world: &mut AliyunWorld,
    kind: ContentKind,
    paths: Vec<ObjectPath>,
) -> Result<String, AliError> {
    let items = content_paths::resolve(&paths, world, ctx.now)?;
    let count = items.len() as u64;
    world
        .content
        .usage
        .charge(&ctx.limits.quotas, kind, count, ctx.now)
        .map_err(|_| AliError::quota_exceeded_refresh())?;
    let ids: Vec<String> = content_paths::group_into_tasks(&paths, items)
        .into_iter()
        .map(|group| {
            world
                .content
                .submit(FIRST_TASK_ID, kind, group, ctx.now, ctx.limits.task_delay)
                .to_string()
        })
        .collect();
    Ok(ids.join(","))
}

/// `RefreshObjectCaches`: `ObjectPath`, `ObjectType` File (default) | Directory | Regex (2014:
/// File | Directory), `Force` (2018; MODELLED: `true` or `false`, no other effect here) →
/// `RefreshTaskId`.
pub fn refresh(ctx: &ActionCtx, world: &mut AliyunWorld) -> Result<Outcome, AliError> {
    let types: &[&str] = match ctx.version {
        ApiVersion::V2018_05_10 => &["File", "Directory", "Regex"],
        ApiVersion::V2014_11_11 => &["File", "Directory"],
    };
    let kind = match one_of(ctx, "ObjectType", types)? {
        None | Some("File") => ContentKind::Url,
        Some("Directory") => ContentKind::Dir,
        Some(_) => ContentKind::Regex,
    };
    if ctx.version == ApiVersion::V2018_05_10 {
        one_of(ctx, "Force", &["true", "false"])?;
    }
    let paths = content_paths::parse(ctx.params.require("ObjectPath")?, kind, ctx.version)?;
    let ids = submit(ctx, world, kind, paths)?;
    Ok(Outcome::wrote_with(json!({ "RefreshTaskId": ids })))
}

/// `PushObjectCache`: `ObjectPath` (URLs), 2018 `Area` domestic|overseas and `L2Preload`
/// (MODELLED: `true` or `false`; neither changes anything here) → `PushTaskId`.
pub fn push(ctx: &ActionCtx, world: &mut AliyunWorld) -> Result<Outcome, AliError> {
    if ctx.version == ApiVersion::V2018_05_10 {
        one_of(ctx, "Area", &["domestic", "overseas"])?;
        one_of(ctx, "L2Preload", &["true", "false"])?;
    }
    let kind = ContentKind::Preload;
    let paths = content_paths::parse(ctx.params.require("ObjectPath")?, kind, ctx.version)?;
    let ids = submit(ctx, world, kind, paths)?;
    Ok(Outcome::wrote_with(json!({ "PushTaskId": ids })))
}
