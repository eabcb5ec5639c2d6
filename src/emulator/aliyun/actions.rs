//! The domain actions of Alibaba CDN, per API version: which version documents which action,
//! and what each one does to the world and answers.
//!
//! Handlers work on a draft of the world; the caller persists the draft when `changed`.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{json, Map, Value};

use super::errors::AliError;
use super::model::{cnames_for, gmt, AliDomain, AliyunWorld};
use super::params::Params;
use super::validate;
use super::ApiVersion;
use super::{certificate, config_actions, content_actions, content_queries};
use crate::emulator::content::DailyQuotas;

/// The world limits the configuration gives.
#[derive(Debug, Clone)]
pub struct Limits {
    pub configuring_delay: Duration,
    pub max_domains: usize,
    /// How long a refresh or push task takes (`EmulatorConfig::task_delay`).
    pub task_delay: Duration,
    pub quotas: DailyQuotas,
}

pub struct ActionCtx<'a> {
    pub version: ApiVersion,
    pub params: &'a Params,
    pub now: DateTime<Utc>,
    pub limits: &'a Limits,
}

/// A handler's answer body (without `RequestId`) and whether the world changed.
pub struct Outcome {
    pub body: Map<String, Value>,
    pub changed: bool,
}

impl Outcome {
    pub(super) fn read(body: Value) -> Self {
        Outcome {
            body: body.as_object().cloned().unwrap_or_default(),
            changed: false,
        }
    }
    pub(super) fn wrote() -> Self {
        Outcome {
            body: Map::new(),
            changed: true,
        }
    }
    pub(super) fn wrote_with(body: Value) -> Self {
        Outcome {
            body: body.as_object().cloned().unwrap_or_default(),
            changed: true,
        }
    }
}

/// Which actions each version documents. `ModifyCdnDomain`, the function configurations,
/// the certificate actions, `DescribeRefreshTaskById` and `DescribeCdnUserQuota` exist only
/// in 2018-05-10 (the 2014 seed has none of them).
pub fn supported(version: ApiVersion, action: &str) -> bool {
    const ONLY_2018: [&str; 8] = [
        "ModifyCdnDomain",
        "BatchSetCdnDomainConfig",
        "DescribeCdnDomainConfigs",
        "DeleteSpecificConfig",
        "SetCdnDomainSSLCertificate",
        "DescribeDomainCertificateInfo",
        "DescribeRefreshTaskById",
        "DescribeCdnUserQuota",
    ];
    const COMMON: [&str; 10] = [
        "DescribeCdnService",
        "DescribeUserDomains",
        "DescribeCdnDomainDetail",
        "AddCdnDomain",
        "StartCdnDomain",
        "StopCdnDomain",
        "DeleteCdnDomain",
        "RefreshObjectCaches",
        "PushObjectCache",
        "DescribeRefreshTasks",
    ];
    COMMON.contains(&action) || (version == ApiVersion::V2018_05_10 && ONLY_2018.contains(&action))
}

/// Runs a supported action on the draft world.
/// A supported action that only reads the world, answered from it as it is; `None` for
/// the others (`run`).
pub fn read(
    action: &str,
    ctx: &ActionCtx,
    world: &AliyunWorld,
) -> Option<Result<Outcome, AliError>> {
    Some(match action {
        "DescribeCdnService" => Ok(describe_service(world)),
        "DescribeUserDomains" => describe_user_domains(ctx, world),
        "DescribeCdnDomainDetail" => describe_detail(ctx, world),
        "DescribeCdnDomainConfigs" => config_actions::describe(ctx, world),
        "DescribeDomainCertificateInfo" => certificate::describe(ctx, world),
        "DescribeRefreshTasks" => content_queries::describe_tasks(ctx, world),
        "DescribeRefreshTaskById" => content_queries::describe_by_id(ctx, world),
        "DescribeCdnUserQuota" => Ok(content_queries::user_quota(ctx, world)),
        _ => return None,
    })
}

/// Every supported action (reads through `read`), on a draft of the world.
pub fn run(action: &str, ctx: &ActionCtx, world: &mut AliyunWorld) -> Result<Outcome, AliError> {
    if let Some(answer) = read(action, ctx, world) {
        return answer;
    }
    match action {
        "AddCdnDomain" => add(ctx, world),
        "ModifyCdnDomain" => modify(ctx, world),
        "StartCdnDomain" => set_enabled(ctx, world, true),
        "StopCdnDomain" => set_enabled(ctx, world, false),
        "DeleteCdnDomain" => delete(ctx, world),
        "BatchSetCdnDomainConfig" => config_actions::batch_set(ctx, world),
        "DeleteSpecificConfig" => config_actions::delete_specific(ctx, world),
        "SetCdnDomainSSLCertificate" => certificate::set(ctx, world),
        "RefreshObjectCaches" => content_actions::refresh(ctx, world),
        "PushObjectCache" => content_actions::push(ctx, world),
        _ => Err(AliError::unsupported_operation()),
    }
}

/// MODELLED: the emulated account pays by traffic, has no lock, and opened the service when
/// the world was created (seed `DescribeCdnService` example fields).
fn describe_service(world: &AliyunWorld) -> Outcome {
    Outcome::read(json!({
        "ChangingAffectTime": gmt(world.opened),
        "ChangingChargeType": "PayByTraffic",
        "InternetChargeType": "PayByTraffic",
        "OpeningTime": gmt(world.opened),
        "OperationLocks": {"LockReason": []},
    }))
}

pub(super) fn configuring_for(limits: &Limits) -> TimeDelta {
    TimeDelta::from_std(limits.configuring_delay).unwrap_or(TimeDelta::MAX)
}

/// The named domain, or the version's not-found error. A malformed name is the seed's
/// "DomainName format is error".
/// The named domain, read only (see `existing`).
pub(super) fn found<'w>(
    ctx: &ActionCtx,
    world: &'w AliyunWorld,
) -> Result<&'w AliDomain, AliError> {
    let name = validate::domain_name(ctx.params.require("DomainName")?)?;
    world
        .domains
        .get(&name)
        .ok_or_else(|| AliError::domain_not_found(ctx.version))
}

pub(super) fn existing<'w>(
    ctx: &ActionCtx,
    world: &'w mut AliyunWorld,
) -> Result<&'w mut AliDomain, AliError> {
    let name = validate::domain_name(ctx.params.require("DomainName")?)?;
    world
        .domains
        .get_mut(&name)
        .ok_or_else(|| AliError::domain_not_found(ctx.version))
}

/// Writes on a `configuring` domain are refused with 503 `ServiceBusy` (seed: Start, Stop,
/// Delete; MODELLED for Modify as well).
fn not_busy(domain: &AliDomain, now: DateTime<Utc>) -> Result<(), AliError> {
    if domain.status(now) == "configuring" {
        return Err(AliError::service_busy());
    }
    Ok(())
}

fn add(ctx: &ActionCtx, world: &mut AliyunWorld) -> Result<Outcome, AliError> {
    let p = ctx.params;
    let name = validate::domain_name(p.require("DomainName")?)?;
    let cdn_type = validate::cdn_type(p.require("CdnType")?)?;
    let (origins, scope) = match ctx.version {
        ApiVersion::V2018_05_10 => (
            validate::sources_2018(p.require("Sources")?, &name)?,
            validate::scope(p.optional("Scope"))?,
        ),
        ApiVersion::V2014_11_11 => (
            validate::sources_2014(p.require("SourceType")?, p.require("Sources")?, &name)?,
            // MODELLED: the 2014 API has no Scope; such domains are domestic.
            "domestic".to_string(),
        ),
    };
    if world.domains.contains_key(&name) {
        return Err(AliError::domain_already_exist());
    }
    if world.domains.len() >= ctx.limits.max_domains {
        return Err(AliError::domain_over_limit());
    }
    let (cname, https_cname) = cnames_for(&name);
    world.domains.insert(
        name.clone(),
        AliDomain {
            name,
            cdn_type,
            scope,
            origins,
            cname,
            https_cname,
            created: ctx.now,
            modified: ctx.now,
            configuring_until: ctx.now + configuring_for(ctx.limits),
            enabled: true,
        },
    );
    Ok(Outcome::wrote())
}

/// MODELLED: without `Sources` the call changes nothing and succeeds; with them the origins
/// are replaced and the domain goes back to `configuring`, then to the state it had
/// (`online`, or `offline` if it was stopped).
fn modify(ctx: &ActionCtx, world: &mut AliyunWorld) -> Result<Outcome, AliError> {
    let now = ctx.now;
    let domain = existing(ctx, world)?;
    not_busy(domain, now)?;
    let Some(raw) = ctx.params.optional("Sources") else {
        return Ok(Outcome::read(json!({})));
    };
    domain.origins = validate::sources_2018(raw, &domain.name)?;
    domain.modified = now;
    domain.configuring_until = now + configuring_for(ctx.limits);
    Ok(Outcome::wrote())
}

/// Start → `online`, Stop → `offline`, immediately. MODELLED: starting an online or stopping
/// an offline domain succeeds and changes nothing but `GmtModified`.
fn set_enabled(
    ctx: &ActionCtx,
    world: &mut AliyunWorld,
    enabled: bool,
) -> Result<Outcome, AliError> {
    let now = ctx.now;
    let domain = existing(ctx, world)?;
    not_busy(domain, now)?;
    domain.enabled = enabled;
    domain.modified = now;
    Ok(Outcome::wrote())
}

/// Deleting a domain also removes its function configurations and its certificate.
fn delete(ctx: &ActionCtx, world: &mut AliyunWorld) -> Result<Outcome, AliError> {
    let now = ctx.now;
    let domain = existing(ctx, world)?;
    not_busy(domain, now)?;
    let name = domain.name.clone();
    world.remove_domain(&name);
    Ok(Outcome::wrote())
}

fn describe_detail(ctx: &ActionCtx, world: &AliyunWorld) -> Result<Outcome, AliError> {
    let now = ctx.now;
    let d = found(ctx, world)?;
    let ssl = certificate::ssl_status(world, &d.name);
    let model = match ctx.version {
        // API-NOTES GetDomainDetailModel. ServerCertificateStatus is "on" while the domain has
        // a certificate (SetCdnDomainSSLCertificate). MODELLED: Description empty and every
        // origin `Enabled: "online"` (no origin health in this emulator).
        ApiVersion::V2018_05_10 => json!({
            "CdnType": d.cdn_type,
            "Cname": d.cname,
            "Description": "",
            "DomainName": d.name,
            "DomainStatus": d.status(now),
            "GmtCreated": gmt(d.created),
            "GmtModified": gmt(d.modified),
            "HttpsCname": d.https_cname,
            "Scope": d.scope,
            "ServerCertificateStatus": ssl,
            "SourceModels": {"SourceModel": d.origins.iter().map(|o| json!({
                "Content": o.content, "Type": o.kind, "Port": o.port,
                "Priority": o.priority, "Weight": o.weight, "Enabled": "online",
            })).collect::<Vec<_>>()},
        }),
        // The 2014 seed's example. Its JSON example nests RequestId in the model while its
        // XML puts it beside; we follow the XML and the common envelope (top level).
        ApiVersion::V2014_11_11 => json!({
            "CdnType": d.cdn_type,
            "Cname": d.cname,
            "DomainName": d.name,
            "DomainStatus": d.status(now),
            "GmtCreated": gmt(d.created),
            "GmtModified": gmt(d.modified),
            "HttpsCname": d.https_cname,
            "SourceType": d.source_type(),
            "Sources": {"Source": d.origins.iter().map(|o| o.content.clone()).collect::<Vec<_>>()},
        }),
    };
    Ok(Outcome::read(json!({ "GetDomainDetailModel": model })))
}

/// 2018 filters: `DomainName` with `DomainSearchType` (fuzzy_match by default), `DomainStatus`
/// and `CdnType`. MODELLED: the list is in domain-name order (the seeds give no order).
fn describe_user_domains(ctx: &ActionCtx, world: &AliyunWorld) -> Result<Outcome, AliError> {
    let p = ctx.params;
    let (number, size) = validate::page(
        p.optional("PageNumber"),
        p.optional("PageSize"),
        ctx.version,
    )?;
    let now = ctx.now;
    let mut matches: Vec<&AliDomain> = world.domains.values().collect();
    if ctx.version == ApiVersion::V2018_05_10 {
        if let Some(needle) = p.optional("DomainName") {
            let needle = needle.to_ascii_lowercase();
            let kind = p.optional("DomainSearchType").unwrap_or("fuzzy_match");
            let test: fn(&str, &str) -> bool = match kind {
                "fuzzy_match" => |n, s| n.contains(s),
                "pre_match" => |n, s| n.starts_with(s),
                "suf_match" => |n, s| n.ends_with(s),
                "full_match" => |n, s| n == s,
                _ => return Err(AliError::invalid_value("DomainSearchType")),
            };
            matches.retain(|d| test(&d.name, &needle));
        }
        if let Some(status) = p.optional("DomainStatus") {
            const KNOWN: [&str; 8] = [
                "online",
                "offline",
                "configuring",
                "configure_failed",
                "checking",
                "check_failed",
                "stopping",
                "deleting",
            ];
            if !KNOWN.contains(&status) {
                return Err(AliError::invalid_value("DomainStatus"));
            }
            matches.retain(|d| d.status(now) == status);
        }
        if let Some(kind) = p.optional("CdnType") {
            let kind = validate::cdn_type(kind)?;
            matches.retain(|d| d.cdn_type == kind);
        }
    }
    let total = matches.len();
    let page = matches
        .into_iter()
        .skip((number - 1).saturating_mul(size))
        .take(size);
    let domains = match ctx.version {
        ApiVersion::V2018_05_10 => json!({"PageData": page.map(|d| json!({
            "DomainName": d.name,
            "Cname": d.cname,
            "CdnType": d.cdn_type,
            "DomainStatus": d.status(now),
            "GmtCreated": gmt(d.created),
            "GmtModified": gmt(d.modified),
            "Description": "",
            "SslProtocol": certificate::ssl_status(world, &d.name),
            "Sources": {"Source": d.origins.iter().map(|o| json!({
                "Content": o.content, "Type": o.kind, "Port": o.port,
                "Priority": o.priority, "Weight": o.weight,
            })).collect::<Vec<_>>()},
        })).collect::<Vec<_>>()}),
        // The seed shows DomainName and DomainStatus; MODELLED: Cname, CdnType and the
        // times are added as the 2014 detail names them.
        ApiVersion::V2014_11_11 => json!({"CDNDomain": page.map(|d| json!({
            "DomainName": d.name,
            "DomainStatus": d.status(now),
            "Cname": d.cname,
            "CdnType": d.cdn_type,
            "GmtCreated": gmt(d.created),
            "GmtModified": gmt(d.modified),
        })).collect::<Vec<_>>()}),
    };
    Ok(Outcome::read(json!({
        "Domains": domains,
        "PageNumber": number,
        "PageSize": size,
        "TotalCount": total,
    })))
}
