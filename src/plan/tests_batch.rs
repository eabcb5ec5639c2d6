//! A batch of identical updates: one vendor call, then each domain's own
//! wait-until-ready runs as a walk job of its own, `parallelism` at a time
//! (not one after another inside the batch's job).

use super::tests::*;
use crate::apply::{apply_plan, ApplyOptions, NoApplyHook};
use crate::model::{Domain, ProviderAddr};
use crate::plan::{make_plan, NoHook, Plan, PlanOptions};
use crate::provider::memory::MemoryProvider;
use crate::provider::{Capabilities, DomainSummary, Invalid, Provider, ProviderError, ProviderSet};
use crate::state::State;
use async_trait::async_trait;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The memory provider, with every read taking 10 ms and the most reads
/// in flight at once counted.
#[derive(Debug, Default)]
struct SlowReads {
    inner: MemoryProvider,
    reading: AtomicUsize,
    most: AtomicUsize,
}

#[async_trait]
impl Provider for SlowReads {
    fn vendor(&self) -> &'static str {
        self.inner.vendor()
    }
    fn capabilities(&self) -> &'static Capabilities {
        self.inner.capabilities()
    }
    fn validate_domain(&self, d: &Domain) -> Vec<Invalid> {
        self.inner.validate_domain(d)
    }
    fn update_batch_key(&self, prior: &Domain, desired: &Domain) -> Option<String> {
        self.inner.update_batch_key(prior, desired)
    }
    async fn update_domains(&self, updates: &[(Domain, Domain)]) -> Vec<Result<(), ProviderError>> {
        self.inner.update_domains(updates).await
    }
    async fn list_domains(&self) -> Result<Vec<DomainSummary>, ProviderError> {
        self.inner.list_domains().await
    }
    async fn read_domain(&self, name: &str) -> Result<Option<Domain>, ProviderError> {
        let now = self.reading.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(10)).await;
        self.reading.fetch_sub(1, Ordering::SeqCst);
        self.inner.read_domain(name).await
    }
    async fn create_domain(&self, d: &Domain) -> Result<(), ProviderError> {
        self.inner.create_domain(d).await
    }
    async fn update_domain(&self, prior: &Domain, desired: &Domain) -> Result<(), ProviderError> {
        self.inner.update_domain(prior, desired).await
    }
    async fn set_enabled(&self, name: &str, enabled: bool) -> Result<(), ProviderError> {
        self.inner.set_enabled(name, enabled).await
    }
    async fn delete_domain(&self, name: &str) -> Result<(), ProviderError> {
        self.inner.delete_domain(name).await
    }
}

fn set(p: &Arc<SlowReads>) -> ProviderSet {
    let mut set = ProviderSet::new();
    set.insert(
        ProviderAddr::new("memory", None),
        p.clone() as Arc<dyn Provider>,
    );
    set
}

fn desired(n: usize, header: &str) -> FakeDesired {
    desired_with(n, |_| header.to_string())
}

/// `n` domains, the i-th with response header value `header(i)`.
fn desired_with(n: usize, header: impl Fn(usize) -> String) -> FakeDesired {
    FakeDesired::new(
        (0..n)
            .map(|i| {
                let name: &'static str = Box::leak(format!("d{i:02}").into_boxed_str());
                let mut v = domain(&format!("{name}.example.com"), "192.0.2.1");
                v["response_headers"] = json!([{"name": "X-Version", "value": header(i)}]);
                Decl {
                    name,
                    value: v,
                    origin_from: None,
                    depends_on: vec![],
                    lifecycle: Default::default(),
                }
            })
            .collect(),
    )
}

async fn plan(d: &FakeDesired, state: &State, p: &Arc<SlowReads>, parallelism: usize) -> Plan {
    let options = PlanOptions {
        parallelism,
        ..PlanOptions::default()
    };
    make_plan(d, state, &set(p), &options, Arc::new(NoHook))
        .await
        .unwrap()
}

async fn apply(
    plan: &Plan,
    p: &Arc<SlowReads>,
    parallelism: usize,
) -> (State, crate::apply::ApplyReport) {
    apply_plan(
        plan,
        &set(p),
        plan.refreshed.clone(),
        Box::new(MemJournal::default()),
        &ApplyOptions {
            parallelism,
            ..ApplyOptions::default()
        },
        Arc::new(NoApplyHook),
    )
    .await
}

#[tokio::test]
async fn batched_updates_finish_parallelism_at_a_time() {
    let p = Arc::new(SlowReads::default());
    let creates = plan(&desired(30, "1"), &empty_state(), &p, 8).await;
    let (state, report) = apply(&creates, &p, 8).await;
    assert!(report.is_success(), "{report:?}");

    let updates = plan(&desired(30, "2"), &state, &p, 8).await;
    assert_eq!(updates.summary().change, 30);
    p.most.store(0, Ordering::SeqCst);
    let (_, report) = apply(&updates, &p, 8).await;
    assert!(report.is_success(), "{report:?}");
    assert_eq!(report.applied.len(), 30);
    // One vendor call for all thirty, then their reads back eight at a
    // time: not one by one inside the batch, and never more than eight.
    let calls = p.inner.calls();
    assert!(calls.contains(&"batch:30".to_string()), "{calls:?}");
    assert_eq!(p.most.load(Ordering::SeqCst), 8);
}

#[tokio::test]
async fn updates_are_grouped_by_their_batch_key_however_interleaved() {
    let p = Arc::new(SlowReads::default());
    let creates = plan(&desired(30, "1"), &empty_state(), &p, 4).await;
    let (state, report) = apply(&creates, &p, 4).await;
    assert!(report.is_success(), "{report:?}");

    // Three different changes, interleaved in address order (d00 → "a",
    // d01 → "b", d02 → "c", d03 → "a", ...): three calls of ten.
    let next = desired_with(30, |i| ["a", "b", "c"][i % 3].to_string());
    let updates = plan(&next, &state, &p, 4).await;
    assert_eq!(updates.summary().change, 30);
    let before = p.inner.calls().len();
    let (_, report) = apply(&updates, &p, 4).await;
    assert!(report.is_success(), "{report:?}");
    assert_eq!(report.applied.len(), 30);
    let calls = p.inner.calls();
    let batches: Vec<&String> = calls[before..]
        .iter()
        .filter(|c| c.starts_with("batch:"))
        .collect();
    assert_eq!(batches, ["batch:10", "batch:10", "batch:10"], "{calls:?}");
}
