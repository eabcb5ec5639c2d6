//! CTG answers and transport failures as neutral `ProviderError`s. Errors are
//! an HTTP status plus `{"error": "<detail>"}` (seed); success is the
//! `{"code": 1, "message": "OK", "data": ...}` envelope. Every message we
//! keep is scrubbed of the secret key, the token and the signature.

use crate::provider::{ErrorKind, ProviderError};
use serde_json::Value;
use std::time::Duration;

pub const VENDOR: &str = "ctg";

pub use crate::provider::error::Effect;

/// The neutral kind of an HTTP error status (MODELLED: the seed gives the
/// `{"error"}` body but no status table).
pub fn kind_for(http_status: u16) -> ErrorKind {
    match http_status {
        400 | 422 => ErrorKind::Invalid,
        401 | 403 => ErrorKind::Auth,
        404 => ErrorKind::NotFound,
        409 => ErrorKind::AlreadyExists,
        429 => ErrorKind::Throttled,
        s if s >= 500 => ErrorKind::Server,
        _ => ErrorKind::Other,
    }
}

/// The envelope's `code` (a number; a numeric string is accepted too).
pub fn envelope_code(body: &Value) -> Option<i64> {
    match &body["code"] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The detail of an error body: `error`, else `message`.
fn detail(body: Option<&Value>) -> Option<String> {
    let b = body?;
    b["error"]
        .as_str()
        .or(b["message"].as_str())
        .filter(|m| !m.trim().is_empty())
        .map(str::to_string)
}

/// A non-2xx answer, or a 2xx whose envelope code is not 1.
pub fn from_answer(
    action: &str,
    http_status: u16,
    body: Option<&Value>,
    retry_after: Option<Duration>,
    secrets: &[&str],
) -> ProviderError {
    let code = body.and_then(envelope_code);
    let ok_status = (200..300).contains(&http_status);
    let message = detail(body)
        .unwrap_or_else(|| crate::provider::answer::no_error_message(http_status, None));
    let kind = if ok_status {
        ErrorKind::Other
    } else {
        kind_for(http_status)
    };
    let mut e = ProviderError::new(VENDOR, action, kind, scrub(&message, secrets));
    if ok_status {
        e.code = code.map(|c| c.to_string());
    }
    e.http_status = Some(http_status);
    e.retry_after = retry_after;
    e
}

/// A failure to talk to the server (see `ProviderError::transport`).
pub fn transport(action: &str, message: String, sent: bool, effect: Effect) -> ProviderError {
    ProviderError::transport(VENDOR, action, message, sent, effect)
}

/// A success answer we could not understand (see `ProviderError::malformed`).
pub fn malformed(action: &str, why: impl Into<String>, effect: Effect) -> ProviderError {
    ProviderError::malformed(VENDOR, action, &why.into(), effect)
}

/// `text` with every non-empty secret replaced by `******`.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s, "******");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_and_details() {
        assert_eq!(kind_for(400), ErrorKind::Invalid);
        assert_eq!(kind_for(401), ErrorKind::Auth);
        assert_eq!(kind_for(404), ErrorKind::NotFound);
        assert_eq!(kind_for(409), ErrorKind::AlreadyExists);
        assert_eq!(kind_for(429), ErrorKind::Throttled);
        assert_eq!(kind_for(503), ErrorKind::Server);
        assert_eq!(kind_for(418), ErrorKind::Other);
        let body = json!({"error": "Invalid parameter signature. tok-123"});
        let e = from_answer(
            "PUT /API/domain/origin",
            400,
            Some(&body),
            None,
            &["tok-123"],
        );
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert_eq!(e.action, "PUT /API/domain/origin");
        assert_eq!(e.message, "Invalid parameter signature. ******");
        assert_eq!(e.http_status, Some(400));
        let e = from_answer(
            "GET /x",
            200,
            Some(&json!({"code": 0, "message": "no"})),
            None,
            &[],
        );
        assert_eq!((e.kind, e.code.as_deref()), (ErrorKind::Other, Some("0")));
        let e = from_answer("GET /x", 502, None, None, &[]);
        assert_eq!(e.kind, ErrorKind::Server);
        assert!(e.message.contains("HTTP 502"));
    }
}
