//! Refresh: read every resource recorded in the state from its vendor,
//! concurrently under a bound (`-parallelism`).

use crate::model::{Address, ProviderAddr};
use crate::plan::{PlanError, PlanHook};
use crate::provider::{Provider, ProviderError, ProviderSet};
use crate::state::ResourceState;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Read one resource's live attributes; `None` when it no longer exists.
pub async fn read_resource(
    provider: &dyn Provider,
    resource_type: &str,
    vendor_id: &str,
) -> Result<Option<Json>, ProviderError> {
    match resource_type {
        "cdn_domain" => Ok(provider.read_domain(vendor_id).await?.map(|d| d.to_json())),
        // Purges and preloads are tasks: nothing on the account to read.
        _ => Ok(None),
    }
}

pub fn provider_for<'a>(
    providers: &'a ProviderSet,
    addr: &Address,
    wanted: &ProviderAddr,
) -> Result<&'a Arc<dyn Provider>, PlanError> {
    providers
        .get(wanted)
        .ok_or_else(|| PlanError::MissingProvider {
            address: addr.clone(),
            provider: wanted.clone(),
        })
}

/// What to read: a resource, its provider and its vendor id.
pub struct ReadTarget {
    pub address: Address,
    pub provider: ProviderAddr,
    pub vendor_id: String,
}

impl From<&ResourceState> for ReadTarget {
    fn from(r: &ResourceState) -> Self {
        ReadTarget {
            address: r.address.clone(),
            provider: r.provider.clone(),
            vendor_id: r.vendor_id.clone(),
        }
    }
}

/// What a refresh reads of each target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// Its live attributes.
    Attributes,
    /// Only whether it exists (`Some(Json::Null)` when it does): a resource
    /// about to be created is checked for, not read.
    Existence,
}

/// Whether `resource_type` `vendor_id` exists (`Some(Json::Null)`), without
/// reading its attributes.
async fn check_resource(
    provider: &dyn Provider,
    resource_type: &str,
    vendor_id: &str,
) -> Result<Option<Json>, ProviderError> {
    match resource_type {
        "cdn_domain" => Ok(provider
            .domain_exists(vendor_id)
            .await?
            .then_some(Json::Null)),
        _ => Ok(None),
    }
}

/// Live attributes of each target (`None` = does not exist). The caller
/// announces the reads first (`PlanHook::refresh_begin` or `check_begin`).
pub async fn refresh_all(
    resources: &[ReadTarget],
    providers: &ProviderSet,
    parallelism: usize,
    hook: &Arc<dyn PlanHook>,
) -> Result<BTreeMap<Address, Option<Json>>, PlanError> {
    read_all(resources, providers, parallelism, hook, Reading::Attributes).await
}

/// Each target read as `reading` says (`None` = does not exist).
pub async fn read_all(
    resources: &[ReadTarget],
    providers: &ProviderSet,
    parallelism: usize,
    hook: &Arc<dyn PlanHook>,
    reading: Reading,
) -> Result<BTreeMap<Address, Option<Json>>, PlanError> {
    let permits = Arc::new(Semaphore::new(parallelism.max(1)));
    let mut tasks = JoinSet::new();
    for r in resources {
        let provider = provider_for(providers, &r.address, &r.provider)?.clone();
        let permits = permits.clone();
        let hook = hook.clone();
        let (address, vendor_id, addr) =
            (r.address.clone(), r.vendor_id.clone(), r.provider.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("semaphore open");
            hook.refresh_start(&address);
            let (provider, kind) = (provider.as_ref(), &address.resource_type);
            let result = match reading {
                Reading::Attributes => read_resource(provider, kind, &vendor_id).await,
                Reading::Existence => check_resource(provider, kind, &vendor_id).await,
            };
            hook.refresh_done(
                &address,
                result
                    .as_ref()
                    .map(|v| v.is_some())
                    .map_err(|e| e.to_string()),
            );
            (address, addr, result)
        });
    }
    let mut live = BTreeMap::new();
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        let (address, provider, result) = joined.expect("refresh task panicked");
        match result {
            Ok(v) => {
                live.insert(address, v);
            }
            Err(error) => {
                first_error.get_or_insert(PlanError::Refresh {
                    address,
                    provider,
                    error,
                });
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(live),
    }
}
