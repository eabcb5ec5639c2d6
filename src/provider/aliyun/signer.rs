//! Alibaba RPC request signing (SignatureVersion 1.0, HMAC-SHA1): RFC 3986
//! percent-encoding, the canonical query string and the signature. Pure:
//! time and nonce are ordinary parameters chosen by the caller.

use crate::model::Secret;
use base64::Engine;
use hmac::{Hmac, Mac};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha1::Sha1;
use std::collections::BTreeMap;

/// Everything but the RFC 3986 unreserved characters `A-Z a-z 0-9 - _ . ~`
/// is encoded: space becomes `%20` (not `+`), `*` becomes `%2A`.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encode a name or value the way Alibaba's signature needs it.
pub fn percent_encode(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

/// `name=value` pairs, both encoded, sorted by name (the `BTreeMap` order is
/// byte order, as the docs' "alphabetical" means), joined by `&`.
/// A `Signature` parameter, if present, is left out.
pub fn canonical_query(params: &BTreeMap<String, String>) -> String {
    params
        .iter()
        .filter(|(k, _)| k.as_str() != "Signature")
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `METHOD&%2F&percentEncode(canonical query)`.
pub fn string_to_sign(method: &str, params: &BTreeMap<String, String>) -> String {
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        percent_encode("/"),
        percent_encode(&canonical_query(params))
    )
}

/// Base64 of HMAC-SHA1 over the string to sign, keyed with `secret&`.
pub fn sign(method: &str, params: &BTreeMap<String, String>, secret: &Secret) -> String {
    let key = format!("{}&", secret.expose());
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    mac.update(string_to_sign(method, params).as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// `name=value&...` with every name and value encoded the RFC 3986 way, in
/// the given order: the form body (or query) of a signed request.
pub fn form_encode<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    pairs
        .into_iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn vectors() -> Vec<Value> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/aliyun/signature-vectors.json"
        );
        let text = std::fs::read_to_string(path).expect("signature vectors");
        let doc: Value = serde_json::from_str(&text).expect("vectors are JSON");
        doc["vectors"].as_array().expect("vectors list").clone()
    }

    fn params(v: &Value) -> BTreeMap<String, String> {
        v["params"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect()
    }

    #[test]
    fn published_vectors() {
        let vs = vectors();
        assert_eq!(vs.len(), 3);
        for v in vs {
            let name = v["name"].as_str().unwrap();
            let method = v["method"].as_str().unwrap();
            let secret = Secret::new(v["secret"].as_str().unwrap());
            let p = params(&v);
            if let Some(sts) = v["string_to_sign"].as_str() {
                assert_eq!(string_to_sign(method, &p), sts, "{name}");
            }
            assert_eq!(
                sign(method, &p, &secret),
                v["signature"].as_str().unwrap(),
                "{name}"
            );
        }
    }

    #[test]
    fn signature_param_is_not_signed() {
        let v = &vectors()[0];
        let mut p = params(v);
        p.insert("Signature".into(), "whatever".into());
        assert_eq!(
            sign("GET", &p, &Secret::new("testsecret")),
            "L5m9NrptrrFq7weQ/YUHZinh8b8="
        );
    }

    #[test]
    fn rfc3986_encoding() {
        assert_eq!(percent_encode("a b"), "a%20b");
        assert_eq!(percent_encode("*"), "%2A");
        assert_eq!(percent_encode("~-_."), "~-_.");
        assert_eq!(percent_encode("a+b=c&d/e:f"), "a%2Bb%3Dc%26d%2Fe%3Af");
        assert_eq!(percent_encode("é"), "%C3%A9");
        assert_eq!(percent_encode("[{\"x\":1}]"), "%5B%7B%22x%22%3A1%7D%5D");
    }

    #[test]
    fn method_changes_the_signature() {
        let p = params(&vectors()[1]);
        let s = Secret::new("testsecret");
        assert!(string_to_sign("post", &p).starts_with("POST&%2F&"));
        assert_ne!(sign("POST", &p, &s), sign("GET", &p, &s));
    }

    #[test]
    fn form_body() {
        assert_eq!(
            form_encode([("A", "x y"), ("Signature", "ab+/=")]),
            "A=x%20y&Signature=ab%2B%2F%3D"
        );
    }
}
