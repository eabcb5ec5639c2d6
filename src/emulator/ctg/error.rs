//! CTG error answers: the HTTP status plus `{"error": "<detail>"}` (seed: 错误信息格式), and
//! the success envelope `{"code": 1, "message": "OK", "data": ..}` (seed: the token answer;
//! API-NOTES: every call).
//!
//! The seed names no statuses besides the body format. MODELLED: 400 for a bad parameter,
//! 401 for authentication (bad date, key, signature or token), 404 for an unknown domain or
//! API path or task, 403 past a daily purge/prefetch quota, 409 for a domain that already
//! exists, 500 when the world cannot be saved.

use serde_json::{json, Value};

/// The seed's content type for every body.
pub const CONTENT_TYPE: &str = "application/json";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtgError {
    pub status: u16,
    pub message: String,
}

impl CtgError {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        CtgError {
            status,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(401, message)
    }

    pub fn unknown_domain(name: &str) -> Self {
        Self::new(404, format!("domain {name} does not exist"))
    }

    /// MODELLED: a purge or prefetch past today's quota is 403, with an `error` that starts
    /// `quota exceeded:` (CTG publishes no quota; 403 keeps it apart from bad parameters).
    pub fn quota_exceeded(what: &str, limit: u64, remaining: u64) -> Self {
        Self::new(
            403,
            format!("quota exceeded: the daily {what} quota is {limit}, {remaining} remain today"),
        )
    }

    pub fn internal() -> Self {
        Self::new(500, "internal error")
    }
}

/// A finished HTTP answer, independent of the web framework.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub status: u16,
    pub body: String,
}

impl Rendered {
    pub fn ok(data: Value) -> Self {
        Rendered {
            status: 200,
            body: json!({"code": 1, "message": "OK", "data": data}).to_string(),
        }
    }

    pub fn error(e: &CtgError) -> Self {
        Rendered {
            status: e.status,
            body: json!({"error": e.message}).to_string(),
        }
    }

    /// The body as JSON (every body is JSON).
    #[cfg(test)]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("answers are JSON")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes() {
        let r = Rendered::ok(json!({"a": 1}));
        assert_eq!(r.status, 200);
        assert_eq!(
            r.json(),
            json!({"code": 1, "message": "OK", "data": {"a": 1}})
        );
        let e = Rendered::error(&CtgError::unauthorized("invalid token"));
        assert_eq!(
            (e.status, e.json()),
            (401, json!({"error": "invalid token"}))
        );
    }
}
