//! The `add_response_head` item (seed: "Add_Response_Header"): edits of the response headers
//! the CDN adds, `reset` (replace all, the default), `add` (add or replace by name) or
//! `remove` (by name).
//!
//! MODELLED: the domain stores the resulting header list and answers it as
//! `{"type": "reset", "list": [{name, value}]}`, which written back reproduces it; a list that
//! ends up empty removes the item. Names compare case-insensitively, a name may appear once
//! per request, and removing a header that is not there is no error.

use serde_json::{json, Value};

use super::error::BsError;
use super::values::{array, bad, object, one_of, required, string};

/// A validated edit, applied per domain by `apply`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderEdit {
    pub kind: String,
    /// (name, value); the value is `None` for `remove`.
    pub headers: Vec<(String, Option<String>)>,
}

/// An HTTP header name: an RFC 9110 token.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

pub fn parse(v: &Value) -> Result<HeaderEdit, BsError> {
    const P: &str = "config.add_response_head";
    let m = object(v, P, &["type", "list"])?;
    let kind = match m.get("type") {
        Some(t) => one_of(
            t,
            "config.add_response_head.type",
            &["reset", "add", "remove"],
        )?,
        None => "reset".to_string(),
    };
    let list = array(required(m, "list", P)?, "config.add_response_head.list")?;
    let mut headers: Vec<(String, Option<String>)> = Vec::new();
    for (i, e) in list.iter().enumerate() {
        let path = format!("{P}.list[{i}]");
        let (name, value) = if kind == "remove" {
            (string(e, &path)?.trim().to_string(), None)
        } else {
            let h = object(e, &path, &["name", "value"])?;
            let name = string(required(h, "name", &path)?, &format!("{path}.name"))?;
            let value = string(required(h, "value", &path)?, &format!("{path}.value"))?;
            if value.contains(['\r', '\n']) {
                return Err(bad(
                    &format!("{path}.value"),
                    "must not contain line breaks",
                ));
            }
            (name.trim().to_string(), Some(value.to_string()))
        };
        if !is_token(&name) {
            return Err(bad(&path, format!("{name:?} is not a valid header name")));
        }
        if headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
            return Err(bad(&path, format!("header {name} is given twice")));
        }
        headers.push((name, value));
    }
    Ok(HeaderEdit { kind, headers })
}

impl HeaderEdit {
    /// The edit as the request gave it, normalised (the answer to a config write).
    pub fn echo(&self) -> Value {
        let list: Vec<Value> = self
            .headers
            .iter()
            .map(|(n, v)| match v {
                Some(v) => json!({"name": n, "value": v}),
                None => Value::String(n.clone()),
            })
            .collect();
        json!({"type": self.kind, "list": list})
    }

    /// The stored item after this edit of `current`; `None` when no header is left.
    pub fn apply(&self, current: Option<&Value>) -> Option<Value> {
        let mut list: Vec<(String, String)> = current
            .and_then(|c| c["list"].as_array())
            .map(|l| {
                l.iter()
                    .map(|h| {
                        let s = |k: &str| h[k].as_str().unwrap_or_default().to_string();
                        (s("name"), s("value"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        match self.kind.as_str() {
            "remove" => list.retain(|(n, _)| !self.headers.iter().any(|(r, _)| same(n, r))),
            "add" => {
                for (name, value) in &self.headers {
                    let value = value.clone().unwrap_or_default();
                    match list.iter_mut().find(|(n, _)| same(n, name)) {
                        Some(existing) => *existing = (name.clone(), value),
                        None => list.push((name.clone(), value)),
                    }
                }
            }
            _ => {
                list = self
                    .headers
                    .iter()
                    .map(|(n, v)| (n.clone(), v.clone().unwrap_or_default()))
                    .collect()
            }
        }
        if list.is_empty() {
            return None;
        }
        let list: Vec<Value> = list
            .into_iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect();
        Some(json!({"type": "reset", "list": list}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(v: Value) -> String {
        parse(&v).unwrap_err().message
    }

    #[test]
    fn reset_add_remove() {
        let reset = parse(
            &json!({"list": [{"name": "Content-Type", "value": "text/html"},
                                           {"name": "Cache-Control", "value": "max-age=300"}]}),
        )
        .unwrap();
        assert_eq!(reset.kind, "reset");
        let stored = reset.apply(None).unwrap();
        assert_eq!(stored["type"], "reset");
        assert_eq!(stored["list"][1]["name"], "Cache-Control");

        let add = parse(
            &json!({"type": "add", "list": [{"name": "cache-control", "value": "no-cache"},
                                                         {"name": "X-A", "value": "1"}]}),
        )
        .unwrap();
        let after = add.apply(Some(&stored)).unwrap();
        assert_eq!(
            after["list"],
            json!([{"name": "Content-Type", "value": "text/html"},
                   {"name": "cache-control", "value": "no-cache"},
                   {"name": "X-A", "value": "1"}])
        );
        let remove = parse(&json!({"type": "remove", "list": ["Content-Type", "X-Nope"]})).unwrap();
        assert_eq!(
            remove.echo(),
            json!({"type": "remove", "list": ["Content-Type", "X-Nope"]})
        );
        let after = remove.apply(Some(&after)).unwrap();
        assert_eq!(after["list"].as_array().unwrap().len(), 2);
        let all = parse(&json!({"type": "remove", "list": ["cache-control", "x-a"]})).unwrap();
        assert_eq!(all.apply(Some(&after)), None);
        // The stored form written back as a reset reproduces itself.
        let again = parse(&stored).unwrap().apply(None).unwrap();
        assert_eq!(again, stored);
        assert_eq!(
            parse(&json!({"list": []})).unwrap().apply(Some(&stored)),
            None
        );
    }

    #[test]
    fn header_rules() {
        assert!(err(json!({"type": "replace", "list": []})).contains("type"));
        assert!(err(json!({"type": "add"})).contains("list: is required"));
        assert!(err(json!({"list": [{"name": "Bad Name", "value": "x"}]})).contains("header name"));
        assert!(err(json!({"list": [{"name": "X-A"}]})).contains("value: is required"));
        assert!(err(json!({"list": [{"name": "X-A", "value": "a\r\nb"}]})).contains("line breaks"));
        assert!(err(json!({"list": ["X-A"]})).contains("object"));
        assert!(err(json!({"type": "remove", "list": [{"name": "X-A"}]})).contains("string"));
        assert!(err(
            json!({"list": [{"name": "X-A", "value": "1"}, {"name": "x-a", "value": "2"}]})
        )
        .contains("twice"));
    }
}
