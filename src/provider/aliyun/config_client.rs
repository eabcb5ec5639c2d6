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
use futures_util::stream::{self, StreamExt};
use serde_json::Value;
use std::time::{Duration, Instant};

const DESCRIBE: &str = "DescribeCdnDomainConfigs";
const BATCH_SET: &str = "BatchSetCdnDomainConfig";
const DELETE: &str = "DeleteSpecificConfig";
/// At most this many domains per `BatchSetCdnDomainConfig`.
pub const MAX_BATCH_DOMAINS: usize = 50;
/// Config status reads in flight at once while a batch is awaited (the
/// default `-parallelism`; `DescribeCdnDomainConfigs` allows 100/s).
const POLL_CONCURRENCY: usize = 10;

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
/// per 50 domains (the 3/s call limit paces them), then wait for every
/// domain's configs together.
pub async fn update_many(
    p: &AliyunProvider,
    updates: &[(Domain, Domain)],
) -> Vec<Result<(), ProviderError>> {
    let Some((prior, desired)) = updates.first() else {
        return Vec::new();
    };
    let set = config_map::changes(prior, desired).set;
    let mut out: Vec<Option<Result<(), ProviderError>>> = vec![None; updates.len()];
    let mut submitted: Vec<usize> = Vec::new();
    let mut ids: BatchIds = Vec::new();
    for (c, chunk) in updates.chunks(MAX_BATCH_DOMAINS).enumerate() {
        let names: Vec<&str> = chunk.iter().map(|(_, d)| d.name.as_str()).collect();
        let first = c * MAX_BATCH_DOMAINS;
        match batch_set(p, &names, &set).await {
            Err(e) => (first..first + chunk.len()).for_each(|i| out[i] = Some(Err(e.clone()))),
            Ok(chunk_ids) => {
                ids.extend(chunk_ids);
                submitted.extend(first..first + chunk.len());
            }
        }
    }
    let names: Vec<&str> = submitted
        .iter()
        .map(|i| updates[*i].1.name.as_str())
        .collect();
    let waited = wait_configured_many(p, &names, &set, &ids).await;
    for (i, result) in submitted.into_iter().zip(waited) {
        out[i] = Some(result);
    }
    out.into_iter()
        .map(|o| o.expect("every update has an outcome"))
        .collect()
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

/// Poll until the configs `set` wrote to `name` are `success`.
async fn wait_configured(
    p: &AliyunProvider,
    name: &str,
    set: &[Function],
    ids: &BatchIds,
) -> Result<(), ProviderError> {
    wait_configured_many(p, &[name], set, ids)
        .await
        .pop()
        .expect("one result per domain")
}

/// Poll until the configs `set` wrote to each of `names` are `success`: one
/// poll round for all of them after each backoff step (never one sleep per
/// domain), `POLL_CONCURRENCY` reads at a time; one result per name.
async fn wait_configured_many(
    p: &AliyunProvider,
    names: &[&str],
    set: &[Function],
    ids: &BatchIds,
) -> Vec<Result<(), ProviderError>> {
    let mut functions: Vec<&str> = set.iter().map(|f| f.name).collect();
    functions.dedup();
    let started = Instant::now();
    let mut wait = p.poll.first;
    let mut out: Vec<Option<Result<(), ProviderError>>> = vec![None; names.len()];
    let mut pending: Vec<usize> = (0..names.len()).collect();
    while !pending.is_empty() {
        tokio::time::sleep(wait).await;
        let functions = &functions;
        let polled: Vec<(usize, Result<Vec<String>, ProviderError>)> =
            stream::iter(pending.iter().copied())
                .map(|i| async move { (i, poll_configs(p, names[i], functions, ids).await) })
                .buffer_unordered(POLL_CONCURRENCY)
                .collect()
                .await;
        pending.clear();
        for (i, result) in polled {
            match result {
                Ok(left) if left.is_empty() => out[i] = Some(Ok(())),
                Ok(left) if started.elapsed() + wait > p.poll.total => {
                    out[i] = Some(Err(ProviderError::new(
                        VENDOR,
                        BATCH_SET,
                        ErrorKind::Other,
                        format!(
                            "domain {:?}: functions {} still not applied after {}s",
                            names[i],
                            left.join(", "),
                            started.elapsed().as_secs()
                        ),
                    )))
                }
                Ok(_) => pending.push(i),
                Err(e) => out[i] = Some(Err(e)),
            }
        }
        pending.sort_unstable();
        wait = (wait * 2).min(p.poll.max);
    }
    out.into_iter()
        .map(|o| o.expect("every domain has an outcome"))
        .collect()
}

/// One look at `name`'s configs of `functions`: the functions still being
/// applied (an error when one failed). When the batch answer gave config
/// ids for this domain, only those configs count.
async fn poll_configs(
    p: &AliyunProvider,
    name: &str,
    functions: &[&str],
    ids: &BatchIds,
) -> Result<Vec<String>, ProviderError> {
    let ours: Vec<&str> = ids
        .iter()
        .filter(|(d, _)| d == name)
        .map(|(_, id)| id.as_str())
        .collect();
    let live = read_configs(p, name, functions).await?;
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
    Ok(scope
        .iter()
        .filter(|c| c.status != "success")
        .map(|c| c.function.clone())
        .collect())
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
