//! The DAG walk: start a change once everything it waits for has finished,
//! at most `parallelism` at a time; journal each finished step at once;
//! skip the dependants of a failure.

use crate::apply::domain::DomainSteps;
use crate::apply::{ApplyError, ApplyHook};
use crate::model::{Address, Domain, PlannedValue, Unknown};
use crate::plan::graph::DepGraph;
use crate::plan::{Action, Plan, ResourceChange};
use crate::provider::{Provider, ProviderSet};
use crate::state::{Journal, JournalOp, ResourceState, State};
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

#[derive(Clone, Debug)]
pub struct ApplyOptions {
    pub parallelism: usize,
    /// How long to wait for a domain to leave `configuring`.
    pub ready_timeout: Duration,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            parallelism: 10,
            ready_timeout: Duration::from_secs(600),
        }
    }
}

#[derive(Debug, Default)]
pub struct ApplyReport {
    pub applied: Vec<(Address, Action)>,
    pub failed: Vec<(Address, Action, ApplyError)>,
    /// (skipped, because this one failed or was skipped)
    pub skipped: Vec<(Address, Address)>,
}

impl ApplyReport {
    pub fn is_success(&self) -> bool {
        self.failed.is_empty() && self.skipped.is_empty()
    }
}

/// What the running changes share: the state as it is now (also the source
/// of finished resources' values) and the journal.
struct Shared {
    state: Mutex<State>,
    journal: Mutex<Box<dyn Journal>>,
}

impl Shared {
    fn record(&self, address: &Address, op: JournalOp) -> Result<(), ApplyError> {
        self.journal
            .lock()
            .expect("journal lock")
            .record(&op)
            .map_err(|error| ApplyError::Journal {
                address: address.clone(),
                error,
            })?;
        self.state.lock().expect("state lock").apply(&op);
        Ok(())
    }
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
    });
    let mut report = ApplyReport::default();
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
    let mut running = JoinSet::new();
    let parallelism = options.parallelism.max(1);

    loop {
        while running.len() < parallelism {
            let Some(address) = ready.pop() else { break };
            waiting.remove(&address);
            let change = changes[&address].clone();
            let Some(provider) = providers.get(&change.provider).cloned() else {
                unreachable!("planner checked provider {} for {address}", change.provider);
            };
            let (shared, hook, options) = (shared.clone(), hook.clone(), options.clone());
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
                (change.address, change.action, result)
            });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        let (address, action, result) = joined.expect("apply task panicked");
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
    let state = std::mem::take(&mut *shared.state.lock().expect("state lock"));
    (state, report)
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

async fn run_change(
    change: &ResourceChange,
    provider: &dyn Provider,
    shared: &Shared,
    hook: &dyn ApplyHook,
    options: &ApplyOptions,
) -> Result<(), ApplyError> {
    let address = &change.address;
    let steps = DomainSteps {
        address,
        provider,
        hook,
        ready_timeout: options.ready_timeout,
    };
    let prior = || {
        decode(
            address,
            change
                .before
                .as_ref()
                .expect("update/delete has a before value"),
        )
    };
    match change.action {
        Action::NoOp => Ok(()),
        Action::Create => {
            let desired = desired_domain(change, shared)?;
            let live = steps.create(&desired).await?;
            shared.record(address, upsert(change, &live))
        }
        Action::Update => {
            let desired = desired_domain(change, shared)?;
            let live = steps.update(&prior()?, &desired).await?;
            shared.record(address, upsert(change, &live))
        }
        Action::Delete => {
            steps.delete(&prior()?).await?;
            shared.record(
                address,
                JournalOp::Remove {
                    address: address.clone(),
                },
            )
        }
        Action::Replace => {
            let desired = desired_domain(change, shared)?;
            steps.delete(&prior()?).await?;
            shared.record(
                address,
                JournalOp::Remove {
                    address: address.clone(),
                },
            )?;
            let live = steps.create(&desired).await?;
            shared.record(address, upsert(change, &live))
        }
    }
}

fn decode(address: &Address, v: &Json) -> Result<Domain, ApplyError> {
    Domain::from_json(v).map_err(|e| ApplyError::Invalid {
        address: address.clone(),
        detail: e.to_string(),
    })
}

/// The planned value with every reference to a finished resource filled in.
fn desired_domain(change: &ResourceChange, shared: &Shared) -> Result<Domain, ApplyError> {
    let mut planned: PlannedValue = change
        .after
        .clone()
        .expect("create/update has an after value");
    planned.unknown.retain(|_, u| *u != Unknown::Computed);
    let missing = {
        let state = shared.state.lock().expect("state lock");
        planned.resolve(&|address, path| {
            let addr: Address = address.parse().ok()?;
            let mut v = &state.get(&addr)?.attributes;
            for seg in path {
                v = match v {
                    Json::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
                    other => other.get(seg)?,
                };
            }
            Some(v.clone())
        })
    };
    if !missing.is_empty() {
        return Err(ApplyError::Unresolved {
            address: change.address.clone(),
            refs: missing,
        });
    }
    decode(&change.address, &planned.value)
}

fn upsert(change: &ResourceChange, live: &Domain) -> JournalOp {
    JournalOp::Upsert {
        resource: ResourceState {
            address: change.address.clone(),
            provider: change.provider.clone(),
            vendor_id: live.name.clone(),
            attributes: live.to_json(),
            dependencies: change.depends_on.clone(),
        },
    }
}
