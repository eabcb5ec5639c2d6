//! A vendor's provider with its API replaced by memory: the vendor's own
//! rules (capabilities, validation, normalisation, batch keys, content
//! limits) and the in-memory provider's domains, so the engine's CPU can be
//! measured with no HTTP, no latency and no emulator.

use crate::model::Domain;
use crate::provider::content::ContentLimits;
use crate::provider::memory::MemoryProvider;
use crate::provider::{Capabilities, DomainSummary, Invalid, Provider, ProviderError};
use async_trait::async_trait;
use std::sync::Arc;

#[derive(Debug)]
pub struct Offline {
    /// The real vendor client, only asked what it knows without a call.
    pub rules: Arc<dyn Provider>,
    pub store: MemoryProvider,
}

#[async_trait]
impl Provider for Offline {
    fn vendor(&self) -> &'static str {
        self.rules.vendor()
    }
    fn capabilities(&self) -> &'static Capabilities {
        self.rules.capabilities()
    }
    fn validate_domain(&self, domain: &Domain) -> Vec<Invalid> {
        self.rules.validate_domain(domain)
    }
    fn normalise(&self, domain: &mut Domain) {
        self.rules.normalise(domain)
    }
    fn update_batch_key(&self, prior: &Domain, desired: &Domain) -> Option<String> {
        self.rules.update_batch_key(prior, desired)
    }
    fn content_limits(&self) -> ContentLimits {
        self.rules.content_limits()
    }
    async fn list_domains(&self) -> Result<Vec<DomainSummary>, ProviderError> {
        self.store.list_domains().await
    }
    async fn read_domain(&self, name: &str) -> Result<Option<Domain>, ProviderError> {
        self.store.read_domain(name).await
    }
    /// The vendor's chunking, so the refresh groups as it does online;
    /// the store then reads one by one (the default `read_domains`).
    fn read_batch_size(&self) -> usize {
        self.rules.read_batch_size()
    }
    async fn create_domain(&self, domain: &Domain) -> Result<(), ProviderError> {
        self.store.create_domain(domain).await
    }
    async fn update_domain(&self, prior: &Domain, desired: &Domain) -> Result<(), ProviderError> {
        self.store.update_domain(prior, desired).await
    }
    async fn set_enabled(&self, name: &str, enabled: bool) -> Result<(), ProviderError> {
        self.store.set_enabled(name, enabled).await
    }
    async fn delete_domain(&self, name: &str) -> Result<(), ProviderError> {
        self.store.delete_domain(name).await
    }
}
