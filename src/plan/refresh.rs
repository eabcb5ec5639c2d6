//! Refresh: read every resource recorded in the state from its vendor,
//! as many per call as the vendor allows, concurrently under a bound
//! (`-parallelism`).

use crate::model::{Address, ProviderAddr};
use crate::plan::{PlanError, PlanHook};
use crate::provider::{ErrorKind, Provider, ProviderError, ProviderSet};
use crate::state::ResourceState;
use serde_json::Value as Json;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Read one resource's live attributes; `None` when it no longer exists.
pub async fn read_resource(
    provider: &dyn Provider,
    resource_type: &str,
    vendor_id: &str,
) -> Result<Option<Json>, ProviderError> {
    if !is_read(resource_type) {
        return Ok(None);
    }
    Ok(provider.read_domain(vendor_id).await?.map(|d| d.to_json()))
}

/// Is there an object on the account to read? Only for `cdn_domain`:
/// purges and preloads are tasks.
fn is_read(resource_type: &str) -> bool {
    resource_type == "cdn_domain"
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

/// One resource on the account to read, and the addresses that record it.
struct Read {
    vendor_id: String,
    addresses: Vec<Address>,
}

/// What a chunk's task gives back: each read's addresses and result.
type ChunkResult = (
    ProviderAddr,
    Vec<Read>,
    Result<Vec<Option<Json>>, ProviderError>,
);

/// Read `names` with one `read_domains` call, as JSON.
async fn read_chunk(
    provider: &dyn Provider,
    names: &[String],
) -> Result<Vec<Option<Json>>, ProviderError> {
    let found = provider.read_domains(names).await?;
    if found.len() != names.len() {
        return Err(ProviderError::new(
            provider.vendor(),
            "read_domains",
            ErrorKind::Other,
            format!("{} results for {} domains asked", found.len(), names.len()),
        ));
    }
    Ok(found.into_iter().map(|d| d.map(|d| d.to_json())).collect())
}

/// Live attributes of each target (`None` = does not exist). The
/// `cdn_domain` targets of each provider are read in chunks of its
/// `read_batch_size`, one `read_domains` call and one permit of
/// `parallelism` per chunk; a resource named twice is read once. The hook
/// hears of every address: started when its chunk's read starts, done when
/// that read's result is known.
pub async fn refresh_all(
    resources: &[ReadTarget],
    providers: &ProviderSet,
    parallelism: usize,
    hook: &Arc<dyn PlanHook>,
) -> Result<BTreeMap<Address, Option<Json>>, PlanError> {
    // Per provider (first seen first), its reads in the order given.
    let mut groups: Vec<(ProviderAddr, Arc<dyn Provider>, Vec<Read>)> = Vec::new();
    // (group, vendor id) → index of its read in the group.
    let mut index: HashMap<(usize, &str), usize> = HashMap::new();
    let mut seen = BTreeSet::new();
    let mut live = BTreeMap::new();
    let mut nothing_to_read = Vec::new();
    for r in resources {
        let provider = provider_for(providers, &r.address, &r.provider)?;
        if !seen.insert(r.address.clone()) {
            continue;
        }
        if !is_read(&r.address.resource_type) {
            nothing_to_read.push(r.address.clone());
            continue;
        }
        let g = match groups.iter().position(|(p, _, _)| *p == r.provider) {
            Some(g) => g,
            None => {
                groups.push((r.provider.clone(), provider.clone(), Vec::new()));
                groups.len() - 1
            }
        };
        let reads = &mut groups[g].2;
        match index.entry((g, r.vendor_id.as_str())) {
            Entry::Occupied(i) => reads[*i.get()].addresses.push(r.address.clone()),
            Entry::Vacant(slot) => {
                slot.insert(reads.len());
                reads.push(Read {
                    vendor_id: r.vendor_id.clone(),
                    addresses: vec![r.address.clone()],
                });
            }
        }
    }
    for address in nothing_to_read {
        hook.refresh_start(&address);
        hook.refresh_done(&address, Ok(false));
        live.insert(address, None);
    }

    let permits = Arc::new(Semaphore::new(parallelism.max(1)));
    let mut tasks: JoinSet<ChunkResult> = JoinSet::new();
    for (addr, provider, reads) in groups {
        let size = provider.read_batch_size().max(1);
        let mut reads = reads.into_iter().peekable();
        while reads.peek().is_some() {
            let chunk: Vec<Read> = reads.by_ref().take(size).collect();
            let (provider, permits, hook, addr) = (
                provider.clone(),
                permits.clone(),
                hook.clone(),
                addr.clone(),
            );
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await.expect("semaphore open");
                let addresses = || chunk.iter().flat_map(|r| &r.addresses);
                addresses().for_each(|a| hook.refresh_start(a));
                let names: Vec<String> = chunk.iter().map(|r| r.vendor_id.clone()).collect();
                let result = read_chunk(provider.as_ref(), &names).await;
                match &result {
                    Ok(found) => {
                        for (r, v) in chunk.iter().zip(found) {
                            r.addresses
                                .iter()
                                .for_each(|a| hook.refresh_done(a, Ok(v.is_some())));
                        }
                    }
                    Err(e) => {
                        let message = e.to_string();
                        addresses().for_each(|a| hook.refresh_done(a, Err(message.clone())));
                    }
                }
                (addr, chunk, result)
            });
        }
    }
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        let (provider, chunk, result) = joined.expect("refresh task panicked");
        match result {
            Ok(found) => {
                for (r, v) in chunk.into_iter().zip(found) {
                    for address in r.addresses {
                        live.insert(address, v.clone());
                    }
                }
            }
            Err(error) => {
                first_error.get_or_insert(PlanError::Refresh {
                    address: chunk[0].addresses[0].clone(),
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

/// Whether each target exists (`Some(Json::Null)`) or not (`None`), one
/// light check per target (`Provider::domain_exists`), `parallelism` at a
/// time. The caller announces the checks (`PlanHook::check_begin`).
pub async fn check_all(
    resources: &[ReadTarget],
    providers: &ProviderSet,
    parallelism: usize,
    hook: &Arc<dyn PlanHook>,
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
            let result = check_resource(provider, kind, &vendor_id).await;
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
