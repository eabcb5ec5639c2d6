//! Import blocks in the plan: read each domain an `import { }` block names
//! and not yet in the state, and take it as the resource's prior value, so
//! the plan shows only the real differences and the apply records it.

use crate::model::{Desired, Diagnostic};
use crate::plan::refresh::{provider_for, read_resource};
use crate::plan::{PlanError, PlanHook};
use crate::provider::ProviderSet;
use crate::state::{JournalOp, ResourceState, State};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Add the objects to import to `refreshed`; returns the imported ids by
/// address, and errors for ids that name nothing or clash with the state.
pub async fn read_imports(
    desired: &dyn Desired,
    refreshed: &mut State,
    providers: &ProviderSet,
    hook: &Arc<dyn PlanHook>,
) -> Result<(BTreeMap<crate::model::Address, String>, Vec<Diagnostic>), PlanError> {
    let mut imported = BTreeMap::new();
    let mut diags = Vec::new();
    for r in desired.resources() {
        let Some(id) = &r.import_id else { continue };
        let at = || desired.locate(&r.address, "");
        if let Some(existing) = refreshed.get(&r.address) {
            if &existing.vendor_id != id {
                diags.push(
                    Diagnostic::error("Import target already managed")
                        .with_detail(format!(
                            "{} already manages \"{}\"; it cannot import \"{id}\" too. Remove the import block, or `cdnform state rm` the resource first.",
                            r.address, existing.vendor_id
                        ))
                        .at(at()),
                );
            }
            continue;
        }
        let provider = provider_for(providers, &r.address, &r.provider)?;
        hook.refresh_start(&r.address);
        let live = read_resource(provider.as_ref(), &r.address.resource_type, id)
            .await
            .map_err(|error| PlanError::Refresh {
                address: r.address.clone(),
                provider: r.provider.clone(),
                error,
            })?;
        hook.refresh_done(&r.address, Ok(live.is_some()));
        let Some(attributes) = live else {
            diags.push(
                Diagnostic::error("Cannot import non-existent remote object")
                    .with_detail(format!(
                        "{}: there is no domain \"{id}\" on provider \"{}\" to import.",
                        r.address, r.provider
                    ))
                    .at(at()),
            );
            continue;
        };
        refreshed.apply(&JournalOp::Upsert {
            resource: ResourceState {
                address: r.address.clone(),
                provider: r.provider.clone(),
                vendor_id: id.clone(),
                attributes,
                dependencies: r.depends_on.clone(),
                protected: false,
            },
        });
        imported.insert(r.address.clone(), id.clone());
    }
    Ok((imported, diags))
}

/// Follow the creates an interrupted run left pending: read each one not in
/// the state; what exists is adopted into `refreshed` (the plan then shows
/// only what is left to do, and nothing is created twice), what does not is
/// forgotten. Returns the adopted ids by address, with a warning each.
pub async fn recover_pending(
    refreshed: &mut State,
    providers: &ProviderSet,
    hook: &Arc<dyn PlanHook>,
) -> Result<(BTreeMap<crate::model::Address, String>, Vec<Diagnostic>), PlanError> {
    let mut adopted = BTreeMap::new();
    let mut warnings = Vec::new();
    for p in std::mem::take(&mut refreshed.pending) {
        if refreshed.get(&p.address).is_some() {
            continue;
        }
        let provider = provider_for(providers, &p.address, &p.provider)?;
        hook.refresh_start(&p.address);
        let live = read_resource(provider.as_ref(), &p.address.resource_type, &p.vendor_id)
            .await
            .map_err(|error| PlanError::Refresh {
                address: p.address.clone(),
                provider: p.provider.clone(),
                error,
            })?;
        hook.refresh_done(&p.address, Ok(live.is_some()));
        let Some(attributes) = live else { continue };
        warnings.push(
            Diagnostic::warning("Recovered an interrupted create")
                .with_detail(format!(
                    "{}: an earlier run sent the create of \"{}\" and stopped before recording it; the domain exists, so this plan adopts it instead of creating it again",
                    p.address, p.vendor_id
                )),
        );
        refreshed.apply(&JournalOp::Upsert {
            resource: ResourceState {
                address: p.address.clone(),
                provider: p.provider.clone(),
                vendor_id: p.vendor_id.clone(),
                attributes,
                dependencies: Vec::new(),
                protected: false,
            },
        });
        adopted.insert(p.address, p.vendor_id);
    }
    Ok((adopted, warnings))
}
