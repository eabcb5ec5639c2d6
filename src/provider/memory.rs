//! An in-memory provider: the reference behaviour of the trait, used by the
//! planner's and applier's unit tests (no HTTP, no vendor quirks).

use crate::model::Domain;
use crate::provider::content::{ContentKind, ContentLimits, Submitted, TaskState, TaskStatus};
use crate::provider::{Capabilities, DomainSummary, ErrorKind, Invalid, Provider, ProviderError};
use async_trait::async_trait;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

pub static MEMORY_CAPABILITIES: Capabilities = Capabilities {
    vendor: "memory",
    resource_types: &["cdn_domain", "cdn_purge", "cdn_preload"],
    attributes: &[
        "/name",
        "/cdn_type",
        "/enabled",
        "/origins",
        "/origin_host",
        "/origin_protocol",
        "/ipv6",
        "/cache_rules",
        "/referer",
        "/ip_filter",
        "/user_agent_filter",
        "/response_headers",
        "/origin_request_headers",
        "/https",
        "/compression",
    ],
    max_origins: 20,
    allowed_values: &[],
    max_items: &[],
};

#[derive(Debug, Default)]
pub struct MemoryProvider {
    domains: Mutex<BTreeMap<String, Domain>>,
    /// `"create:a.example.com"`-style keys of calls that must fail.
    failures: Mutex<BTreeSet<String>>,
    /// Keys of calls that take effect, then fail as if their answer was lost.
    failures_after: Mutex<BTreeSet<String>>,
    calls: Mutex<Vec<String>>,
}

impl MemoryProvider {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn fail(&self, op: &str, name: &str) {
        self.failures.lock().unwrap().insert(format!("{op}:{name}"));
    }
    /// `op` on `name` takes effect, then fails as if its answer was lost.
    pub fn fail_after(&self, op: &str, name: &str) {
        self.failures_after
            .lock()
            .unwrap()
            .insert(format!("{op}:{name}"));
    }
    fn lost_answer(&self, op: &str, name: &str) -> Result<(), ProviderError> {
        if self
            .failures_after
            .lock()
            .unwrap()
            .contains(&format!("{op}:{name}"))
        {
            return Err(ProviderError::new(
                "memory",
                op,
                ErrorKind::OutcomeUnknown,
                format!("injected lost answer for {name}"),
            ));
        }
        Ok(())
    }
    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
    pub fn domains(&self) -> BTreeMap<String, Domain> {
        self.domains.lock().unwrap().clone()
    }
    /// Remove a domain behind the engine's back (tests).
    pub fn delete_domain_for_test(&self, name: &str) {
        self.domains.lock().unwrap().remove(name);
    }
    pub fn put(&self, d: Domain) {
        self.domains.lock().unwrap().insert(d.name.clone(), d);
    }
    fn call(&self, op: &str, name: &str) -> Result<(), ProviderError> {
        let key = format!("{op}:{name}");
        self.calls.lock().unwrap().push(key.clone());
        if self.failures.lock().unwrap().contains(&key) {
            let mut e = ProviderError::new(
                "memory",
                op,
                ErrorKind::Invalid,
                format!("injected failure for {name}"),
            );
            e.code = Some("Injected".into());
            return Err(e);
        }
        Ok(())
    }
    fn not_found(op: &str, name: &str) -> ProviderError {
        ProviderError::new(
            "memory",
            op,
            ErrorKind::NotFound,
            format!("{name} does not exist"),
        )
    }
}

#[async_trait]
impl Provider for MemoryProvider {
    fn vendor(&self) -> &'static str {
        "memory"
    }
    fn capabilities(&self) -> &'static Capabilities {
        &MEMORY_CAPABILITIES
    }
    fn validate_domain(&self, d: &Domain) -> Vec<Invalid> {
        if d.origins.len() > MEMORY_CAPABILITIES.max_origins {
            return vec![Invalid {
                pointer: "/origins".into(),
                message: "too many origins".into(),
            }];
        }
        Vec::new()
    }
    async fn list_domains(&self) -> Result<Vec<DomainSummary>, ProviderError> {
        self.call("list", "*")?;
        Ok(self
            .domains()
            .values()
            .map(|d| DomainSummary {
                name: d.name.clone(),
                status: d.status.clone().unwrap_or_default(),
            })
            .collect())
    }
    async fn read_domain(&self, name: &str) -> Result<Option<Domain>, ProviderError> {
        self.call("read", name)?;
        Ok(self.domains.lock().unwrap().get(name).cloned())
    }
    async fn create_domain(&self, d: &Domain) -> Result<(), ProviderError> {
        self.call("create", &d.name)?;
        let mut domains = self.domains.lock().unwrap();
        if domains.contains_key(&d.name) {
            return Err(ProviderError::new(
                "memory",
                "create",
                ErrorKind::AlreadyExists,
                "exists",
            ));
        }
        let mut d = d.clone();
        d.enabled = true;
        if let Some(h) = d.https.as_mut() {
            h.certificate.private_pem = None;
        }
        d.status = Some("online".into());
        d.cname = Some(format!("{}.cdn.memory.test", d.name));
        let name = d.name.clone();
        domains.insert(name.clone(), d);
        self.lost_answer("create", &name)
    }
    /// Updates that change the same features batch together (to exercise the
    /// applier's batching).
    fn update_batch_key(&self, prior: &Domain, desired: &Domain) -> Option<String> {
        let strip = |d: &Domain| {
            let mut v = d.to_json();
            for k in [
                "name",
                "origins",
                "cname",
                "status",
                "enabled",
                "created_at",
                "modified_at",
                "https_cname",
            ] {
                v.as_object_mut().unwrap().remove(k);
            }
            v
        };
        (prior.origins == desired.origins && prior.enabled == desired.enabled)
            .then(|| format!("{} -> {}", strip(prior), strip(desired)))
    }

    async fn update_domains(&self, updates: &[(Domain, Domain)]) -> Vec<Result<(), ProviderError>> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("batch:{}", updates.len()));
        let mut out = Vec::new();
        for (prior, desired) in updates {
            out.push(self.update_domain(prior, desired).await);
        }
        out
    }

    async fn update_domain(&self, _prior: &Domain, desired: &Domain) -> Result<(), ProviderError> {
        self.call("update", &desired.name)?;
        let mut domains = self.domains.lock().unwrap();
        let d = domains
            .get_mut(&desired.name)
            .ok_or_else(|| Self::not_found("update", &desired.name))?;
        let mut next = desired.clone();
        // Like a vendor: keep what it computes and the on/off switch, and
        // never hand the private key back.
        next.enabled = d.enabled;
        next.cname = d.cname.take();
        next.status = d.status.take();
        if let Some(h) = next.https.as_mut() {
            h.certificate.private_pem = None;
        }
        *d = next;
        Ok(())
    }
    async fn set_enabled(&self, name: &str, enabled: bool) -> Result<(), ProviderError> {
        self.call(if enabled { "start" } else { "stop" }, name)?;
        let mut domains = self.domains.lock().unwrap();
        let d = domains
            .get_mut(name)
            .ok_or_else(|| Self::not_found("stop", name))?;
        d.enabled = enabled;
        d.status = Some(if enabled { "online" } else { "offline" }.into());
        Ok(())
    }
    async fn delete_domain(&self, name: &str) -> Result<(), ProviderError> {
        self.call("delete", name)?;
        self.domains.lock().unwrap().remove(name);
        Ok(())
    }

    /// Small limits so tests see batching: 3 items per call, 2 hosts per
    /// call, 10 a day.
    fn content_limits(&self) -> ContentLimits {
        let kinds = [
            ContentKind::Url,
            ContentKind::Directory,
            ContentKind::Preload,
        ];
        ContentLimits {
            per_call: kinds.iter().map(|k| (*k, 3)).collect(),
            hosts_per_call: Some(2),
            daily: kinds.iter().map(|k| (*k, 10)).collect(),
            preload_areas: &[],
            quota_api: false,
        }
    }

    async fn submit_content(
        &self,
        kind: ContentKind,
        items: &[String],
        _area: Option<&str>,
    ) -> Result<Submitted, ProviderError> {
        self.call("content", &format!("{kind:?}:{}", items.join(",")))?;
        let n = self.calls.lock().unwrap().len();
        Ok(Submitted {
            task_ids: vec![format!("t{n}")],
            rejected: Vec::new(),
        })
    }

    async fn content_status(
        &self,
        _kind: ContentKind,
        ids: &[String],
    ) -> Result<Vec<TaskStatus>, ProviderError> {
        Ok(ids
            .iter()
            .map(|id| TaskStatus {
                id: id.clone(),
                state: TaskState::Done,
                failed: Vec::new(),
                detail: None,
            })
            .collect())
    }
}
