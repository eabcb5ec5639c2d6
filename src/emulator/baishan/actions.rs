//! The Baishan endpoints on a draft of the world: list, read, create, enable/disable and
//! delete domains, and read and write their configuration.
//!
//! Every call that names several domains is all-or-nothing: any unknown domain (404) or
//! invalid item (400) fails the whole call before anything is changed.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{json, Map, Value};

use super::config::{self, ConfigWrite};
use super::error::BsError;
use super::model::{cname_for, BaishanWorld, BsDomain, TYPES};
use super::request::Request;
use super::values::{int, is_domain_name};
use crate::emulator::content::DailyQuotas;

/// What an endpoint needs besides the world.
pub struct Ctx<'a> {
    pub req: &'a Request,
    pub now: DateTime<Utc>,
    /// How long a created or changed domain shows `deploying` (`configuring_delay`).
    pub deploying: Duration,
    pub max_domains: usize,
    /// How long a refresh or prefetch task takes (`task_delay`).
    pub task_delay: Duration,
    pub quotas: &'a DailyQuotas,
}

impl Ctx<'_> {
    fn deploying_until(&self) -> DateTime<Utc> {
        self.now + TimeDelta::from_std(self.deploying).unwrap_or(TimeDelta::MAX)
    }
}

/// An endpoint's `data` and whether the world changed.
pub struct Outcome {
    pub data: Value,
    pub changed: bool,
}

pub(super) fn read(data: Value) -> Result<Outcome, BsError> {
    Ok(Outcome {
        data,
        changed: false,
    })
}

pub(super) fn changed(data: Value) -> Result<Outcome, BsError> {
    Ok(Outcome {
        data,
        changed: true,
    })
}

/// The named domains, all of which must exist.
fn existing(ctx: &Ctx, world: &BaishanWorld) -> Result<Vec<String>, BsError> {
    let names = ctx.req.domains()?;
    if let Some(missing) = names.iter().find(|n| world.live(n).is_none()) {
        return Err(BsError::unknown_domain(missing));
    }
    Ok(names)
}

/// An optional positive integer parameter within `1..=max`.
fn page_param(req: &Request, name: &str, default: i64, max: i64) -> Result<i64, BsError> {
    match req.param(name) {
        None => Ok(default),
        Some(v) => {
            let n = int(&v, name)?;
            if n < 1 || n > max {
                return Err(BsError::invalid(format!("{name} must be within 1-{max}")));
            }
            Ok(n)
        }
    }
}

/// `GET /v2/domain/list`: `page_number` (from 1), `page_size` (≤ 500; MODELLED default 50),
/// `domain_status` deleted|suspend|serving. MODELLED: without a filter deleted domains are
/// left out; `serving` also matches a domain that shows `deploying` and is not suspended
/// (API-NOTES: "a serving domain may show deploying"); `data` is `{list, total, page_number,
/// page_size}` (total and the echo are MODELLED), in id order.
pub fn list(ctx: &Ctx, world: &BaishanWorld) -> Result<Outcome, BsError> {
    let page = page_param(ctx.req, "page_number", 1, i64::MAX)?;
    let size = page_param(ctx.req, "page_size", 50, 500)?;
    let filter = match ctx.req.param("domain_status") {
        None => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) if ["deleted", "suspend", "serving"].contains(&s.as_str()) => {
            Some(s)
        }
        Some(_) => {
            return Err(BsError::invalid(
                "domain_status must be one of deleted, suspend, serving",
            ))
        }
    };
    let mut matching: Vec<&BsDomain> = world
        .domains
        .values()
        .filter(|d| match filter.as_deref() {
            None => !d.deleted,
            Some("deleted") => d.deleted,
            Some("suspend") => !d.deleted && d.suspended,
            _ => !d.deleted && !d.suspended,
        })
        .collect();
    matching.sort_by_key(|d| d.id);
    let skip = usize::try_from((page - 1).saturating_mul(size)).unwrap_or(usize::MAX);
    let list: Vec<Value> = matching
        .iter()
        .skip(skip)
        .take(size as usize)
        .map(|d| d.summary(ctx.now))
        .collect();
    read(json!({
        "list": list,
        "total": matching.len(),
        "page_number": page,
        "page_size": size,
    }))
}

/// `GET /v2/domain?domains=a,b` (≤ 10, API-NOTES): `[{id, domain, type, status, cname,
/// config}]` in the order asked. MODELLED: the documents show no answer naming an unknown
/// domain among several; like every call that names several domains (the seed: "one
/// change's failure/exception can cause all changes to fail"), it fails the whole call with
/// a 404 whose message names the first unknown domain.
pub fn get(ctx: &Ctx, world: &BaishanWorld) -> Result<Outcome, BsError> {
    let names = existing(ctx, world)?;
    read(Value::Array(
        names
            .iter()
            .filter_map(|n| world.live(n))
            .map(|d| d.detail(ctx.now))
            .collect(),
    ))
}

/// MODELLED `POST /v2/domain` `{domain, type, config: {origin, ..}}`: adds a domain, which is
/// `deploying` for the deploying delay and then `serving`. `config` must set `origin` and
/// may set any other item. A name in use is a 400, as is going past `max_domains`. Answers
/// the new domain as `GET /v2/domain` shows it.
pub fn create(ctx: &Ctx, world: &mut BaishanWorld) -> Result<Outcome, BsError> {
    let name = match ctx.req.param("domain") {
        Some(Value::String(s)) => s.trim().to_ascii_lowercase(),
        Some(_) => return Err(BsError::invalid("domain must be a string")),
        None => return Err(BsError::invalid("domain is required")),
    };
    if !is_domain_name(&name) {
        return Err(BsError::invalid(format!(
            "domain {name:?} is not a valid domain name"
        )));
    }
    let kind = match ctx.req.param("type") {
        Some(Value::String(s)) if TYPES.contains(&s.as_str()) => s,
        _ => {
            return Err(BsError::invalid(format!(
                "type must be one of {}",
                TYPES.join(", ")
            )))
        }
    };
    let write = config::parse(
        &ctx.req
            .param("config")
            .ok_or_else(|| BsError::invalid("config with an origin is required"))?,
    )?;
    if !write.sets_origin() {
        return Err(BsError::invalid(
            "config.origin is required to add a domain",
        ));
    }
    if world.live(&name).is_some() {
        return Err(BsError::invalid(format!("domain {name} already exists")));
    }
    if world.live_count() >= ctx.max_domains {
        return Err(BsError::invalid(format!(
            "the account already has the maximum of {} domains",
            ctx.max_domains
        )));
    }
    let mut stored = Map::new();
    write.apply(&mut stored);
    let domain = BsDomain {
        id: world.new_id(),
        name: name.clone(),
        kind,
        cname: cname_for(&name),
        created: ctx.now,
        modified: ctx.now,
        deploying_until: ctx.deploying_until(),
        suspended: false,
        deleted: false,
        config: stored,
    };
    let data = domain.detail(ctx.now);
    world.domains.insert(name, domain);
    changed(data)
}

/// MODELLED `PUT /v2/domain/status` `{domains, status: serving|suspend}`: enables or
/// disables domains. A domain whose state changes is `deploying` for the delay (a domain
/// already in that state is left as it is). Answers `[{id, domain, status}]`.
pub fn set_status(ctx: &Ctx, world: &mut BaishanWorld) -> Result<Outcome, BsError> {
    let suspend = match ctx.req.param("status") {
        Some(Value::String(s)) if s == "serving" => false,
        Some(Value::String(s)) if s == "suspend" => true,
        _ => return Err(BsError::invalid("status must be serving or suspend")),
    };
    let names = existing(ctx, world)?;
    let until = ctx.deploying_until();
    let mut out = Vec::new();
    for n in &names {
        let d = world.domains.get_mut(n).expect("checked above");
        if d.suspended != suspend {
            d.suspended = suspend;
            d.modified = ctx.now;
            d.deploying_until = until;
        }
        out.push(json!({"id": d.id, "domain": d.name, "status": d.status(ctx.now)}));
    }
    changed(Value::Array(out))
}

/// `DELETE /v2/domain?domains=..` (≤ 10): `[{id, domain, status: "deleted"}]`. MODELLED: any
/// domain can be deleted whatever its state; its configuration goes with it.
pub fn delete(ctx: &Ctx, world: &mut BaishanWorld) -> Result<Outcome, BsError> {
    let names = existing(ctx, world)?;
    let mut out = Vec::new();
    for n in &names {
        let d = world.domains.get_mut(n).expect("checked above");
        d.deleted = true;
        d.config.clear();
        d.modified = ctx.now;
        out.push(json!({"id": d.id, "domain": d.name, "status": "deleted"}));
    }
    changed(Value::Array(out))
}

/// `GET /v2/domain/config?domains=..&config[]=origin&config[]=referer` (≤ 10 domains):
/// MODELLED answer `[{id, domain, config: {..}}]` in the order asked; without `config[]`
/// every stored item, with it the named items (`null` when not set). MODELLED: an unknown
/// domain among several fails the whole call with a 404 naming it, as `GET /v2/domain`.
pub fn get_config(ctx: &Ctx, world: &BaishanWorld) -> Result<Outcome, BsError> {
    let mut names: Vec<String> = ["config[]", "config"]
        .iter()
        .flat_map(|k| ctx.req.query_all(k))
        .map(str::to_string)
        .collect();
    if let Some(Value::Array(items)) = ctx.req.param("config") {
        names.extend(items.iter().filter_map(|i| i.as_str().map(str::to_string)));
    }
    let wanted = config::wanted(names)?;
    let domains = existing(ctx, world)?;
    read(Value::Array(
        domains
            .iter()
            .filter_map(|n| world.live(n))
            .map(|d| {
                json!({
                    "id": d.id,
                    "domain": d.name,
                    "config": config::render(&d.config, wanted.as_deref()),
                })
            })
            .collect(),
    ))
}

/// `POST /v2/domain/config` `{domains (≤ 10), config}`: all domains and all items are
/// checked before any is changed. Answers `{config}` as the seed's sample response shows:
/// MODELLED as the items written, normalised (cache rules in the form they were written in,
/// `add_response_head` as the edit sent, removed items as `null`). MODELLED: each domain
/// written is `deploying` for the delay.
pub fn set_config(ctx: &Ctx, world: &mut BaishanWorld) -> Result<Outcome, BsError> {
    let names = existing(ctx, world)?;
    let write: ConfigWrite = config::parse(
        &ctx.req
            .param("config")
            .ok_or_else(|| BsError::invalid("config is required"))?,
    )?;
    let until = ctx.deploying_until();
    for n in &names {
        let d = world.domains.get_mut(n).expect("checked above");
        write.apply(&mut d.config);
        d.modified = ctx.now;
        d.deploying_until = until;
    }
    changed(json!({ "config": write.echo }))
}
