//! TEMPORARY stand-in for the Alibaba client being written on branch `aliyun`.
use crate::model::Secret;
use crate::provider::retry::RetryPolicy;
use crate::provider::{CallObserver, ProviderError};
use std::sync::Arc;
pub struct AliyunConfig {
    pub endpoint: String,
    pub access_key_id: String,
    pub access_key_secret: Secret,
    pub retry: RetryPolicy,
    pub observer: Option<Arc<dyn CallObserver>>,
}
#[derive(Debug)]
pub struct AliyunProvider;
impl AliyunProvider {
    pub fn new(_c: AliyunConfig) -> Result<Self, ProviderError> {
        todo!()
    }
}
#[async_trait::async_trait]
impl crate::provider::Provider for AliyunProvider {
    fn vendor(&self) -> &'static str {
        "aliyun"
    }
    fn capabilities(&self) -> &'static crate::provider::Capabilities {
        todo!()
    }
    fn validate_domain(&self, _d: &crate::model::Domain) -> Vec<crate::provider::Invalid> {
        vec![]
    }
    async fn list_domains(&self) -> Result<Vec<crate::provider::DomainSummary>, ProviderError> {
        todo!()
    }
    async fn read_domain(&self, _n: &str) -> Result<Option<crate::model::Domain>, ProviderError> {
        todo!()
    }
    async fn create_domain(&self, _d: &crate::model::Domain) -> Result<(), ProviderError> {
        todo!()
    }
    async fn update_domain(
        &self,
        _p: &crate::model::Domain,
        _d: &crate::model::Domain,
    ) -> Result<(), ProviderError> {
        todo!()
    }
    async fn set_enabled(&self, _n: &str, _e: bool) -> Result<(), ProviderError> {
        todo!()
    }
    async fn delete_domain(&self, _n: &str) -> Result<(), ProviderError> {
        todo!()
    }
}
