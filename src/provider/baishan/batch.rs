//! Identical configuration changes to many domains: validated locally
//! first, then one `POST /domain/config` per ten domains. When such a call
//! fails, each of its domains is read back to learn whether it took the
//! change; a domain-specific refusal (one bad domain fails the whole call)
//! is then retried domain by domain, so the others are not sunk with it.

use super::config::{self, Items};
use super::{validate, BaishanProvider, MAX_BATCH_DOMAINS};
use crate::model::Domain;
use crate::provider::{ErrorKind, Provider, ProviderError};

type Outcome = Result<(), ProviderError>;

pub async fn update_many(p: &BaishanProvider, updates: &[(Domain, Domain)]) -> Vec<Outcome> {
    let mut out: Vec<Option<Outcome>> = vec![None; updates.len()];
    // Batch keys in first-seen order, each with its updates' indexes.
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, (prior, desired)) in updates.iter().enumerate() {
        if !validate::validate(desired).is_empty() {
            // update_domain reports the problems without calling.
            out[i] = Some(p.update_domain(prior, desired).await);
            continue;
        }
        match config::batch_key(prior, desired) {
            Some(key) => match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, idx)) => idx.push(i),
                None => groups.push((key, vec![i])),
            },
            None => out[i] = Some(p.update_domain(prior, desired).await),
        }
    }
    for (_, idx) in groups {
        let (prior, desired) = &updates[idx[0]];
        let items = config::changes(prior, desired);
        for chunk in idx.chunks(MAX_BATCH_DOMAINS) {
            let names: Vec<&str> = chunk.iter().map(|i| updates[*i].1.name.as_str()).collect();
            match p.post_config(&names, &items).await {
                Ok(()) => chunk.iter().for_each(|i| out[*i] = Some(Ok(()))),
                Err(e) => {
                    for i in chunk {
                        let d = &updates[*i].1;
                        out[*i] = Some(settle(p, d, &items, &e, chunk.len() > 1).await);
                    }
                }
            }
        }
    }
    out.into_iter()
        .map(|o| o.expect("every update has an outcome"))
        .collect()
}

/// After a failed batch call: Ok if `desired`'s live configuration now
/// holds every item of the call; else, for a refusal that may concern
/// another domain of the batch, the call again for this domain alone;
/// else the call's error, naming the domain.
async fn settle(
    p: &BaishanProvider,
    desired: &Domain,
    items: &Items,
    error: &ProviderError,
    shared: bool,
) -> Outcome {
    let named = |mut e: ProviderError| {
        e.message = format!("domain {:?}: {}", desired.name, e.message);
        e
    };
    match p.read_domain(&desired.name).await {
        Ok(Some(live)) if took(&live, desired, items) => return Ok(()),
        Ok(_) => {}
        // Unknown: report the call's own failure.
        Err(_) => return Err(named(error.clone())),
    }
    let per_domain = matches!(
        error.kind,
        ErrorKind::Invalid | ErrorKind::NotFound | ErrorKind::Other
    );
    if shared && per_domain {
        return p.post_config(&[&desired.name], items).await.map_err(named);
    }
    Err(named(error.clone()))
}

/// Does `live` hold every item of the call (as `desired` has it)?
pub fn took(live: &Domain, desired: &Domain, items: &Items) -> bool {
    let left = config::changes(live, desired);
    items.keys().all(|k| !left.contains_key(k))
}
