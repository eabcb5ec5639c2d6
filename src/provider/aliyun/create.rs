//! `AddCdnDomain`, the one call that must not be blindly repeated: when an
//! attempt's outcome is unknown (lost answer, server error), read the domain
//! before trying again, and take `DomainAlreadyExist` after such an attempt
//! as our own earlier success.

use super::error::Effect;
use super::{mapping, AliyunProvider};
use crate::model::Domain;
use crate::provider::{ErrorKind, ProviderError};
use std::time::Instant;

const ACTION: &str = "AddCdnDomain";

pub async fn create(p: &AliyunProvider, domain: &Domain) -> Result<(), ProviderError> {
    let client = &p.client;
    let policy = client.retry_policy();
    let params = mapping::add_domain_params(domain);
    let started = Instant::now();
    // Some earlier attempt may have created the domain.
    let mut maybe_created = false;
    let mut attempt = 1;
    loop {
        let error = match client.call_once(ACTION, &params, Effect::Write).await {
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        if error.kind == ErrorKind::AlreadyExists && maybe_created {
            return Ok(());
        }
        if matches!(error.kind, ErrorKind::OutcomeUnknown | ErrorKind::Server) {
            maybe_created = true;
            match p.read_detail(&domain.name).await {
                Ok(Some(_)) => return Ok(()),
                Ok(None) => {}
                // We cannot tell: say so rather than guess.
                Err(read) => return Err(unresolved(error, &read)),
            }
        } else if !error.kind.is_retryable() {
            return Err(error);
        }
        let Some(wait) = policy.delay(attempt, &error, started.elapsed(), rand::random()) else {
            return Err(error);
        };
        if let Some(o) = client.observer() {
            o.on_retry(error.vendor, &error.action, &error, wait);
        }
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// The create's own error, marked unknown, with why reading did not settle it.
fn unresolved(mut error: ProviderError, read: &ProviderError) -> ProviderError {
    error.kind = ErrorKind::OutcomeUnknown;
    error.message = format!(
        "{}; whether the domain was created is unknown (reading it back failed: {read})",
        error.message
    );
    error
}
