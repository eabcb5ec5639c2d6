//! CTG (China Telecom) overseas fused CDN as a `Provider`: the settings and
//! the trait methods in terms of the API. Signing, the token, HTTP, errors
//! and the field mapping live in the sibling files.
//!
//! From the seed: the base URL, the token call's signature and answer, the
//! bearer header, the `{"error"}` error body, and the list of operations
//! with their HTTP methods. MODELLED (see API-NOTES, CTG): every path and
//! field name, the success envelope `{code: 1, message, data}`, `GET
//! /API/domain?domain=` reading one domain, `GET <path>?domain=` reading a
//! feature, and how an unset feature reads and is cleared.

pub mod capabilities;
mod client;
mod content;
pub use content::limits as content_limits;
mod entry;
pub mod error;
mod mapping;
mod read;
pub mod signer;
pub mod validate;

#[cfg(test)]
mod canned;
#[cfg(test)]
mod content_tests;
#[cfg(test)]
mod http_tests;
#[cfg(test)]
mod mapping_tests;
#[cfg(test)]
mod read_tests;

pub use client::{DEFAULT_ENDPOINT, DEFAULT_MAX_IN_FLIGHT};
pub use read::CALLS_PER_READ;

use crate::model::{Domain, Secret};
use crate::provider::content::{ContentKind, ContentLimits, Submitted, TaskStatus};
use crate::provider::retry::RetryPolicy;
use crate::provider::{
    CallObserver, Capabilities, DomainSummary, ErrorKind, Invalid, Provider, ProviderError,
};
use async_trait::async_trait;
use client::{Call, Client};
use error::{Effect, VENDOR};
use mapping::Feature;
use reqwest::Method;
use serde_json::json;
use std::fmt;
use std::sync::Arc;

/// `GET /API/domain/list` page size (MODELLED maximum: 100).
const PAGE_SIZE: usize = 100;

/// Settings of a `provider "ctg"` block, resolved.
#[derive(Clone)]
pub struct CtgConfig {
    /// Base URL; `http://` only to loopback.
    pub endpoint: String,
    pub access_key: String,
    pub secret_key: Secret,
    pub retry: RetryPolicy,
    pub observer: Option<Arc<dyn CallObserver>>,
    /// Calls the client keeps in flight at most, all callers together
    /// (`DEFAULT_MAX_IN_FLIGHT`).
    pub max_in_flight: usize,
}

impl CtgConfig {
    /// The public endpoint, default retries, no observer, the default cap
    /// on calls in flight.
    pub fn new(access_key: impl Into<String>, secret_key: Secret) -> Self {
        CtgConfig {
            endpoint: DEFAULT_ENDPOINT.to_string(),
            access_key: access_key.into(),
            secret_key,
            retry: RetryPolicy::default(),
            observer: None,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
        }
    }
}

impl fmt::Debug for CtgConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CtgConfig")
            .field("endpoint", &self.endpoint)
            .field("access_key", &self.access_key)
            .field("secret_key", &self.secret_key)
            .field("retry", &self.retry)
            .field("observer", &self.observer.as_ref().map(|_| "..."))
            .field("max_in_flight", &self.max_in_flight)
            .finish()
    }
}

#[derive(Debug)]
pub struct CtgProvider {
    client: Arc<Client>,
}

fn domain_query(name: &str) -> Vec<(&'static str, String)> {
    vec![("domain", name.to_string())]
}

impl CtgProvider {
    #[allow(clippy::result_large_err)]
    pub fn new(config: CtgConfig) -> Result<Self, ProviderError> {
        Ok(CtgProvider {
            client: Arc::new(Client::new(&config)?),
        })
    }

    /// Replace how the client sleeps between retries (before it is shared).
    #[cfg(test)]
    fn set_sleep(&mut self, sleep: client::SleepFn) {
        Arc::get_mut(&mut self.client)
            .expect("the client is not shared yet")
            .set_sleep(sleep);
    }

    /// Write `features` of `desired`, one call each, in order.
    async fn write(&self, desired: &Domain, features: &[Feature]) -> Result<(), ProviderError> {
        for f in features {
            let call = Call::write(f.method(), f.path(), Some(f.body(desired)));
            self.client.call(&call, true).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl Provider for CtgProvider {
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
        entry::normalise(domain);
    }

    async fn list_domains(&self) -> Result<Vec<DomainSummary>, ProviderError> {
        let mut out: Vec<DomainSummary> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut page = 1usize;
        loop {
            let call = Call::get(
                "/API/domain/list",
                vec![
                    ("page", page.to_string()),
                    ("page_size", PAGE_SIZE.to_string()),
                ],
            );
            let data = self.client.call(&call, false).await?;
            let (items, total) = entry::list_page(&data)
                .map_err(|why| error::malformed(&call.action(), why, Effect::Read))?;
            let count = items.len();
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

    /// The entry and every feature at once (`read`): one round trip.
    async fn read_domain(&self, name: &str) -> Result<Option<Domain>, ProviderError> {
        read::read_domain(&self.client, name).await
    }

    /// The entry alone: one call, where a full read would make 16 (each
    /// not found) for a domain that is not there.
    async fn domain_exists(&self, name: &str) -> Result<bool, ProviderError> {
        read::read_entry(&self.client, name)
            .await
            .map(|d| d.is_some())
    }

    /// `POST /API/domain` with the origins, then every other feature that
    /// is set, one call each.
    async fn create_domain(&self, domain: &Domain) -> Result<(), ProviderError> {
        const ACTION: &str = "POST /API/domain";
        let problems = validate::validate(domain);
        if !problems.is_empty() {
            return Err(ProviderError::invalid(VENDOR, ACTION, &problems));
        }
        let body = json!({
            "domain": domain.name,
            "product": mapping::product(domain.cdn_type),
            "origin": mapping::origins_body(&domain.origins),
        });
        let call = Call::write(Method::POST, "/API/domain", Some(body));
        // One attempt at a time: an unknown outcome is settled by reading,
        // never by creating again blindly.
        crate::provider::create::create(
            self.client.retry_policy(),
            self.client.observer(),
            || async { self.client.call_if(&call, |_| false).await.map(|_| ()) },
            || async { self.domain_exists(&domain.name).await },
        )
        .await?;
        let bare = Domain::new(domain.name.clone(), domain.cdn_type, domain.origins.clone());
        self.write(domain, &mapping::changes(&bare, domain)).await
    }

    async fn update_domain(&self, prior: &Domain, desired: &Domain) -> Result<(), ProviderError> {
        const ACTION: &str = "update";
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
        self.write(desired, &mapping::changes(prior, desired)).await
    }

    async fn set_enabled(&self, name: &str, enabled: bool) -> Result<(), ProviderError> {
        let path = if enabled {
            "/API/domain/enable"
        } else {
            "/API/domain/disable"
        };
        let call = Call::write(Method::PUT, path, Some(json!({ "domain": name })));
        self.client.call(&call, true).await.map(|_| ())
    }

    async fn delete_domain(&self, name: &str) -> Result<(), ProviderError> {
        let mut call = Call::write(Method::DELETE, "/API/domain", None);
        call.query = domain_query(name);
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

    /// CTG has no quota API: the caller counts against `daily`.
    async fn content_quota(
        &self,
    ) -> Result<Option<std::collections::BTreeMap<ContentKind, u64>>, ProviderError> {
        Ok(None)
    }
}

/// Fuzzing entry point: a JSON answer's `data` through the domain, origin,
/// listing and purge/preload readers. Must never panic.
pub fn fuzz_answer(text: &str) {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let data = v.get("data").unwrap_or(&v);
    if let Ok(mut d) = entry::domain_from_entry(data) {
        entry::normalise(&mut d);
    }
    let _ = entry::list_page(data);
    let _ = mapping::parse_origins(data);
    let _ = content::submitted_from(data);
    let _ = content::status_from("1", data);
}
