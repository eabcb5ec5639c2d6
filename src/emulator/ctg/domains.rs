//! The CTG domain operations on a draft of the world: create, enable, disable, delete, list
//! and (MODELLED) read one domain. The context type and request readers shared with the
//! configuration endpoints are here too.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use percent_encoding::percent_decode_str;
use serde_json::{json, Map, Value};

use super::error::CtgError;
use super::model::{cname_for, CtgDomain, CtgWorld, PRODUCTS};
use super::values::{self, bad, is_domain_name, is_host_name, is_ip, object};
use crate::emulator::content::DailyQuotas;

/// MODELLED: at most 20 origins per domain; priority 1..=100 (lower is preferred); weight
/// 1..=100; port 1..=65535; every origin field is required.
pub const MAX_ORIGINS: usize = 20;

/// MODELLED: `page_size` defaults to 20 (at most 100, API-NOTES), `page` to 1.
pub const DEFAULT_PAGE_SIZE: i64 = 20;
pub const MAX_PAGE_SIZE: i64 = 100;

/// One request's parameters and what the endpoints need besides the world.
pub struct Ctx {
    pub query: Vec<(String, String)>,
    /// The JSON body (an object), empty when there was none.
    pub body: Map<String, Value>,
    pub now: DateTime<Utc>,
    /// How long a created or reconfigured domain answers `configuring`.
    pub delay: Duration,
    pub max_domains: usize,
    /// How long a purge or prefetch task takes (`task_delay`).
    pub task_delay: Duration,
    pub quotas: DailyQuotas,
}

fn decode(s: &str) -> String {
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// `a=1&b=2` into decoded pairs.
pub fn parse_query(q: Option<&str>) -> Vec<(String, String)> {
    q.unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// A body: nothing, or a JSON object (400 otherwise).
pub fn parse_body(body: &[u8]) -> Result<Map<String, Value>, CtgError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(CtgError::invalid("the request body must be a JSON object")),
    }
}

impl Ctx {
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn until(&self) -> DateTime<Utc> {
        self.now + TimeDelta::from_std(self.delay).unwrap_or(TimeDelta::MAX)
    }

    /// The body's `domain`, which must exist.
    pub fn body_domain<'w>(&self, world: &'w mut CtgWorld) -> Result<&'w mut CtgDomain, CtgError> {
        let name = values::string(&self.body, "domain", "")?;
        world
            .domains
            .get_mut(&name)
            .ok_or_else(|| CtgError::unknown_domain(&name))
    }

    /// The query's `domain`, which must exist.
    pub fn query_domain<'w>(&self, world: &'w CtgWorld) -> Result<&'w CtgDomain, CtgError> {
        let name = self
            .query("domain")
            .filter(|n| !n.is_empty())
            .ok_or_else(|| bad("domain", "is required"))?;
        world
            .domains
            .get(name)
            .ok_or_else(|| CtgError::unknown_domain(name))
    }
}

/// An origin list: 1 to `MAX_ORIGINS` entries `{address, type, port, priority, weight}`,
/// `type` `ip` with an IP address or `domain` with a host name, no address repeated.
pub fn origins(m: &Map<String, Value>, key: &str) -> Result<Vec<Value>, CtgError> {
    let items = values::list(m, key, "", MAX_ORIGINS)?;
    if items.is_empty() {
        return Err(bad(key, "at least one origin is required"));
    }
    let mut out: Vec<Value> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("{key}[{i}]");
        let o = object(item, &p, &["address", "type", "port", "priority", "weight"])?;
        let address = values::string(o, "address", &p)?;
        let kind = values::one_of(o, "type", &p, &["ip", "domain"])?;
        let fits = if kind == "ip" {
            is_ip(&address)
        } else {
            is_host_name(&address)
        };
        if !fits {
            return Err(bad(
                &format!("{p}.address"),
                format!("{address:?} is not a valid {kind} origin"),
            ));
        }
        if out.iter().any(|o| o["address"] == address.as_str()) {
            return Err(bad(
                &format!("{p}.address"),
                format!("{address:?} is repeated"),
            ));
        }
        out.push(json!({
            "address": address,
            "type": kind,
            "port": values::int(o, "port", &p, 1, 65535)?,
            "priority": values::int(o, "priority", &p, 1, 100)?,
            "weight": values::int(o, "weight", &p, 1, 100)?,
        }));
    }
    Ok(out)
}

/// `POST /API/domain` `{domain, product, origin}`. The new domain is `configuring`, then
/// `online`. MODELLED answer: the domain's summary (with its CNAME).
pub fn create(ctx: &Ctx, world: &mut CtgWorld) -> Result<Value, CtgError> {
    object(
        &Value::Object(ctx.body.clone()),
        "body",
        &["domain", "product", "origin"],
    )?;
    let name = values::string(&ctx.body, "domain", "")?;
    if !is_domain_name(&name) {
        return Err(bad(
            "domain",
            format!("{name:?} is not a valid domain name"),
        ));
    }
    let product = values::one_of(&ctx.body, "product", "", PRODUCTS)?;
    let origin = origins(&ctx.body, "origin")?;
    if world.domains.contains_key(&name) {
        return Err(CtgError::new(409, format!("domain {name} already exists")));
    }
    if world.domains.len() >= ctx.max_domains {
        // MODELLED: the account's domain quota is a 400.
        return Err(CtgError::invalid(format!(
            "the account already has the maximum of {} domains",
            ctx.max_domains
        )));
    }
    let d = CtgDomain {
        cname: cname_for(&name),
        domain: name.clone(),
        product,
        origin,
        enabled: true,
        created: ctx.now,
        modified: ctx.now,
        configuring_until: ctx.until(),
        config: Map::new(),
    };
    let data = d.summary(ctx.now);
    world.domains.insert(name, d);
    Ok(data)
}

/// `PUT /API/domain/enable|disable` `{domain}`. MODELLED: the status changes at once (no
/// `configuring` period; a domain still configuring stays so until its delay ends), doing it
/// twice is not an error, and the answer is the domain's summary.
pub fn set_enabled(ctx: &Ctx, world: &mut CtgWorld, enabled: bool) -> Result<Value, CtgError> {
    object(&Value::Object(ctx.body.clone()), "body", &["domain"])?;
    let d = ctx.body_domain(world)?;
    d.enabled = enabled;
    d.modified = ctx.now;
    Ok(d.summary(ctx.now))
}

/// `DELETE /API/domain?domain=`. MODELLED: any domain may be deleted, online or not; the
/// answer is `{domain}`.
pub fn delete(ctx: &Ctx, world: &mut CtgWorld) -> Result<Value, CtgError> {
    let name = ctx.query_domain(world)?.domain.clone();
    world.domains.remove(&name);
    Ok(json!({"domain": name}))
}

/// `GET /API/domain?domain=` (MODELLED): `{domain, cname, product, status, origin}`.
pub fn get(ctx: &Ctx, world: &CtgWorld) -> Result<Value, CtgError> {
    Ok(ctx.query_domain(world)?.detail(ctx.now))
}

fn page_param(ctx: &Ctx, name: &str, default: i64, max: i64) -> Result<i64, CtgError> {
    match ctx.query(name) {
        None | Some("") => Ok(default),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(bad(name, format!("must be an integer between 1 and {max}"))),
        },
    }
}

/// `GET /API/domain/list?page=&page_size=` → `{total, list}` in name order.
pub fn list(ctx: &Ctx, world: &CtgWorld) -> Result<Value, CtgError> {
    let page = page_param(ctx, "page", 1, i64::from(u32::MAX))?;
    let size = page_param(ctx, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?;
    let skip = usize::try_from((page - 1) * size).unwrap_or(usize::MAX);
    let list: Vec<Value> = world
        .domains
        .values()
        .skip(skip)
        .take(size as usize)
        .map(|d| d.summary(ctx.now))
        .collect();
    Ok(json!({"total": world.domains.len(), "list": list}))
}
