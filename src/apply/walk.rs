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
    // Ready changes in the order they became ready (address order first),
    // with the batchable updates among them indexed by provider and batch
    // key, so gathering a batch never scans the whole queue.
    let mut ready = ReadyQueue::default();
    for (a, n) in &waiting {
        if *n == 0 {
            ready.push(&changes[a], providers, &shared);
        }
    }
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
            let Some((address, group)) = ready.pop() else {
                break;
            };
            waiting.remove(&address);
            let change = changes[&address].clone();
            let Some(provider) = providers.get(&change.provider).cloned() else {
                unreachable!("planner checked provider {} for {address}", change.provider);
            };
            let (shared, hook, options) = (shared.clone(), hook.clone(), options.clone());
            if !group.is_empty() {
                // Every ready update the vendor can apply in the same call
                // (this one first).
                let mut batch = Vec::with_capacity(group.len());
                for a in &group {
                    waiting.remove(a);
                    let entry = batch_entry(&changes[a], provider.as_ref(), &shared)
                        .expect("indexed as batchable");
                    batch.push(entry.1);
                }
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
                report.not_started = waiting.keys().chain(ready.pending()).cloned().collect();
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
                            ready.push(&changes[&next], providers, &shared);
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
    // Who depends on each address among deletes and replaces, built once (a
    // scan of all changes per delete was quadratic in a large destroy).
    let mut removed_before: BTreeMap<&Address, Vec<Address>> = BTreeMap::new();
    for d in changes.values() {
        if matches!(d.action, Action::Delete | Action::Replace) {
            for dep in &d.depends_on {
                removed_before
                    .entry(dep)
                    .or_default()
                    .push(d.address.clone());
            }
        }
    }
    DepGraph::new(changes.keys(), |a| {
        let c = &changes[a];
        if c.action == Action::Delete {
            removed_before.get(a).cloned().unwrap_or_default()
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

/// Ready changes, first ready first, with batchable updates grouped by
/// provider and batch key (each key computed once per change).
#[derive(Default)]
struct ReadyQueue {
    order: std::collections::VecDeque<Address>,
    groups: BTreeMap<(crate::model::ProviderAddr, String), Vec<Address>>,
    key_of: BTreeMap<Address, (crate::model::ProviderAddr, String)>,
    /// Taken with a batch before their turn in `order` came.
    taken: BTreeSet<Address>,
}

impl ReadyQueue {
    fn push(&mut self, change: &ResourceChange, providers: &ProviderSet, shared: &Shared) {
        let address = change.address.clone();
        let key = providers
            .get(&change.provider)
            .and_then(|p| batch_entry(change, p.as_ref(), shared))
            .map(|(k, _)| (change.provider.clone(), k));
        if let Some(key) = key {
            self.groups
                .entry(key.clone())
                .or_default()
                .push(address.clone());
            self.key_of.insert(address.clone(), key);
        }
        self.order.push_back(address);
    }

    /// The next change and, when it is a batchable update, every ready
    /// update sharing its batch (itself first; empty when not batchable).
    fn pop(&mut self) -> Option<(Address, Vec<Address>)> {
        loop {
            let address = self.order.pop_front()?;
            if self.taken.remove(&address) {
                continue;
            }
            let Some(key) = self.key_of.remove(&address) else {
                return Some((address, Vec::new()));
            };
            let mut group = self.groups.remove(&key).unwrap_or_default();
            group.retain(|a| a != &address);
            for a in &group {
                self.key_of.remove(a);
                self.taken.insert(a.clone());
            }
            group.insert(0, address.clone());
            return Some((address, group));
        }
    }

    /// What is still queued.
    fn pending(&self) -> impl Iterator<Item = &Address> {
        self.order.iter().filter(|a| !self.taken.contains(*a))
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
