//! Baishan Cloud CDN (API v2, token) as a `Provider`: the settings, and the
//! trait methods in terms of the v2 endpoints. HTTP, the rate limiter,
//! errors and the field mapping live in the sibling files.
//!
//! MODELLED (not in the public material; see API-NOTES): `POST /domain`
//! creates, `PUT /domain/status` enables and disables, the answer shapes of
//! `GET /domain` and `GET /domain/config`, and how an item is cleared.

mod batch;
pub mod capabilities;
mod client;
mod config;
mod config_read;
mod content;
pub use content::limits as content_limits;
pub mod error;
mod mapping;
pub mod rate_limit;
mod read;
pub mod validate;

#[cfg(test)]
mod canned;
#[cfg(test)]
mod config_tests;
#[cfg(test)]
mod content_tests;
#[cfg(test)]
mod http_tests;
#[cfg(test)]
mod read_tests;

pub use client::DEFAULT_ENDPOINT;
pub use rate_limit::{Limit, RateLimits};

use crate::model::{Domain, Secret};
use crate::provider::content::{ContentKind, ContentLimits, Submitted, TaskStatus};
use crate::provider::retry::RetryPolicy;
use crate::provider::{
    CallObserver, Capabilities, DomainSummary, ErrorKind, Invalid, Provider, ProviderError,
};
use async_trait::async_trait;
use client::{Call, Client};
use error::VENDOR;
use rate_limit::Class;
use reqwest::Method;
use serde_json::json;
use std::fmt;
use std::sync::Arc;

/// `GET /domain/list` page size: the documented maximum.
const PAGE_SIZE: usize = 500;
/// Domains per `POST /domain/config`, `DELETE /domain`, `GET /domain`,
/// `GET /domain/config`.
pub const MAX_BATCH_DOMAINS: usize = 10;

/// Settings of a `provider "baishan"` block, resolved.
#[derive(Clone)]
pub struct BaishanConfig {
    /// Base URL including `/v2`; `http://` only to loopback.
    pub endpoint: String,
    pub token: Secret,
    pub retry: RetryPolicy,
    pub observer: Option<Arc<dyn CallObserver>>,
    /// The client-side rate limits (Baishan's documented ones by default).
    pub limits: RateLimits,
}

impl BaishanConfig {
    /// The public endpoint, default retries and limits, no observer.
    pub fn new(token: Secret) -> Self {
        BaishanConfig {
            endpoint: DEFAULT_ENDPOINT.to_string(),
            token,
            retry: RetryPolicy::default(),
            observer: None,
            limits: RateLimits::default(),
        }
    }
}

impl fmt::Debug for BaishanConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BaishanConfig")
            .field("endpoint", &self.endpoint)
            .field("token", &self.token)
            .field("retry", &self.retry)
            .field("observer", &self.observer.as_ref().map(|_| "..."))
            .field("limits", &self.limits)
            .finish()
    }
}

#[derive(Debug)]
pub struct BaishanProvider {
    client: Client,
}

fn names_param(names: &[&str]) -> String {
    names.join(",")
}

impl BaishanProvider {
    #[allow(clippy::result_large_err)]
    pub fn new(config: BaishanConfig) -> Result<Self, ProviderError> {
        Ok(BaishanProvider {
            client: Client::new(&config)?,
        })
    }

    /// `GET /domain`: the domain without its configuration, or `None`.
    async fn read_entry(&self, name: &str) -> Result<Option<Domain>, ProviderError> {
        let mut found = read::entries(&self.client, &[name.to_string()]).await?;
        Ok(found.pop().flatten())
    }

    /// One `POST /domain/config` of `items` to up to ten domains. Items
    /// replace whole items, so repeating the call is harmless.
    async fn post_config(
        &self,
        names: &[&str],
        items: &config::Items,
    ) -> Result<(), ProviderError> {
        let body = json!({ "domains": names_param(names), "config": items });
        let mut call = Call::write(Method::POST, "/domain/config", Some(body));
        call.class = Class::Config;
        self.client.call(&call, true).await.map(|_| ())
    }
}

#[async_trait]
impl Provider for BaishanProvider {
    fn vendor(&self) -> &'static str {
        VENDOR
    }

    fn capabilities(&self) -> &'static Capabilities {
        &capabilities::CAPABILITIES
    }

    fn validate_domain(&self, domain: &Domain) -> Vec<Invalid> {
        validate::validate(domain)
    }

    fn normalise(&self, domain: &mut Domain) {
        config::normalise(domain);
    }

    async fn list_domains(&self) -> Result<Vec<DomainSummary>, ProviderError> {
        let mut out: Vec<DomainSummary> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut page = 1usize;
        loop {
            let call = Call::get(
                "/domain/list",
                vec![
                    ("page_number", page.to_string()),
                    ("page_size", PAGE_SIZE.to_string()),
                ],
            );
            let data = self.client.call(&call, false).await?;
            let (items, count, total) = mapping::list_page(&data);
            for d in items {
                if seen.insert(d.name.clone()) {
                    out.push(d);
                }
            }
            let done = match total {
                Some(t) => (page * PAGE_SIZE) as u64 >= t || count == 0,
                None => count < PAGE_SIZE,
            };
            if done {
                return Ok(out);
            }
            page += 1;
        }
    }

    async fn read_domain(&self, name: &str) -> Result<Option<Domain>, ProviderError> {
        let mut found = read::read_many(&self.client, &[name.to_string()]).await?;
        Ok(found.pop().flatten())
    }

    fn read_batch_size(&self) -> usize {
        MAX_BATCH_DOMAINS
    }

    /// Two calls per ten domains (`read.rs`).
    async fn read_domains(&self, names: &[String]) -> Result<Vec<Option<Domain>>, ProviderError> {
        read::read_many(&self.client, names).await
    }

    /// `POST /domain` with the origin item, then the rest of the
    /// configuration in one `POST /domain/config`.
    async fn create_domain(&self, domain: &Domain) -> Result<(), ProviderError> {
        const ACTION: &str = "POST /domain";
        let problems = validate::validate(domain);
        if !problems.is_empty() {
            return Err(ProviderError::invalid(VENDOR, ACTION, &problems));
        }
        let body = json!({
            "domain": domain.name,
            "type": mapping::type_name(domain.cdn_type),
            "config": { "origin": config::origin_item(domain) },
        });
        let call = Call::write(Method::POST, "/domain", Some(body));
        // One attempt at a time (429s are waited out within it): an unknown
        // outcome is settled by reading, never by creating again blindly.
        crate::provider::create::create_with(
            self.client.retry_policy(),
            self.client.observer(),
            |wait| self.client.sleep(wait),
            rand::random::<f64>,
            || async { self.client.call_if(&call, |_| false).await.map(|_| ()) },
            || async { self.read_entry(&domain.name).await.map(|d| d.is_some()) },
        )
        .await?;
        let mut bare = Domain::new(domain.name.clone(), domain.cdn_type, domain.origins.clone());
        bare.origin_protocol = domain.origin_protocol;
        let rest = config::changes(&bare, domain);
        if rest.is_empty() {
            return Ok(());
        }
        self.post_config(&[&domain.name], &rest).await
    }

    async fn update_domain(&self, prior: &Domain, desired: &Domain) -> Result<(), ProviderError> {
        const ACTION: &str = "POST /domain/config";
        if prior.name != desired.name || prior.cdn_type != desired.cdn_type {
            return Err(ProviderError::new(
                VENDOR,
                ACTION,
                ErrorKind::Invalid,
                format!(
                    "domain {:?}: name and cdn_type cannot change in place; the domain must be replaced",
                    prior.name
                ),
            ));
        }
        let problems = validate::validate(desired);
        if !problems.is_empty() {
            return Err(ProviderError::invalid(VENDOR, ACTION, &problems));
        }
        let items = config::changes(prior, desired);
        if items.is_empty() {
            return Ok(());
        }
        self.post_config(&[&desired.name], &items).await
    }

    fn update_batch_key(&self, prior: &Domain, desired: &Domain) -> Option<String> {
        config::batch_key(prior, desired)
    }

    async fn update_domains(&self, updates: &[(Domain, Domain)]) -> Vec<Result<(), ProviderError>> {
        batch::update_many(self, updates).await
    }

    async fn set_enabled(&self, name: &str, enabled: bool) -> Result<(), ProviderError> {
        let status = if enabled { "serving" } else { "suspend" };
        let body = json!({ "domains": name, "status": status });
        let call = Call::write(Method::PUT, "/domain/status", Some(body));
        self.client.call(&call, true).await.map(|_| ())
    }

    async fn delete_domain(&self, name: &str) -> Result<(), ProviderError> {
        let mut call = Call::write(Method::DELETE, "/domain", None);
        call.query = vec![("domains", name.to_string())];
        match self.client.call(&call, true).await {
            Ok(_) => Ok(()),
            Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
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
        kind: ContentKind,
        task_ids: &[String],
    ) -> Result<Vec<TaskStatus>, ProviderError> {
        content::status(self, kind, task_ids).await
    }

    /// `GET /cache/prefetchQuota`: preloads only.
    async fn content_quota(
        &self,
    ) -> Result<Option<std::collections::BTreeMap<ContentKind, u64>>, ProviderError> {
        content::quota(self).await.map(Some)
    }
}

/// Fuzzing entry point: a JSON answer's `data` through the domain, config,
/// listing and purge/preload readers. Must never panic.
pub fn fuzz_answer(text: &str) {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let data = v.get("data").unwrap_or(&v);
    for e in mapping::entries(data) {
        if let Ok(mut d) = mapping::domain_from_entry(e) {
            if let Some(cfg) = config_read::config_of(data, &d.name.clone()) {
                let _ = config_read::apply(&mut d, cfg);
            }
        }
    }
    let _ = mapping::list_page(data);
    let _ = content::submitted_from(data, &["https://a.example.com/x".to_string()]);
    let _ = content::status_from("1", data);
    let _ = content::quota_from(data);
}
