//! Alibaba Cloud CDN (RPC API 2018-05-10, HMAC-SHA1 signatures) as a
//! `Provider`: configuration, and the trait methods in terms of API actions.
//! Signing, HTTP, parsing, errors and field mapping live in the sibling files.

mod body;
pub mod capabilities;
mod cert;
mod client;
mod config_client;
mod config_map;
mod config_read;
mod content;
pub use content::limits as content_limits;
mod create;
pub mod error;
mod mapping;
pub mod signer;
pub mod validate;
mod validate_config;
mod xml;

#[cfg(test)]
mod canned;
#[cfg(test)]
mod config_http_tests;
#[cfg(test)]
mod config_tests;
#[cfg(test)]
mod content_tests;
#[cfg(test)]
mod http_tests;

pub use client::{API_VERSION, DEFAULT_ENDPOINT};

use crate::model::{Domain, Secret};
use crate::provider::content::{ContentKind, ContentLimits, Submitted, TaskStatus};
use crate::provider::retry::RetryPolicy;
use crate::provider::window::Limit;
use crate::provider::{
    CallObserver, Capabilities, DomainSummary, ErrorKind, Invalid, Provider, ProviderError,
};
use async_trait::async_trait;
use client::Client;
use config_client::PollPolicy;
use error::{Effect, VENDOR};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// `DescribeUserDomains` page size: the 2018-05-10 maximum.
const PAGE_SIZE: u64 = 500;

/// Settings of a `provider "aliyun"` block, resolved.
#[derive(Clone)]
pub struct AliyunConfig {
    /// `https://cdn.aliyuncs.com/` by default; `http://` only to loopback.
    pub endpoint: String,
    pub access_key_id: String,
    pub access_key_secret: Secret,
    pub retry: RetryPolicy,
    pub observer: Option<Arc<dyn CallObserver>>,
    /// Per-action call limits the client keeps to (see `call_limits`).
    pub call_limits: BTreeMap<&'static str, Limit>,
}

/// Alibaba's per-account call limits (API-NOTES, from Alibaba's quota
/// tables), per second. Keeping to them client-side costs nothing when the
/// account is quiet and saves a throttled round trip when it is not; at
/// account scale `BatchSetCdnDomainConfig` at 3/s bounds every write.
pub fn call_limits() -> BTreeMap<&'static str, Limit> {
    [
        ("BatchSetCdnDomainConfig", 3),
        ("DescribeCdnDomainConfigs", 100),
        ("DescribeCdnDomainDetail", 30),
        ("AddCdnDomain", 30),
        ("StartCdnDomain", 99),
        ("RefreshObjectCaches", 50),
        ("PushObjectCache", 50),
        ("DescribeCdnUserQuota", 30),
    ]
    .into_iter()
    .map(|(action, calls)| {
        (
            action,
            Limit {
                calls,
                per: std::time::Duration::from_secs(1),
            },
        )
    })
    .collect()
}

impl AliyunConfig {
    /// The public endpoint, the default retry policy, no observer.
    pub fn new(access_key_id: impl Into<String>, access_key_secret: Secret) -> Self {
        AliyunConfig {
            endpoint: DEFAULT_ENDPOINT.to_string(),
            access_key_id: access_key_id.into(),
            access_key_secret,
            retry: RetryPolicy::default(),
            observer: None,
            call_limits: call_limits(),
        }
    }
}

impl fmt::Debug for AliyunConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AliyunConfig")
            .field("endpoint", &self.endpoint)
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &self.access_key_secret)
            .field("retry", &self.retry)
            .field("observer", &self.observer.as_ref().map(|_| "..."))
            .finish()
    }
}

#[derive(Debug)]
pub struct AliyunProvider {
    client: Client,
    /// Waiting for configs to be applied.
    poll: PollPolicy,
}

/// Idempotent writes (modify, start, stop, delete) may repeat a call whose
/// answer was lost: doing it twice has the effect of doing it once.
fn idempotent_retry(e: &ProviderError) -> bool {
    e.kind.is_retryable() || e.kind == ErrorKind::OutcomeUnknown
}

impl AliyunProvider {
    // The shared ProviderError is past clippy's size threshold (see
    // `client::parse_endpoint`).
    #[allow(clippy::result_large_err)]
    pub fn new(config: AliyunConfig) -> Result<Self, ProviderError> {
        Ok(AliyunProvider {
            client: Client::new(&config)?,
            poll: PollPolicy::default(),
        })
    }

    /// `DescribeCdnDomainDetail` alone: the domain without its
    /// configuration, and the answer; `None` if it does not exist.
    async fn read_detail(&self, name: &str) -> Result<Option<(Domain, Value)>, ProviderError> {
        const ACTION: &str = "DescribeCdnDomainDetail";
        let params = [("DomainName", name.to_string())];
        let answer = match self.client.call(ACTION, &params, Effect::Read).await {
            Ok(answer) => answer,
            Err(e) if e.kind == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let domain = mapping::domain_from_detail(&answer)
            .map_err(|why| error::malformed(ACTION, 200, why, Effect::Read))?;
        Ok(Some((domain, answer)))
    }

    async fn write(&self, action: &str, params: &[(&str, String)]) -> Result<(), ProviderError> {
        self.client
            .call_if(action, params, Effect::Write, idempotent_retry)
            .await
            .map(|_| ())
    }
}

#[async_trait]
impl Provider for AliyunProvider {
    fn vendor(&self) -> &'static str {
        VENDOR
    }

    fn capabilities(&self) -> &'static Capabilities {
        &capabilities::CAPABILITIES
    }

    /// A cache rule whose priority equals the weight Alibaba derives from
    /// its position reads back without one: drop it here too.
    fn normalise(&self, domain: &mut Domain) {
        for (i, rule) in domain.cache_rules.iter_mut().enumerate() {
            if rule.priority == Some(config_map::positional_weight(i)) {
                rule.priority = None;
            }
        }
    }

    fn validate_domain(&self, domain: &Domain) -> Vec<Invalid> {
        validate::validate(domain)
    }

    async fn list_domains(&self) -> Result<Vec<DomainSummary>, ProviderError> {
        const ACTION: &str = "DescribeUserDomains";
        let mut out: Vec<DomainSummary> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut page: u64 = 1;
        loop {
            let params = [
                ("PageSize", PAGE_SIZE.to_string()),
                ("PageNumber", page.to_string()),
            ];
            let answer = self.client.call(ACTION, &params, Effect::Read).await?;
            let (items, total) = mapping::domains_page(&answer)
                .map_err(|why| error::malformed(ACTION, 200, why, Effect::Read))?;
            let count = items.len() as u64;
            // A domain added while we page can shift another onto the next
            // page a second time: keep the first.
            for d in items {
                if seen.insert(d.name.clone()) {
                    out.push(d);
                }
            }
            let pages_needed = total.map(|t| t.div_ceil(PAGE_SIZE));
            let done = match pages_needed {
                Some(n) => page >= n || count == 0,
                None => count < PAGE_SIZE,
            };
            if done {
                return Ok(out);
            }
            page += 1;
        }
    }

    async fn read_domain(&self, name: &str) -> Result<Option<Domain>, ProviderError> {
        let Some((mut domain, detail)) = self.read_detail(name).await? else {
            return Ok(None);
        };
        config_client::read_into(self, &mut domain, &detail).await?;
        Ok(Some(domain))
    }

    /// AddCdnDomain with the origins, then the whole configuration.
    async fn create_domain(&self, domain: &Domain) -> Result<(), ProviderError> {
        create::create(self, domain).await?;
        let bare = Domain::new(domain.name.clone(), domain.cdn_type, domain.origins.clone());
        config_client::update(self, &bare, domain, true).await
    }

    async fn update_domain(&self, prior: &Domain, desired: &Domain) -> Result<(), ProviderError> {
        if prior.name != desired.name || prior.cdn_type != desired.cdn_type {
            return Err(ProviderError::new(
                VENDOR,
                "ModifyCdnDomain",
                ErrorKind::Invalid,
                format!(
                    "domain {:?}: name and cdn_type cannot change in place; the domain must be replaced",
                    prior.name
                ),
            ));
        }
        config_client::update(self, prior, desired, false).await
    }

    fn update_batch_key(&self, prior: &Domain, desired: &Domain) -> Option<String> {
        config_map::batch_key(prior, desired)
    }

    /// Updates with the same batch key share `BatchSetCdnDomainConfig`
    /// calls (50 domains each); any other update is applied on its own.
    async fn update_domains(&self, updates: &[(Domain, Domain)]) -> Vec<Result<(), ProviderError>> {
        let key = updates
            .first()
            .and_then(|(p, d)| self.update_batch_key(p, d));
        let shared: Vec<bool> = updates
            .iter()
            .map(|(p, d)| key.is_some() && self.update_batch_key(p, d) == key)
            .collect();
        let batch: Vec<(Domain, Domain)> = updates
            .iter()
            .zip(&shared)
            .filter(|(_, s)| **s)
            .map(|(u, _)| u.clone())
            .collect();
        let mut batched = config_client::update_many(self, &batch).await.into_iter();
        let mut out = Vec::with_capacity(updates.len());
        for ((prior, desired), s) in updates.iter().zip(shared) {
            out.push(match s {
                true => batched.next().expect("one result per batched update"),
                false => self.update_domain(prior, desired).await,
            });
        }
        out
    }

    async fn set_enabled(&self, name: &str, enabled: bool) -> Result<(), ProviderError> {
        let action = if enabled {
            "StartCdnDomain"
        } else {
            "StopCdnDomain"
        };
        self.write(action, &[("DomainName", name.to_string())])
            .await
    }

    async fn delete_domain(&self, name: &str) -> Result<(), ProviderError> {
        match self
            .write("DeleteCdnDomain", &[("DomainName", name.to_string())])
            .await
        {
            Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    fn content_limits(&self) -> ContentLimits {
        content::limits()
    }

    async fn submit_content(
        &self,
        kind: ContentKind,
        items: &[String],
        area: Option<&str>,
    ) -> Result<Submitted, ProviderError> {
        content::submit(self, kind, items, area).await
    }

    async fn content_status(
        &self,
        _kind: ContentKind,
        task_ids: &[String],
    ) -> Result<Vec<TaskStatus>, ProviderError> {
        content::status(self, task_ids).await
    }

    async fn content_quota(&self) -> Result<Option<BTreeMap<ContentKind, u64>>, ProviderError> {
        content::quota(self).await.map(Some)
    }
}

/// Fuzzing entry point: an answer body as the client reads it (JSON or
/// XML) through every parser of a domain read, a listing, and the
/// purge/preload answers. Must never panic, whatever the bytes.
pub fn fuzz_answer(text: &str) {
    let Ok(v) = body::parse(text) else { return };
    let _ = xml::parse(text);
    if let Ok(mut d) = mapping::domain_from_detail(&v) {
        if let Ok(configs) = config_read::parse_configs(&v) {
            let cert = Some(config_read::certificate_from_info(&v));
            let _ = config_read::apply_configs(&mut d, &configs, cert);
        }
    }
    let _ = mapping::domains_page(&v);
    for kind in [
        crate::provider::content::ContentKind::Url,
        crate::provider::content::ContentKind::Preload,
    ] {
        let _ = content::task_ids(&v, kind);
    }
    let _ = content::paths_by_task(&v);
    let _ = content::quota_from(&v);
}
