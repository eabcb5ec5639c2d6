//! `AddCdnDomain`, the one call that must not be blindly repeated: every
//! attempt whose outcome is unknown (lost answer, server error) is settled by
//! reading the domain before trying again, and `DomainAlreadyExist` after
//! such an attempt is our own earlier success (`provider::create`).

use super::error::Effect;
use super::{mapping, AliyunProvider};
use crate::model::Domain;
use crate::provider::ProviderError;

const ACTION: &str = "AddCdnDomain";

pub async fn create(p: &AliyunProvider, domain: &Domain) -> Result<(), ProviderError> {
    let client = &p.client;
    let params = mapping::add_domain_params(domain);
    crate::provider::create::create(
        client.retry_policy(),
        client.observer(),
        || async {
            client
                .call_once(ACTION, &params, Effect::Write)
                .await
                .map(|_| ())
        },
        || async { p.read_detail(&domain.name).await.map(|d| d.is_some()) },
    )
    .await
}
