//! More engine tests over the in-memory provider: references known after
//! apply, failure isolation, plan-time refusals, batching, targeting.

use super::tests::*;
use crate::model::Address;
use crate::plan::render::{render_plan, RenderOptions};
use crate::plan::{make_plan, Action, NoHook, PlanMode, PlanOptions};
use crate::provider::memory::MemoryProvider;
use crate::provider::Provider;
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn reference_known_after_apply_is_resolved() {
    let p = Arc::new(MemoryProvider::new());
    let desired = FakeDesired::new(vec![
        Decl {
            name: "edge",
            value: domain("edge.example.com", "0.0.0.0"),
            origin_from: Some(("origin", "cname")),
            depends_on: vec![],
            lifecycle: Default::default(),
        },
        Decl {
            name: "origin",
            value: domain("origin.example.com", "192.0.2.1"),
            origin_from: None,
            depends_on: vec![],
            lifecycle: Default::default(),
        },
    ]);
    let first = plan(&desired, &empty_state(), &p, PlanMode::Normal).await;
    let edge = first.change(&addr("edge")).unwrap();
    assert!(edge
        .after
        .as_ref()
        .unwrap()
        .is_unknown_at("/origins/0/address"));
    assert!(
        render_plan(&first, RenderOptions::default()).contains("address  = (known after apply)")
    );

    let (state, report, _) = apply(&first, &p).await;
    assert!(report.is_success(), "{report:?}");
    let calls = p.calls();
    let pos = |k: &str| calls.iter().position(|c| c == k).unwrap();
    assert!(pos("create:origin.example.com") < pos("create:edge.example.com"));
    assert_eq!(
        p.domains()["edge.example.com"].origins[0].address,
        "origin.example.com.cdn.memory.test"
    );
    assert!(!plan(&desired, &state, &p, PlanMode::Normal)
        .await
        .has_changes());
}

#[tokio::test]
async fn failure_skips_dependants_not_unrelated_work() {
    let p = Arc::new(MemoryProvider::new());
    p.fail("create", "a.example.com");
    let desired = FakeDesired::new(vec![
        Decl {
            name: "a",
            value: domain("a.example.com", "192.0.2.1"),
            origin_from: None,
            depends_on: vec![],
            lifecycle: Default::default(),
        },
        Decl {
            name: "b",
            value: domain("b.example.com", "192.0.2.2"),
            origin_from: None,
            depends_on: vec!["a"],
            lifecycle: Default::default(),
        },
        Decl {
            name: "c",
            value: domain("c.example.com", "192.0.2.3"),
            origin_from: None,
            depends_on: vec![],
            lifecycle: Default::default(),
        },
    ]);
    let first = plan(&desired, &empty_state(), &p, PlanMode::Normal).await;
    let (state, report, ops) = apply(&first, &p).await;
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].0, addr("a"));
    assert!(
        report.failed[0].2.to_string().contains("Injected"),
        "{}",
        report.failed[0].2
    );
    assert_eq!(report.skipped, vec![(addr("b"), addr("a"))]);
    let upserts = ops
        .iter()
        .filter(|o| matches!(o, crate::state::JournalOp::Upsert { .. }))
        .count();
    assert_eq!(upserts, 1, "{ops:?}");
    // The failed create's intent stays pending until a plan reads it.
    assert_eq!(state.pending.len(), 1);
    assert!(state.get(&addr("c")).is_some());
    assert!(!p.calls().contains(&"create:b.example.com".to_string()));
    let resumed = plan(&desired, &state, &p, PlanMode::Normal).await;
    assert_eq!(
        resumed.summary().add,
        2,
        "the next plan resumes with what is left"
    );
}

fn one_domain(name: &'static str, host: &str) -> FakeDesired {
    FakeDesired::new(vec![Decl {
        name,
        value: domain(host, "192.0.2.1"),
        origin_from: None,
        depends_on: vec![],
        lifecycle: Default::default(),
    }])
}

#[tokio::test]
async fn a_create_that_fails_after_creating_keeps_the_domain_in_the_state() {
    // The domain was created, then the call failed: the state keeps it, so
    // the next plan does not refuse it as a domain the state does not manage.
    let p = Arc::new(MemoryProvider::new());
    p.fail_after("create", "a.example.com");
    let desired = one_domain("a", "a.example.com");
    let first = plan(&desired, &empty_state(), &p, PlanMode::Normal).await;
    let (state, report, ops) = apply(&first, &p).await;
    assert_eq!(report.failed.len(), 1, "the failure is still reported");
    assert!(report.failed[0].2.to_string().contains("lost answer"));
    let upserts = ops
        .iter()
        .filter(|o| matches!(o, crate::state::JournalOp::Upsert { .. }))
        .count();
    assert_eq!(upserts, 1, "{ops:?}");
    let kept = state.get(&addr("a")).expect("the state keeps the domain");
    assert_eq!(kept.vendor_id, "a.example.com");
    let next = plan(&desired, &state, &p, PlanMode::Normal).await;
    assert!(!next.has_changes(), "nothing left to do");
}

#[tokio::test]
async fn a_domain_someone_else_created_meanwhile_is_not_adopted() {
    // Absent at plan time, there at apply time: "already exists" is not ours.
    let p = Arc::new(MemoryProvider::new());
    let desired = one_domain("a", "a.example.com");
    let first = plan(&desired, &empty_state(), &p, PlanMode::Normal).await;
    p.put(crate::model::Domain::from_json(&domain("a.example.com", "198.51.100.7")).unwrap());
    let (state, report, ops) = apply(&first, &p).await;
    assert_eq!(report.failed.len(), 1);
    assert!(
        ops.iter()
            .all(|o| !matches!(o, crate::state::JournalOp::Upsert { .. })),
        "{ops:?}"
    );
    assert!(state.get(&addr("a")).is_none());
    // The intent is closed: the next plan refuses the foreign domain (as
    // unmanaged) rather than adopting it.
    assert!(state.pending.is_empty());
}

#[tokio::test]
async fn creating_a_domain_that_already_exists_is_refused_at_plan_time() {
    let p = Arc::new(MemoryProvider::new());
    p.create_domain(
        &crate::model::Domain::from_json(&domain("img.example.com", "192.0.2.99")).unwrap(),
    )
    .await
    .unwrap();
    let options = PlanOptions::default();
    let err = make_plan(
        &two_domains(),
        &empty_state(),
        &providers(&p),
        &options,
        Arc::new(NoHook),
    )
    .await
    .unwrap_err();
    let d = diagnostics(err);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].summary.contains("img.example.com already exists"),
        "{}",
        d[0]
    );
    assert!(
        d[0].detail.as_deref().unwrap().contains("cdn_domain.img"),
        "{}",
        d[0]
    );
}

#[tokio::test]
async fn two_resources_with_one_domain_name_are_refused_at_plan_time() {
    let p = Arc::new(MemoryProvider::new());
    let decl = |name| Decl {
        name,
        value: domain("same.example.com", "192.0.2.1"),
        origin_from: None,
        depends_on: vec![],
        lifecycle: Default::default(),
    };
    let desired = FakeDesired::new(vec![decl("a"), decl("b")]);
    let err = make_plan(
        &desired,
        &empty_state(),
        &providers(&p),
        &PlanOptions::default(),
        Arc::new(NoHook),
    )
    .await
    .unwrap_err();
    let d = diagnostics(err);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].summary, "Duplicate domain name");
    assert!(
        d[0].detail.as_deref().unwrap().contains(
            "cdn_domain.b and cdn_domain.a both manage same.example.com through provider"
        ),
        "{}",
        d[0]
    );
    assert!(p.calls().iter().all(|c| !c.starts_with("create")));
}

#[tokio::test]
async fn a_state_with_an_unknown_resource_type_is_an_error_not_a_panic() {
    let p = Arc::new(MemoryProvider::new());
    let mut state = empty_state();
    state.resources.push(crate::state::ResourceState {
        address: "cdn_bucket.logs".parse().unwrap(),
        provider: crate::model::ProviderAddr::new("memory", None),
        vendor_id: "logs".into(),
        attributes: json!({}),
        dependencies: vec![],
        protected: false,
    });
    let err = make_plan(
        &two_domains(),
        &state,
        &providers(&p),
        &PlanOptions::default(),
        Arc::new(NoHook),
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains(
            "the state holds cdn_bucket.logs, a resource type this cdnform does not know"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn identical_updates_are_batched() {
    let p = Arc::new(MemoryProvider::new());
    let names = ["a", "b", "c"];
    let decls = |header: &str| {
        FakeDesired::new(
            names
                .iter()
                .map(|n| {
                    let mut v = domain(&format!("{n}.example.com"), "192.0.2.1");
                    v["response_headers"] = json!([{"name": "X-Version", "value": header}]);
                    Decl {
                        name: n,
                        value: v,
                        origin_from: None,
                        depends_on: vec![],
                        lifecycle: Default::default(),
                    }
                })
                .collect(),
        )
    };
    let (state, _, _) = apply(
        &plan(&decls("1"), &empty_state(), &p, PlanMode::Normal).await,
        &p,
    )
    .await;
    let next = plan(&decls("2"), &state, &p, PlanMode::Normal).await;
    assert_eq!(next.summary().change, 3);
    let (_, report, ops) = apply(&next, &p).await;
    assert!(report.is_success(), "{report:?}");
    let finished = ops
        .iter()
        .filter(|o| !matches!(o, crate::state::JournalOp::Intent { .. }))
        .count();
    assert_eq!(finished, 3, "each domain journaled");
    assert!(
        p.calls().contains(&"batch:3".to_string()),
        "{:?}",
        p.calls()
    );
}

#[tokio::test]
async fn target_exclude_and_replace() {
    let p = Arc::new(MemoryProvider::new());
    let decls = |origin: &'static str| {
        FakeDesired::new(vec![
            Decl {
                name: "a",
                value: domain("a.example.com", origin),
                origin_from: None,
                depends_on: vec![],
                lifecycle: Default::default(),
            },
            Decl {
                name: "b",
                value: domain("b.example.com", origin),
                origin_from: None,
                depends_on: vec!["a"],
                lifecycle: Default::default(),
            },
            Decl {
                name: "c",
                value: domain("c.example.com", origin),
                origin_from: None,
                depends_on: vec![],
                lifecycle: Default::default(),
            },
        ])
    };
    let (state, _, _) = apply(
        &plan(&decls("192.0.2.1"), &empty_state(), &p, PlanMode::Normal).await,
        &p,
    )
    .await;
    let with = |targets: Vec<Address>, excludes: Vec<Address>, replace: Vec<Address>| PlanOptions {
        targets,
        excludes,
        replace,
        ..PlanOptions::default()
    };
    let changed = decls("192.0.2.2");
    let run = |o: PlanOptions| {
        let (changed, state, p) = (&changed, &state, &p);
        async move {
            let plan = make_plan(changed, state, &providers(p), &o, Arc::new(NoHook))
                .await
                .unwrap();
            plan.changes
                .iter()
                .filter(|c| c.action != Action::NoOp)
                .map(|c| (c.address.name.clone(), c.action))
                .collect::<Vec<_>>()
        }
    };
    // -target b: b and what it depends on (a).
    assert_eq!(
        run(with(vec![addr("b")], vec![], vec![])).await,
        vec![("a".into(), Action::Update), ("b".into(), Action::Update)]
    );
    // -exclude a: a and what depends on it (b) are left alone.
    assert_eq!(
        run(with(vec![], vec![addr("a")], vec![])).await,
        vec![("c".into(), Action::Update)]
    );
    // -replace c with no config change: replaced.
    let (same, state2) = (decls("192.0.2.1"), &state);
    let o = with(vec![], vec![], vec![addr("c")]);
    let plan = make_plan(&same, state2, &providers(&p), &o, Arc::new(NoHook))
        .await
        .unwrap();
    let c = plan.change(&addr("c")).unwrap();
    assert_eq!(c.action, Action::Replace);
    assert_eq!(c.replace_because, vec!["-replace"]);
}

#[tokio::test]
async fn a_pending_create_is_adopted_when_it_exists_and_retried_when_not() {
    use crate::state::{JournalOp, PendingCreate};
    let p = Arc::new(MemoryProvider::new());
    let decl = |name: &'static str, host: &str| Decl {
        name,
        value: domain(host, "192.0.2.1"),
        origin_from: None,
        depends_on: vec![],
        lifecycle: Default::default(),
    };
    let desired = FakeDesired::new(vec![decl("a", "a.example.com"), decl("b", "b.example.com")]);
    // A run created a.example.com and died before recording it; it had
    // also announced b.example.com, whose create never arrived.
    let first = plan(&desired, &empty_state(), &p, PlanMode::Normal).await;
    let (_, _, _) = apply(&first, &p).await;
    p.delete_domain_for_test("b.example.com");
    let mut state = empty_state();
    for (n, host) in [("a", "a.example.com"), ("b", "b.example.com")] {
        state.apply(&JournalOp::Intent {
            pending: PendingCreate {
                address: addr(n),
                provider: crate::model::ProviderAddr::new("memory", None),
                vendor_id: host.into(),
            },
        });
    }
    let creates_before = p
        .calls()
        .iter()
        .filter(|c| c.starts_with("create:"))
        .count();
    let recovery = plan(&desired, &state, &p, PlanMode::Normal).await;
    let a = recovery.change(&addr("a")).unwrap();
    assert_eq!(a.action, Action::NoOp);
    assert_eq!(a.importing.as_deref(), Some("a.example.com"));
    assert_eq!(recovery.change(&addr("b")).unwrap().action, Action::Create);
    assert_eq!(recovery.warnings.len(), 1, "{:?}", recovery.warnings);
    let (after, report, _) = apply(&recovery, &p).await;
    assert!(report.is_success(), "{report:?}");
    assert!(after.pending.is_empty());
    assert_eq!(after.resources.len(), 2);
    let creates = p
        .calls()
        .iter()
        .filter(|c| c.starts_with("create:"))
        .count();
    assert_eq!(creates - creates_before, 1, "only b is created again");
}

#[tokio::test]
async fn many_new_domains_are_checked_with_one_listing() {
    let p = Arc::new(MemoryProvider::new());
    p.create_domain(
        &crate::model::Domain::from_json(&domain("d07.example.com", "192.0.2.99")).unwrap(),
    )
    .await
    .unwrap();
    let decls: Vec<Decl> = (0..60)
        .map(|i| Decl {
            name: Box::leak(format!("d{i:02}").into_boxed_str()),
            value: domain(&format!("d{i:02}.example.com"), "192.0.2.1"),
            origin_from: None,
            depends_on: vec![],
            lifecycle: Default::default(),
        })
        .collect();
    let before = p.calls().len();
    let err = make_plan(
        &FakeDesired::new(decls),
        &empty_state(),
        &providers(&p),
        &PlanOptions::default(),
        Arc::new(NoHook),
    )
    .await
    .unwrap_err();
    let d = diagnostics(err);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].summary.contains("d07.example.com already exists"),
        "{}",
        d[0]
    );
    // One listing, not sixty reads.
    assert_eq!(p.calls()[before..], ["list:*".to_string()]);
}

/// The diagnostics a refused plan carries (any other error fails the test).
fn diagnostics(err: crate::plan::PlanError) -> Vec<crate::model::Diagnostic> {
    let crate::plan::PlanError::Diagnostics(d) = err else {
        panic!("{err}")
    };
    d
}
