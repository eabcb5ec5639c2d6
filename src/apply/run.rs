//! Executing one change, or one batch of updates that the vendor applies in
//! a single call: resolve the planned value, call the provider, record the
//! result in the journal at once.

use crate::apply::domain::{align_write_only, DomainSteps};
use crate::apply::{ApplyError, ApplyHook, ApplyOptions};
use crate::model::schema::resource_schema;
use crate::model::{Address, Domain, PlannedValue, Unknown};
use crate::plan::secrets::{carry_over, reveal, Secrets};
use crate::plan::{Action, ResourceChange};
use crate::provider::Provider;
use crate::state::{Journal, JournalOp, PendingCreate, ResourceState, State};
use serde_json::Value as Json;
use std::sync::Mutex;
use std::time::Instant;

/// What the running changes share: the state as it is now (also the source
/// of finished resources' values) and the journal.
pub(super) struct Shared {
    pub(super) state: Mutex<State>,
    pub(super) journal: Mutex<Box<dyn Journal>>,
    pub(super) secrets: Secrets,
}

impl Shared {
    pub(super) fn record(&self, address: &Address, op: JournalOp) -> Result<(), ApplyError> {
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

pub(super) async fn run_change(
    change: &ResourceChange,
    provider: &dyn Provider,
    shared: &Shared,
    hook: &dyn ApplyHook,
    options: &ApplyOptions,
) -> Result<(), ApplyError> {
    let address = &change.address;
    if crate::model::schema::is_content_type(&address.resource_type) {
        return run_content_change(change, provider, shared, hook).await;
    }
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
            let live = create(&steps, change, shared, &desired).await?;
            shared.record(address, upsert(change, &live))
        }
        Action::Update => {
            let desired = desired_domain(change, shared)?;
            let mut prior = prior()?;
            align_write_only(&mut prior, &desired);
            let live = steps.update(&prior, &desired).await?;
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
        Action::Replace if change.lifecycle.create_before_destroy => {
            // The planner made sure the new domain has another name. Once
            // it exists the old one is recorded as deposed (under an address
            // of its own, `deposed_address`) before the address moves to the
            // new one, so neither is ever missing from the state: should
            // the old domain then fail to delete (or the run die), the next
            // plan destroys the deposed record like any resource that left
            // the configuration.
            let desired = desired_domain(change, shared)?;
            let old = prior()?;
            hook.progress(address, "creating the replacement first");
            let live = create(&steps, change, shared, &desired).await?;
            let deposed = deposed_address(address, &old.name);
            let recorded = shared
                .state
                .lock()
                .expect("state lock")
                .get(address)
                .cloned();
            if let Some(mut record) = recorded {
                record.address = deposed.clone();
                record.dependencies.clear();
                shared.record(address, JournalOp::Upsert { resource: record })?;
            }
            shared.record(address, upsert(change, &live))?;
            hook.progress(address, "replacement created; deleting the old domain");
            steps.delete(&old).await?;
            shared.record(address, JournalOp::Remove { address: deposed })
        }
        Action::Replace => {
            let desired = desired_domain(change, shared)?;
            hook.progress(
                address,
                "deleting the old domain, then creating the replacement",
            );
            steps.delete(&prior()?).await?;
            shared.record(
                address,
                JournalOp::Remove {
                    address: address.clone(),
                },
            )?;
            let live = create(&steps, change, shared, &desired).await?;
            shared.record(address, upsert(change, &live))
        }
    }
}

/// Where the object a `create_before_destroy` replacement superseded is
/// recorded until it is deleted: the same resource with the instance key
/// `"deposed NAME"` (after the instance's own key, if it has one), which no
/// configuration declares, so a plan destroys it.
pub fn deposed_address(address: &Address, old_name: &str) -> Address {
    let key = match &address.key {
        None => format!("deposed {old_name}"),
        Some(crate::model::InstanceKey::Int(i)) => format!("{i} deposed {old_name}"),
        Some(crate::model::InstanceKey::Str(k)) => format!("{k} deposed {old_name}"),
    };
    address.with_key(crate::model::InstanceKey::Str(key))
}

/// Journal that a create is about to be sent, so an interrupted run leaves
/// a trace the next plan follows (see `PendingCreate`).
fn intent(change: &ResourceChange, desired: &Domain, shared: &Shared) -> Result<(), ApplyError> {
    shared.record(
        &change.address,
        JournalOp::Intent {
            pending: PendingCreate {
                address: change.address.clone(),
                provider: change.provider.clone(),
                vendor_id: desired.name.clone(),
            },
        },
    )
}

/// Create the domain. Should the create fail but leave the domain behind
/// (created, then a later step failed), the state keeps what is there before
/// the error is reported: what succeeded is never lost, and the next plan
/// completes the domain instead of refusing one the state does not manage.
async fn create(
    steps: &DomainSteps<'_>,
    change: &ResourceChange,
    shared: &Shared,
    desired: &Domain,
) -> Result<Domain, ApplyError> {
    intent(change, desired, shared)?;
    match steps.create(desired).await {
        Ok(live) => Ok(live),
        Err(error) => {
            let foreign = matches!(&error, ApplyError::Provider { error, .. }
                if error.kind == crate::provider::ErrorKind::AlreadyExists);
            match steps.left_behind(desired, &error).await {
                Some(live) => shared.record(&change.address, upsert(change, &live))?,
                // Someone else's domain: close the intent, so that no later
                // plan adopts it. Otherwise the intent stays and the next
                // plan reads the name once more.
                None if foreign => shared.record(
                    &change.address,
                    JournalOp::Remove {
                        address: change.address.clone(),
                    },
                )?,
                None => {}
            }
            Err(error)
        }
    }
}

pub(super) fn decode(address: &Address, v: &Json) -> Result<Domain, ApplyError> {
    Domain::from_json(v).map_err(|e| ApplyError::Invalid {
        address: address.clone(),
        detail: e.to_string(),
    })
}

/// The planned value with every reference to a finished resource filled in.
pub(super) fn desired_domain(
    change: &ResourceChange,
    shared: &Shared,
) -> Result<Domain, ApplyError> {
    decode(&change.address, &resolved_value(change, shared)?)
}

/// The planned value with references resolved and write-only secrets
/// revealed.
fn resolved_value(change: &ResourceChange, shared: &Shared) -> Result<Json, ApplyError> {
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
    let schema = resource_schema(&change.address.resource_type).expect("planned types are known");
    reveal(
        schema.block,
        &change.address,
        &mut planned.value,
        &shared.secrets,
    );
    Ok(planned.value)
}

/// A purge or preload: run it (create, changed triggers), record a
/// state-only change, or forget it (no API call).
async fn run_content_change(
    change: &ResourceChange,
    provider: &dyn Provider,
    shared: &Shared,
    hook: &dyn ApplyHook,
) -> Result<(), ApplyError> {
    let address = &change.address;
    let record = |attributes: Json| {
        shared.record(
            address,
            JournalOp::Upsert {
                resource: ResourceState {
                    address: address.clone(),
                    provider: change.provider.clone(),
                    vendor_id: address.to_string(),
                    attributes,
                    dependencies: change.depends_on.clone(),
                    protected: change.lifecycle.protect,
                },
            },
        )
    };
    match change.action {
        Action::NoOp => Ok(()),
        Action::Create | Action::Replace => {
            let value = resolved_value(change, shared)?;
            let progress = |m: &str| hook.progress(address, m);
            let attributes =
                crate::apply::content::run(address, &value, provider, &progress).await?;
            record(attributes)
        }
        Action::Update => {
            // Nothing runs: the new settings, with what the last run recorded.
            let mut value = resolved_value(change, shared)?;
            if let (Json::Object(m), Some(Json::Object(before))) = (&mut value, &change.before) {
                for key in ["task_ids", "last_run", "outcome"] {
                    if let Some(v) = before.get(key) {
                        m.insert(key.to_string(), v.clone());
                    }
                }
            }
            record(value)
        }
        Action::Delete => shared.record(
            address,
            JournalOp::Remove {
                address: address.clone(),
            },
        ),
    }
}

/// The state record of a finished change: what the vendor reports, plus the
/// digests of write-only values it never returns.
fn upsert(change: &ResourceChange, live: &Domain) -> JournalOp {
    let mut attributes = live.to_json();
    if let (Some(after), Some(schema)) = (
        &change.after,
        resource_schema(&change.address.resource_type),
    ) {
        carry_over(schema.block, &after.value, &mut attributes);
    }
    JournalOp::Upsert {
        resource: ResourceState {
            address: change.address.clone(),
            provider: change.provider.clone(),
            vendor_id: live.name.clone(),
            attributes,
            dependencies: change.depends_on.clone(),
            protected: change.lifecycle.protect,
        },
    }
}

/// An update whose configuration call (shared with others in a batch) has
/// succeeded: what is left is to wait until it is ready, switch it on or
/// off if asked, and journal it.
pub(super) struct Configured {
    pub(super) change: ResourceChange,
    pub(super) prior: Domain,
    pub(super) desired: Domain,
    /// When its batch started (for the elapsed time the hook reports).
    pub(super) started: Instant,
}

/// Updates that share one provider batch key: one vendor call for the
/// configuration of all of them. Returns the failed ones as finished, and
/// the others to be finished each on its own (`finish_configured`), which
/// the walk schedules like any change so they run `parallelism` at a time.
pub(super) async fn submit_batch(
    batch: Vec<(ResourceChange, Domain, Domain)>,
    provider: &dyn Provider,
    hook: &dyn ApplyHook,
) -> (
    Vec<(Address, Action, Result<(), ApplyError>)>,
    Vec<Configured>,
) {
    let started = Instant::now();
    for (change, _, _) in &batch {
        hook.start(&change.address, change.action);
    }
    let pairs: Vec<(Domain, Domain)> = batch
        .iter()
        .map(|(_, p, d)| (p.clone(), d.clone()))
        .collect();
    let results = provider.update_domains(&pairs).await;
    let mut failed = Vec::new();
    let mut configured = Vec::new();
    for ((change, prior, desired), result) in batch.into_iter().zip(results) {
        match result {
            Ok(()) => configured.push(Configured {
                change,
                prior,
                desired,
                started,
            }),
            Err(error) => {
                let outcome = Err(ApplyError::Provider {
                    address: change.address.clone(),
                    error,
                });
                hook.done(
                    &change.address,
                    change.action,
                    outcome.as_ref().map(|_| ()),
                    started.elapsed(),
                );
                failed.push((change.address, change.action, outcome));
            }
        }
    }
    (failed, configured)
}

/// The rest of one batched update (see `submit_batch`).
pub(super) async fn finish_configured(
    job: Configured,
    provider: &dyn Provider,
    shared: &Shared,
    hook: &dyn ApplyHook,
    options: &ApplyOptions,
) -> (Address, Action, Result<(), ApplyError>) {
    let Configured {
        change,
        prior,
        desired,
        started,
    } = job;
    let steps = DomainSteps {
        address: &change.address,
        provider,
        hook,
        ready_timeout: options.ready_timeout,
    };
    let outcome = match steps.finish_update(&prior, &desired).await {
        Ok(live) => shared.record(&change.address, upsert(&change, &live)),
        Err(e) => Err(e),
    };
    hook.done(
        &change.address,
        change.action,
        outcome.as_ref().map(|_| ()),
        started.elapsed(),
    );
    (change.address, change.action, outcome)
}
