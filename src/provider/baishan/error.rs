//! Baishan answers and transport failures as neutral `ProviderError`s. Every
//! answer carries the `{code, message, data}` envelope: code 0 is success,
//! anything else an error whatever the HTTP status. The token is scrubbed
//! from every message we keep.

use crate::provider::{ErrorKind, ProviderError};
use serde_json::Value;
use std::time::Duration;

pub const VENDOR: &str = "baishan";

pub use crate::provider::error::Effect;

/// The envelope's `code` as a number (the API sends a number; a numeric
/// string is accepted too). `None`: absent or not a number.
pub fn envelope_code(body: &Value) -> Option<i64> {
    match &body["code"] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The neutral kind of an error answer. MODELLED: the seed documents HTTP
/// statuses only (400 bad parameters, 401 bad token, 404 bad URL, 5xx);
/// envelope codes are taken to follow the same numbers (plus 429 for the
/// rate limit), and messages saying "not exist"/"already exist" decide
/// not-found and already-exists whatever the code.
pub fn kind_for(code: Option<i64>, http_status: u16, message: &str) -> ErrorKind {
    let m = message.to_ascii_lowercase();
    if http_status == 429 || code == Some(429) || m.contains("rate limit") {
        return ErrorKind::Throttled;
    }
    if matches!(http_status, 401 | 403) || matches!(code, Some(401 | 403)) {
        return ErrorKind::Auth;
    }
    if m.contains("already exist") {
        return ErrorKind::AlreadyExists;
    }
    if code == Some(404)
        || m.contains("not exist")
        || m.contains("not found")
        || m.contains("does not belong")
    {
        return ErrorKind::NotFound;
    }
    if http_status >= 500 || code.is_some_and(|c| (500..600).contains(&c)) {
        return ErrorKind::Server;
    }
    if http_status == 400 || code == Some(400) {
        return ErrorKind::Invalid;
    }
    ErrorKind::Other
}

/// An answer whose envelope says it failed (or a non-2xx answer). `body` is
/// the parsed envelope if there was one.
pub fn from_answer(
    action: &str,
    http_status: u16,
    body: Option<&Value>,
    retry_after: Option<Duration>,
    token: &str,
) -> ProviderError {
    let code = body.and_then(envelope_code);
    let message = body
        .and_then(|b| b["message"].as_str().or(b["msg"].as_str()))
        .filter(|m| !m.trim().is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| match http_status {
            404 => "HTTP 404: bad request URL".to_string(),
            s => crate::provider::answer::no_error_message(s, None),
        });
    let message = scrub(&message, token);
    let mut e = ProviderError::new(
        VENDOR,
        action,
        kind_for(code, http_status, &message),
        message,
    );
    e.code = code.map(|c| c.to_string());
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

/// `text` with every occurrence of the token replaced by `******`: servers
/// and HTTP libraries echo URLs, and the token travels in the query.
pub fn scrub(text: &str, token: &str) -> String {
    if token.is_empty() {
        return text.to_string();
    }
    let mut out = text.replace(token, "******");
    // Also its encoded forms, as they appear inside URLs.
    for encoded in [percent_encode(token), form_encode(token)] {
        if encoded != token {
            out = out.replace(&encoded, "******");
        }
    }
    out
}

/// A URL as text with the `token` query value replaced by `******`.
pub fn redact_url(url: &reqwest::Url) -> String {
    let mut u = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "token" {
                "******".into()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    if pairs.is_empty() {
        return u.to_string();
    }
    u.query_pairs_mut().clear().extend_pairs(pairs);
    u.to_string().replace("%2A%2A%2A%2A%2A%2A", "******")
}

fn percent_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// `application/x-www-form-urlencoded`, as `Url::query_pairs_mut` writes it.
fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds() {
        let k = |code, status, msg: &str| kind_for(code, status, msg);
        assert_eq!(k(Some(401), 401, "invalid token"), ErrorKind::Auth);
        assert_eq!(k(None, 403, ""), ErrorKind::Auth);
        assert_eq!(k(Some(429), 200, "slow down"), ErrorKind::Throttled);
        assert_eq!(k(None, 429, ""), ErrorKind::Throttled);
        assert_eq!(k(Some(400), 400, "bad origin"), ErrorKind::Invalid);
        assert_eq!(k(Some(1), 200, "domain not exist"), ErrorKind::NotFound);
        assert_eq!(k(Some(404), 200, "x"), ErrorKind::NotFound);
        assert_eq!(
            k(Some(2), 400, "domain already exists"),
            ErrorKind::AlreadyExists
        );
        assert_eq!(k(Some(500), 200, "boom"), ErrorKind::Server);
        assert_eq!(k(None, 502, ""), ErrorKind::Server);
        // A 404 from a wrong path is not "the domain does not exist".
        assert_eq!(k(None, 404, "HTTP 404: bad request URL"), ErrorKind::Other);
        assert_eq!(k(Some(7), 200, "odd"), ErrorKind::Other);
    }

    #[test]
    fn envelope_errors_keep_code_and_message_but_not_the_token() {
        let body = json!({"code": 400, "message": "bad token=SECRET123 in request", "data": null});
        let e = from_answer("POST /domain/config", 200, Some(&body), None, "SECRET123");
        assert_eq!(e.code.as_deref(), Some("400"));
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert!(!e.to_string().contains("SECRET123"), "{e}");
        assert!(e.message.contains("bad token=******"));
        assert_eq!(envelope_code(&json!({"code": "0"})), Some(0));
        assert_eq!(envelope_code(&json!({})), None);
    }

    #[test]
    fn urls_are_redacted() {
        let u = reqwest::Url::parse(
            "https://cdn.api.baishan.com/v2/domain?token=s%2Fe+c&domains=a.com",
        )
        .unwrap();
        let r = redact_url(&u);
        assert_eq!(
            r,
            "https://cdn.api.baishan.com/v2/domain?token=******&domains=a.com"
        );
        assert_eq!(
            scrub("x s/e c y s%2Fe%20c z s%2Fe+c", "s/e c"),
            "x ****** y ****** z ******"
        );
        assert_eq!(scrub("abc", ""), "abc");
    }
}
