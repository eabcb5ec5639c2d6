//! Reading one CTG domain in one round trip: the entry (`GET /API/domain`)
//! and every feature path are asked at once (CTG has no aggregate read, so
//! a domain is 16 calls; what can be saved is waiting for them one after
//! another), under the client's cap on calls in flight.
//!
//! The origins come with the entry (MODELLED), so `/API/domain/origin` is
//! not asked up front: asking it on every read would add a 17th call to
//! each, and with `-parallelism` domains × 16 calls above the client's cap
//! the calls, not the round trips, are what a refresh waits for. An entry
//! without origins costs a second round trip for them instead.

use super::client::{Call, Client};
use super::entry;
use super::error::{self, Effect};
use super::mapping::{Feature, FEATURES};
use crate::model::Domain;
use crate::provider::{ErrorKind, ProviderError};
use futures_util::stream::{FuturesUnordered, StreamExt};
use serde_json::Value;

/// The calls of one read (the entry carrying the origins): the entry and
/// every feature but the origin.
pub const CALLS_PER_READ: usize = FEATURES.len();

/// One of the calls a read makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Entry,
    /// The feature at this index of `FEATURES`.
    Feature(usize),
}

fn domain_query(name: &str) -> Vec<(&'static str, String)> {
    vec![("domain", name.to_string())]
}

async fn fetch(client: &Client, part: Part, name: &str) -> (Part, Result<Value, ProviderError>) {
    let path = match part {
        Part::Entry => "/API/domain",
        Part::Feature(i) => FEATURES[i].path(),
    };
    let call = Call::get(path, domain_query(name));
    (part, client.call(&call, false).await)
}

fn index_of(feature: Feature) -> usize {
    FEATURES
        .iter()
        .position(|f| *f == feature)
        .expect("every feature is in FEATURES")
}

/// The entry's `data` parsed into a domain without its configuration.
fn parse_entry(data: &Value) -> Result<Domain, ProviderError> {
    entry::domain_from_entry(data)
        .map_err(|why| error::malformed("GET /API/domain", why, Effect::Read))
}

/// `GET /API/domain?domain=` alone: whether the domain exists, and its
/// entry. One call.
pub async fn read_entry(client: &Client, name: &str) -> Result<Option<Domain>, ProviderError> {
    match fetch(client, Part::Entry, name).await.1 {
        Ok(data) => parse_entry(&data).map(Some),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The whole domain, normalised, or `None` when it does not exist (the
/// entry is not found) or vanished while it was read (a feature is not
/// found). A failed feature read fails the read, naming its path.
pub async fn read_domain(client: &Client, name: &str) -> Result<Option<Domain>, ProviderError> {
    let origin = index_of(Feature::Origin);
    let mut pending: FuturesUnordered<_> = std::iter::once(Part::Entry)
        .chain(
            (0..FEATURES.len())
                .filter(|i| *i != origin)
                .map(Part::Feature),
        )
        .map(|part| fetch(client, part, name))
        .collect();
    let mut entry_data = None;
    let mut answers: Vec<Option<Result<Value, ProviderError>>> = vec![None; FEATURES.len()];
    while let Some((part, result)) = pending.next().await {
        match (part, result) {
            (Part::Entry, Ok(data)) => entry_data = Some(data),
            // Not there: the feature calls still waiting for the client's
            // cap are dropped unsent.
            (Part::Entry, Err(e)) if e.kind == ErrorKind::NotFound => return Ok(None),
            (Part::Entry, Err(e)) => return Err(e),
            (Part::Feature(i), result) => answers[i] = Some(result),
        }
    }
    let mut d = parse_entry(&entry_data.expect("the entry was read"))?;
    if d.origins.is_empty() {
        answers[origin] = Some(fetch(client, Part::Feature(origin), name).await.1);
    }
    // Applied in `FEATURES` order (`Https` makes the block the later HTTPS
    // features fill), whatever order the answers came in.
    for (f, answer) in FEATURES.iter().zip(answers) {
        let Some(answer) = answer else {
            continue;
        };
        let data = match answer {
            Ok(data) => data,
            Err(e) if e.kind == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        f.apply(&mut d, &data).map_err(|why| {
            let action = format!("GET {}", f.path());
            error::malformed(&action, format!("domain {:?}: {why}", d.name), Effect::Read)
        })?;
    }
    // The vendor's defaults read back as "not set", as the desired side is
    // normalised too.
    entry::normalise(&mut d);
    Ok(Some(d))
}
