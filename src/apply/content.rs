//! Running purges and preloads: deduplicate, split into calls within the
//! vendor's limits (items per call, hosts per call), submit, and with
//! `wait` poll the tasks with backoff until they finish or `timeout`
//! passes. Before an apply runs any, `check_quotas` compares what the plan
//! needs with what remains of today's quota (asked of the vendor, or
//! counted from the state), so a plan is refused whole rather than failing
//! half-way.

use crate::apply::ApplyError;
use crate::model::schema::is_content_type;
use crate::model::Address;
use crate::plan::content::{hosts, items};
use crate::plan::{Action, Plan};
use crate::provider::content::{ContentKind, ContentLimits, TaskState, SUBMIT_CONCURRENCY};
use crate::provider::{Provider, ProviderSet};
use crate::state::State;
use futures_util::stream::{self, StreamExt};
use serde_json::{json, Value as Json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// One vendor call's worth of items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    pub kind: ContentKind,
    pub items: Vec<String>,
}

/// Split deduplicated items into calls: at most `per_call` items and at
/// most `hosts_per_call` distinct hosts each, in order.
pub fn batches(all: &BTreeMap<ContentKind, Vec<String>>, limits: &ContentLimits) -> Vec<Batch> {
    let mut out = Vec::new();
    for (kind, list) in all {
        let per_call = limits.per_call.get(kind).copied().unwrap_or(1).max(1);
        let mut current: Vec<String> = Vec::new();
        let mut current_hosts: BTreeSet<String> = BTreeSet::new();
        for item in list {
            let host = hosts("cdn_purge", &json!({"urls": [item]}))
                .into_iter()
                .next()
                .unwrap_or_default();
            let new_host = !current_hosts.contains(&host);
            let full = current.len() >= per_call
                || (new_host
                    && limits
                        .hosts_per_call
                        .is_some_and(|max| current_hosts.len() >= max));
            if full && !current.is_empty() {
                out.push(Batch {
                    kind: *kind,
                    items: std::mem::take(&mut current),
                });
                current_hosts.clear();
            }
            current_hosts.insert(host);
            current.push(item.clone());
        }
        if !current.is_empty() {
            out.push(Batch {
                kind: *kind,
                items: current,
            });
        }
    }
    out
}

/// Run one purge/preload value (references resolved): returns the state
/// attributes (the value plus task ids, time and outcome).
pub async fn run(
    address: &Address,
    value: &Json,
    provider: &dyn Provider,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Json, ApplyError> {
    let fail = |detail: String| ApplyError::Content {
        address: address.clone(),
        detail,
    };
    let limits = provider.content_limits();
    let all = items(&address.resource_type, value);
    let calls = batches(&all, &limits);
    let area = value.get("area").and_then(Json::as_str);
    let mut task_ids: Vec<(ContentKind, String)> = Vec::new();
    // Several calls in flight (their answers taken in order); the first
    // failure stops the submissions not yet started.
    let total = calls.len();
    let submits: Vec<_> = calls
        .iter()
        .enumerate()
        .map(|(i, batch)| submit(provider, batch, area, (i + 1, total), progress))
        .collect();
    let mut submissions = stream::iter(submits).buffered(SUBMIT_CONCURRENCY);
    while let Some((kind, submitted)) = submissions.next().await {
        let submitted = submitted.map_err(|error| ApplyError::Provider {
            address: address.clone(),
            error,
        })?;
        if !submitted.rejected.is_empty() {
            return Err(fail(format!(
                "{} refused {}",
                provider.vendor(),
                submitted.rejected.join(", ")
            )));
        }
        task_ids.extend(submitted.task_ids.into_iter().map(|id| (kind, id)));
    }
    let wait = value.get("wait").and_then(Json::as_bool).unwrap_or(true);
    let timeout = value
        .get("timeout")
        .and_then(Json::as_str)
        .and_then(|t| humantime::parse_duration(t).ok())
        .unwrap_or(Duration::from_secs(600));
    let outcome = if wait {
        wait_for(address, provider, &task_ids, timeout, progress).await?;
        "complete"
    } else {
        "submitted"
    };
    let mut attrs = value.clone();
    if let Json::Object(m) = &mut attrs {
        m.insert(
            "task_ids".into(),
            json!(task_ids.iter().map(|(_, id)| id).collect::<Vec<_>>()),
        );
        m.insert(
            "last_run".into(),
            json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        );
        m.insert("outcome".into(), json!(outcome));
    }
    Ok(attrs)
}

/// One submission (call `nth.0` of `nth.1`).
async fn submit(
    provider: &dyn Provider,
    batch: &Batch,
    area: Option<&str>,
    nth: (usize, usize),
    progress: &(dyn Fn(&str) + Sync),
) -> (
    ContentKind,
    Result<crate::provider::content::Submitted, crate::provider::ProviderError>,
) {
    progress(&format!(
        "submitting {} {}(s) (call {} of {})",
        batch.items.len(),
        batch.kind.noun(),
        nth.0,
        nth.1
    ));
    let submitted = provider
        .submit_content(batch.kind, &batch.items, area)
        .await;
    (batch.kind, submitted)
}

/// Poll until every task finished: backoff from 200 ms to 5 s, at most
/// `timeout`. A failed task is an error naming its items.
async fn wait_for(
    address: &Address,
    provider: &dyn Provider,
    tasks: &[(ContentKind, String)],
    timeout: Duration,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<(), ApplyError> {
    let started = Instant::now();
    let mut delay = Duration::from_millis(200);
    let mut by_kind: BTreeMap<ContentKind, Vec<String>> = BTreeMap::new();
    for (kind, id) in tasks {
        by_kind.entry(*kind).or_default().push(id.clone());
    }
    loop {
        let mut pending = 0;
        let mut failed = Vec::new();
        for (kind, ids) in &by_kind {
            let statuses = provider.content_status(*kind, ids).await.map_err(|error| {
                ApplyError::Provider {
                    address: address.clone(),
                    error,
                }
            })?;
            for id in ids {
                match statuses.iter().find(|s| &s.id == id) {
                    Some(s) if s.state == TaskState::Failed => {
                        failed.push(if s.failed.is_empty() {
                            format!(
                                "task {id}{}",
                                s.detail
                                    .as_ref()
                                    .map(|d| format!(" ({d})"))
                                    .unwrap_or_default()
                            )
                        } else {
                            s.failed.join(", ")
                        })
                    }
                    Some(s) if s.state == TaskState::Done => {}
                    _ => pending += 1,
                }
            }
        }
        if !failed.is_empty() {
            return Err(ApplyError::Content {
                address: address.clone(),
                detail: format!(
                    "{} reports failed: {}",
                    provider.vendor(),
                    failed.join("; ")
                ),
            });
        }
        if pending == 0 {
            return Ok(());
        }
        if started.elapsed() >= timeout {
            return Err(ApplyError::Content {
                address: address.clone(),
                detail: format!(
                    "{pending} task(s) still running after {}; they were submitted and may still complete",
                    humantime::format_duration(Duration::from_secs(timeout.as_secs()))
                ),
            });
        }
        progress(&format!(
            "waiting: {pending} task(s) running ({}s)",
            started.elapsed().as_secs()
        ));
        tokio::time::sleep(delay.min(timeout.saturating_sub(started.elapsed()))).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

/// Refuse the plan before any call when the purges and preloads it runs
/// need more than what remains of today's quotas. Vendors with a quota API
/// are asked; for the others, what this state recorded today is counted
/// against the documented daily quota.
pub async fn check_quotas(
    plan: &Plan,
    providers: &ProviderSet,
    state: &State,
) -> Result<(), String> {
    let mut need: Need = BTreeMap::new();
    for c in plan.changes.iter().filter(|c| {
        is_content_type(c.resource_type()) && matches!(c.action, Action::Create | Action::Replace)
    }) {
        let Some(after) = &c.after else { continue };
        for (kind, list) in items(c.resource_type(), &after.value) {
            *need
                .entry(c.provider.clone())
                .or_default()
                .entry(kind)
                .or_default() += list.len() as u64;
        }
    }
    check_need(need, providers, state).await
}

/// Items per kind a run needs, per provider.
pub type Need = BTreeMap<crate::model::ProviderAddr, BTreeMap<ContentKind, u64>>;

/// Refuse when `need` is more than what remains of today's quotas.
pub async fn check_need(need: Need, providers: &ProviderSet, state: &State) -> Result<(), String> {
    let today = chrono::Utc::now().date_naive().to_string();
    let mut problems = Vec::new();
    for (addr, wanted) in need {
        let Some(provider) = providers.get(&addr) else {
            continue;
        };
        let limits = provider.content_limits();
        let remaining: BTreeMap<ContentKind, u64> = match limits.quota_api {
            true => provider
                .content_quota()
                .await
                .map_err(|e| format!("checking the {addr} quota: {e}"))?
                .unwrap_or_default(),
            false => BTreeMap::new(),
        };
        // What this state ran today on this provider, for kinds the vendor
        // does not report.
        let mut used: BTreeMap<ContentKind, u64> = BTreeMap::new();
        for r in state.resources.iter().filter(|r| {
            r.provider == addr
                && is_content_type(&r.address.resource_type)
                && r.attributes
                    .get("last_run")
                    .and_then(Json::as_str)
                    .is_some_and(|t| t.starts_with(&today))
        }) {
            for (kind, list) in items(&r.address.resource_type, &r.attributes) {
                *used.entry(kind).or_default() += list.len() as u64;
            }
        }
        for (kind, n) in wanted {
            let left = match remaining.get(&kind) {
                Some(left) => Some(*left),
                None => limits
                    .daily
                    .get(&kind)
                    .map(|d| d.saturating_sub(used.get(&kind).copied().unwrap_or(0))),
            };
            if let Some(left) = left.filter(|left| n > *left) {
                problems.push(format!(
                    "{addr}: this plan needs {n} {}(s) but only {left} remain of today's quota",
                    kind.noun()
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "refusing to start: {}. Nothing was sent; run the rest tomorrow or split the purge.",
            problems.join("; ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_call: usize, hosts: Option<usize>) -> ContentLimits {
        ContentLimits {
            per_call: [(ContentKind::Url, per_call)].into(),
            hosts_per_call: hosts,
            daily: Default::default(),
            preload_areas: &[],
            quota_api: false,
        }
    }

    #[test]
    fn batches_respect_items_and_hosts_per_call() {
        let urls: Vec<String> = (0..2500)
            .map(|i| format!("https://static.example.com/{i}.js"))
            .collect();
        let all = BTreeMap::from([(ContentKind::Url, urls)]);
        let b = batches(&all, &limits(1000, Some(10)));
        assert_eq!(
            b.iter().map(|b| b.items.len()).collect::<Vec<_>>(),
            [1000, 1000, 500]
        );
        let spread: Vec<String> = (0..25)
            .map(|i| format!("https://d{i}.example.com/a"))
            .collect();
        let all = BTreeMap::from([(ContentKind::Url, spread)]);
        let b = batches(&all, &limits(1000, Some(10)));
        assert_eq!(
            b.iter().map(|b| b.items.len()).collect::<Vec<_>>(),
            [10, 10, 5]
        );
    }

    /// The memory provider, with each submission taking 5 ms and the most
    /// in flight at once counted.
    #[derive(Debug, Default)]
    struct SlowSubmits {
        inner: crate::provider::memory::MemoryProvider,
        now: std::sync::atomic::AtomicUsize,
        most: std::sync::atomic::AtomicUsize,
    }

    #[async_trait::async_trait]
    impl Provider for SlowSubmits {
        fn vendor(&self) -> &'static str {
            self.inner.vendor()
        }
        fn capabilities(&self) -> &'static crate::provider::Capabilities {
            self.inner.capabilities()
        }
        fn validate_domain(&self, d: &crate::model::Domain) -> Vec<crate::provider::Invalid> {
            self.inner.validate_domain(d)
        }
        async fn list_domains(
            &self,
        ) -> Result<Vec<crate::provider::DomainSummary>, crate::provider::ProviderError> {
            self.inner.list_domains().await
        }
        async fn read_domain(
            &self,
            name: &str,
        ) -> Result<Option<crate::model::Domain>, crate::provider::ProviderError> {
            self.inner.read_domain(name).await
        }
        async fn create_domain(
            &self,
            d: &crate::model::Domain,
        ) -> Result<(), crate::provider::ProviderError> {
            self.inner.create_domain(d).await
        }
        async fn update_domain(
            &self,
            p: &crate::model::Domain,
            d: &crate::model::Domain,
        ) -> Result<(), crate::provider::ProviderError> {
            self.inner.update_domain(p, d).await
        }
        async fn set_enabled(
            &self,
            name: &str,
            on: bool,
        ) -> Result<(), crate::provider::ProviderError> {
            self.inner.set_enabled(name, on).await
        }
        async fn delete_domain(&self, name: &str) -> Result<(), crate::provider::ProviderError> {
            self.inner.delete_domain(name).await
        }
        fn content_limits(&self) -> ContentLimits {
            limits(3, None)
        }
        async fn submit_content(
            &self,
            kind: ContentKind,
            items: &[String],
            area: Option<&str>,
        ) -> Result<crate::provider::content::Submitted, crate::provider::ProviderError> {
            use std::sync::atomic::Ordering::SeqCst;
            let now = self.now.fetch_add(1, SeqCst) + 1;
            self.most.fetch_max(now, SeqCst);
            tokio::time::sleep(Duration::from_millis(5)).await;
            self.now.fetch_sub(1, SeqCst);
            self.inner.submit_content(kind, items, area).await
        }
        async fn content_status(
            &self,
            kind: ContentKind,
            ids: &[String],
        ) -> Result<Vec<crate::provider::content::TaskStatus>, crate::provider::ProviderError>
        {
            self.inner.content_status(kind, ids).await
        }
    }

    #[tokio::test]
    async fn submissions_go_out_several_at_a_time() {
        let p = SlowSubmits::default();
        let urls: Vec<String> = (0..60)
            .map(|i| format!("https://static.example.com/{i}.js"))
            .collect();
        let value = json!({"urls": urls, "wait": true});
        let address = Address::new("cdn_purge", "many");
        let attrs = run(&address, &value, &p, &|_| {}).await.unwrap();
        // Twenty calls of three URLs, every task recorded, in call order.
        let ids = attrs["task_ids"].as_array().unwrap();
        assert_eq!(ids.len(), 20);
        let submitted: Vec<String> = p
            .inner
            .calls()
            .into_iter()
            .filter(|c| c.starts_with("content:"))
            .collect();
        assert_eq!(submitted.len(), 20);
        assert_eq!(attrs["outcome"], "complete");
        let most = p.most.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(most, SUBMIT_CONCURRENCY);
    }
}
