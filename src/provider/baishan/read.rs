//! Reading domains ten at a time: `GET /domain?domains=a,b,..` for their
//! entries, then `GET /domain/config?domains=..` for the configuration of
//! those that exist — two calls per ten domains, where one domain alone
//! also takes two. Each domain reads exactly as it would alone: absent
//! from the answer, deleted, or refused as not found, it is `None`.
//!
//! MODELLED (the public material shows no multi-domain read answer): a
//! server may answer an unknown domain among several either by leaving it
//! out of `data` or by failing the whole call as not found (as every
//! multi-domain write does). A not-found answer whose message names
//! exactly one of the domains asked marks that one as gone and the rest
//! are asked again; one that names none of them is settled by asking each
//! domain alone.

use super::client::{Call, Client};
use super::error::{self, Effect};
use super::{config, config_read, mapping, MAX_BATCH_DOMAINS};
use crate::model::Domain;
use crate::provider::{ErrorKind, ProviderError};
use serde_json::{Map, Value};

/// The domains named, one result per name, in order; any length (asked
/// `MAX_BATCH_DOMAINS` at a time).
pub async fn read_many(
    client: &Client,
    names: &[String],
) -> Result<Vec<Option<Domain>>, ProviderError> {
    let mut out = Vec::with_capacity(names.len());
    for chunk in names.chunks(MAX_BATCH_DOMAINS) {
        let mut found = entries(client, chunk).await?;
        let mut live: Vec<&mut Domain> = found.iter_mut().flatten().collect();
        if !live.is_empty() {
            configs(client, &mut live).await?;
        }
        out.extend(found);
    }
    Ok(out)
}

/// `GET /domain` for up to ten names: each one's entry without its
/// configuration, or `None`.
pub async fn entries(
    client: &Client,
    names: &[String],
) -> Result<Vec<Option<Domain>>, ProviderError> {
    let mut out = vec![None; names.len()];
    // Groups of indexes into `names` still to ask, each one call.
    let mut pending: Vec<Vec<usize>> = vec![(0..names.len()).collect()];
    while let Some(group) = pending.pop() {
        let asked: Vec<&str> = group.iter().map(|i| names[*i].as_str()).collect();
        let call = Call::get("/domain", vec![("domains", asked.join(","))]);
        let data = match client.call(&call, false).await {
            Ok(data) => data,
            Err(e) if e.kind == ErrorKind::NotFound => {
                if group.len() > 1 {
                    pending.extend(split(&group, &asked, &e.message));
                }
                continue;
            }
            Err(e) => return Err(e),
        };
        // A success without data says nothing about the domains: reading
        // it as "no such domain" would plan to create one that may exist.
        if data.is_null() {
            return Err(error::malformed(
                &call.action(),
                "the answer has no data",
                Effect::Read,
            ));
        }
        for (i, name) in group.iter().zip(&asked) {
            out[*i] = match mapping::find_entry(&data, name) {
                None => None,
                Some(e) => Some(
                    mapping::domain_from_entry(e)
                        .map_err(|why| error::malformed(&call.action(), why, Effect::Read))?,
                ),
            };
        }
    }
    Ok(out)
}

/// The groups to ask again after a not-found answer to `group`: without
/// the one domain the message names (it is gone), or each domain alone.
fn split(group: &[usize], asked: &[&str], message: &str) -> Vec<Vec<usize>> {
    let named: Vec<&str> = words(message)
        .filter_map(|w| asked.iter().find(|a| a.eq_ignore_ascii_case(w)).copied())
        .collect();
    let one = named
        .first()
        .filter(|first| named.iter().all(|n| n.eq_ignore_ascii_case(first)));
    match one {
        Some(gone) => {
            let rest: Vec<usize> = group
                .iter()
                .zip(asked)
                .filter(|(_, a)| !a.eq_ignore_ascii_case(gone))
                .map(|(i, _)| *i)
                .collect();
            if rest.is_empty() {
                Vec::new()
            } else {
                vec![rest]
            }
        }
        None => group.iter().map(|i| vec![*i]).collect(),
    }
}

/// The words of a message that could be domain names.
fn words(message: &str) -> impl Iterator<Item = &str> {
    message
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '*')))
        .map(|w| w.trim_matches('.'))
        .filter(|w| !w.is_empty())
}

/// `GET /domain/config` of every mapped item for up to ten domains, in one
/// call, filled into them.
pub async fn configs(client: &Client, domains: &mut [&mut Domain]) -> Result<(), ProviderError> {
    let names: Vec<&str> = domains.iter().map(|d| d.name.as_str()).collect();
    let (call, data) = config_call(client, &names).await?;
    if domains.len() > 1 && config_read::unnamed(&data) {
        // One configuration for several domains: whose is it? Ask each.
        for d in domains.iter_mut() {
            let (call, data) = config_call(client, &[d.name.as_str()]).await?;
            fill(d, &data, &call)?;
        }
        return Ok(());
    }
    for d in domains.iter_mut() {
        fill(d, &data, &call)?;
    }
    Ok(())
}

async fn config_call(client: &Client, names: &[&str]) -> Result<(Call, Value), ProviderError> {
    let mut query = vec![("domains", names.join(","))];
    query.extend(
        config::READ_ITEMS
            .iter()
            .map(|i| ("config[]", i.to_string())),
    );
    let call = Call::get("/domain/config", query);
    let data = client.call(&call, false).await?;
    Ok((call, data))
}

/// `d`'s items in `data` (none there: every item unset, as for one domain).
fn fill(d: &mut Domain, data: &Value, call: &Call) -> Result<(), ProviderError> {
    let empty = Map::new();
    let items = config_read::config_of(data, &d.name).unwrap_or(&empty);
    config_read::apply(d, items).map_err(|why| {
        error::malformed(
            &call.action(),
            format!("domain {:?}: {why}", d.name),
            Effect::Read,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_not_found_message_naming_one_domain_drops_it() {
        let asked = ["a.com", "ba.com", "c.com"];
        assert_eq!(
            split(&[0, 1, 2], &asked, "domain A.com does not exist."),
            [vec![1, 2]]
        );
        assert_eq!(
            split(
                &[4, 5],
                &["x.com", "y.com"],
                "domain \"y.com\" does not exist"
            ),
            [vec![4]]
        );
        // Named twice, still one domain.
        assert_eq!(
            split(&[0, 1], &["x.com", "y.com"], "x.com: x.com not found"),
            [vec![1]]
        );
        // The only one asked: nothing left to ask.
        assert!(split(&[3], &["x.com"], "x.com does not exist").is_empty());
    }

    #[test]
    fn otherwise_each_domain_is_asked_alone() {
        let asked = ["a.com", "b.com", "c.com"];
        let alone = vec![vec![0], vec![1], vec![2]];
        assert_eq!(split(&[0, 1, 2], &asked, "domain not exist"), alone);
        assert_eq!(
            split(&[0, 1, 2], &asked, "domains a.com, b.com do not exist"),
            alone
        );
        // A longer name that contains one asked is not it.
        assert_eq!(split(&[0, 1, 2], &asked, "www.a.com not found"), alone);
    }
}
