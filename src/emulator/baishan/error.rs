//! Baishan error answers: the HTTP status, the envelope's non-zero `code` and its `message`.
//!
//! The seed gives HTTP statuses only (400 bad parameters, 401 bad token, 404 bad URL, 5xx).
//! MODELLED: the envelope's `code` equals the HTTP status of the answer (400, 401, 404, 429,
//! 500), so a client can branch on either; the documents name no finer codes.

/// One error answer, rendered by `response::error` as `{"code", "message", "data": null}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BsError {
    pub status: u16,
    pub code: i64,
    pub message: String,
}

impl BsError {
    pub fn new(status: u16, code: i64, message: impl Into<String>) -> Self {
        BsError {
            status,
            code,
            message: message.into(),
        }
    }

    /// A bad request parameter (HTTP 400).
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(400, 400, message)
    }

    /// Missing or unknown token (HTTP 401; the seed's "Invalid token or lack of access").
    pub fn unauthorized() -> Self {
        Self::new(
            401,
            401,
            "Authorization Error: Invalid token or lack of access.",
        )
    }

    /// An unknown path or method (HTTP 404; the seed's "Bad request URLs").
    pub fn bad_url(method: &str, path: &str) -> Self {
        Self::new(404, 404, format!("Bad request URL: {method} {path}"))
    }

    /// MODELLED: a domain that is not in the account (or was deleted) is HTTP 404.
    pub fn unknown_domain(name: &str) -> Self {
        Self::new(404, 404, format!("domain {name} does not exist"))
    }

    /// MODELLED: past a rate limit, HTTP 429 with code 429.
    pub fn throttled(grad: &str, limit: u32) -> Self {
        Self::new(
            429,
            429,
            format!("Too many requests: the limit is {limit} per {grad}; retry after X-Retry-After seconds"),
        )
    }

    /// MODELLED: a refresh or prefetch past today's quota is HTTP 403 (code 403), with a
    /// message that starts `quota exceeded:` (the documents name no status for it; 403
    /// keeps it apart from bad parameters, 400, and from rate limits, 429, which a client
    /// may retry soon).
    pub fn quota_exceeded(what: &str, limit: u64, remaining: u64) -> Self {
        Self::new(
            403,
            403,
            format!("quota exceeded: the daily {what} quota is {limit}, {remaining} remain today"),
        )
    }

    pub fn internal() -> Self {
        Self::new(
            500,
            500,
            "Internal error, please contact your account team.",
        )
    }
}
