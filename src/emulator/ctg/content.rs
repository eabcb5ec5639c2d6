//! CTG content management (API-NOTES, MODELLED surface): `POST /API/content/purge` `{type:
//! url|dir, urls}` → `{task_id}`, `GET /API/content/purge?task_id=` → `{status: processing
//! | done | failed}`, and `POST /API/content/prefetch` `{urls}`, `GET
//! /API/content/prefetch?task_id=` likewise.
//!
//! MODELLED (the index lists 刷新内容/查询刷新状态 and 预取内容/查询预取状态, nothing more):
//! - `urls` is a list of absolute `http(s)://` URLs (`content::url`), a URL given twice
//!   counts once; per call at most 1,000 URLs or 100 directories to purge and 500 URLs to
//!   prefetch; `type: dir` needs every URL to end with `/`; the body allows no other keys.
//!   Any bad item fails the whole call with a 400 naming it.
//! - A URL whose domain is not in the account or is disabled (`offline`) is accepted and
//!   its task ends `failed`; a `configuring` domain serves as before.
//! - Task ids are decimal strings; the status answer is `{task_id, type (url|dir|prefetch),
//!   status, created, urls: [{url, status}]}`, `processing` until the task finishes; an
//!   unknown id, or the id of a task of the other endpoint, is a 404.
//! - Daily quotas (`EmulatorConfig::ctg_quotas`); past one the call is refused with 403 and
//!   nothing is counted.

use chrono::SecondsFormat;
use serde_json::{json, Value};

use super::domains::Ctx;
use super::error::CtgError;
use super::model::CtgWorld;
use super::values::{self, bad, object};
use crate::emulator::content::url::{self, ObjectUrl};
use crate::emulator::content::{ContentKind, StatusWords, TaskItem};

/// Per-call limits (MODELLED).
pub const MAX_PURGE_URLS: usize = 1_000;
pub const MAX_PURGE_DIRS: usize = 100;
pub const MAX_PREFETCH_URLS: usize = 500;

/// MODELLED: the first task id.
pub const FIRST_TASK_ID: u64 = 20_000_001;

pub const STATUS_WORDS: StatusWords = StatusWords {
    pending: "processing",
    running: "processing",
    done: "done",
    failed: "failed",
};

/// MODELLED reasons a task's URL fails.
pub const NOT_IN_ACCOUNT: &str = "domain not in this account";
pub const OFFLINE: &str = "domain offline";

/// `urls`: 1 to `max` content URLs (directories when `dirs`), repeats dropped.
fn urls(ctx: &Ctx, max: usize, dirs: bool) -> Result<Vec<ObjectUrl>, CtgError> {
    let items = values::list(&ctx.body, "urls", "", max)?;
    if items.is_empty() {
        return Err(bad("urls", "at least one URL is required"));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, v) in items.iter().enumerate() {
        let path = format!("urls[{i}]");
        let s = v.as_str().ok_or_else(|| bad(&path, "must be a string"))?;
        let u = url::parse(s)
            .ok_or_else(|| bad(&path, format!("{s:?} is not an absolute http(s) URL")))?;
        if dirs && !u.is_dir() {
            return Err(bad(&path, "a directory must end with / and have no query"));
        }
        out.push(u);
    }
    Ok(url::dedup(out))
}

fn item(world: &CtgWorld, u: &ObjectUrl) -> TaskItem {
    match url::owner(&u.host, world.domains.keys().map(String::as_str)) {
        None => TaskItem::failing(&u.url, NOT_IN_ACCOUNT),
        Some(name) if !world.domains[name].enabled => TaskItem::failing(&u.url, OFFLINE),
        Some(_) => TaskItem::ok(&u.url),
    }
}

/// Charges the URLs to today's quota of `kind` and adds the task → `{task_id}`.
fn submit(
    ctx: &Ctx,
    world: &mut CtgWorld,
    kind: ContentKind,
    urls: &[ObjectUrl],
) -> Result<Value, CtgError> {
    let items: Vec<TaskItem> = urls.iter().map(|u| item(world, u)).collect();
    let what = match kind {
        ContentKind::Dir => "purge directory",
        ContentKind::Preload => "prefetch URL",
        _ => "purge URL",
    };
    world
        .content
        .usage
        .charge(&ctx.quotas, kind, items.len() as u64, ctx.now)
        .map_err(|e| CtgError::quota_exceeded(what, e.limit, e.remaining))?;
    let id = world
        .content
        .submit(FIRST_TASK_ID, kind, items, ctx.now, ctx.task_delay);
    Ok(json!({ "task_id": id.to_string() }))
}

/// `POST /API/content/purge` `{type, urls}`.
pub fn purge(ctx: &Ctx, world: &mut CtgWorld) -> Result<Value, CtgError> {
    object(&Value::Object(ctx.body.clone()), "body", &["type", "urls"])?;
    let kind = match values::one_of(&ctx.body, "type", "", &["url", "dir"])?.as_str() {
        "dir" => ContentKind::Dir,
        _ => ContentKind::Url,
    };
    let urls = match kind {
        ContentKind::Dir => urls(ctx, MAX_PURGE_DIRS, true)?,
        _ => urls(ctx, MAX_PURGE_URLS, false)?,
    };
    submit(ctx, world, kind, &urls)
}

/// `POST /API/content/prefetch` `{urls}`.
pub fn prefetch(ctx: &Ctx, world: &mut CtgWorld) -> Result<Value, CtgError> {
    object(&Value::Object(ctx.body.clone()), "body", &["urls"])?;
    let urls = urls(ctx, MAX_PREFETCH_URLS, false)?;
    submit(ctx, world, ContentKind::Preload, &urls)
}

/// `GET /API/content/purge?task_id=` (`prefetch: false`) or `GET
/// /API/content/prefetch?task_id=`.
pub fn status(ctx: &Ctx, world: &CtgWorld, prefetch: bool) -> Result<Value, CtgError> {
    let raw = ctx
        .query("task_id")
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| bad("task_id", "is required"))?;
    let task = world
        .content
        .get(raw)
        .filter(|t| (t.kind == ContentKind::Preload) == prefetch)
        .ok_or_else(|| CtgError::new(404, format!("task {raw} does not exist")))?;
    let urls: Vec<Value> = task
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| json!({"url": it.url, "status": STATUS_WORDS.word(task.item_phase(i, ctx.now))}))
        .collect();
    let kind = match task.kind {
        ContentKind::Dir => "dir",
        ContentKind::Preload => "prefetch",
        _ => "url",
    };
    Ok(json!({
        "task_id": task.id.to_string(),
        "type": kind,
        "status": STATUS_WORDS.word(task.phase(ctx.now)),
        "created": task.created.to_rfc3339_opts(SecondsFormat::Secs, true),
        "urls": urls,
    }))
}
