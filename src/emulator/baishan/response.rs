//! Baishan answer envelopes: `{"code": 0, "message": "success", "data": ..}` on success and
//! `{"code": <non-zero>, "message": .., "data": null}` on error, with the rate-limit headers
//! that every answer carries.

use serde_json::{json, Value};

use super::error::BsError;

/// The seed's response header: `Content-Type: application/json; charset=utf-8`.
pub const CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// A finished HTTP answer, independent of the web framework.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

#[cfg(test)]
impl Rendered {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (always valid: every body is an envelope).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("envelopes are JSON")
    }
}

pub fn success(data: Value, headers: Vec<(&'static str, String)>) -> Rendered {
    Rendered {
        status: 200,
        headers,
        body: json!({"code": 0, "message": "success", "data": data}).to_string(),
    }
}

pub fn error(err: &BsError, headers: Vec<(&'static str, String)>) -> Rendered {
    Rendered {
        status: err.status,
        headers,
        body: json!({"code": err.code, "message": err.message, "data": null}).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes() {
        let r = success(
            json!({"list": []}),
            vec![("X-Ratelimit-Limit", "24".into())],
        );
        assert_eq!(r.status, 200);
        assert_eq!(
            r.json(),
            json!({"code": 0, "message": "success", "data": {"list": []}})
        );
        assert_eq!(r.header("x-ratelimit-limit"), Some("24"));
        let e = error(&BsError::unauthorized(), vec![]);
        assert_eq!(e.status, 401);
        let v = e.json();
        assert_eq!(v["code"], 401);
        assert!(v["data"].is_null());
        assert!(v["message"].as_str().unwrap().contains("token"));
    }
}
