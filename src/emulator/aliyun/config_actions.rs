//! The function configuration actions of Alibaba CDN 2018-05-10 (API-NOTES):
//! `BatchSetCdnDomainConfig`, `DescribeCdnDomainConfigs` and `DeleteSpecificConfig`.
//!
//! MODELLED (the documents are silent): configuration writes are allowed whatever the domain's
//! status (online, offline, even configuring) and do not put the domain back into
//! `configuring`; each written configuration is `configuring` for the emulator's
//! `configuring_delay` and `success` after. A call is atomic: every check is made before
//! anything is written, and a failed call leaves the world as it was (the draft is dropped).

use serde_json::{json, Value};

use super::actions::{configuring_for, existing, found, ActionCtx, Outcome};
use super::config_functions::{parse_config_id, parse_functions, spec, FunctionCall};
use super::errors::AliError;
use super::model::{AliyunWorld, DomainConfig};
use super::validate;

/// At most this many domains per `BatchSetCdnDomainConfig` (API-NOTES quota table).
pub const MAX_BATCH_DOMAINS: usize = 50;

/// `DomainNames`: comma-separated, 1..=50 names. MODELLED: spaces around a name are
/// ignored, and a name given twice is `InvalidParameter` (it would apply repeatable functions
/// twice).
fn domain_names(raw: &str) -> Result<Vec<String>, AliError> {
    let mut names: Vec<String> = Vec::new();
    for piece in raw.split(',') {
        let name = validate::domain_name(piece.trim())?;
        if names.contains(&name) {
            return Err(AliError::invalid_value("DomainNames"));
        }
        names.push(name);
    }
    if names.len() > MAX_BATCH_DOMAINS {
        return Err(AliError::invalid_value("DomainNames"));
    }
    Ok(names)
}

/// Where one function call lands on one domain: an existing ConfigId or a new one.
fn target(world: &AliyunWorld, domain: &str, call: &FunctionCall) -> Result<Option<u64>, AliError> {
    if let Some(id) = call.config_id {
        // MODELLED: a configId must name a configuration of this domain and this function.
        return match world.configs.get(&id) {
            Some(c) if c.domain == domain && c.function == call.spec.name => Ok(Some(id)),
            _ => Err(AliError::invalid_config_id(&id.to_string())),
        };
    }
    if call.spec.repeatable {
        return Ok(None);
    }
    // MODELLED: replacing a single-instance function keeps its ConfigId (updated in place).
    Ok(world
        .configs_of(domain)
        .find(|c| c.function == call.spec.name)
        .map(|c| c.id))
}

pub fn batch_set(ctx: &ActionCtx, world: &mut AliyunWorld) -> Result<Outcome, AliError> {
    let p = ctx.params;
    let domains = domain_names(p.require("DomainNames")?)?;
    let calls = parse_functions(p.require("Functions")?)?;
    for d in &domains {
        if !world.domains.contains_key(d) {
            return Err(AliError::domain_not_found(ctx.version));
        }
    }
    // Resolve every target first, so that a bad configId on the last domain stores nothing.
    let mut plan = Vec::with_capacity(domains.len() * calls.len());
    for d in &domains {
        for call in &calls {
            plan.push((d, call, target(world, d, call)?));
        }
    }
    let until = ctx.now + configuring_for(ctx.limits);
    let mut models = Vec::with_capacity(plan.len());
    for (domain, call, existing_id) in plan {
        if let Some(other) = call.spec.excludes {
            world
                .configs
                .retain(|_, c| !(c.domain == *domain && c.function == other));
        }
        let id = existing_id.unwrap_or_else(|| world.new_config_id());
        world.configs.insert(
            id,
            DomainConfig {
                id,
                domain: domain.clone(),
                function: call.spec.name.to_string(),
                args: call.args.clone(),
                modified: ctx.now,
                configuring_until: until,
            },
        );
        models.push(json!({
            "ConfigId": id,
            "DomainName": domain,
            "FunctionName": call.spec.name,
        }));
    }
    Ok(Outcome {
        body: json!({"DomainConfigList": {"DomainConfigModel": models}})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        changed: true,
    })
}

/// One configuration as `DescribeCdnDomainConfigs` answers it. The server adds `aliyun_id`
/// (the account uid) to the arguments, as API-NOTES says it may; clients must ignore it.
fn config_json(c: &DomainConfig, uid: &str, ctx: &ActionCtx) -> Value {
    let mut args: Vec<Value> = c
        .args
        .iter()
        .map(|a| json!({"ArgName": a.name, "ArgValue": a.value}))
        .collect();
    args.push(json!({"ArgName": "aliyun_id", "ArgValue": uid}));
    json!({
        "ConfigId": c.id.to_string(),
        "FunctionName": c.function,
        "Status": c.status(ctx.now),
        "FunctionArgs": {"FunctionArg": args},
    })
}

/// `DomainName`, optional `FunctionNames` (comma-separated; absent or empty = all) and
/// optional `ConfigId`. MODELLED: configurations come in ConfigId order; a ConfigId that is
/// not the domain's gives an empty list; a ConfigId that is not a number is
/// `InvalidParameter`.
pub fn describe(ctx: &ActionCtx, world: &AliyunWorld) -> Result<Outcome, AliError> {
    let p = ctx.params;
    let domain = found(ctx, world)?.name.clone();
    let mut functions: Vec<&str> = Vec::new();
    if let Some(raw) = p.optional("FunctionNames") {
        for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            spec(name).ok_or_else(|| AliError::invalid_function(name))?;
            functions.push(name);
        }
    }
    let config_id = match p.optional("ConfigId") {
        None => None,
        Some(raw) => Some(parse_config_id(raw).ok_or_else(|| AliError::invalid_value("ConfigId"))?),
    };
    let list: Vec<Value> = world
        .configs_of(&domain)
        .filter(|c| functions.is_empty() || functions.contains(&c.function.as_str()))
        .filter(|c| config_id.is_none_or(|id| c.id == id))
        .map(|c| config_json(c, &world.account_uid, ctx))
        .collect();
    Ok(Outcome::read(
        json!({"DomainConfigs": {"DomainConfig": list}}),
    ))
}

/// `DomainName` and `ConfigId`. MODELLED: `ConfigId` may list several ids separated by
/// commas; each must be a configuration of the domain, else 400 `InvalidParameter` naming it
/// and nothing is removed.
pub fn delete_specific(ctx: &ActionCtx, world: &mut AliyunWorld) -> Result<Outcome, AliError> {
    let domain = existing(ctx, world)?.name.clone();
    let raw = ctx.params.require("ConfigId")?;
    let mut ids = Vec::new();
    for piece in raw.split(',').map(str::trim) {
        let id = parse_config_id(piece)
            .filter(|id| world.configs.get(id).is_some_and(|c| c.domain == domain))
            .ok_or_else(|| AliError::invalid_config_id(piece))?;
        ids.push(id);
    }
    for id in ids {
        world.configs.remove(&id);
    }
    Ok(Outcome::wrote())
}
