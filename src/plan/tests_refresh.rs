//! The refresh reads each provider's domains in chunks of its
//! `read_batch_size`, one `read_domains` call and one permit per chunk;
//! the hook hears of every address; a chunk's error names one of its
//! addresses and its provider; the result map is the same as reading one
//! by one.

use crate::model::{Address, CdnType, Domain, ProviderAddr};
use crate::plan::refresh::{refresh_all, ReadTarget};
use crate::plan::{PlanError, PlanHook};
use crate::provider::memory::MemoryProvider;
use crate::provider::{
    Capabilities, DomainSummary, ErrorKind, Invalid, Provider, ProviderError, ProviderSet,
};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The memory provider reading `size` domains per `read_domains` call
/// (`size` 1: the trait's default, one by one), recording each call's
/// names and the most calls in flight at once; reads of `fail` fail.
#[derive(Debug, Default)]
struct Batched {
    inner: MemoryProvider,
    size: usize,
    fail: Option<String>,
    chunks: Mutex<Vec<Vec<String>>>,
    reading: AtomicUsize,
    most: AtomicUsize,
}

impl Batched {
    fn new(size: usize, names: &[&str]) -> Batched {
        let p = Batched {
            size,
            ..Batched::default()
        };
        for n in names {
            p.inner.put(Domain::new(*n, CdnType::Web, Vec::new()));
        }
        p
    }
    fn chunks(&self) -> Vec<Vec<String>> {
        self.chunks.lock().unwrap().clone()
    }
}

#[async_trait]
impl Provider for Batched {
    fn vendor(&self) -> &'static str {
        "memory"
    }
    fn capabilities(&self) -> &'static Capabilities {
        self.inner.capabilities()
    }
    fn validate_domain(&self, d: &Domain) -> Vec<Invalid> {
        self.inner.validate_domain(d)
    }
    async fn list_domains(&self) -> Result<Vec<DomainSummary>, ProviderError> {
        self.inner.list_domains().await
    }
    async fn read_domain(&self, name: &str) -> Result<Option<Domain>, ProviderError> {
        self.inner.read_domain(name).await
    }
    fn read_batch_size(&self) -> usize {
        self.size
    }
    async fn read_domains(&self, names: &[String]) -> Result<Vec<Option<Domain>>, ProviderError> {
        self.chunks.lock().unwrap().push(names.to_vec());
        let now = self.reading.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        // Let the other chunks' tasks run while this one is "in flight".
        for _ in 0..5 {
            tokio::task::yield_now().await;
        }
        self.reading.fetch_sub(1, Ordering::SeqCst);
        if self.fail.as_ref().is_some_and(|f| names.contains(f)) {
            return Err(ProviderError::new(
                "memory",
                "read",
                ErrorKind::Server,
                "injected read failure",
            ));
        }
        let mut out = Vec::new();
        for n in names {
            out.push(self.inner.read_domain(n).await?);
        }
        Ok(out)
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

/// The hook's events, in order: `begin N`, `start ADDR`, `done ADDR RESULT`.
#[derive(Default)]
struct Events(Mutex<Vec<String>>);

impl PlanHook for Events {
    fn refresh_begin(&self, total: usize) {
        self.0.lock().unwrap().push(format!("begin {total}"));
    }
    fn refresh_start(&self, address: &Address) {
        self.0.lock().unwrap().push(format!("start {address}"));
    }
    fn refresh_done(&self, address: &Address, result: Result<bool, String>) {
        self.0
            .lock()
            .unwrap()
            .push(format!("done {address} {result:?}"));
    }
}

impl Events {
    fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
    /// The events about `address`.
    fn of(&self, address: &str) -> Vec<String> {
        self.all()
            .into_iter()
            .filter(|e| e.split(' ').nth(1) == Some(address))
            .collect()
    }
}

fn target(resource_type: &str, label: &str, provider: &str, id: &str) -> ReadTarget {
    ReadTarget {
        address: Address::new(resource_type, label),
        provider: ProviderAddr::new("memory", Some(provider.to_string())),
        vendor_id: id.to_string(),
    }
}

fn set(providers: &[(&str, &Arc<Batched>)]) -> ProviderSet {
    providers
        .iter()
        .map(|(alias, p)| {
            (
                ProviderAddr::new("memory", Some(alias.to_string())),
                (*p).clone() as Arc<dyn Provider>,
            )
        })
        .collect()
}

fn name(i: usize) -> String {
    format!("d{i}.example.com")
}

async fn refresh(
    targets: &[ReadTarget],
    providers: &ProviderSet,
    parallelism: usize,
) -> (
    Result<BTreeMap<Address, Option<serde_json::Value>>, PlanError>,
    Arc<Events>,
) {
    let events = Arc::new(Events::default());
    let hook: Arc<dyn PlanHook> = events.clone();
    (
        refresh_all(targets, providers, parallelism, &hook).await,
        events,
    )
}

#[tokio::test]
async fn each_provider_is_read_in_chunks_of_its_batch_size() {
    let names: Vec<String> = (0..7).map(name).collect();
    let present: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| *n != "d4.example.com")
        .collect();
    let tens = Arc::new(Batched::new(3, &present));
    let ones = Arc::new(Batched::new(1, &["x.example.com"]));
    let mut targets: Vec<ReadTarget> = names
        .iter()
        .enumerate()
        .map(|(i, n)| target("cdn_domain", &format!("t{i}"), "a", n))
        .collect();
    targets.push(target("cdn_domain", "x", "b", "x.example.com"));
    targets.push(target("cdn_domain", "y", "b", "y.example.com"));
    targets.push(target("cdn_purge", "p", "a", "task-1"));
    let providers = set(&[("a", &tens), ("b", &ones)]);
    let (live, events) = refresh(&targets, &providers, 10).await;
    let live = live.unwrap();

    // Chunks of three in the order given; the other provider one by one;
    // the purge is not read.
    let chunk = |r: std::ops::Range<usize>| names[r].to_vec();
    assert_eq!(tens.chunks(), [chunk(0..3), chunk(3..6), chunk(6..7)]);
    let mut singles = ones.chunks();
    singles.sort();
    assert_eq!(
        singles,
        [
            vec!["x.example.com".to_string()],
            vec!["y.example.com".to_string()]
        ]
    );

    // The same map as reading one by one.
    let mut want = BTreeMap::new();
    for t in &targets {
        let p = &providers[&t.provider];
        let v = match t.address.resource_type.as_str() {
            "cdn_domain" => p
                .read_domain(&t.vendor_id)
                .await
                .unwrap()
                .map(|d| d.to_json()),
            _ => None,
        };
        want.insert(t.address.clone(), v);
    }
    assert_eq!(live, want);
    assert!(live[&Address::new("cdn_domain", "t0")].is_some());
    assert_eq!(live[&Address::new("cdn_domain", "t4")], None);
    assert_eq!(live[&Address::new("cdn_domain", "y")], None);

    // Every address: started once, then done once with its result (the
    // caller, not the refresh, announces the total).
    assert_eq!(events.all().len(), 2 * 10);
    assert_eq!(
        events.of("cdn_domain.t4"),
        ["start cdn_domain.t4", "done cdn_domain.t4 Ok(false)"]
    );
    for t in &targets {
        let a = t.address.to_string();
        let e = events.of(&a);
        assert_eq!(e.len(), 2, "{a}: {e:?}");
        assert_eq!(e[0], format!("start {a}"));
        assert!(e[1].starts_with(&format!("done {a} Ok(")), "{e:?}");
    }
    // A chunk's addresses all start before any of them is done.
    let all = events.all();
    let pos = |e: &str| all.iter().position(|x| x == e).unwrap();
    assert!(pos("start cdn_domain.t2") < pos("done cdn_domain.t0 Ok(true)"));
}

#[tokio::test]
async fn a_permit_per_chunk_and_each_resource_read_once() {
    let names: Vec<String> = (0..20).map(name).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let p = Arc::new(Batched::new(4, &refs));
    let mut targets: Vec<ReadTarget> = names
        .iter()
        .enumerate()
        .map(|(i, n)| target("cdn_domain", &format!("t{i}"), "a", n))
        .collect();
    // The same domain under a second address, and an address given twice.
    targets.push(target("cdn_domain", "again", "a", &names[5]));
    targets.push(target("cdn_domain", "t1", "a", &names[1]));
    let (live, events) = refresh(&targets, &set(&[("a", &p)]), 2).await;
    let live = live.unwrap();
    assert_eq!(live.len(), 21);
    assert_eq!(
        live[&Address::new("cdn_domain", "again")],
        live[&Address::new("cdn_domain", "t5")]
    );
    let read: Vec<String> = p.chunks().concat();
    assert_eq!(read, names, "each domain read once, in order");
    assert!(p.chunks().iter().all(|c| c.len() <= 4));
    assert_eq!(p.chunks().len(), 5);
    // Two permits: never more than two chunks read at once (and the
    // yields let the second one in).
    assert_eq!(p.most.load(Ordering::SeqCst), 2);
    assert_eq!(events.of("cdn_domain.t1").len(), 2);
    assert_eq!(events.of("cdn_domain.again").len(), 2);
}

#[tokio::test]
async fn a_chunk_error_names_one_of_its_addresses_and_the_provider() {
    let names: Vec<String> = (0..6).map(name).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let p = Arc::new(Batched {
        fail: Some(names[4].clone()),
        ..Batched::new(3, &refs)
    });
    let targets: Vec<ReadTarget> = names
        .iter()
        .enumerate()
        .map(|(i, n)| target("cdn_domain", &format!("t{i}"), "a", n))
        .collect();
    let (live, events) = refresh(&targets, &set(&[("a", &p)]), 10).await;
    match live.unwrap_err() {
        PlanError::Refresh {
            address,
            provider,
            error,
        } => {
            assert!(
                ["t3", "t4", "t5"].contains(&address.name.as_str()),
                "{address}"
            );
            assert_eq!(provider, ProviderAddr::new("memory", Some("a".into())));
            assert_eq!(error.kind, ErrorKind::Server);
        }
        other => panic!("{other}"),
    }
    // Every address of the failed chunk is done with the error; the
    // other chunk's are done with their results.
    for i in 3..6 {
        let e = events.of(&format!("cdn_domain.t{i}"));
        assert!(
            e[1].contains("Err(") && e[1].contains("injected read failure"),
            "{e:?}"
        );
    }
    assert_eq!(events.of("cdn_domain.t0")[1], "done cdn_domain.t0 Ok(true)");
}

#[tokio::test]
async fn a_missing_provider_is_an_error_before_any_read() {
    let p = Arc::new(Batched::new(3, &["a.example.com"]));
    let targets = [
        target("cdn_domain", "a", "a", "a.example.com"),
        target("cdn_domain", "b", "nope", "b.example.com"),
    ];
    let (live, _) = refresh(&targets, &set(&[("a", &p)]), 10).await;
    assert!(matches!(live, Err(PlanError::MissingProvider { .. })));
    assert!(p.chunks().is_empty());
}
