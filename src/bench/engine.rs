//! The engine's own cost at account scale, with no API time: N domains
//! planned, applied and planned again in this process, over providers whose
//! vendor rules are real but whose domains live in memory (`Offline`), on a
//! single-threaded runtime so the thread's CPU clock measures exactly the
//! engine. The state is the real local backend (journal fsynced per change,
//! snapshot at the end), so its bytes are measured too.

use crate::apply::{apply_plan, ApplyOptions, NoApplyHook};
use crate::bench::child::cpu_used;
use crate::bench::offline::Offline;
use crate::bench::project;
use crate::bench::BenchError;
use crate::config::{self, Config, VarInputs};
use crate::model::{ProviderAddr, Secret};
use crate::plan::{make_plan, NoHook, Plan, PlanOptions};
use crate::provider::aliyun::{AliyunConfig, AliyunProvider};
use crate::provider::baishan::{BaishanConfig, BaishanProvider};
use crate::provider::ctg::{CtgConfig, CtgProvider};
use crate::provider::memory::MemoryProvider;
use crate::provider::{Provider, ProviderSet};
use crate::state::{LocalBackend, State, StateBackend};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Where a provider's real client would send calls; nothing is sent.
const NOWHERE: &str = "http://127.0.0.1:9";

/// CPU (and wall) time of each engine step for `domains` domains.
#[derive(Clone, Debug)]
pub struct EngineCost {
    pub domains: usize,
    /// Reading and evaluating the generated HCL.
    pub load_cpu: Duration,
    /// Planning every domain as a create (empty state).
    pub create_plan_cpu: Duration,
    /// Applying those creates: the walk, the journal (one fsynced record
    /// per change) and the final snapshot.
    pub apply_cpu: Duration,
    pub apply_wall: Duration,
    /// Loading the state the apply wrote.
    pub state_load_cpu: Duration,
    /// The no-change plan: refresh from memory, evaluate, diff.
    pub plan_cpu: Duration,
    pub plan_wall: Duration,
    /// Planning every domain changed, each differently (no two updates
    /// batchable together).
    pub update_plan_cpu: Duration,
    /// Applying those updates (the walk grouping updates by batch key).
    pub update_apply_cpu: Duration,
    pub update_apply_wall: Duration,
    pub journal_bytes: u64,
    pub state_bytes: u64,
}

impl EngineCost {
    /// CPU of the no-change plan per domain.
    pub fn plan_cpu_per_domain(&self) -> Duration {
        self.plan_cpu / self.domains.max(1) as u32
    }
}

/// Measure the engine on `domains` domains spread over `vendors`, in a
/// scratch project under `dir`.
pub fn measure(domains: usize, vendors: &[String], dir: &Path) -> Result<EngineCost, BenchError> {
    let counts = spread(domains, vendors);
    let counts: Vec<(&str, usize)> = counts.iter().map(|(v, n)| (v.as_str(), *n)).collect();
    project::write_config(dir, &counts, NOWHERE, false).map_err(BenchError::io(dir))?;
    let dir = dir.to_path_buf();
    let vendors = vendors.to_vec();
    // A thread of its own: the CPU clock read is this thread's, and the
    // runtime below is the only thing on it.
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| BenchError::Engine(format!("cannot start a runtime: {e}")))?;
        runtime.block_on(measure_here(domains, &vendors, &dir))
    })
    .join()
    .map_err(|_| BenchError::Engine("the engine measurement panicked".into()))?
}

async fn measure_here(
    domains: usize,
    vendors: &[String],
    dir: &Path,
) -> Result<EngineCost, BenchError> {
    let cpu = || cpu_used(libc::RUSAGE_THREAD);
    let t = cpu();
    let config = config::load_dir(dir, &VarInputs::default()).map_err(|d| {
        BenchError::Engine(format!(
            "the generated configuration does not load: {}",
            d.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        ))
    })?;
    let load_cpu = cpu() - t;
    let providers = offline_providers(vendors)?;

    let t = cpu();
    let creates = plan(&config, &State::new(), &providers).await?;
    let create_plan_cpu = cpu() - t;

    let backend = LocalBackend::new(dir.join("state/cdnform.state.json"));
    let (t, wall) = (cpu(), Instant::now());
    let journal_bytes = apply_and_persist(&creates, &providers, &backend).await?;
    let (apply_cpu, apply_wall) = (cpu() - t, wall.elapsed());
    let state_bytes = file_len(backend.path());

    let t = cpu();
    let loaded = backend.load().map_err(state_error)?.state;
    let state_load_cpu = cpu() - t;

    let (t, wall) = (cpu(), Instant::now());
    let again = plan(&config, &loaded, &providers).await?;
    let (plan_cpu, plan_wall) = (cpu() - t, wall.elapsed());
    if again.has_changes() {
        return Err(BenchError::Engine(
            "the plan after applying everything still has changes".into(),
        ));
    }

    // Every domain changed, each differently.
    let changed_dir = dir.join("all-changed");
    std::fs::create_dir_all(&changed_dir).map_err(BenchError::io(&changed_dir))?;
    let counts = spread(domains, vendors);
    let counts: Vec<(&str, usize)> = counts.iter().map(|(v, n)| (v.as_str(), *n)).collect();
    std::fs::write(
        changed_dir.join("main.hcl"),
        project::config_text_all_distinct(&counts, NOWHERE),
    )
    .map_err(BenchError::io(&changed_dir))?;
    let changed = config::load_dir(&changed_dir, &VarInputs::default())
        .map_err(|_| BenchError::Engine("the changed configuration does not load".into()))?;
    let t = cpu();
    let updates = plan(&changed, &loaded, &providers).await?;
    let update_plan_cpu = cpu() - t;
    if updates.summary().change != domains {
        return Err(BenchError::Engine(format!(
            "expected {domains} updates, planned {:?}",
            updates.summary()
        )));
    }
    let (t, wall) = (cpu(), Instant::now());
    apply_and_persist(&updates, &providers, &backend).await?;
    let (update_apply_cpu, update_apply_wall) = (cpu() - t, wall.elapsed());

    Ok(EngineCost {
        domains,
        load_cpu,
        create_plan_cpu,
        apply_cpu,
        apply_wall,
        state_load_cpu,
        plan_cpu,
        plan_wall,
        update_plan_cpu,
        update_apply_cpu,
        update_apply_wall,
        journal_bytes,
        state_bytes,
    })
}

/// Apply `plan` over the in-memory providers with the real journal, then
/// fold it into a snapshot; the journal's size before the fold.
async fn apply_and_persist(
    plan: &Plan,
    providers: &ProviderSet,
    backend: &LocalBackend,
) -> Result<u64, BenchError> {
    let journal = backend.begin(&plan.refreshed).map_err(state_error)?;
    let (mut state, report) = apply_plan(
        plan,
        providers,
        plan.refreshed.clone(),
        journal,
        &ApplyOptions::default(),
        Arc::new(NoApplyHook),
    )
    .await;
    if !report.is_success() {
        return Err(BenchError::Engine(format!(
            "the in-memory apply failed: {:?}",
            report.failed.first()
        )));
    }
    let journal_bytes = file_len(&backend.journal_path());
    backend.persist(&mut state).map_err(state_error)?;
    Ok(journal_bytes)
}

async fn plan(config: &Config, state: &State, providers: &ProviderSet) -> Result<Plan, BenchError> {
    make_plan(
        config,
        state,
        providers,
        &PlanOptions::default(),
        Arc::new(NoHook),
    )
    .await
    .map_err(|e| BenchError::Engine(format!("planning failed: {e}")))
}

fn state_error(e: crate::state::StateError) -> BenchError {
    BenchError::Engine(format!("state: {e}"))
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// `domains` spread as evenly as possible over `vendors`, in order.
pub fn spread(domains: usize, vendors: &[String]) -> Vec<(String, usize)> {
    let k = vendors.len().max(1);
    vendors
        .iter()
        .enumerate()
        .map(|(i, v)| (v.clone(), domains / k + usize::from(i < domains % k)))
        .collect()
}

/// Every vendor's real client (never called) over memory.
fn offline_providers(vendors: &[String]) -> Result<ProviderSet, BenchError> {
    let mut set = ProviderSet::new();
    for vendor in vendors {
        let built: Result<Arc<dyn Provider>, _> = match vendor.as_str() {
            "aliyun" => AliyunProvider::new(AliyunConfig {
                endpoint: NOWHERE.into(),
                ..AliyunConfig::new("testid", Secret::new("testsecret"))
            })
            .map(|p| Arc::new(p) as Arc<dyn Provider>),
            "baishan" => BaishanProvider::new(BaishanConfig {
                endpoint: format!("{NOWHERE}/v2"),
                ..BaishanConfig::new(Secret::new("testtoken"))
            })
            .map(|p| Arc::new(p) as Arc<dyn Provider>),
            "ctg" => CtgProvider::new(CtgConfig {
                endpoint: NOWHERE.into(),
                ..CtgConfig::new("testid", Secret::new("testsecret"))
            })
            .map(|p| Arc::new(p) as Arc<dyn Provider>),
            other => return Err(BenchError::UnknownVendor(other.to_string())),
        };
        let rules = built.map_err(|e| BenchError::Engine(format!("{vendor}: {e}")))?;
        set.insert(
            ProviderAddr::new(vendor, None),
            Arc::new(Offline {
                rules,
                store: MemoryProvider::new(),
            }),
        );
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_is_even_and_complete() {
        let v: Vec<String> = ["aliyun", "baishan", "ctg"].map(String::from).to_vec();
        let s = spread(10, &v);
        assert_eq!(s.iter().map(|(_, n)| *n).collect::<Vec<_>>(), vec![4, 3, 3]);
    }
}
