//! Before creating domains, the plan makes sure none of the new names
//! already exists on the account (cdnform never takes a domain over
//! silently; `import` does that on purpose).

use crate::model::{Address, Desired, Diagnostic};
use crate::plan::refresh::{check_all, provider_for, ReadTarget};
use crate::plan::{Action, PlanError, PlanHook, ResourceChange};
use crate::provider::ProviderSet;
use std::collections::BTreeMap;
use std::sync::Arc;

/// From this many new domains on one provider, the check that none exists
/// lists the account once instead of reading each name: at `-parallelism`
/// 10 that is 5 round trips of single reads against a listing of a few
/// pages (hundreds of domains per page) for any ordinary account.
const LIST_TO_CHECK_AT: usize = 50;

pub(super) async fn check_unmanaged(
    desired: &dyn Desired,
    planned: &[ResourceChange],
    providers: &ProviderSet,
    parallelism: usize,
    hook: &Arc<dyn PlanHook>,
) -> Result<Vec<Diagnostic>, PlanError> {
    let targets: Vec<ReadTarget> = planned
        .iter()
        .filter(|c| c.action == Action::Create)
        .filter_map(|c| {
            let after = c.after.as_ref()?;
            let name = after.value.get("name")?.as_str()?;
            Some(ReadTarget {
                address: c.address.clone(),
                provider: c.provider.clone(),
                vendor_id: name.to_string(),
            })
        })
        .collect();
    hook.check_begin(targets.len());
    // Many names on one account: one listing (a few pages of hundreds)
    // answers for all of them; a few names: one light read each.
    let mut by_provider: BTreeMap<&crate::model::ProviderAddr, Vec<&ReadTarget>> = BTreeMap::new();
    for t in &targets {
        by_provider.entry(&t.provider).or_default().push(t);
    }
    let mut exists: std::collections::BTreeSet<&Address> = Default::default();
    let mut one_by_one: Vec<ReadTarget> = Vec::new();
    for (addr, group) in by_provider {
        if group.len() < LIST_TO_CHECK_AT {
            one_by_one.extend(group.into_iter().map(|t| ReadTarget {
                address: t.address.clone(),
                provider: t.provider.clone(),
                vendor_id: t.vendor_id.clone(),
            }));
            continue;
        }
        let provider = provider_for(providers, &group[0].address, addr)?;
        for t in &group {
            hook.refresh_start(&t.address);
        }
        let listed: std::collections::HashSet<String> = match provider.list_domains().await {
            Ok(list) => list.into_iter().map(|d| d.name).collect(),
            Err(error) => {
                for t in &group {
                    hook.refresh_done(&t.address, Err(error.to_string()));
                }
                return Err(PlanError::Refresh {
                    address: group[0].address.clone(),
                    provider: addr.clone(),
                    error,
                });
            }
        };
        for t in group {
            let found = listed.contains(&t.vendor_id);
            hook.refresh_done(&t.address, Ok(found));
            if found {
                exists.insert(&t.address);
            }
        }
    }
    let live = check_all(&one_by_one, providers, parallelism, hook).await?;
    Ok(targets
        .iter()
        .filter(|t| {
            exists.contains(&t.address) || live.get(&t.address).is_some_and(Option::is_some)
        })
        .map(|t| {
            Diagnostic::error(format!(
                "{} already exists on the {} account",
                t.vendor_id, t.provider
            ))
            .with_detail(format!(
                "{} would create it, but the domain exists and this state does not manage it; \
                     adopt it with `cdnform import {} {}`, or choose another name",
                t.address, t.address, t.vendor_id
            ))
            .at(desired.locate(&t.address, "/name"))
        })
        .collect())
}
