//! One Baishan request's parameters: the query string (with repeated `config[]=` keys) and
//! the JSON body, and the common parameters read from them (`token`, `domains`).
//!
//! The seed says "add request parameters to the URL query strings" while every example sends
//! a JSON body, so both are read. MODELLED: a parameter given in both places is taken from
//! the body; a non-empty body must be a JSON object (400 otherwise).

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use super::error::BsError;

/// At most this many domains in one call (`domains=a,b`), per the seed and API-NOTES.
pub const MAX_DOMAINS_PER_CALL: usize = 10;

#[derive(Debug, Clone, Default)]
pub struct Request {
    query: Vec<(String, String)>,
    body: Map<String, Value>,
}

fn decode(s: &str) -> String {
    let spaced = s.replace('+', " ");
    percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

impl Request {
    pub fn parse(query: Option<&str>, body: &[u8]) -> Result<Self, BsError> {
        let query = query
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (decode(k), decode(v)),
                None => (decode(p), String::new()),
            })
            .collect();
        let body = if body.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(m)) => m,
                _ => return Err(BsError::invalid("the request body must be a JSON object")),
            }
        };
        Ok(Request { query, body })
    }

    /// The first query value of `name`.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every query value of `name` (repeated keys).
    pub fn query_all(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// `name` from the body, else from the query (as a JSON string).
    pub fn param(&self, name: &str) -> Option<Value> {
        self.body
            .get(name)
            .cloned()
            .or_else(|| self.query(name).map(|v| Value::String(v.to_string())))
    }

    /// The token: `?token=` first (the documented place), else the body's `token`.
    pub fn token(&self) -> Option<String> {
        if let Some(t) = self.query("token") {
            return Some(t.to_string());
        }
        match self.body.get("token") {
            Some(Value::String(t)) => Some(t.clone()),
            _ => None,
        }
    }

    /// The domain names of `domains` (every example) or `domain` (the seed's parameter
    /// table): a comma-separated string, or MODELLED also a JSON array of strings. Names are
    /// trimmed and lower-cased; repeats are dropped (MODELLED); 1 to 10 names.
    pub fn domains(&self) -> Result<Vec<String>, BsError> {
        let raw = self
            .param("domains")
            .or_else(|| self.param("domain"))
            .ok_or_else(|| BsError::invalid("domains is required"))?;
        let parts: Vec<String> = match raw {
            Value::String(s) => s.split(',').map(str::to_string).collect(),
            Value::Array(items) => items
                .into_iter()
                .map(|i| match i {
                    Value::String(s) => Ok(s),
                    _ => Err(BsError::invalid("domains must be strings")),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(BsError::invalid("domains must be a comma-separated string")),
        };
        let mut names: Vec<String> = Vec::new();
        for p in parts {
            let name = p.trim().to_ascii_lowercase();
            if name.is_empty() {
                return Err(BsError::invalid("domains contains an empty name"));
            }
            if !names.contains(&name) {
                names.push(name);
            }
        }
        if names.is_empty() {
            return Err(BsError::invalid("domains is required"));
        }
        if names.len() > MAX_DOMAINS_PER_CALL {
            return Err(BsError::invalid(format!(
                "at most {MAX_DOMAINS_PER_CALL} domains per call, got {}",
                names.len()
            )));
        }
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_and_body_parameters() {
        let r = Request::parse(
            Some("token=a%2Bb&config[]=origin&config%5B%5D=referer&x=1+2"),
            br#"{"x": "body", "token": "ignored"}"#,
        )
        .unwrap();
        assert_eq!(r.token().as_deref(), Some("a+b"));
        assert_eq!(r.query_all("config[]"), vec!["origin", "referer"]);
        assert_eq!(r.query("x"), Some("1 2"));
        assert_eq!(r.param("x"), Some(Value::String("body".into())));
        let r = Request::parse(None, br#"{"token": "tk"}"#).unwrap();
        assert_eq!(r.token().as_deref(), Some("tk"));
        assert!(Request::parse(None, b"[1]").is_err());
        assert!(Request::parse(None, b"not json").is_err());
        assert!(Request::parse(None, b"  ").unwrap().token().is_none());
    }

    #[test]
    fn domains_forms_and_limits() {
        let r = Request::parse(Some("domains=A.com,%20b.com,a.com"), b"").unwrap();
        assert_eq!(r.domains().unwrap(), vec!["a.com", "b.com"]);
        let r = Request::parse(Some("domain=a.com"), b"").unwrap();
        assert_eq!(r.domains().unwrap(), vec!["a.com"]);
        let r = Request::parse(None, br#"{"domains": ["a.com", "b.com"]}"#).unwrap();
        assert_eq!(r.domains().unwrap().len(), 2);
        let ten: Vec<String> = (0..10).map(|i| format!("d{i}.com")).collect();
        let r = Request::parse(Some(&format!("domains={}", ten.join(","))), b"").unwrap();
        assert_eq!(r.domains().unwrap().len(), 10);
        let r = Request::parse(Some(&format!("domains={},x.com", ten.join(","))), b"").unwrap();
        assert_eq!(r.domains().unwrap_err().status, 400);
        assert!(Request::parse(None, b"").unwrap().domains().is_err());
        assert!(Request::parse(Some("domains=a.com,,b.com"), b"")
            .unwrap()
            .domains()
            .is_err());
    }
}
