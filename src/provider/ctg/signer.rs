//! The CTG token-call signature: lowercase hex of HMAC-SHA512 with the
//! secret key as key over `x_request_date + access_key + secret_key`, as the
//! seed's Python, Java and PHP samples compute it (not its Node and Go ones).
//! `x-request-date` is an RFC 1123 GMT date, valid for five minutes.

use crate::model::Secret;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha512;

/// The `signature` of the token call made at `date` (RFC 1123 text).
pub fn sign(date: &str, access_key: &str, secret_key: &Secret) -> String {
    let secret = secret_key.expose();
    let mut mac =
        Hmac::<Sha512>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(date.as_bytes());
    mac.update(access_key.as_bytes());
    mac.update(secret.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `t` as an RFC 1123 GMT date: `Mon, 23 Nov 2026 01:00:00 GMT`.
pub fn request_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::Value;

    /// The vectors in `testdata/ctg/signature-vectors.json` (computed with
    /// Python's `hmac`, as the seed's Python sample does).
    #[test]
    fn signature_vectors() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/ctg/signature-vectors.json"
        );
        let vectors: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let vectors = vectors.as_array().unwrap();
        assert!(!vectors.is_empty());
        for v in vectors {
            let got = sign(
                v["date"].as_str().unwrap(),
                v["access_key"].as_str().unwrap(),
                &Secret::new(v["secret_key"].as_str().unwrap()),
            );
            assert_eq!(got, v["signature"].as_str().unwrap(), "{v}");
        }
    }

    #[test]
    fn rfc1123_dates() {
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap();
        assert_eq!(request_date(t), "Mon, 23 Nov 2026 01:00:00 GMT");
        let t = Utc.with_ymd_and_hms(2018, 11, 21, 1, 29, 20).unwrap();
        assert_eq!(request_date(t), "Wed, 21 Nov 2018 01:29:20 GMT");
    }
}
