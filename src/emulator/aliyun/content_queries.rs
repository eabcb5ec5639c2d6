//! `DescribeRefreshTasks`, `DescribeRefreshTaskById` and `DescribeCdnUserQuota`.
//!
//! A task answers one `CDNTask` entry per path, as the seed's example lists one
//! `ObjectPath` per entry: `{TaskId, ObjectPath, Status, CreationTime}` in 2014-11-11, plus
//! `Process`, `ObjectType` (file|directory|regex|preload) and `Description` in 2018-05-10
//! (API-NOTES). MODELLED: entries are newest task first (the seed's example is in that
//! order), paths in the order submitted; `Process` is `0%` pending, `50%` refreshing and
//! `100%` once finished; `Description` is empty unless the entry failed, then it says why.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::actions::{ActionCtx, Outcome};
use super::content_actions::STATUS_WORDS;
use super::errors::AliError;
use super::model::{gmt, AliyunWorld};
use super::validate;
use super::ApiVersion;
use crate::emulator::content::task::Task;
use crate::emulator::content::{ContentKind, TaskPhase};

/// `DescribeRefreshTaskById` takes at most this many ids (API-NOTES).
pub const MAX_IDS: usize = 10;

fn object_type(kind: ContentKind) -> &'static str {
    match kind {
        ContentKind::Url => "file",
        ContentKind::Dir => "directory",
        ContentKind::Regex => "regex",
        ContentKind::Preload => "preload",
    }
}

/// The host of a stored path (`scheme://host[:port]/...`), lower case.
fn host_of(path: &str) -> String {
    let rest = path.split_once("://").map_or(path, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    host.to_ascii_lowercase()
}

/// One entry of a task at `now`.
fn entry(task: &Task, index: usize, version: ApiVersion, now: DateTime<Utc>) -> Value {
    let item = &task.items[index];
    let phase = task.item_phase(index, now);
    let status = STATUS_WORDS.word(phase);
    match version {
        ApiVersion::V2014_11_11 => json!({
            "CreationTime": gmt(task.created),
            "ObjectPath": item.url,
            "Status": status,
            "TaskId": task.id.to_string(),
        }),
        ApiVersion::V2018_05_10 => {
            let (process, description) = match phase {
                TaskPhase::Pending => ("0%", ""),
                TaskPhase::Running => ("50%", ""),
                TaskPhase::Done => ("100%", ""),
                TaskPhase::Failed => ("100%", item.failure.as_deref().unwrap_or("")),
            };
            json!({
                "TaskId": task.id.to_string(),
                "ObjectPath": item.url,
                "Process": process,
                "Status": status,
                "CreationTime": gmt(task.created),
                "ObjectType": object_type(task.kind),
                "Description": description,
            })
        }
    }
}

/// An optional parameter that must be one of `allowed`.
fn filter_value<'a>(
    ctx: &'a ActionCtx,
    name: &str,
    allowed: &[&str],
) -> Result<Option<&'a str>, AliError> {
    match ctx.params.optional(name) {
        Some(v) if !allowed.contains(&v) => Err(AliError::invalid_value(name)),
        other => Ok(other),
    }
}

/// An optional `YYYY-MM-DDThh:mm:ssZ` time (MODELLED: any RFC 3339 time is accepted).
fn time_param(ctx: &ActionCtx, name: &str) -> Result<Option<DateTime<Utc>>, AliError> {
    ctx.params
        .optional(name)
        .map(|raw| {
            DateTime::parse_from_rfc3339(raw)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| AliError::invalid_value(name))
        })
        .transpose()
}

/// `DescribeRefreshTasks`: `TaskId` and `ObjectPath` (both versions; MODELLED exact
/// matches, together an AND as the seed says), 2018 `DomainName` (the path's host),
/// `ObjectType`, `Status`, `StartTime`/`EndTime` (creation time within, both ends
/// included); pages of `PageSize` ≤ 50 (2014) or ≤ 100 (2018), default 20. Only tasks of
/// the past 7 days are listed (seed).
pub fn describe_tasks(ctx: &ActionCtx, world: &AliyunWorld) -> Result<Outcome, AliError> {
    let p = ctx.params;
    let max_size = match ctx.version {
        ApiVersion::V2014_11_11 => 50,
        ApiVersion::V2018_05_10 => 100,
    };
    let (number, size) =
        validate::page_within(p.optional("PageNumber"), p.optional("PageSize"), max_size)?;
    let task_id = p
        .optional("TaskId")
        .map(|raw| {
            raw.parse::<u64>()
                .map_err(|_| AliError::invalid_value("TaskId"))
        })
        .transpose()?;
    let path = p.optional("ObjectPath");
    let v18 = ctx.version == ApiVersion::V2018_05_10;
    let (domain, kind, status, start, end) = if v18 {
        (
            p.optional("DomainName").map(str::to_ascii_lowercase),
            filter_value(
                ctx,
                "ObjectType",
                &["file", "directory", "regex", "preload"],
            )?,
            filter_value(
                ctx,
                "Status",
                &["Complete", "Refreshing", "Failed", "Pending"],
            )?,
            time_param(ctx, "StartTime")?,
            time_param(ctx, "EndTime")?,
        )
    } else {
        (None, None, None, None, None)
    };
    let now = ctx.now;
    let mut entries: Vec<Value> = Vec::new();
    for task in world.content.recent(now) {
        if task_id.is_some_and(|id| id != task.id)
            || kind.is_some_and(|k| k != object_type(task.kind))
            || start.is_some_and(|s| task.created < s)
            || end.is_some_and(|e| task.created > e)
        {
            continue;
        }
        for (i, item) in task.items.iter().enumerate() {
            if path.is_some_and(|p| p != item.url)
                || domain.as_ref().is_some_and(|d| *d != host_of(&item.url))
                || status.is_some_and(|s| s != STATUS_WORDS.word(task.item_phase(i, now)))
            {
                continue;
            }
            entries.push(entry(task, i, ctx.version, now));
        }
    }
    let total = entries.len();
    let page: Vec<Value> = entries
        .into_iter()
        .skip((number - 1).saturating_mul(size))
        .take(size)
        .collect();
    Ok(Outcome::read(json!({
        "Tasks": {"CDNTask": page},
        "PageNumber": number,
        "PageSize": size,
        "TotalCount": total,
    })))
}

/// `DescribeRefreshTaskById` (2018): `TaskId`, 1 to 10 comma-separated ids → every entry
/// of those tasks, in the order the ids were given, and `TotalCount`. MODELLED: the shape of
/// `DescribeRefreshTasks` without paging; an id that is not a number is `InvalidParameter`,
/// an unknown (or expired) id adds nothing.
pub fn describe_by_id(ctx: &ActionCtx, world: &AliyunWorld) -> Result<Outcome, AliError> {
    let raw = ctx.params.require("TaskId")?;
    let ids: Vec<u64> = raw
        .split(',')
        .map(|s| {
            s.trim()
                .parse::<u64>()
                .map_err(|_| AliError::invalid_value("TaskId"))
        })
        .collect::<Result<_, _>>()?;
    if ids.len() > MAX_IDS {
        return Err(AliError::invalid_value("TaskId"));
    }
    let now = ctx.now;
    let mut entries: Vec<Value> = Vec::new();
    for id in ids {
        if let Some(task) = world.content.recent(now).find(|t| t.id == id) {
            entries.extend((0..task.items.len()).map(|i| entry(task, i, ctx.version, now)));
        }
    }
    Ok(Outcome::read(json!({
        "Tasks": {"CDNTask": entries},
        "TotalCount": entries.len(),
    })))
}

/// `DescribeCdnUserQuota` (2018, API-NOTES): the daily refresh and preload quotas and what
/// remains of them today, and the domain quota. MODELLED: the regular-expression quota is
/// answered as `RefreshRegexQuota`/`RefreshRegexRemain` beside the documented fields.
pub fn user_quota(ctx: &ActionCtx, world: &AliyunWorld) -> Outcome {
    let q = &ctx.limits.quotas;
    let remain = |kind| world.content.usage.remaining(q, kind, ctx.now);
    Outcome::read(json!({
        "DomainQuota": ctx.limits.max_domains,
        "RefreshUrlQuota": q.refresh_urls,
        "RefreshUrlRemain": remain(ContentKind::Url),
        "RefreshDirQuota": q.refresh_dirs,
        "RefreshDirRemain": remain(ContentKind::Dir),
        "RefreshRegexQuota": q.refresh_regex,
        "RefreshRegexRemain": remain(ContentKind::Regex),
        "PreloadQuota": q.preload_urls,
        "PreloadRemain": remain(ContentKind::Preload),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_of_paths() {
        assert_eq!(host_of("http://A.com:8080/x?y"), "a.com");
        assert_eq!(host_of("https://b.com/.*\\.jpg"), "b.com");
        assert_eq!(host_of("http://c.com"), "c.com");
    }
}
