//! Delivery items: `https` (seed: "Certificate Settings") and `compress_response` (seed:
//! "Compress_response").

use serde_json::{json, Map, Value};

use super::error::BsError;
use super::values::{array, bad, int, object, opt_one_of, required, string};

/// `https`: `{cert_id, http2, force_https}`. `cert_id` is a positive integer (MODELLED: the
/// emulator keeps no certificates, so any positive id is accepted); `http2` is on|off as the
/// seed says. MODELLED (not in the seed): `force_https` on|off redirects HTTP to HTTPS.
/// Stored as given, with `cert_id` as a number.
pub fn https(v: &Value) -> Result<Value, BsError> {
    const P: &str = "config.https";
    let m = object(v, P, &["cert_id", "http2", "force_https"])?;
    let cert_id = int(required(m, "cert_id", P)?, "config.https.cert_id")?;
    if cert_id <= 0 {
        return Err(bad(
            "config.https.cert_id",
            "must be a positive certificate id",
        ));
    }
    let mut out = Map::new();
    out.insert("cert_id".into(), cert_id.into());
    for key in ["http2", "force_https"] {
        if let Some(v) = opt_one_of(m, key, P, &["on", "off"])? {
            out.insert(key.into(), v.into());
        }
    }
    Ok(Value::Object(out))
}

/// `compress_response`: `{content_type: [MIME types], min_size, min_size_unit: KB|MB}`, all
/// required. MODELLED: at least one content type, each `type/subtype` (a `*` subtype is
/// allowed), and `min_size` not negative; stored with `min_size` as a number.
pub fn compress(v: &Value) -> Result<Value, BsError> {
    const P: &str = "config.compress_response";
    let m = object(v, P, &["content_type", "min_size", "min_size_unit"])?;
    let types = array(
        required(m, "content_type", P)?,
        "config.compress_response.content_type",
    )?;
    if types.is_empty() {
        return Err(bad(
            "config.compress_response.content_type",
            "needs at least one content type",
        ));
    }
    let mut list = Vec::new();
    for (i, t) in types.iter().enumerate() {
        let path = format!("{P}.content_type[{i}]");
        let t = string(t, &path)?.trim().to_ascii_lowercase();
        let ok = t.split_once('/').is_some_and(|(a, b)| {
            let part = |s: &str| {
                !s.is_empty()
                    && s.bytes()
                        .all(|c| c.is_ascii_alphanumeric() || b"!#$&^_.+-*".contains(&c))
            };
            part(a) && part(b) && !a.contains('*')
        });
        if !ok {
            return Err(bad(
                &path,
                format!("{t:?} is not a content type like text/plain"),
            ));
        }
        list.push(t);
    }
    let min_size = int(
        required(m, "min_size", P)?,
        "config.compress_response.min_size",
    )?;
    if min_size < 0 {
        return Err(bad(
            "config.compress_response.min_size",
            "must not be negative",
        ));
    }
    required(m, "min_size_unit", P)?;
    let unit = opt_one_of(m, "min_size_unit", P, &["KB", "MB"])?.unwrap_or_default();
    Ok(json!({"content_type": list, "min_size": min_size, "min_size_unit": unit}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_rules() {
        assert_eq!(
            https(&json!({"cert_id": "123", "http2": "on", "force_https": "off"})).unwrap(),
            json!({"cert_id": 123, "http2": "on", "force_https": "off"})
        );
        assert_eq!(
            https(&json!({"cert_id": 123})).unwrap(),
            json!({"cert_id": 123})
        );
        assert!(https(&json!({}))
            .unwrap_err()
            .message
            .contains("cert_id: is required"));
        assert!(https(&json!({"cert_id": 0})).is_err());
        assert!(https(&json!({"cert_id": 1, "http2": "yes"}))
            .unwrap_err()
            .message
            .contains("http2"));
        assert!(https(&json!({"cert_id": 1, "force_https": true})).is_err());
    }

    #[test]
    fn compress_rules() {
        let v = compress(
            &json!({"content_type": ["text/plain", "application/x-javascript"],
                                  "min_size": "2", "min_size_unit": "KB"}),
        )
        .unwrap();
        assert_eq!(v["min_size"], 2);
        assert!(compress(
            &json!({"content_type": ["text/*"], "min_size": 1, "min_size_unit": "MB"})
        )
        .is_ok());
        let err = |v: Value| compress(&v).unwrap_err().message;
        assert!(
            err(json!({"content_type": [], "min_size": 1, "min_size_unit": "KB"}))
                .contains("at least one")
        );
        assert!(
            err(json!({"content_type": ["text"], "min_size": 1, "min_size_unit": "KB"}))
                .contains("content type")
        );
        assert!(
            err(json!({"content_type": ["text/plain"], "min_size_unit": "KB"}))
                .contains("min_size: is required")
        );
        assert!(err(json!({"content_type": ["text/plain"], "min_size": 1}))
            .contains("min_size_unit: is required"));
        assert!(
            err(json!({"content_type": ["text/plain"], "min_size": 1, "min_size_unit": "GB"}))
                .contains("KB, MB")
        );
        assert!(err(
            json!({"content_type": ["text/plain"], "min_size": -1, "min_size_unit": "KB"})
        )
        .contains("negative"));
    }
}
