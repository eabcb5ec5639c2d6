//! The mass-change guard: a plan that would delete or replace a large share
//! of the managed domains (a typo in a key, a deleted file) is refused
//! unless the user says it is meant. `cdnform destroy` is exempt: there the
//! deletion is the request.

use crate::model::Address;
use crate::plan::{Action, Plan, PlanMode};

/// Refuse when at least `MIN_COUNT` domains would go and they are more than
/// `DEFAULT_MAX_PERCENT` of those managed.
pub const DEFAULT_MAX_PERCENT: usize = 25;
pub const MIN_COUNT: usize = 3;

/// `Some(addresses)` when the plan trips the guard.
pub fn mass_change(plan: &Plan, max_percent: usize) -> Option<Vec<Address>> {
    if plan.mode == PlanMode::Destroy {
        return None;
    }
    let going: Vec<Address> = plan
        .changes
        .iter()
        .filter(|c| matches!(c.action, Action::Delete | Action::Replace))
        .filter(|c| c.address.resource_type == "cdn_domain")
        .map(|c| c.address.clone())
        .collect();
    // Purges and preloads are tasks, not what the account holds.
    let managed = plan
        .refreshed
        .resources
        .iter()
        .filter(|r| r.address.resource_type == "cdn_domain")
        .count()
        .max(1);
    (going.len() >= MIN_COUNT && going.len() * 100 > max_percent * managed).then_some(going)
}

/// The refusal, naming what would go.
pub fn message(going: &[Address], managed: usize, max_percent: usize) -> String {
    let list: Vec<String> = going.iter().map(|a| format!("  - {a}")).collect();
    format!(
        "refusing a mass change: this plan would delete or replace {} of the {managed} managed resources \
         (more than {max_percent}%):\n{}\nIf this is intended, run again with -allow-mass-change \
         (or raise max_destroy_percent in the cdnform block).",
        going.len(),
        list.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProviderAddr;
    use crate::plan::ResourceChange;
    use crate::state::{ResourceState, State};

    fn plan(managed: usize, deletes: usize, mode: PlanMode) -> Plan {
        let res = |i: usize| Address::new("cdn_domain", format!("d{i}"));
        let mut refreshed = State::new();
        refreshed.resources = (0..managed)
            .map(|i| ResourceState {
                address: res(i),
                provider: ProviderAddr::new("aliyun", None),
                vendor_id: format!("d{i}.example.com"),
                attributes: serde_json::json!({}),
                dependencies: vec![],
                protected: false,
            })
            .collect();
        Plan {
            format_version: 1,
            mode,
            lineage: String::new(),
            serial: 1,
            changes: (0..deletes)
                .map(|i| ResourceChange {
                    address: res(i),
                    provider: ProviderAddr::new("aliyun", None),
                    action: Action::Delete,
                    before: None,
                    after: None,
                    replace_because: vec![],
                    depends_on: vec![],
                    lifecycle: Default::default(),
                    importing: None,
                })
                .collect(),
            drift: vec![],
            refreshed,
            warnings: vec![],
            secrets: Default::default(),
        }
    }

    #[test]
    fn trips_on_a_large_share_only() {
        assert!(
            mass_change(&plan(10, 2, PlanMode::Normal), 25).is_none(),
            "fewer than three"
        );
        assert!(
            mass_change(&plan(20, 3, PlanMode::Normal), 25).is_none(),
            "15% is fine"
        );
        assert_eq!(
            mass_change(&plan(10, 3, PlanMode::Normal), 25)
                .unwrap()
                .len(),
            3
        );
        assert!(
            mass_change(&plan(10, 3, PlanMode::Normal), 50).is_none(),
            "a higher threshold"
        );
        assert!(
            mass_change(&plan(3, 3, PlanMode::Destroy), 25).is_none(),
            "destroy is the request"
        );
        assert!(message(&[Address::new("cdn_domain", "a")], 4, 25).contains("cdn_domain.a"));
    }
}
