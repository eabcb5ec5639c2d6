//! The DAG walk: start a change once everything it waits for has finished,
//! at most `parallelism` at a time; journal each finished step at once;
//! skip the dependants of a failure.

use crate::apply::domain::align_write_only;
use crate::apply::run::{
    decode, desired_domain, finish_configured, run_change, submit_batch, Configured, Shared,
};
use crate::apply::{ApplyError, ApplyHook};
use crate::model::{Address, Domain};
use crate::plan::graph::DepGraph;
use crate::plan::{Action, Plan, ResourceChange};
use crate::provider::{Provider, ProviderSet};
use crate::state::{Journal, JournalOp, State};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

#[derive(Clone, Debug)]
pub struct ApplyOptions {
    pub parallelism: usize,
    /// How long to wait for a domain to leave `configuring`.
    pub ready_timeout: Duration,
    /// Set (by Ctrl-C) to start no new change; those in flight finish.
    pub interrupt: Option<Arc<AtomicBool>>,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            parallelism: 10,
            ready_timeout: Duration::from_secs(600),
            interrupt: None,
        }
    }
}

#[derive(Debug, Default)]
pub struct ApplyReport {
    pub applied: Vec<(Address, Action)>,
    pub failed: Vec<(Address, Action, ApplyError)>,
    /// (skipped, because this one failed or was skipped)
    pub skipped: Vec<(Address, Address)>,
    /// Changes never started because the run was interrupted.
    pub not_started: Vec<Address>,
}

impl ApplyReport {
    pub fn is_success(&self) -> bool {
        self.failed.is_empty() && self.skipped.is_empty() && self.not_started.is_empty()
    }
}

/// State records the plan changes without any vendor call: resources
/// adopted by `import` blocks, and resources left alone whose protection
/// (`prevent_destroy`) changed in the configuration.
pub fn state_only_updates(plan: &Plan, state: &State) -> Vec<JournalOp> {
    let mut ops = Vec::new();
    for c in &plan.changes {
        let Some(mut r) = state.get(&c.address).cloned() else {
            continue;
        };
        let imported = c.importing.is_some();
        if imported || (c.action == Action::NoOp && r.protected != c.lifecycle.protect) {
            r.protected = c.lifecycle.protect;
            ops.push(JournalOp::Upsert { resource: r });
        }
    }
    ops
}

/// Journal the state-only updates before any vendor call.
fn record_metadata(plan: &Plan, shared: &Shared) -> Result<(), (Address, ApplyError)> {
    let ops = state_only_updates(plan, &shared.state.lock().expect("state lock"));
    for op in ops {
        let JournalOp::Upsert { resource } = &op else {
            continue;
        };
        let address = resource.address.clone();
        shared
            .record(&address, op)
            .map_err(|e| (address.clone(), e))?;
    }
    Ok(())
}

/// Apply `plan` starting from `state` (normally `plan.refreshed`); returns
/// the state after the run with the report. The caller persists the state.
pub async fn apply_plan(
    plan: &Plan,
    providers: &ProviderSet,
    state: State,
    journal: Box<dyn Journal>,
    options: &ApplyOptions,
    hook: Arc<dyn ApplyHook>,
) -> (State, ApplyReport) {
    let changes: BTreeMap<Address, ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .map(|c| (c.address.clone(), c.clone()))
        .collect();
    let graph = build_graph(&changes);
    let shared = Arc::new(Shared {
        state: Mutex::new(state),
        journal: Mutex::new(journal),
        secrets: plan.secrets.clone(),
    });
    let mut report = ApplyReport::default();
    if let Err((address, e)) = record_metadata(plan, &shared) {
        report.failed.push((address, Action::NoOp, e));
        let state = std::mem::take(&mut *shared.state.lock().expect("state lock"));
        return (state, report);
    }
    let mut waiting: BTreeMap<Address, usize> = changes
        .keys()
        .map(|a| (a.clone(), graph.waits_for(a).len()))
        .collect();
    let mut ready: Vec<Address> = waiting
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(a, _)| a.clone())
        .collect();
    ready.reverse(); // pop() takes them in address order
    let mut blocked: BTreeSet<Address> = BTreeSet::new();
    let mut running: JoinSet<Finished> = JoinSet::new();
    // Batched updates whose shared call succeeded, each still to finish.
    let mut configured: Vec<Configured> = Vec::new();
    let parallelism = options.parallelism.max(1);

    let stopped = || {
        options
            .interrupt
            .as_ref()
            .is_some_and(|f| f.load(Ordering::SeqCst))
    };
    loop {
        while running.len() < parallelism {
            if let Some(job) = configured.pop() {
                let Some(provider) = providers.get(&job.change.provider).cloned() else {
                    unreachable!("planner checked provider {}", job.change.provider);
                };
                let (shared, hook, options) = (shared.clone(), hook.clone(), options.clone());
                running.spawn(async move {
                    let done =
                        finish_configured(job, provider.as_ref(), &shared, hook.as_ref(), &options)
                            .await;
                    Finished::Done(vec![done])
                });
                continue;
            }
            // After Ctrl-C: batched updates already configured still
            // finish (above); nothing new starts.
            if stopped() {
                break;
            }
            let Some(address) = ready.pop() else { break };
            waiting.remove(&address);
            let change = changes[&address].clone();
            let Some(provider) = providers.get(&change.provider).cloned() else {
                unreachable!("planner checked provider {} for {address}", change.provider);
            };
            let (shared, hook, options) = (shared.clone(), hook.clone(), options.clone());
            if let Some((key, first)) = batch_entry(&change, provider.as_ref(), &shared) {
                // Gather every ready update the vendor can apply in the same call.
                let mut batch = vec![first];
                let mut rest = Vec::new();
                for other in std::mem::take(&mut ready) {
                    let c = &changes[&other];
                    match (c.provider == change.provider)
                        .then(|| batch_entry(c, provider.as_ref(), &shared))
                        .flatten()
                    {
                        Some((k, entry)) if k == key => {
                            waiting.remove(&other);
                            batch.push(entry);
                        }
                        _ => rest.push(other),
                    }
                }
                ready = rest;
                running.spawn(async move {
                    let (failed, configured) =
                        submit_batch(batch, provider.as_ref(), hook.as_ref()).await;
                    Finished::Submitted { failed, configured }
                });
                continue;
            }
            running.spawn(async move {
                hook.start(&change.address, change.action);
                let started = Instant::now();
                let result =
                    run_change(&change, provider.as_ref(), &shared, hook.as_ref(), &options).await;
                hook.done(
                    &change.address,
                    change.action,
                    result.as_ref().map(|_| ()),
                    started.elapsed(),
                );
                Finished::Done(vec![(change.address, change.action, result)])
            });
        }
        let Some(joined) = running.join_next().await else {
            if stopped() {
                report.not_started = waiting.keys().chain(ready.iter()).cloned().collect();
                report.not_started.sort();
                report.not_started.dedup();
            }
            break;
        };
        let finished = match joined.expect("apply task panicked") {
            Finished::Done(results) => results,
            Finished::Submitted {
                failed,
                configured: more,
            } => {
                // Finish in address order (the queue is popped from the end).
                configured.extend(more.into_iter().rev());
                failed
            }
        };
        for (address, action, result) in finished {
            let succeeded = result.is_ok();
            match result {
                Ok(()) => report.applied.push((address.clone(), action)),
                Err(e) => report.failed.push((address.clone(), action, e)),
            }
            if succeeded {
                for next in graph.dependants(&address) {
                    if blocked.contains(&next) {
                        continue;
                    }
                    if let Some(n) = waiting.get_mut(&next) {
                        *n -= 1;
                        if *n == 0 {
                            ready.insert(0, next);
                        }
                    }
                }
            } else {
                skip_dependants(
                    &graph,
                    &address,
                    &mut waiting,
                    &mut blocked,
                    &mut report,
                    hook.as_ref(),
                );
            }
        }
    }
    let state = std::mem::take(&mut *shared.state.lock().expect("state lock"));
    (state, report)
}

/// What a walk task hands back.
enum Finished {
    /// Changes done (or failed).
    Done(Vec<(Address, Action, Result<(), ApplyError>)>),
    /// A batch's shared call: the updates it failed, and those it
    /// configured, which the walk finishes one by one.
    Submitted {
        failed: Vec<(Address, Action, Result<(), ApplyError>)>,
        configured: Vec<Configured>,
    },
}

/// Creates and updates wait for their dependencies' creates and updates;
/// deletes wait for the deletes of what depends on them.
fn build_graph(changes: &BTreeMap<Address, ResourceChange>) -> DepGraph {
    let is_delete = |a: &Address| changes.get(a).is_some_and(|c| c.action == Action::Delete);
    DepGraph::new(changes.keys(), |a| {
        let c = &changes[a];
        if c.action == Action::Delete {
            changes
                .values()
                .filter(|d| {
                    matches!(d.action, Action::Delete | Action::Replace) && d.depends_on.contains(a)
                })
                .map(|d| d.address.clone())
                .collect()
        } else {
            c.depends_on
                .iter()
                .filter(|d| !is_delete(d))
                .cloned()
                .collect()
        }
    })
}

fn skip_dependants(
    graph: &DepGraph,
    failed: &Address,
    waiting: &mut BTreeMap<Address, usize>,
    blocked: &mut BTreeSet<Address>,
    report: &mut ApplyReport,
    hook: &dyn ApplyHook,
) {
    let mut stack = vec![failed.clone()];
    while let Some(cause) = stack.pop() {
        for next in graph.dependants(&cause) {
            if blocked.insert(next.clone()) {
                waiting.remove(&next);
                hook.skipped(&next, &cause);
                report.skipped.push((next.clone(), cause.clone()));
                stack.push(next);
            }
        }
    }
}

/// `Some((key, entry))` when `change` is an update the provider can batch.
fn batch_entry(
    change: &ResourceChange,
    provider: &dyn Provider,
    shared: &Shared,
) -> Option<(String, (ResourceChange, Domain, Domain))> {
    if change.action != Action::Update {
        return None;
    }
    let mut prior = decode(&change.address, change.before.as_ref()?).ok()?;
    let desired = desired_domain(change, shared).ok()?;
    align_write_only(&mut prior, &desired);
    let key = provider.update_batch_key(&prior, &desired)?;
    Some((key, (change.clone(), prior, desired)))
}
