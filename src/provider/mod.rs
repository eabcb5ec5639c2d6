//! The one provider trait every vendor implements, its neutral error type and
//! the capability table. Vendor quirks live only in the vendor folders.
//! Uses `model` only: a provider never sees state, plans or HCL.

pub mod aliyun;
pub mod answer;
pub mod baishan;
#[cfg(test)]
pub mod canned;
pub mod capabilities;
pub mod content;
pub mod create;
pub mod ctg;
pub mod endpoint;
pub mod error;
pub mod memory;
pub mod retry;
pub mod window;

pub use capabilities::Capabilities;
pub use error::{ErrorKind, ProviderError};

use crate::model::Domain;
use async_trait::async_trait;

/// A validation problem found by a provider in a desired domain:
/// `pointer` is the JSON pointer of the offending attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    pub pointer: String,
    pub message: String,
}

/// One entry of a vendor's domain listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainSummary {
    pub name: String,
    pub status: String,
}

/// Calls made by a provider, for progress reporting and the benchmark.
pub trait CallObserver: Send + Sync {
    fn on_call(&self, vendor: &str, action: &str);
    /// The client holds back to respect the vendor's rate limit.
    fn on_rate_limit_wait(&self, _vendor: &str, _action: &str, _wait: std::time::Duration) {}
    fn on_retry(
        &self,
        vendor: &str,
        action: &str,
        error: &ProviderError,
        wait: std::time::Duration,
    );
}

/// One vendor's CDN API, in neutral terms. Every method is idempotent except
/// `create_domain`, whose implementation must resolve an unknown outcome
/// (lost answer) by reading before it retries.
#[async_trait]
pub trait Provider: Send + Sync + std::fmt::Debug {
    /// Vendor name as used in `provider "NAME"` blocks.
    fn vendor(&self) -> &'static str;

    fn capabilities(&self) -> &'static Capabilities;

    /// Vendor rules the neutral schema cannot express (origin mixes, counts).
    fn validate_domain(&self, domain: &Domain) -> Vec<Invalid>;

    /// Bring a desired domain into the form the vendor will report back, so
    /// an unchanged configuration plans as no change (e.g. a priority equal
    /// to the one the vendor derives anyway). Default: unchanged.
    fn normalise(&self, _domain: &mut Domain) {}

    /// Every domain on the account (all pages).
    async fn list_domains(&self) -> Result<Vec<DomainSummary>, ProviderError>;

    /// The live domain, or `None` if it does not exist.
    async fn read_domain(&self, name: &str) -> Result<Option<Domain>, ProviderError>;

    /// Whether the domain exists, when nothing else about it is needed (a
    /// vendor whose full read is many calls answers it with fewer).
    /// Default: a full read.
    async fn domain_exists(&self, name: &str) -> Result<bool, ProviderError> {
        Ok(self.read_domain(name).await?.is_some())
    }

    /// How many domains `read_domains` reads in one go with the fewest
    /// calls (the refresh hands it chunks of this size). Default: 1.
    fn read_batch_size(&self) -> usize {
        1
    }

    /// The live domains named, one result per name, in order (`None`: it
    /// does not exist), as `read_domain` would give each. One error fails
    /// them all. The default reads them one by one.
    async fn read_domains(&self, names: &[String]) -> Result<Vec<Option<Domain>>, ProviderError> {
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            out.push(self.read_domain(name).await?);
        }
        Ok(out)
    }

    /// Create the domain with its origins; `enabled = false` is applied by
    /// the caller afterwards through `set_enabled`.
    async fn create_domain(&self, domain: &Domain) -> Result<(), ProviderError>;

    /// Change what differs between `prior` and `desired` in place (origins
    /// and configuration; not the enabled flag, not replace-forcing fields).
    async fn update_domain(&self, prior: &Domain, desired: &Domain) -> Result<(), ProviderError>;

    /// A key that is equal for two updates exactly when the vendor can apply
    /// both in one call (the same configuration changes to different
    /// domains). `None`: this update is not batched.
    fn update_batch_key(&self, _prior: &Domain, _desired: &Domain) -> Option<String> {
        None
    }

    /// Apply several updates that share one `update_batch_key`, returning
    /// one result per update, in order. The default applies them one by one.
    async fn update_domains(&self, updates: &[(Domain, Domain)]) -> Vec<Result<(), ProviderError>> {
        let mut out = Vec::with_capacity(updates.len());
        for (prior, desired) in updates {
            out.push(self.update_domain(prior, desired).await);
        }
        out
    }

    async fn set_enabled(&self, name: &str, enabled: bool) -> Result<(), ProviderError>;

    async fn delete_domain(&self, name: &str) -> Result<(), ProviderError>;

    /// The vendor's purge/preload limits. Default: none supported.
    fn content_limits(&self) -> content::ContentLimits {
        content::ContentLimits {
            per_call: Default::default(),
            hosts_per_call: None,
            daily: Default::default(),
            preload_areas: &[],
            quota_api: false,
        }
    }

    /// One purge or preload call with `items` (already within
    /// `content_limits`; `area` only for preloads of vendors that take it).
    async fn submit_content(
        &self,
        kind: content::ContentKind,
        _items: &[String],
        _area: Option<&str>,
    ) -> Result<content::Submitted, ProviderError> {
        Err(ProviderError::new(
            self.vendor(),
            "submit_content",
            ErrorKind::Invalid,
            format!("{} does not support {} tasks", self.vendor(), kind.noun()),
        ))
    }

    /// The status of tasks `submit_content` returned (any number of ids:
    /// the client splits them as its API needs).
    async fn content_status(
        &self,
        _kind: content::ContentKind,
        _task_ids: &[String],
    ) -> Result<Vec<content::TaskStatus>, ProviderError> {
        Ok(Vec::new())
    }

    /// What remains of today's quotas, per kind, when the vendor has a
    /// quota API (`content_limits().quota_api`); `None` otherwise.
    async fn content_quota(
        &self,
    ) -> Result<Option<std::collections::BTreeMap<content::ContentKind, u64>>, ProviderError> {
        Ok(None)
    }
}

/// What is known about a vendor without talking to it: used to validate a
/// configuration offline (`cdnform validate`) and to print the capability
/// matrix.
pub struct VendorInfo {
    pub name: &'static str,
    pub title: &'static str,
    pub capabilities: &'static Capabilities,
    pub validate_domain: fn(&Domain) -> Vec<Invalid>,
    /// Purge and preload limits (`Provider::content_limits`).
    pub content_limits: fn() -> content::ContentLimits,
}

/// Every vendor cdnform can talk to.
pub static VENDORS: &[VendorInfo] = &[
    VendorInfo {
        name: "aliyun",
        title: "Alibaba Cloud CDN",
        capabilities: &aliyun::capabilities::CAPABILITIES,
        validate_domain: aliyun::validate::validate,
        content_limits: aliyun::content_limits,
    },
    VendorInfo {
        name: "baishan",
        title: "Baishan Cloud CDN",
        capabilities: &baishan::capabilities::CAPABILITIES,
        validate_domain: baishan::validate::validate,
        content_limits: baishan::content_limits,
    },
    VendorInfo {
        name: "ctg",
        title: "CTG overseas fused CDN",
        capabilities: &ctg::capabilities::CAPABILITIES,
        validate_domain: ctg::validate::validate,
        content_limits: ctg::content_limits,
    },
];

pub fn vendor_info(name: &str) -> Option<&'static VendorInfo> {
    VENDORS.iter().find(|v| v.name == name)
}

/// The configured providers of a run, by address (`aliyun`, `aliyun.eu`).
pub type ProviderSet =
    std::collections::BTreeMap<crate::model::ProviderAddr, std::sync::Arc<dyn Provider>>;
