//! Alibaba error answers and transport failures as neutral `ProviderError`s:
//! the vendor's code, message, request id and HTTP status are kept, and the
//! code decides the `ErrorKind` (retryable or not, quota, auth...).

use super::body;
use crate::provider::{ErrorKind, ProviderError};
use serde_json::Value;
use std::time::Duration;

pub const VENDOR: &str = "aliyun";

pub use crate::provider::error::Effect;

/// The neutral kind of an Alibaba error code (HTTP status as a fallback).
pub fn kind_for(code: &str, http_status: u16, effect: Effect) -> ErrorKind {
    let starts = |p: &str| code.starts_with(p);
    match code {
        "InvalidDomain.NotFound" | "DomainNotExist" | "InvalidDomain.NotExist" => {
            ErrorKind::NotFound
        }
        "DomainAlreadyExist" | "DomainAlreadyExists" => ErrorKind::AlreadyExists,
        c if c.contains("Throttling") || c == "FlowControlError" => ErrorKind::Throttled,
        "ServiceBusy" => ErrorKind::Busy,
        c if c.eq_ignore_ascii_case("ServiceUnavailable") || c == "InternalError" => {
            ErrorKind::Server
        }
        // Every attempt is signed with a fresh nonce, so this answer means a
        // copy of *this* attempt already reached the server (a proxy or the
        // network replayed it): a write may have taken effect. A read can
        // simply be retried under a new nonce.
        "SignatureNonceUsed" => match effect {
            Effect::Read => ErrorKind::Transport,
            Effect::Write => ErrorKind::OutcomeUnknown,
        },
        "SignatureDoesNotMatch" | "IncompleteSignature" | "OperationDenied" => ErrorKind::Auth,
        _ if starts("InvalidAccessKeyId")
            || starts("Forbidden")
            || starts("InvalidTimeStamp")
            || starts("InvalidSecurityToken") =>
        {
            ErrorKind::Auth
        }
        "DomainOverLimit" => ErrorKind::Quota,
        _ if starts("QuotaExceeded") => ErrorKind::Quota,
        "MissingParameter" | "UnsupportedParameter" => ErrorKind::Invalid,
        _ if starts("InvalidParameter") || starts("MissingParameter") => ErrorKind::Invalid,
        _ if http_status >= 500 => ErrorKind::Server,
        _ => ErrorKind::Other,
    }
}

/// An error answer (HTTP 4xx/5xx) with its parsed body, if it parsed.
pub fn from_answer(
    action: &str,
    http_status: u16,
    body: Option<&Value>,
    retry_after: Option<Duration>,
    effect: Effect,
) -> ProviderError {
    let code = body.and_then(|b| body::non_empty(b, "Code"));
    let message = body
        .and_then(|b| body::non_empty(b, "Message"))
        .unwrap_or_else(|| crate::provider::answer::no_error_message(http_status, None));
    let kind = match &code {
        Some(c) => kind_for(c, http_status, effect),
        None if http_status >= 500 => ErrorKind::Server,
        None if http_status == 429 => ErrorKind::Throttled,
        None if http_status == 401 || http_status == 403 => ErrorKind::Auth,
        None if http_status == 404 => ErrorKind::Other,
        None => ErrorKind::Other,
    };
    let mut e = ProviderError::new(VENDOR, action, kind, message);
    e.code = code;
    e.request_id = body.and_then(|b| body::non_empty(b, "RequestId"));
    e.http_status = Some(http_status);
    e.retry_after = retry_after;
    e
}

/// A failure to talk to the server (see `ProviderError::transport`).
pub fn transport(action: &str, message: String, sent: bool, effect: Effect) -> ProviderError {
    ProviderError::transport(VENDOR, action, message, sent, effect)
}

/// A 2xx answer we could not understand (see `ProviderError::malformed`).
pub fn malformed(action: &str, http_status: u16, why: String, effect: Effect) -> ProviderError {
    let mut e = ProviderError::malformed(VENDOR, action, &why, effect);
    e.http_status = Some(http_status);
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use Effect::*;

    #[test]
    fn code_table() {
        let cases = [
            ("InvalidDomain.NotFound", 404, ErrorKind::NotFound),
            ("DomainNotExist", 404, ErrorKind::NotFound),
            ("DomainAlreadyExist", 400, ErrorKind::AlreadyExists),
            ("Throttling", 400, ErrorKind::Throttled),
            ("Throttling.User", 503, ErrorKind::Throttled),
            ("Throttling.Api", 400, ErrorKind::Throttled),
            ("FlowControlError", 400, ErrorKind::Throttled),
            ("ServiceBusy", 400, ErrorKind::Busy),
            ("ServiceUnavailable", 503, ErrorKind::Server),
            ("ServiceUnAvailable", 503, ErrorKind::Server),
            ("InternalError", 500, ErrorKind::Server),
            ("SomethingNew", 502, ErrorKind::Server),
            ("SignatureDoesNotMatch", 403, ErrorKind::Auth),
            ("InvalidAccessKeyId.NotFound", 404, ErrorKind::Auth),
            ("InvalidAccessKeyId.Inactive", 403, ErrorKind::Auth),
            ("Forbidden", 403, ErrorKind::Auth),
            ("Forbidden.RAM", 403, ErrorKind::Auth),
            ("QuotaExceeded", 400, ErrorKind::Quota),
            ("QuotaExceeded.Refresh", 400, ErrorKind::Quota),
            ("DomainOverLimit", 400, ErrorKind::Quota),
            ("InvalidParameter", 400, ErrorKind::Invalid),
            ("InvalidParameter.Sources", 400, ErrorKind::Invalid),
            ("MissingParameter", 400, ErrorKind::Invalid),
            ("SomethingNew", 400, ErrorKind::Other),
        ];
        for (code, status, kind) in cases {
            assert_eq!(kind_for(code, status, Read), kind, "{code}");
            assert_eq!(kind_for(code, status, Write), kind, "{code}");
        }
    }

    #[test]
    fn nonce_reuse_depends_on_effect() {
        assert_eq!(
            kind_for("SignatureNonceUsed", 400, Read),
            ErrorKind::Transport
        );
        assert_eq!(
            kind_for("SignatureNonceUsed", 400, Write),
            ErrorKind::OutcomeUnknown
        );
    }

    #[test]
    fn answer_keeps_vendor_details() {
        let b = json!({"RequestId": "R-1", "HostId": "cdn.aliyuncs.com",
                       "Code": "Throttling.User", "Message": "Request was denied."});
        let e = from_answer(
            "AddCdnDomain",
            503,
            Some(&b),
            Some(Duration::from_secs(2)),
            Write,
        );
        assert_eq!(e.kind, ErrorKind::Throttled);
        assert_eq!(e.code.as_deref(), Some("Throttling.User"));
        assert_eq!(e.request_id.as_deref(), Some("R-1"));
        assert_eq!(e.http_status, Some(503));
        assert_eq!(e.retry_after, Some(Duration::from_secs(2)));
        assert_eq!(
            e.to_string(),
            "aliyun AddCdnDomain failed: Throttling.User: Request was denied. (HTTP 503, RequestId R-1)"
        );
    }

    #[test]
    fn answer_without_body() {
        assert_eq!(
            from_answer("X", 502, None, None, Read).kind,
            ErrorKind::Server
        );
        assert_eq!(
            from_answer("X", 429, None, None, Read).kind,
            ErrorKind::Throttled
        );
        assert_eq!(
            from_answer("X", 403, None, None, Read).kind,
            ErrorKind::Auth
        );
        assert_eq!(
            from_answer("X", 400, None, None, Read).kind,
            ErrorKind::Other
        );
    }

    #[test]
    fn unreadable_success() {
        assert_eq!(malformed("A", 200, "x".into(), Read).kind, ErrorKind::Other);
        assert_eq!(
            malformed("A", 200, "x".into(), Write).kind,
            ErrorKind::OutcomeUnknown
        );
    }

    #[test]
    fn lost_answers() {
        assert_eq!(
            transport("A", "x".into(), false, Write).kind,
            ErrorKind::Transport
        );
        assert_eq!(
            transport("A", "x".into(), true, Read).kind,
            ErrorKind::Transport
        );
        assert_eq!(
            transport("A", "x".into(), true, Write).kind,
            ErrorKind::OutcomeUnknown
        );
    }
}
