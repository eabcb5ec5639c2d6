//! Engine tests: planner and applier together over the in-memory provider
//! and a fixed desired configuration (no HCL, no HTTP).

use crate::apply::{apply_plan, ApplyOptions, NoApplyHook};
use crate::model::{
    Address, Desired, DesiredResource, Diagnostic, Location, Lookup, Part, PlannedValue,
    ProviderAddr, Unknown,
};
use crate::plan::render::{render_plan, RenderOptions};
use crate::plan::{make_plan, Action, NoHook, Plan, PlanMode, PlanOptions};
use crate::provider::memory::MemoryProvider;
use crate::provider::{Provider, ProviderSet};
use crate::state::{Journal, JournalOp, State, StateError};
use serde_json::{json, Value as Json};
use std::sync::{Arc, Mutex};

/// One declared domain; `origin_from` makes its first origin's address a
/// reference to another resource's attribute.
pub(super) struct Decl {
    pub(super) name: &'static str,
    pub(super) value: Json,
    pub(super) origin_from: Option<(&'static str, &'static str)>,
    pub(super) depends_on: Vec<&'static str>,
    pub(super) lifecycle: crate::model::Lifecycle,
}

pub(super) struct FakeDesired {
    resources: Vec<DesiredResource>,
    decls: Vec<Decl>,
}

/// `cdn_domain.N`, or the address itself when `n` is `TYPE.NAME`.
pub(super) fn addr(n: &str) -> Address {
    match n.split_once('.') {
        Some(_) => n.parse().expect("a resource address"),
        None => Address::new("cdn_domain", n),
    }
}

pub(super) fn domain(name: &str, origin: &str) -> Json {
    json!({"name": name, "cdn_type": "web", "enabled": true,
           "origins": [{"type": "ip", "address": origin, "port": 80, "priority": 20, "weight": 10}]})
}

impl FakeDesired {
    pub(super) fn new(decls: Vec<Decl>) -> Self {
        let resources = decls
            .iter()
            .map(|d| {
                let mut deps: Vec<Address> = d.depends_on.iter().map(|n| addr(n)).collect();
                if let Some((other, _)) = d.origin_from {
                    deps.push(addr(other));
                }
                DesiredResource {
                    address: addr(d.name),
                    provider: ProviderAddr::new("memory", None),
                    depends_on: deps,
                    location: None,
                    lifecycle: d.lifecycle.clone(),
                    import_id: None,
                }
            })
            .collect();
        FakeDesired { resources, decls }
    }
}

impl Desired for FakeDesired {
    fn resources(&self) -> &[DesiredResource] {
        &self.resources
    }
    fn evaluate(
        &self,
        a: &Address,
        lookup: &dyn Fn(&Address, &[String]) -> Lookup,
    ) -> Result<PlannedValue, Vec<Diagnostic>> {
        let d = self.decls.iter().find(|d| addr(d.name) == *a).unwrap();
        let mut v = PlannedValue::known(d.value.clone());
        if let Some((other, attr)) = d.origin_from {
            let ptr = "/origins/0/address";
            match lookup(&addr(other), &[attr.to_string()]) {
                Lookup::Known(x) => *v.value.pointer_mut(ptr).unwrap() = x,
                Lookup::Unknown => {
                    *v.value.pointer_mut(ptr).unwrap() = Json::Null;
                    v.unknown.insert(
                        ptr.into(),
                        Unknown::Expr(vec![Part::Ref {
                            address: addr(other).to_string(),
                            path: vec![attr.to_string()],
                        }]),
                    );
                }
                Lookup::NoSuchAttribute => panic!("no attribute {attr}"),
            }
        }
        Ok(v)
    }
    fn locate(&self, _a: &Address, _p: &str) -> Option<Location> {
        None
    }
}

#[derive(Default, Clone)]
pub(super) struct MemJournal(Arc<Mutex<Vec<JournalOp>>>);
impl Journal for MemJournal {
    fn record(&mut self, op: &JournalOp) -> Result<(), StateError> {
        self.0.lock().unwrap().push(op.clone());
        Ok(())
    }
}

pub(super) fn providers(p: &Arc<MemoryProvider>) -> ProviderSet {
    let mut set = ProviderSet::new();
    set.insert(
        ProviderAddr::new("memory", None),
        p.clone() as Arc<dyn Provider>,
    );
    set
}

pub(super) fn empty_state() -> State {
    State {
        format_version: 1,
        serial: 0,
        lineage: "test-lineage".into(),
        resources: Vec::new(),
        pending: Vec::new(),
        outputs: Default::default(),
    }
}

pub(super) async fn plan(
    desired: &FakeDesired,
    state: &State,
    p: &Arc<MemoryProvider>,
    mode: PlanMode,
) -> Plan {
    let options = PlanOptions {
        mode,
        ..PlanOptions::default()
    };
    make_plan(desired, state, &providers(p), &options, Arc::new(NoHook))
        .await
        .unwrap()
}

pub(super) async fn apply(
    plan: &Plan,
    p: &Arc<MemoryProvider>,
) -> (State, crate::apply::ApplyReport, Vec<JournalOp>) {
    let journal = MemJournal::default();
    let (state, report) = apply_plan(
        plan,
        &providers(p),
        plan.refreshed.clone(),
        Box::new(journal.clone()),
        &ApplyOptions::default(),
        Arc::new(NoApplyHook),
    )
    .await;
    let ops = journal.0.lock().unwrap().clone();
    (state, report, ops)
}

pub(super) fn two_domains() -> FakeDesired {
    FakeDesired::new(vec![
        Decl {
            name: "web",
            value: domain("www.example.com", "192.0.2.10"),
            origin_from: None,
            depends_on: vec![],
            lifecycle: Default::default(),
        },
        Decl {
            name: "img",
            value: domain("img.example.com", "192.0.2.20"),
            origin_from: None,
            depends_on: vec![],
            lifecycle: Default::default(),
        },
    ])
}

fn featured(name: &str, referers: &[&str], key: &str) -> Json {
    let mut d = domain(name, "192.0.2.10");
    let extra = json!({
        "origin_host": "origin.example.com",
        "cache_rules": [
            {"match": "extension", "patterns": ["jpg", "png"], "ttl": "60m"},
            {"match": "directory", "patterns": ["/static/"], "ttl": "7d", "priority": 50}
        ],
        "referer": {"mode": "allow", "list": referers, "allow_empty": true},
        "response_headers": [{"name": "X-Frame-Options", "value": "DENY"}],
        "https": {"certificate": {"public_pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", "private_pem": key}, "http2": true}
    });
    for (k, v) in extra.as_object().unwrap() {
        d[k] = v.clone();
    }
    d
}

#[tokio::test]
async fn create_then_no_changes() {
    let p = Arc::new(MemoryProvider::new());
    let desired = two_domains();
    let first = plan(&desired, &empty_state(), &p, PlanMode::Normal).await;
    assert_eq!(first.summary().add, 2);
    insta::assert_snapshot!("plan_create", render_plan(&first, RenderOptions::default()));

    let (state, report, ops) = apply(&first, &p).await;
    assert!(report.is_success(), "{report:?}");
    let finished = |ops: &[JournalOp]| {
        ops.iter()
            .filter(|o| !matches!(o, JournalOp::Intent { .. }))
            .count()
    };
    assert_eq!(finished(&ops), 2, "one journal record per finished change");
    assert_eq!(ops.len(), 4, "and an intent before each create");
    assert_eq!(state.resources.len(), 2);
    let web = state.get(&addr("web")).unwrap();
    assert_eq!(web.attributes["cname"], "www.example.com.cdn.memory.test");

    let second = plan(&desired, &state, &p, PlanMode::Normal).await;
    assert!(!second.has_changes());
    assert!(second.drift.is_empty());
    assert!(render_plan(&second, RenderOptions::default()).contains("No changes."));
}

#[tokio::test]
async fn update_in_place_and_replace() {
    let p = Arc::new(MemoryProvider::new());
    let (state, _, _) = apply(
        &plan(&two_domains(), &empty_state(), &p, PlanMode::Normal).await,
        &p,
    )
    .await;

    let mut changed_web = domain("www.example.com", "192.0.2.11");
    let mut changed_img = domain("img.example.com", "192.0.2.20");
    changed_img["cdn_type"] = json!("download");
    changed_web["origins"].as_array_mut().unwrap().push(
        json!({"type": "ip", "address": "192.0.2.12", "port": 8080, "priority": 30, "weight": 10}),
    );
    let desired = FakeDesired::new(vec![
        Decl {
            name: "web",
            value: changed_web,
            origin_from: None,
            depends_on: vec![],
            lifecycle: Default::default(),
        },
        Decl {
            name: "img",
            value: changed_img,
            origin_from: None,
            depends_on: vec![],
            lifecycle: Default::default(),
        },
    ]);
    let next = plan(&desired, &state, &p, PlanMode::Normal).await;
    assert_eq!(next.change(&addr("web")).unwrap().action, Action::Update);
    let img = next.change(&addr("img")).unwrap();
    assert_eq!(img.action, Action::Replace);
    assert_eq!(img.replace_because, vec!["cdn_type"]);
    insta::assert_snapshot!(
        "plan_update_replace",
        render_plan(&next, RenderOptions::default())
    );

    let (state, report, _) = apply(&next, &p).await;
    assert!(report.is_success(), "{report:?}");
    assert_eq!(
        p.domains()["img.example.com"].cdn_type,
        crate::model::CdnType::Download
    );
    assert_eq!(p.domains()["www.example.com"].origins.len(), 2);
    assert!(!plan(&desired, &state, &p, PlanMode::Normal)
        .await
        .has_changes());
}

#[tokio::test]
async fn drift_is_reported_and_corrected() {
    let p = Arc::new(MemoryProvider::new());
    let desired = two_domains();
    let (state, _, _) = apply(
        &plan(&desired, &empty_state(), &p, PlanMode::Normal).await,
        &p,
    )
    .await;
    p.set_enabled("www.example.com", false).await.unwrap();
    p.delete_domain("img.example.com").await.unwrap();

    let next = plan(&desired, &state, &p, PlanMode::Normal).await;
    assert_eq!(next.drift.len(), 2);
    let web_drift = next
        .drift
        .iter()
        .find(|d| d.address == addr("web"))
        .unwrap();
    assert_eq!(web_drift.changed, vec!["enabled"]);
    assert!(next
        .drift
        .iter()
        .any(|d| d.address == addr("img") && d.after.is_none()));
    assert_eq!(next.change(&addr("web")).unwrap().action, Action::Update);
    assert_eq!(next.change(&addr("img")).unwrap().action, Action::Create);
    insta::assert_snapshot!("plan_drift", render_plan(&next, RenderOptions::default()));
}

#[tokio::test]
async fn destroy_deletes_dependants_first_and_stops_before_delete() {
    let p = Arc::new(MemoryProvider::new());
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
    ]);
    let (state, _, _) = apply(
        &plan(&desired, &empty_state(), &p, PlanMode::Normal).await,
        &p,
    )
    .await;
    let destroy = plan(&desired, &state, &p, PlanMode::Destroy).await;
    assert_eq!(destroy.summary().destroy, 2);
    insta::assert_snapshot!(
        "plan_destroy",
        render_plan(&destroy, RenderOptions::default())
    );
    let (state, report, _) = apply(&destroy, &p).await;
    assert!(report.is_success());
    assert!(state.resources.is_empty());
    let calls = p.calls();
    let pos = |k: &str| calls.iter().position(|c| c == k).unwrap();
    assert!(pos("delete:b.example.com") < pos("delete:a.example.com"));
    assert!(pos("stop:a.example.com") < pos("delete:a.example.com"));
}

#[tokio::test]
async fn domain_configuration_round_trip_keeps_the_key_out() {
    let p = Arc::new(MemoryProvider::new());
    let key = "-----BEGIN PRIVATE KEY-----\nSECRET-KEY-1\n-----END PRIVATE KEY-----";
    let desired = FakeDesired::new(vec![Decl {
        name: "site",
        value: featured("www.example.com", &["a.example.com", "b.example.com"], key),
        origin_from: None,
        depends_on: vec![],
        lifecycle: Default::default(),
    }]);
    let first = plan(&desired, &empty_state(), &p, PlanMode::Normal).await;
    let text = render_plan(&first, RenderOptions::default());
    assert!(text.contains("private_pem = (sensitive value)"), "{text}");
    assert!(!text.contains("SECRET-KEY"), "{text}");
    assert!(
        !serde_json::to_string(&first)
            .unwrap()
            .contains("SECRET-KEY"),
        "a saved plan holds no key"
    );
    let (state, report, _) = apply(&first, &p).await;
    assert!(report.is_success(), "{report:?}");
    let vendor_key = p.domains()["www.example.com"].clone();
    assert!(
        vendor_key.https.unwrap().certificate.private_pem.is_none(),
        "the vendor does not return it"
    );
    let recorded = serde_json::to_string(&state).unwrap();
    assert!(!recorded.contains("SECRET-KEY"), "the state holds no key");
    assert!(recorded.contains("sha256:"), "the state holds its digest");
    assert_eq!(
        state.get(&addr("site")).unwrap().attributes["cache_rules"][0]["ttl"],
        "1h",
        "TTL normalised"
    );

    // Unchanged config, the same key: no changes (no perpetual diff).
    let again = plan(&desired, &state, &p, PlanMode::Normal).await;
    assert!(
        !again.has_changes(),
        "{}",
        render_plan(&again, RenderOptions::default())
    );

    // A changed referer list and a new key: one in-place update.
    let changed = FakeDesired::new(vec![Decl {
        name: "site",
        value: featured(
            "www.example.com",
            &["a.example.com", "c.example.com"],
            "-----BEGIN PRIVATE KEY-----\nSECRET-KEY-2\n-----END PRIVATE KEY-----",
        ),
        origin_from: None,
        depends_on: vec![],
        lifecycle: Default::default(),
    }]);
    let next = plan(&changed, &state, &p, PlanMode::Normal).await;
    assert_eq!(next.change(&addr("site")).unwrap().action, Action::Update);
    let text = render_plan(&next, RenderOptions::default());
    assert!(!text.contains("SECRET-KEY"), "{text}");
    insta::assert_snapshot!("plan_features_update", text);
    let (state, report, _) = apply(&next, &p).await;
    assert!(report.is_success(), "{report:?}");
    assert!(!plan(&changed, &state, &p, PlanMode::Normal)
        .await
        .has_changes());
}
