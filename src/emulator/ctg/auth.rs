//! CTG authentication: the `POST /API/OAuth/token` signature check and the bearer tokens it
//! hands out.
//!
//! Seed (鉴权说明): `signature = hex(HMAC-SHA512(key = secret_key, x_request_date + access_key
//! + secret_key))` (the Python sample's `hexdigest()`: lower-case hex), where
//! `x_request_date` is an RFC 1123 date (`%a, %d %b %Y %H:%M:%S GMT`) valid within 5 minutes.
//! Tokens expire (the answer's `expire`, unix seconds); they live in memory only.
//!
//! MODELLED: the date may be up to 5 minutes early or late; a missing or unparsable date, an
//! unknown access key and a wrong signature are 401 with an `error` naming which; the
//! signature is compared without regard to letter case; a token unknown to this process is
//! `invalid token`, a known one past its expiry is `token expired`.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha512;

use super::error::CtgError;

/// How far the request date may be from the emulator's clock.
pub const DATE_WINDOW: TimeDelta = TimeDelta::minutes(5);

/// The seed's date format (Python `GMT_FORMAT`).
pub const DATE_FORMAT: &str = "%a, %d %b %Y %H:%M:%S GMT";

/// Lower-case hex of HMAC-SHA512 keyed by `secret_key` over `date + access_key + secret_key`.
pub fn signature(request_date: &str, access_key: &str, secret_key: &str) -> String {
    let mut mac =
        Hmac::<Sha512>::new_from_slice(secret_key.as_bytes()).expect("HMAC takes any key length");
    mac.update(request_date.as_bytes());
    mac.update(access_key.as_bytes());
    mac.update(secret_key.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The instant of an RFC 1123 GMT date (the weekday must match the date).
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s.trim(), DATE_FORMAT)
        .ok()
        .map(|n| n.and_utc())
}

/// Checks the date header and the signature of `access_key` against the configured pairs.
pub fn verify(
    keys: &[(String, String)],
    request_date: Option<&str>,
    access_key: &str,
    signature_given: &str,
    now: DateTime<Utc>,
) -> Result<(), CtgError> {
    let raw =
        request_date.ok_or_else(|| CtgError::unauthorized("missing header x-request-date"))?;
    let date = parse_date(raw).ok_or_else(|| {
        CtgError::unauthorized(format!(
            "invalid x-request-date {raw:?}: expected an RFC 1123 GMT date"
        ))
    })?;
    if (now - date).abs() > DATE_WINDOW {
        return Err(CtgError::unauthorized(
            "x-request-date is more than 5 minutes from the server time",
        ));
    }
    let secret = keys
        .iter()
        .find(|(k, _)| k == access_key)
        .map(|(_, s)| s)
        .ok_or_else(|| CtgError::unauthorized("Invalid parameter access_key."))?;
    if !signature(raw, access_key, secret).eq_ignore_ascii_case(signature_given) {
        return Err(CtgError::unauthorized("Invalid parameter signature."));
    }
    Ok(())
}

/// One issued token: its access key and expiry.
#[derive(Debug, Clone)]
struct Issued {
    access_key: String,
    expires: DateTime<Utc>,
}

/// What `POST /API/OAuth/token` answers in `data`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub token: String,
    pub refresh_token: String,
    pub expires: DateTime<Utc>,
}

/// The tokens issued by this process.
#[derive(Debug, Default)]
pub struct Tokens {
    issued: HashMap<String, Issued>,
}

fn random_token(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    (0..len)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

impl Tokens {
    /// A new token for `access_key`, valid for `lifetime` from `now`. Tokens that expired more
    /// than a day ago are forgotten (they then answer `invalid token`).
    pub fn issue(&mut self, access_key: &str, lifetime: Duration, now: DateTime<Utc>) -> Grant {
        let horizon = now - TimeDelta::days(1);
        self.issued.retain(|_, i| i.expires > horizon);
        let token = random_token(40);
        let expires = now + TimeDelta::from_std(lifetime).unwrap_or(TimeDelta::MAX);
        self.issued.insert(
            token.clone(),
            Issued {
                access_key: access_key.to_string(),
                expires,
            },
        );
        Grant {
            token,
            refresh_token: random_token(120),
            expires,
        }
    }

    /// The access key of a valid token.
    pub fn check(&self, token: &str, now: DateTime<Utc>) -> Result<String, CtgError> {
        match self.issued.get(token) {
            None => Err(CtgError::unauthorized("invalid token")),
            Some(i) if now >= i.expires => Err(CtgError::unauthorized("token expired")),
            Some(i) => Ok(i.access_key.clone()),
        }
    }
}

/// MODELLED: the account's `uid` is a stable 10-digit number derived from the access key
/// (the seed shows `"uid": "7733333333"`), its `username` the access key.
pub fn uid_for(access_key: &str) -> String {
    let h = access_key
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    format!("77{:08}", h % 100_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTOR: &str = "75fbf9c716be9d04b9d113c4d0806ec7a0f5b47fad22e11279b8e37218860aa81346daaeab6d054d352de6aec31ac0d35d7c3fd4b52af36f03af0865cb3ca1c5";
    const DATE: &str = "Mon, 23 Nov 2026 01:00:00 GMT";

    fn keys() -> Vec<(String, String)> {
        vec![("testid".into(), "testsecret".into())]
    }

    #[test]
    fn signature_matches_the_api_notes_vector() {
        assert_eq!(signature(DATE, "testid", "testsecret"), VECTOR);
    }

    #[test]
    fn date_window_is_five_minutes_either_way() {
        let t = parse_date(DATE).unwrap();
        assert_eq!(t.timestamp(), 1_795_395_600);
        let ok = |now| verify(&keys(), Some(DATE), "testid", VECTOR, now);
        assert!(ok(t).is_ok());
        assert!(ok(t + TimeDelta::minutes(5)).is_ok());
        assert!(ok(t - TimeDelta::minutes(5)).is_ok());
        let late = ok(t + TimeDelta::minutes(5) + TimeDelta::seconds(1)).unwrap_err();
        assert_eq!(late.status, 401);
        assert!(late.message.contains("5 minutes"), "{}", late.message);
        assert!(ok(t - TimeDelta::minutes(6)).is_err());
    }

    #[test]
    fn bad_dates_keys_and_signatures_are_401() {
        let t = parse_date(DATE).unwrap();
        let e = verify(&keys(), None, "testid", VECTOR, t).unwrap_err();
        assert_eq!(e.status, 401);
        assert!(verify(&keys(), Some("2026-11-23T01:00:00Z"), "testid", VECTOR, t).is_err());
        // Wrong weekday.
        assert!(parse_date("Tue, 23 Nov 2026 01:00:00 GMT").is_none());
        let e = verify(&keys(), Some(DATE), "other", VECTOR, t).unwrap_err();
        assert!(e.message.contains("access_key"));
        let e = verify(&keys(), Some(DATE), "testid", &VECTOR[1..], t).unwrap_err();
        assert_eq!(e.message, "Invalid parameter signature.");
        assert!(verify(&keys(), Some(DATE), "testid", &VECTOR.to_uppercase(), t).is_ok());
    }

    #[test]
    fn tokens_expire_and_unknown_ones_are_invalid() {
        let t = parse_date(DATE).unwrap();
        let mut tokens = Tokens::default();
        let g = tokens.issue("testid", Duration::from_secs(60), t);
        assert_eq!(g.expires, t + TimeDelta::seconds(60));
        assert_ne!(g.token, g.refresh_token);
        assert_eq!(tokens.check(&g.token, t).unwrap(), "testid");
        let e = tokens
            .check(&g.token, t + TimeDelta::seconds(60))
            .unwrap_err();
        assert_eq!((e.status, e.message.as_str()), (401, "token expired"));
        let e = tokens.check("nope", t).unwrap_err();
        assert_eq!(e.message, "invalid token");
        // Long-expired tokens are forgotten at the next issue.
        tokens.issue("testid", Duration::from_secs(60), t + TimeDelta::days(2));
        assert_eq!(
            tokens
                .check(&g.token, t + TimeDelta::days(2))
                .unwrap_err()
                .message,
            "invalid token"
        );
        assert_eq!(uid_for("testid").len(), 10);
    }
}
