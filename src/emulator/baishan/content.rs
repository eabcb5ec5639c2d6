//! Baishan cache refresh and prefetch (API-NOTES): `POST /v2/cache/refresh` `{type: url|dir,
//! urls}`, `GET /v2/cache/refresh?task_id=`, `POST /v2/cache/prefetch` `{urls}` (≤ 500) →
//! `{task_id, count, err_urls}`, `GET /v2/cache/prefetch?task_id=` and `GET
//! /v2/cache/prefetchQuota` → `{url_quota, url_remain}` (10,000 prefetched URLs per day).
//!
//! MODELLED (the documents give the paths, fields and status words only):
//! - `urls` is a JSON array of absolute `http(s)://` URLs (`content::url`), a URL given
//!   twice counts once; a refresh takes at most 500 per call, like a prefetch; `type: dir`
//!   needs every URL to end with `/`. Any bad item fails the whole call with a 400 naming it.
//! - A refresh URL whose domain is not in the account, and a URL of a suspended domain, is
//!   accepted and its task ends `failed`; a prefetch URL whose domain is not in the account
//!   is not accepted but listed in `err_urls` (and not counted); if none is accepted no task
//!   is made and `task_id` is null.
//! - Task ids are decimal strings; a task is `waiting`, `processing`, then `completed` or
//!   `failed` (the last is not in the documents). A status query answers `{task_id, type,
//!   status, created_at, urls: [{url, status}]}` (`type` url|dir|prefetch); an unknown id,
//!   or the id of a task of the other endpoint, is a 404.
//! - Past a daily quota the call is refused with 403 and nothing is counted.

use chrono::SecondsFormat;
use serde_json::{json, Value};

use super::actions::{changed, read, Ctx, Outcome};
use super::error::BsError;
use super::model::BaishanWorld;
use super::values::bad;
use crate::emulator::content::url::{self, ObjectUrl};
use crate::emulator::content::{ContentKind, StatusWords, TaskItem};

/// URLs per call (API-NOTES for prefetch; MODELLED the same for refresh).
pub const MAX_URLS_PER_CALL: usize = 500;

/// MODELLED: the first task id.
pub const FIRST_TASK_ID: u64 = 1_000_001;

pub const STATUS_WORDS: StatusWords = StatusWords {
    pending: "waiting",
    running: "processing",
    done: "completed",
    failed: "failed",
};

/// MODELLED reasons a task's URL fails.
pub const NOT_IN_ACCOUNT: &str = "domain not in this account";
pub const SUSPENDED: &str = "domain suspended";

/// `urls`: 1 to 500 content URLs (directories when `dirs`), repeats dropped.
fn urls(ctx: &Ctx, dirs: bool) -> Result<Vec<ObjectUrl>, BsError> {
    let Some(Value::Array(items)) = ctx.req.param("urls") else {
        return Err(bad("urls", "is required, as an array of URLs"));
    };
    if items.is_empty() || items.len() > MAX_URLS_PER_CALL {
        return Err(bad(
            "urls",
            format!("must hold 1 to {MAX_URLS_PER_CALL} URLs"),
        ));
    }
    let mut out: Vec<ObjectUrl> = Vec::with_capacity(items.len());
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

/// The task item of a URL: `None` when its domain is not in the account.
fn item(world: &BaishanWorld, u: &ObjectUrl) -> Option<TaskItem> {
    let live = world.domains.values().filter(|d| !d.deleted);
    let name = url::owner(&u.host, live.map(|d| d.name.as_str()))?;
    Some(if world.domains[name].suspended {
        TaskItem::failing(&u.url, SUSPENDED)
    } else {
        TaskItem::ok(&u.url)
    })
}

/// Charges `items` to today's quota of `kind` and adds the task; its id.
fn submit(
    ctx: &Ctx,
    world: &mut BaishanWorld,
    kind: ContentKind,
    items: Vec<TaskItem>,
) -> Result<String, BsError> {
    let what = match kind {
        ContentKind::Dir => "refresh directory",
        ContentKind::Preload => "prefetch URL",
        _ => "refresh URL",
    };
    world
        .content
        .usage
        .charge(ctx.quotas, kind, items.len() as u64, ctx.now)
        .map_err(|e| BsError::quota_exceeded(what, e.limit, e.remaining))?;
    let id = world
        .content
        .submit(FIRST_TASK_ID, kind, items, ctx.now, ctx.task_delay);
    Ok(id.to_string())
}

/// `POST /v2/cache/refresh` `{type, urls}` → `{task_id}`.
pub fn refresh(ctx: &Ctx, world: &mut BaishanWorld) -> Result<Outcome, BsError> {
    let kind = match ctx.req.param("type") {
        Some(Value::String(t)) if t == "url" => ContentKind::Url,
        Some(Value::String(t)) if t == "dir" => ContentKind::Dir,
        _ => return Err(bad("type", "must be url or dir")),
    };
    let urls = urls(ctx, kind == ContentKind::Dir)?;
    let items = urls
        .iter()
        .map(|u| item(world, u).unwrap_or_else(|| TaskItem::failing(&u.url, NOT_IN_ACCOUNT)))
        .collect();
    let id = submit(ctx, world, kind, items)?;
    changed(json!({ "task_id": id }))
}

/// `POST /v2/cache/prefetch` `{urls}` → `{task_id, count, err_urls}`.
pub fn prefetch(ctx: &Ctx, world: &mut BaishanWorld) -> Result<Outcome, BsError> {
    let urls = urls(ctx, false)?;
    let mut items = Vec::new();
    let mut err_urls = Vec::new();
    for u in &urls {
        match item(world, u) {
            Some(i) => items.push(i),
            None => err_urls.push(u.url.clone()),
        }
    }
    if items.is_empty() {
        return read(json!({"task_id": null, "count": 0, "err_urls": err_urls}));
    }
    let count = items.len();
    let id = submit(ctx, world, ContentKind::Preload, items)?;
    changed(json!({"task_id": id, "count": count, "err_urls": err_urls}))
}

/// `GET /v2/cache/refresh?task_id=` (`prefetch: false`) or `GET /v2/cache/prefetch?task_id=`.
pub fn status(ctx: &Ctx, world: &BaishanWorld, prefetch: bool) -> Result<Outcome, BsError> {
    let raw = match ctx.req.param("task_id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s,
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(bad("task_id", "is required")),
    };
    let task = world
        .content
        .get(&raw)
        .filter(|t| (t.kind == ContentKind::Preload) == prefetch)
        .ok_or_else(|| BsError::new(404, 404, format!("task {raw} does not exist")))?;
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
    read(json!({
        "task_id": task.id.to_string(),
        "type": kind,
        "status": STATUS_WORDS.word(task.phase(ctx.now)),
        "created_at": task.created.to_rfc3339_opts(SecondsFormat::Secs, true),
        "urls": urls,
    }))
}

/// `GET /v2/cache/prefetchQuota` → `{url_quota, url_remain}`.
pub fn prefetch_quota(ctx: &Ctx, world: &BaishanWorld) -> Result<Outcome, BsError> {
    let kind = ContentKind::Preload;
    read(json!({
        "url_quota": ctx.quotas.limit(kind),
        "url_remain": world.content.usage.remaining(ctx.quotas, kind, ctx.now),
    }))
}
