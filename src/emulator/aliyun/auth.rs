//! Authentication of one Alibaba request: common parameters, timestamp window, access key,
//! signature and nonce replay, in that order.
//!
//! Order (MODELLED, the seeds give none): presence of the common parameters, then
//! `SignatureMethod`/`SignatureVersion`, then the timestamp, then the key, then the signature,
//! and the nonce last, so that requests that fail authentication cannot burn a nonce.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};

use super::errors::AliError;
use super::params::Params;
use super::signature;

/// How far a request's timestamp may be from the server clock, either way. MODELLED: the
/// seeds do not give the window; 15 minutes is Alibaba's documented RPC tolerance.
pub const TIMESTAMP_WINDOW: TimeDelta = TimeDelta::minutes(15);

/// Reads the timestamp from `Timestamp` (today's SDKs) or `TimeStamp` (the seed's spelling).
/// Format `YYYY-MM-DDThh:mm:ssZ`, UTC, as the seed prescribes. MODELLED: anything else
/// (offsets, fractions, missing `Z`) is `InvalidTimeStamp.Format`.
pub fn parse_timestamp(raw: &str) -> Result<DateTime<Utc>, AliError> {
    NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%SZ")
        .map(|n| n.and_utc())
        .map_err(|_| AliError::timestamp_format())
}

pub fn check_fresh(ts: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), AliError> {
    if (now - ts).abs() > TIMESTAMP_WINDOW {
        return Err(AliError::timestamp_expired());
    }
    Ok(())
}

/// Nonces seen recently, per access key. A nonce is kept twice the timestamp window: a request
/// stamped up to 15 minutes ahead stays acceptable until 15 minutes after that, so anything
/// older than 30 minutes can no longer be replayed and is dropped.
/// MODELLED: nonces live in memory only; a restarted emulator forgets them (the timestamp
/// window still limits replays).
#[derive(Debug, Default)]
pub struct NonceCache {
    seen: HashMap<(String, String), DateTime<Utc>>,
}

impl NonceCache {
    pub fn check_and_remember(
        &mut self,
        key_id: &str,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AliError> {
        let keep = TIMESTAMP_WINDOW * 2;
        self.seen.retain(|_, at| now - *at <= keep);
        let entry = (key_id.to_string(), nonce.to_string());
        if self.seen.contains_key(&entry) {
            return Err(AliError::nonce_used());
        }
        self.seen.insert(entry, now);
        Ok(())
    }
}

/// The common parameters every request must carry (seed "Common Request Parameters"; the
/// timestamp is checked separately because of its two spellings). `Action` and `Version` are
/// checked by the dispatcher. MODELLED: `OwnerId`/`OwnerAccount`, marked "Yes" in the 2014
/// table, are not required: no SDK sends them and the account is the access key's.
const REQUIRED: [&str; 5] = [
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
];

/// Authenticates a request; returns the access key id on success.
pub fn authenticate(
    method: &str,
    params: &Params,
    keys: &[(String, String)],
    nonces: &mut NonceCache,
    now: DateTime<Utc>,
) -> Result<String, AliError> {
    for name in REQUIRED {
        params.require(name)?;
    }
    let ts_raw = params
        .optional("Timestamp")
        .or_else(|| params.optional("TimeStamp"))
        .ok_or_else(|| AliError::missing_parameter("Timestamp"))?;
    // MODELLED: an unsupported method or version is the generic InvalidParameter naming it.
    if params.require("SignatureMethod")? != "HMAC-SHA1" {
        return Err(AliError::invalid_value("SignatureMethod"));
    }
    if params.require("SignatureVersion")? != "1.0" {
        return Err(AliError::invalid_value("SignatureVersion"));
    }
    check_fresh(parse_timestamp(ts_raw)?, now)?;

    let key_id = params.require("AccessKeyId")?;
    let Some((_, secret)) = keys.iter().find(|(id, _)| id == key_id) else {
        return Err(AliError::access_key_not_found());
    };
    let sts = signature::string_to_sign(method, &signature::canonical_query(params.iter()));
    if !signature::verify(secret, &sts, params.require("Signature")?) {
        return Err(AliError::signature_does_not_match());
    }
    nonces.check_and_remember(key_id, params.require("SignatureNonce")?, now)?;
    Ok(key_id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Vec<(String, String)> {
        vec![("testid".into(), "testsecret".into())]
    }

    /// Signs `pairs` plus the common parameters at `ts` and returns the parameters.
    fn signed(pairs: &[(&str, &str)], ts: &str, nonce: &str, secret: &str) -> Params {
        let mut all: Vec<(String, String)> = vec![
            ("AccessKeyId".into(), "testid".into()),
            ("SignatureMethod".into(), "HMAC-SHA1".into()),
            ("SignatureVersion".into(), "1.0".into()),
            ("SignatureNonce".into(), nonce.into()),
            ("Timestamp".into(), ts.into()),
        ];
        for (k, v) in pairs {
            all.retain(|(n, _)| n != k);
            all.push((k.to_string(), v.to_string()));
        }
        let canon = signature::canonical_query(all.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let sig = signature::sign(secret, &signature::string_to_sign("GET", &canon));
        all.push(("Signature".into(), sig));
        Params::from_pairs(all.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    fn now() -> DateTime<Utc> {
        parse_timestamp("2024-05-01T12:00:00Z").unwrap()
    }

    fn run(p: &Params, nonces: &mut NonceCache) -> Result<String, AliError> {
        authenticate("GET", p, &keys(), nonces, now())
    }

    #[test]
    fn good_request_passes_and_nonce_replay_fails() {
        let mut n = NonceCache::default();
        let p = signed(
            &[("Action", "X")],
            "2024-05-01T12:00:00Z",
            "n1",
            "testsecret",
        );
        assert_eq!(run(&p, &mut n).unwrap(), "testid");
        assert_eq!(run(&p, &mut n).unwrap_err().code, "SignatureNonceUsed");
    }

    #[test]
    fn wrong_secret_is_signature_does_not_match() {
        let p = signed(&[], "2024-05-01T12:00:00Z", "n1", "wrong");
        let e = run(&p, &mut NonceCache::default()).unwrap_err();
        assert_eq!((e.status, e.code.as_str()), (403, "SignatureDoesNotMatch"));
    }

    #[test]
    fn unknown_key_is_not_found() {
        let p = signed(
            &[("AccessKeyId", "nobody")],
            "2024-05-01T12:00:00Z",
            "n",
            "testsecret",
        );
        let e = run(&p, &mut NonceCache::default()).unwrap_err();
        assert_eq!(
            (e.status, e.code.as_str()),
            (404, "InvalidAccessKeyId.NotFound")
        );
    }

    #[test]
    fn timestamp_window_and_format() {
        let mut n = NonceCache::default();
        let ok_edge = signed(&[], "2024-05-01T12:15:00Z", "a", "testsecret");
        assert!(run(&ok_edge, &mut n).is_ok());
        let late = signed(&[], "2024-05-01T11:44:59Z", "b", "testsecret");
        let e = run(&late, &mut n).unwrap_err();
        assert_eq!(
            (e.status, e.code.as_str()),
            (400, "InvalidTimeStamp.Expired")
        );
        let bad = signed(&[], "2024-05-01 12:00:00", "c", "testsecret");
        assert_eq!(
            run(&bad, &mut n).unwrap_err().code,
            "InvalidTimeStamp.Format"
        );
        let seed_spelling = signed(
            &[("Timestamp", ""), ("TimeStamp", "2024-05-01T12:00:00Z")],
            "",
            "d",
            "testsecret",
        );
        assert!(run(&seed_spelling, &mut n).is_ok());
    }

    #[test]
    fn missing_common_parameters_are_named() {
        let p = signed(
            &[("SignatureNonce", "")],
            "2024-05-01T12:00:00Z",
            "",
            "testsecret",
        );
        let e = run(&p, &mut NonceCache::default()).unwrap_err();
        assert_eq!(e.code, "MissingParameter");
        assert!(e.message.contains("SignatureNonce"), "{}", e.message);
        let p = signed(&[("Timestamp", "")], "", "x", "testsecret");
        let e = run(&p, &mut NonceCache::default()).unwrap_err();
        assert!(e.message.contains("Timestamp"));
    }

    #[test]
    fn only_hmac_sha1_is_accepted() {
        let p = signed(
            &[("SignatureMethod", "HMAC-SHA256")],
            "2024-05-01T12:00:00Z",
            "m",
            "testsecret",
        );
        let e = run(&p, &mut NonceCache::default()).unwrap_err();
        assert_eq!(e.code, "InvalidParameter");
        assert!(e.message.contains("SignatureMethod"));
    }

    #[test]
    fn nonces_expire_after_twice_the_window() {
        let mut n = NonceCache::default();
        n.check_and_remember("k", "x", now()).unwrap();
        assert!(n
            .check_and_remember("k", "x", now() + TimeDelta::minutes(29))
            .is_err());
        assert!(n.check_and_remember("other", "x", now()).is_ok());
        assert!(n
            .check_and_remember("k", "x", now() + TimeDelta::minutes(61))
            .is_ok());
    }
}
