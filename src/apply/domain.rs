//! The steps of each action on a `cdn_domain`: create (then disable if
//! asked), update in place, delete (stop first), replace (delete, then
//! create), each waiting for the domain to leave `configuring`.

use crate::apply::{ApplyError, ApplyHook};
use crate::model::{Address, Domain};
use crate::plan::secrets::digest;
use crate::provider::{ErrorKind, Provider};
use std::time::{Duration, Instant};

/// Statuses that mean "busy, look again later".
const TRANSIENT: &[&str] = &["configuring", "checking", "stopping", "deleting"];
const REPORT_EVERY: Duration = Duration::from_secs(10);
const FAILED: &[&str] = &["configure_failed", "check_failed"];

pub struct DomainSteps<'a> {
    pub address: &'a Address,
    pub provider: &'a dyn Provider,
    pub hook: &'a dyn ApplyHook,
    pub ready_timeout: Duration,
}

impl DomainSteps<'_> {
    fn err(&self, error: crate::provider::ProviderError) -> ApplyError {
        ApplyError::Provider {
            address: self.address.clone(),
            error,
        }
    }

    /// Create and return the domain as read back once ready.
    pub async fn create(&self, desired: &Domain) -> Result<Domain, ApplyError> {
        self.provider
            .create_domain(desired)
            .await
            .map_err(|e| self.err(e))?;
        let mut live = self.wait_ready(&desired.name).await?;
        if !desired.enabled && live.enabled {
            self.hook.progress(self.address, "disabling");
            self.provider
                .set_enabled(&desired.name, false)
                .await
                .map_err(|e| self.err(e))?;
            live = self.wait_ready(&desired.name).await?;
        }
        Ok(live)
    }

    /// After `create` failed: the domain as it is now, when the failure may
    /// have left behind one of ours (created, then a later call failed or its
    /// answer was lost). "Already exists" from the create call means someone
    /// else's domain, and a read that fails tells nothing: `None`.
    pub async fn left_behind(&self, desired: &Domain, error: &ApplyError) -> Option<Domain> {
        let maybe_ours = match error {
            ApplyError::Provider { error, .. } => error.kind != ErrorKind::AlreadyExists,
            ApplyError::Failed { .. } | ApplyError::NotReady { .. } => true,
            _ => false,
        };
        if !maybe_ours {
            return None;
        }
        self.provider
            .read_domain(&desired.name)
            .await
            .ok()
            .flatten()
    }

    pub async fn update(&self, prior: &Domain, desired: &Domain) -> Result<Domain, ApplyError> {
        let mut config_prior = prior.clone();
        config_prior.enabled = desired.enabled;
        if !same_config(&config_prior, desired) {
            self.provider
                .update_domain(prior, desired)
                .await
                .map_err(|e| self.err(e))?;
        }
        self.finish_update(prior, desired).await
    }

    /// After the configuration call: wait until the domain is ready, then
    /// switch it on or off if asked; returns the domain as read back.
    pub async fn finish_update(
        &self,
        prior: &Domain,
        desired: &Domain,
    ) -> Result<Domain, ApplyError> {
        let mut live = self.wait_ready(&desired.name).await?;
        if prior.enabled != desired.enabled {
            self.hook.progress(
                self.address,
                if desired.enabled {
                    "enabling"
                } else {
                    "disabling"
                },
            );
            self.provider
                .set_enabled(&desired.name, desired.enabled)
                .await
                .map_err(|e| self.err(e))?;
            live = self.wait_ready(&desired.name).await?;
        }
        Ok(live)
    }

    /// Stop (when serving), then delete. A domain already gone is fine.
    pub async fn delete(&self, prior: &Domain) -> Result<(), ApplyError> {
        if prior.enabled {
            self.hook.progress(self.address, "stopping");
            match self.provider.set_enabled(&prior.name, false).await {
                Err(e) if e.kind == ErrorKind::NotFound => return Ok(()),
                Err(e) => return Err(self.err(e)),
                Ok(()) => {}
            }
        }
        self.hook.progress(self.address, "deleting");
        self.provider
            .delete_domain(&prior.name)
            .await
            .map_err(|e| self.err(e))
    }

    /// Poll until the domain leaves a transient status, with backoff from the
    /// first second (never a fixed long sleep).
    async fn wait_ready(&self, name: &str) -> Result<Domain, ApplyError> {
        let started = Instant::now();
        let mut delay = Duration::from_millis(200);
        let mut next_report = REPORT_EVERY;
        loop {
            let live = self
                .provider
                .read_domain(name)
                .await
                .map_err(|e| self.err(e))?;
            let Some(live) = live else {
                return Err(ApplyError::Failed {
                    address: self.address.clone(),
                    status: "missing right after the change (not found)".into(),
                });
            };
            let status = live.status.clone().unwrap_or_default();
            if FAILED.contains(&status.as_str()) {
                return Err(ApplyError::Failed {
                    address: self.address.clone(),
                    status,
                });
            }
            if !TRANSIENT.contains(&status.as_str()) {
                return Ok(live);
            }
            let waited = started.elapsed();
            if waited >= self.ready_timeout {
                return Err(ApplyError::NotReady {
                    address: self.address.clone(),
                    status,
                    waited,
                });
            }
            // Like Terraform's "Still creating...": a line every 10 s, not per poll.
            if waited >= next_report {
                let message = format!("still {status}... [{}s elapsed]", waited.as_secs());
                self.hook.progress(self.address, &message);
                next_report += REPORT_EVERY;
            }
            tokio::time::sleep(delay.min(self.ready_timeout.saturating_sub(waited))).await;
            delay = (delay * 3 / 2).min(Duration::from_secs(5));
        }
    }
}

/// When the desired private key is the one whose digest the state holds, let
/// `prior` carry the key itself, so a provider comparing the two sees no
/// certificate change.
pub fn align_write_only(prior: &mut Domain, desired: &Domain) {
    let (Some(p), Some(d)) = (prior.https.as_mut(), desired.https.as_ref()) else {
        return;
    };
    if let (Some(stored), Some(key)) = (&p.certificate.private_pem, &d.certificate.private_pem) {
        if *stored == digest(key) {
            p.certificate.private_pem = Some(key.clone());
        }
    }
}

/// Equal in everything the update call changes (computed fields ignored).
fn same_config(a: &Domain, b: &Domain) -> bool {
    let strip = |d: &Domain| {
        let mut d = d.clone();
        d.cname = None;
        d.https_cname = None;
        d.status = None;
        d.created_at = None;
        d.modified_at = None;
        d.origins.sort();
        d
    };
    strip(a) == strip(b)
}
