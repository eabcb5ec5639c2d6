//! Response bodies: JSON or XML into one `Value` shape (the XML root element
//! dropped, as JSON has none), and lenient readers for what the API sends
//! loosely (numbers as strings, a one-element list as a bare object).

use super::xml;
use serde_json::Value;

/// Parse a response body, JSON or XML, into the JSON shape of the answer.
pub fn parse(text: &str) -> Result<Value, String> {
    if let Some(why) = crate::provider::answer::not_an_answer(text) {
        return Err(why.to_string());
    }
    let t = text.trim_start_matches('\u{feff}').trim();
    if t.starts_with('<') {
        xml::parse(t).map(|(_root, v)| match v {
            // `<XResponse/>`: an answer with nothing in it.
            Value::String(s) if s.is_empty() => Value::Object(Default::default()),
            v => v,
        })
    } else {
        serde_json::from_str(t).map_err(|e| format!("malformed JSON: {e}"))
    }
}

/// The items of the list at `v[wrapper][item]`, however it came: an array,
/// a single object (one-element list in XML, or a lenient server), or
/// nothing at all (`""`, `{}`, `null`, missing) for an empty list. Also
/// accepts `v[wrapper]` being the array itself.
pub fn list<'a>(v: &'a Value, wrapper: &str, item: &str) -> Vec<&'a Value> {
    let outer = &v[wrapper];
    match outer {
        Value::Array(items) => return items.iter().collect(),
        Value::Object(_) => {}
        _ => return Vec::new(),
    }
    match &outer[item] {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        Value::String(s) if s.is_empty() => Vec::new(),
        one => vec![one],
    }
}

/// A string field; numbers and booleans are given in their text form.
pub fn string(v: &Value, key: &str) -> Option<String> {
    match &v[key] {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A string field that is present and not empty.
pub fn non_empty(v: &Value, key: &str) -> Option<String> {
    string(v, key).filter(|s| !s.is_empty())
}

/// An unsigned integer given as a number or as a string.
pub fn uint(v: &Value, key: &str) -> Option<u64> {
    match &v[key] {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_and_xml_same_shape() {
        let j = parse(r#"{"RequestId":"R1","A":{"B":[{"C":"1"}]}}"#).unwrap();
        let x = parse("<XResponse><RequestId>R1</RequestId><A><B><C>1</C></B></A></XResponse>")
            .unwrap();
        assert_eq!(list(&j, "A", "B"), list(&x, "A", "B"));
        assert_eq!(string(&j, "RequestId"), string(&x, "RequestId"));
        assert_eq!(parse("<XResponse/>").unwrap(), json!({}));
        assert!(parse("not a body").is_err());
        assert_eq!(parse("").unwrap_err(), "empty body");
        assert_eq!(
            parse("<html><body>Welcome to nginx!</body></html>").unwrap_err(),
            "an HTML page, not an API answer"
        );
    }

    #[test]
    fn lenient_lists() {
        let v = json!({
            "Many": {"I": [1, 2]}, "One": {"I": {"x": 1}}, "Empty": "", "Obj": {},
            "Null": {"I": null}, "Bare": [3]
        });
        assert_eq!(list(&v, "Many", "I").len(), 2);
        assert_eq!(list(&v, "One", "I"), vec![&json!({"x": 1})]);
        assert!(list(&v, "Empty", "I").is_empty());
        assert!(list(&v, "Obj", "I").is_empty());
        assert!(list(&v, "Null", "I").is_empty());
        assert!(list(&v, "Missing", "I").is_empty());
        assert_eq!(list(&v, "Bare", "I"), vec![&json!(3)]);
    }

    #[test]
    fn numbers_either_way() {
        let v = json!({"a": 80, "b": "20", "c": " 7 ", "d": "x", "e": 3.0, "f": -1});
        assert_eq!(uint(&v, "a"), Some(80));
        assert_eq!(uint(&v, "b"), Some(20));
        assert_eq!(uint(&v, "c"), Some(7));
        assert_eq!(uint(&v, "d"), None);
        assert_eq!(uint(&v, "e"), Some(3));
        assert_eq!(uint(&v, "f"), None);
        assert_eq!(uint(&v, "zz"), None);
        assert_eq!(string(&v, "a").as_deref(), Some("80"));
    }
}
