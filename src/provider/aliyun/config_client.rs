//! The configuration calls: read every mapped function in one
//! `DescribeCdnDomainConfigs`, apply an update (ModifyCdnDomain, the
//! certificate, `DeleteSpecificConfig`, one `BatchSetCdnDomainConfig`),
//! the same set of functions to many domains at once, and the wait until
//! every config set is `success` (polled with backoff, never a fixed sleep).

use super::cert::{self, CertRequest};
use super::config_map::{self, CertChange, Changes, Function, FUNCTIONS};
use super::config_read::{self, LiveConfig};
use super::error::{self, Effect, VENDOR};
use super::{body, idempotent_retry, mapping, AliyunProvider};
use crate::model::Domain;
use crate::provider::{ErrorKind, ProviderError};
use serde_json::Value;
use std::time::{Duration, Instant};

const DESCRIBE: &str = "DescribeCdnDomainConfigs";
const BATCH_SET: &str = "BatchSetCdnDomainConfig";
const DELETE: &str = "DeleteSpecificConfig";
/// At most this many domains per `BatchSetCdnDomainConfig`.
pub const MAX_BATCH_DOMAINS: usize = 50;

/// How to wait for configs to leave `configuring`/`testing`.
#[derive(Clone, Debug)]
pub struct PollPolicy {
    pub first: Duration,
    pub max: Duration,
    pub total: Duration,
}

impl Default for PollPolicy {
    fn default() -> Self {
        PollPolicy {
            first: Duration::from_millis(200),
            max: Duration::from_secs(5),
            total: Duration::from_secs(600),
        }
    }
}

/// The live configs of the given functions of one domain.
pub async fn read_configs(
    p: &AliyunProvider,
    name: &str,
    functions: &[&str],
) -> Result<Vec<LiveConfig>, ProviderError> {
    let params = [
        ("DomainName", name.to_string()),
        ("FunctionNames", functions.join(",")),
    ];
    let answer = p.client.call(DESCRIBE, &params, Effect::Read).await?;
    config_read::parse_configs(&answer)
        .map_err(|why| error::malformed(DESCRIBE, 200, why, Effect::Read))
}

/// Fill the configuration fields of a domain read from
/// `DescribeCdnDomainDetail` (`detail` is that answer).
pub async fn read_into(
    p: &AliyunProvider,
    d: &mut Domain,
    detail: &Value,
) -> Result<(), ProviderError> {
    let configs = read_configs(p, &d.name, FUNCTIONS).await?;
    let ssl_on = body::string(&detail["GetDomainDetailModel"], "ServerCertificateStatus")
        .is_some_and(|s| s.eq_ignore_ascii_case("on"));
    let certificate = if ssl_on {
        Some(cert::read(p, &d.name).await?)
    } else {
        None
    };
    config_read::apply_configs(d, &configs, certificate)
        .map_err(|why| error::malformed(DESCRIBE, 200, why, Effect::Read))
}

/// Apply `prior` -> `desired`. `fresh`: the domain was just created, so it
/// has no configs to look up before adding repeatable ones.
pub async fn update(
    p: &AliyunProvider,
    prior: &Domain,
    desired: &Domain,
    fresh: bool,
) -> Result<(), ProviderError> {
    let c: Changes = config_map::changes(prior, desired);
    let name = desired.name.as_str();
    if c.is_empty() {
        return Ok(());
    }
    if c.origins {
        p.write("ModifyCdnDomain", &mapping::modify_domain_params(desired))
            .await?;
    }
    if let CertChange::Set(cert) = &c.certificate {
        cert::set(p, &CertRequest::on(name, cert)?).await?;
    }
    // Repeatable functions are replaced as a whole: their old configs go too.
    let mut gone: Vec<&str> = c.delete.clone();
    if !fresh {
        for f in &c.set {
            if config_map::is_repeatable(f.name) && !gone.contains(&f.name) {
                gone.push(f.name);
            }
        }
    }
    if !gone.is_empty() {
        for live in read_configs(p, name, &gone).await? {
            if gone.contains(&live.function.as_str()) {
                let params = [
                    ("DomainName", name.to_string()),
                    ("ConfigId", live.config_id.clone()),
                ];
                p.write(DELETE, &params).await?;
            }
        }
    }
    if !c.set.is_empty() {
        let ids = batch_set(p, &[name], &c.set).await?;
        wait_configured(p, name, &c.set, &ids).await?;
    }
    if c.certificate == CertChange::Off {
        cert::set(p, &CertRequest::off(name)).await?;
    }
    Ok(())
}

/// Apply updates that share one batch key: one `BatchSetCdnDomainConfig`
/// per 50 domains, then wait for each domain.
pub async fn update_many(
    p: &AliyunProvider,
    updates: &[(Domain, Domain)],
) -> Vec<Result<(), ProviderError>> {
    let Some((prior, desired)) = updates.first() else {
        return Vec::new();
    };
    let set = config_map::changes(prior, desired).set;
    let mut out = Vec::with_capacity(updates.len());
    for chunk in updates.chunks(MAX_BATCH_DOMAINS) {
        let names: Vec<&str> = chunk.iter().map(|(_, d)| d.name.as_str()).collect();
        match batch_set(p, &names, &set).await {
            Err(e) => out.extend(chunk.iter().map(|_| Err(e.clone()))),
            Ok(ids) => {
                for name in names {
                    out.push(wait_configured(p, name, &set, &ids).await);
                }
            }
        }
    }
    out
}

/// ConfigIds the batch answer gave, by domain.
type BatchIds = Vec<(String, String)>;

/// One `BatchSetCdnDomainConfig` of `set` to `domains`. Adding a
/// repeatable function twice would add two configs, so such a call is
/// retried only when it surely did not take effect.
async fn batch_set(
    p: &AliyunProvider,
    domains: &[&str],
    set: &[Function],
) -> Result<BatchIds, ProviderError> {
    let params = [
        ("DomainNames", domains.join(",")),
        ("Functions", config_map::functions_param(set)),
    ];
    let adds = set.iter().any(|f| config_map::is_repeatable(f.name));
    let answer = if adds {
        p.client.call(BATCH_SET, &params, Effect::Write).await
    } else {
        p.client
            .call_if(BATCH_SET, &params, Effect::Write, idempotent_retry)
            .await
    }
    .map_err(|e| name_function(e, set))?;
    Ok(body::list(&answer, "DomainConfigList", "DomainConfigModel")
        .into_iter()
        .filter_map(|m| {
            Some((
                body::non_empty(m, "DomainName")?,
                body::non_empty(m, "ConfigId")?,
            ))
        })
        .collect())
}

/// An `InvalidParameter` answer names the function it is about: the one
/// the vendor's message mentions, else every function of the call.
fn name_function(mut e: ProviderError, set: &[Function]) -> ProviderError {
    let invalid = e
        .code
        .as_deref()
        .is_some_and(|c| c.starts_with("InvalidParameter"));
    if !invalid {
        return e;
    }
    let mut names: Vec<&str> = set.iter().map(|f| f.name).collect();
    names.dedup();
    let mentioned: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| e.message.contains(n))
        .collect();
    let which = if mentioned.is_empty() {
        names
    } else {
        mentioned
    };
    let label = if which.len() == 1 {
        "function"
    } else {
        "one of the functions"
    };
    e.message = format!("{} ({label} {})", e.message, which.join(", "));
    e
}

/// Poll `DescribeCdnDomainConfigs` for the functions just set until each of
/// their configs (those the batch answer named for this domain, if any) is
/// `success`; `failed` is an error naming the function.
async fn wait_configured(
    p: &AliyunProvider,
    name: &str,
    set: &[Function],
    ids: &BatchIds,
) -> Result<(), ProviderError> {
    let mut functions: Vec<&str> = set.iter().map(|f| f.name).collect();
    functions.dedup();
    let ours: Vec<&str> = ids
        .iter()
        .filter(|(d, _)| d == name)
        .map(|(_, id)| id.as_str())
        .collect();
    let started = Instant::now();
    let mut wait = p.poll.first;
    loop {
        tokio::time::sleep(wait).await;
        let live = read_configs(p, name, &functions).await?;
        let mut scope: Vec<&LiveConfig> = live
            .iter()
            .filter(|c| functions.contains(&c.function.as_str()))
            .collect();
        if scope.iter().any(|c| ours.contains(&c.config_id.as_str())) {
            scope.retain(|c| ours.contains(&c.config_id.as_str()));
        }
        if let Some(bad) = scope.iter().find(|c| c.status == "failed") {
            return Err(ProviderError::new(
                VENDOR,
                BATCH_SET,
                ErrorKind::Other,
                format!(
                    "domain {name:?}: function {} failed to apply (ConfigId {})",
                    bad.function, bad.config_id
                ),
            ));
        }
        let pending: Vec<&str> = scope
            .iter()
            .filter(|c| c.status != "success")
            .map(|c| c.function.as_str())
            .collect();
        if pending.is_empty() {
            return Ok(());
        }
        if started.elapsed() + wait > p.poll.total {
            return Err(ProviderError::new(
                VENDOR,
                BATCH_SET,
                ErrorKind::Other,
                format!(
                    "domain {name:?}: functions {} still not applied after {}s",
                    pending.join(", "),
                    started.elapsed().as_secs()
                ),
            ));
        }
        wait = (wait * 2).min(p.poll.max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_parameter_names_the_mentioned_function() {
        let set = config_map::functions(&Domain {
            ipv6: Some(true),
            origin_host: Some("o.example.com".into()),
            ..super::super::config_tests::bare()
        });
        let mut e = ProviderError::new(VENDOR, BATCH_SET, ErrorKind::Invalid, "ipv6 is not open");
        e.code = Some("InvalidParameter".into());
        assert_eq!(
            name_function(e.clone(), &set).message,
            "ipv6 is not open (function ipv6)"
        );
        e.code = Some("Throttling".into());
        assert_eq!(name_function(e, &set).message, "ipv6 is not open");
    }
}
