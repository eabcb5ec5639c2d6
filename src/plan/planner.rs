//! The planner: refresh, evaluate the configuration in dependency order with
//! what is known so far, and decide one action per resource.

use crate::model::schema::is_content_type;
use crate::model::schema::resource_schema;
use crate::model::value::pointer_segment;
use crate::model::{Address, Desired, DesiredResource, Diagnostic, Lookup, PlannedValue, Unknown};
use crate::plan::diff::{changed_between, changed_config_keys};
use crate::plan::graph::DepGraph;
use crate::plan::refresh::{provider_for, refresh_all, ReadTarget};
use crate::plan::secrets::{carry_over, protect, Secrets};
use crate::plan::validate::{duplicate_domain_names, vendor_checks};
use crate::plan::{content, imports, lifecycle, unmanaged};
use crate::plan::{
    Action, ChangeLifecycle, Plan, PlanError, PlanHook, ResourceChange, ResourceDrift,
    PLAN_FORMAT_VERSION,
};
use crate::provider::{Provider, ProviderSet};
use crate::state::{ResourceState, State};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanMode {
    #[default]
    Normal,
    /// Delete everything in the state.
    Destroy,
    /// Only report drift; plan no changes.
    RefreshOnly,
}

#[derive(Clone, Debug)]
pub struct PlanOptions {
    pub mode: PlanMode,
    pub parallelism: usize,
    /// Read the live account (false: trust the state as it is).
    pub refresh: bool,
    /// `-replace`: replace these even if nothing forces it.
    pub replace: Vec<Address>,
    /// `-target`: only these and what they depend on.
    pub targets: Vec<Address>,
    /// `-exclude`: not these, nor what depends on them.
    pub excludes: Vec<Address>,
    /// `-unprotect`: allow destroying these though the state records
    /// `prevent_destroy` for them (their block left the configuration).
    pub unprotect: Vec<Address>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            mode: PlanMode::Normal,
            parallelism: 10,
            refresh: true,
            replace: Vec::new(),
            targets: Vec::new(),
            excludes: Vec::new(),
            unprotect: Vec::new(),
        }
    }
}

pub async fn make_plan(
    desired: &dyn Desired,
    prior: &State,
    providers: &ProviderSet,
    options: &PlanOptions,
    hook: Arc<dyn PlanHook>,
) -> Result<Plan, PlanError> {
    if let Some(r) = prior
        .resources
        .iter()
        .find(|r| resource_schema(&r.address.resource_type).is_none())
    {
        return Err(PlanError::UnknownResourceType(r.address.clone()));
    }
    let live = if options.refresh {
        // Purges and preloads have nothing to read: their state is what ran.
        let targets: Vec<ReadTarget> = prior
            .resources
            .iter()
            .filter(|r| !is_content_type(&r.address.resource_type))
            .map(ReadTarget::from)
            .collect();
        hook.refresh_begin(targets.len());
        refresh_all(&targets, providers, options.parallelism, &hook).await?
    } else {
        prior
            .resources
            .iter()
            .map(|r| (r.address.clone(), Some(r.attributes.clone())))
            .collect()
    };

    let (mut refreshed, drift) = apply_refresh(prior, live);
    let mut changes = Vec::new();
    let mut warnings = Vec::new();
    let mut recovered = BTreeMap::new();
    if options.refresh {
        let (adopted, notes) = imports::recover_pending(&mut refreshed, providers, &hook).await?;
        recovered = adopted;
        warnings.extend(notes);
    }
    let mut secrets = Secrets::default();
    match options.mode {
        PlanMode::RefreshOnly => {}
        PlanMode::Destroy => {
            changes = plan_deletes(&refreshed, |_| true);
        }
        PlanMode::Normal => {
            let (mut imported, import_errors) =
                imports::read_imports(desired, &mut refreshed, providers, &hook).await?;
            imported.extend(recovered.clone());
            if !import_errors.is_empty() {
                return Err(PlanError::Diagnostics(import_errors));
            }
            let (mut planned, mut diagnostics) = plan_desired(
                desired,
                &refreshed,
                providers,
                &mut secrets,
                &options.replace,
            )?;
            if options.refresh && !diagnostics.iter().any(Diagnostic::is_error) {
                diagnostics.extend(
                    unmanaged::check_unmanaged(
                        desired,
                        &planned,
                        providers,
                        options.parallelism,
                        &hook,
                    )
                    .await?,
                );
            }
            if diagnostics.iter().any(Diagnostic::is_error) {
                return Err(PlanError::Diagnostics(diagnostics));
            }
            // A set: a list's `contains` per state entry made this quadratic.
            let declared: std::collections::BTreeSet<&Address> =
                desired.resources().iter().map(|r| &r.address).collect();
            for c in planned.iter_mut() {
                c.importing = imported.get(&c.address).cloned();
            }
            planned.extend(plan_deletes(&refreshed, |a| !declared.contains(a)));
            warnings.extend(content::order_after_domains(&mut planned, desired));
            changes = planned;
        }
    }
    changes.sort_by(|a, b| a.address.cmp(&b.address));
    restrict(&mut changes, &options.targets, &options.excludes);
    // An import left out by -target/-exclude is not recorded either.
    for c in &changes {
        if c.importing.is_none() && c.before.is_none() && refreshed.get(&c.address).is_some() {
            refreshed.apply(&crate::state::JournalOp::Remove {
                address: c.address.clone(),
            });
        }
    }
    let mut refused = lifecycle::protection_errors(&changes, desired, prior, &options.unprotect);
    refused.extend(lifecycle::create_before_destroy_errors(
        &changes, prior, desired,
    ));
    if !refused.is_empty() {
        return Err(PlanError::Diagnostics(refused));
    }
    Ok(Plan {
        format_version: PLAN_FORMAT_VERSION,
        mode: options.mode,
        lineage: prior.lineage.clone(),
        serial: prior.serial,
        changes,
        drift,
        refreshed,
        warnings,
        secrets,
    })
}

/// `-target` keeps the targets and what they depend on; `-exclude` drops the
/// excluded and what depends on them. Everything else is left as it is.
fn restrict(changes: &mut [ResourceChange], targets: &[Address], excludes: &[Address]) {
    if targets.is_empty() && excludes.is_empty() {
        return;
    }
    let graph = DepGraph::new(changes.iter().map(|c| &c.address), |a| {
        changes
            .iter()
            .find(|c| &c.address == a)
            .map(|c| c.depends_on.clone())
            .unwrap_or_default()
    });
    let closure = |start: &[Address], next: &dyn Fn(&Address) -> Vec<Address>| {
        let mut seen: std::collections::BTreeSet<Address> = start.iter().cloned().collect();
        let mut stack: Vec<Address> = start.to_vec();
        while let Some(a) = stack.pop() {
            for n in next(&a) {
                if seen.insert(n.clone()) {
                    stack.push(n);
                }
            }
        }
        seen
    };
    // `cdn_domain.site` names every instance of a `for_each`/`count` resource.
    let named = |list: &[Address]| -> Vec<Address> {
        changes
            .iter()
            .map(|c| c.address.clone())
            .filter(|a| list.iter().any(|t| t.contains(a)))
            .collect()
    };
    let kept = (!targets.is_empty()).then(|| closure(&named(targets), &|a| graph.waits_for(a)));
    let dropped = closure(&named(excludes), &|a| graph.dependants(a));
    for c in changes.iter_mut() {
        let keep =
            kept.as_ref().is_none_or(|k| k.contains(&c.address)) && !dropped.contains(&c.address);
        if !keep && c.importing.is_some() {
            c.importing = None;
            c.before = None;
        }
        if !keep && c.action != Action::NoOp {
            c.action = Action::NoOp;
            c.after = c.before.clone().map(PlannedValue::known);
            c.replace_because.clear();
        }
    }
}

/// A resource to be created must not already exist on the account: creating
/// it would fail half-way through an apply, or worse, take over a domain
/// that something else manages. Check for each one first (whether it exists,
/// not its attributes) and refuse at plan time.
/// The prior state with live values, and the drift between the two.
fn apply_refresh(
    prior: &State,
    mut live: BTreeMap<Address, Option<Json>>,
) -> (State, Vec<ResourceDrift>) {
    // Everything but the resources, which are rebuilt below (cloning them
    // only to drop them cost two copies of every value).
    let mut refreshed = State {
        format_version: prior.format_version,
        serial: prior.serial,
        lineage: prior.lineage.clone(),
        resources: Vec::with_capacity(prior.resources.len()),
        pending: prior.pending.clone(),
        outputs: prior.outputs.clone(),
    };
    let mut drift = Vec::new();
    for r in &prior.resources {
        let now = live
            .remove(&r.address)
            .unwrap_or_else(|| Some(r.attributes.clone()));
        let schema =
            resource_schema(&r.address.resource_type).expect("state holds known resource types");
        match now {
            None => drift.push(ResourceDrift {
                address: r.address.clone(),
                provider: r.provider.clone(),
                before: r.attributes.clone(),
                after: None,
                changed: Vec::new(),
            }),
            Some(mut v) => {
                carry_over(schema.block, &r.attributes, &mut v);
                let changed = changed_between(schema.block, &r.attributes, &v);
                if !changed.is_empty() {
                    drift.push(ResourceDrift {
                        address: r.address.clone(),
                        provider: r.provider.clone(),
                        before: r.attributes.clone(),
                        after: Some(v.clone()),
                        changed,
                    });
                }
                refreshed.resources.push(ResourceState {
                    address: r.address.clone(),
                    provider: r.provider.clone(),
                    vendor_id: r.vendor_id.clone(),
                    attributes: v,
                    dependencies: r.dependencies.clone(),
                    protected: r.protected,
                });
            }
        }
    }
    (refreshed, drift)
}

fn plan_deletes(refreshed: &State, select: impl Fn(&Address) -> bool) -> Vec<ResourceChange> {
    refreshed
        .resources
        .iter()
        .filter(|r| select(&r.address))
        .map(|r| ResourceChange {
            address: r.address.clone(),
            provider: r.provider.clone(),
            action: Action::Delete,
            before: Some(r.attributes.clone()),
            after: None,
            replace_because: Vec::new(),
            depends_on: r.dependencies.clone(),
            // Kept as recorded, so a delete left out by -target changes nothing.
            lifecycle: ChangeLifecycle {
                protect: r.protected,
                create_before_destroy: false,
            },
            importing: None,
        })
        .collect()
}

/// Evaluate and plan every declared resource, dependencies first.
fn plan_desired(
    desired: &dyn Desired,
    refreshed: &State,
    providers: &ProviderSet,
    secrets: &mut Secrets,
    replace: &[Address],
) -> Result<(Vec<ResourceChange>, Vec<Diagnostic>), PlanError> {
    let resources: BTreeMap<&Address, &DesiredResource> = desired
        .resources()
        .iter()
        .map(|r| (&r.address, r))
        .collect();
    let order = DepGraph::new(resources.keys().copied(), |a| {
        resources[a].depends_on.clone()
    })
    .order()
    .map_err(PlanError::Cycle)?;

    let mut planned: BTreeMap<Address, ResourceChange> = BTreeMap::new();
    let mut diagnostics = Vec::new();
    for address in order {
        let decl = resources[&address];
        let provider = provider_for(providers, &address, &decl.provider)?;
        let lookup = |a: &Address, path: &[String]| lookup_planned(&planned, a, path);
        let mut value = match desired.evaluate(&address, &lookup) {
            Ok(v) => v,
            Err(mut d) => {
                diagnostics.append(&mut d);
                continue;
            }
        };
        let schema = resource_schema(&address.resource_type).expect("config checks resource types");
        if let Err(d) = canonicalise(&address, &mut value, provider.as_ref()) {
            diagnostics.push(d.at(desired.locate(&address, "")));
            continue;
        }
        protect(schema.block, &address, &mut value, secrets);
        if value.is_wholly_known() && is_content_type(&address.resource_type) {
            diagnostics.extend(content::vendor_checks(
                desired,
                &address,
                &value,
                provider.vendor(),
                &provider.content_limits(),
            ));
        } else if value.is_wholly_known() {
            let validate = |d: &crate::model::Domain| provider.validate_domain(d);
            diagnostics.extend(vendor_checks(
                desired,
                &address,
                &value,
                provider.capabilities(),
                &validate,
            ));
        }
        let prior = refreshed.get(&address);
        let forced = replace.iter().any(|r| r.contains(&address));
        let change = decide(decl, schema.block, value, prior, forced);
        planned.insert(address, change);
    }
    let provider_names: Vec<String> = planned.values().map(|c| c.provider.to_string()).collect();
    diagnostics.extend(duplicate_domain_names(
        desired,
        planned
            .values()
            .zip(&provider_names)
            .filter_map(|(c, p)| Some((&c.address, p.as_str(), &c.after.as_ref()?.value))),
    ));
    Ok((planned.into_values().collect(), diagnostics))
}

/// Put a wholly known value in the model's canonical form (`"60m"` becomes
/// `"1h"`, defaults filled) and in the form the vendor reports back, so equal
/// configurations compare equal.
fn canonicalise(
    address: &Address,
    value: &mut PlannedValue,
    provider: &dyn Provider,
) -> Result<(), Diagnostic> {
    if address.resource_type != "cdn_domain" || !value.is_wholly_known() {
        return Ok(());
    }
    let mut domain = crate::model::Domain::from_json(&value.value).map_err(|e| {
        Diagnostic::error("Invalid resource value").with_detail(format!("{address}: {e}"))
    })?;
    provider.normalise(&mut domain);
    value.value = domain.to_json();
    Ok(())
}

fn decide(
    decl: &DesiredResource,
    schema: &crate::model::BlockSchema,
    mut desired: PlannedValue,
    prior: Option<&ResourceState>,
    force_replace: bool,
) -> ResourceChange {
    let mut change = ResourceChange {
        address: decl.address.clone(),
        provider: decl.provider.clone(),
        action: Action::Create,
        before: None,
        after: None,
        replace_because: Vec::new(),
        depends_on: decl.depends_on.clone(),
        lifecycle: ChangeLifecycle {
            protect: decl.lifecycle.prevent_destroy,
            create_before_destroy: decl.lifecycle.create_before_destroy,
        },
        importing: None,
    };
    let Some(prior) = prior else {
        change.after = Some(with_computed_unknown(schema, desired));
        return change;
    };
    change.before = Some(prior.attributes.clone());
    lifecycle::ignore_changes(
        &decl.lifecycle.ignore_changes,
        schema,
        &mut desired,
        &prior.attributes,
    );
    let mut changed = changed_config_keys(schema, &desired, &prior.attributes);
    if prior.provider != decl.provider {
        changed.push("provider".to_string());
    }
    let mut forcing: Vec<String> = changed
        .iter()
        .filter(|k| schema.forces_new(k) || k.as_str() == "provider")
        .cloned()
        .collect();
    if force_replace && forcing.is_empty() {
        forcing.push("-replace".to_string());
    }
    if !forcing.is_empty() {
        change.action = Action::Replace;
        change.replace_because = forcing;
        change.after = Some(with_computed_unknown(schema, desired));
    } else {
        change.action = if changed.is_empty() {
            Action::NoOp
        } else {
            Action::Update
        };
        // Everything configurable comes from the config (a key it leaves
        // out is unset); the computed values stay as the vendor reports them.
        let mut after = desired;
        if let (Json::Object(out), Json::Object(live)) = (&mut after.value, &prior.attributes) {
            for attr in schema.attributes.iter().filter(|a| a.computed) {
                if let Some(v) = live.get(attr.name) {
                    out.insert(attr.name.to_string(), v.clone());
                }
            }
        }
        change.after = Some(after);
    }
    change
}

/// The desired value plus every computed attribute marked unknown.
fn with_computed_unknown(schema: &crate::model::BlockSchema, mut v: PlannedValue) -> PlannedValue {
    for attr in schema.attributes.iter().filter(|a| a.computed) {
        if let Json::Object(m) = &mut v.value {
            m.insert(attr.name.to_string(), Json::Null);
        }
        v.unknown
            .insert(format!("/{}", attr.name), Unknown::Computed);
    }
    v
}

fn lookup_planned(
    planned: &BTreeMap<Address, ResourceChange>,
    a: &Address,
    path: &[String],
) -> Lookup {
    lookup_in(planned.get(a).and_then(|c| c.after.as_ref()), a, path)
}

/// The value at `path` of resource `a` whose planned value is `after`
/// (`None`: not planned, so unknown).
pub fn lookup_in(after: Option<&PlannedValue>, a: &Address, path: &[String]) -> Lookup {
    let Some(after) = after else {
        return Lookup::Unknown;
    };
    let mut ptr = String::new();
    for seg in path {
        ptr.push('/');
        ptr.push_str(&pointer_segment(seg));
        if after.unknown.contains_key(&ptr) {
            return Lookup::Unknown;
        }
    }
    if after.is_unknown_at(&ptr) {
        return Lookup::Unknown;
    }
    match after.value.pointer(&ptr) {
        Some(v) => Lookup::Known(v.clone()),
        None => {
            let known_key = resource_schema(&a.resource_type).is_some_and(|s| {
                path.first().is_some_and(|k| {
                    s.block.attribute(k).is_some() || s.block.block_by_json_name(k).is_some()
                })
            });
            if known_key && path.len() == 1 {
                Lookup::Known(Json::Null)
            } else {
                Lookup::NoSuchAttribute
            }
        }
    }
}
