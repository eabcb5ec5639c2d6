//! XML response bodies (the API's default format) as a `serde_json::Value`
//! tree shaped like the JSON form of the same answer, so one reader serves
//! both: an element with children becomes an object, a repeated child name an
//! array, a text-only or empty element a string. Attributes are ignored (the
//! API uses none).

use quick_xml::events::Event;
use quick_xml::Reader;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// One element being built: its name, its children so far, its text, and
/// which child names repeated (those children are collected in an array).
struct Frame {
    name: String,
    children: Map<String, Value>,
    repeated: HashSet<String>,
    text: String,
}

impl Frame {
    fn new(name: String) -> Self {
        Frame {
            name,
            children: Map::new(),
            repeated: HashSet::new(),
            text: String::new(),
        }
    }

    fn into_value(self) -> Value {
        if self.children.is_empty() {
            Value::String(self.text.trim().to_string())
        } else {
            Value::Object(self.children)
        }
    }

    fn add_child(&mut self, name: String, value: Value) {
        match self.children.get_mut(&name) {
            None => {
                self.children.insert(name, value);
            }
            Some(Value::Array(items)) if self.repeated.contains(&name) => items.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
                self.repeated.insert(name);
            }
        }
    }
}

/// Parse an XML document into `(root element name, value of the root)`.
pub fn parse(text: &str) -> Result<(String, Value), String> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<(String, Value)> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("malformed XML at byte {}: {e}", reader.error_position()))?;
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                stack.push(Frame::new(name));
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                close(&mut stack, &mut root, Frame::new(name))?;
            }
            Event::End(_) => {
                let frame = stack.pop().ok_or("unbalanced XML end tag")?;
                close(&mut stack, &mut root, frame)?;
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    let s = t.decode().map_err(|e| format!("XML text: {e}"))?;
                    push_text(top, &s);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    let s = t.decode().map_err(|e| format!("XML CDATA: {e}"))?;
                    push_text(top, &s);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        _ => {
                            let name = r.decode().map_err(|e| format!("XML entity: {e}"))?;
                            quick_xml::escape::resolve_predefined_entity(&name)
                                .ok_or_else(|| format!("unknown XML entity &{name};"))?
                                .to_string()
                        }
                    };
                    push_text(top, &resolved);
                }
            }
            Event::Eof => break,
            // Declaration, comments, processing instructions, doctype.
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err("XML ended inside an element".into());
    }
    root.ok_or_else(|| "XML document has no root element".into())
}

fn push_text(frame: &mut Frame, s: &str) {
    frame.text.push_str(s);
}

fn close(
    stack: &mut [Frame],
    root: &mut Option<(String, Value)>,
    mut frame: Frame,
) -> Result<(), String> {
    let name = std::mem::take(&mut frame.name);
    let value = frame.into_value();
    match stack.last_mut() {
        Some(parent) => parent.add_child(name, value),
        None if root.is_none() => *root = Some((name, value)),
        None => return Err("XML has more than one root element".into()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn elements_text_and_repetition() {
        let (root, v) = parse(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- comment -->
<R><A>1</A><L><I><N>x</N></I><I><N>y</N></I><I><N>z</N></I></L>
<One><I><N>only</N></I></One><E/><F></F><T>a &amp; b &#65;<![CDATA[<c>]]></T></R>"#,
        )
        .unwrap();
        assert_eq!(root, "R");
        assert_eq!(
            v,
            json!({
                "A": "1",
                "L": {"I": [{"N": "x"}, {"N": "y"}, {"N": "z"}]},
                "One": {"I": {"N": "only"}},
                "E": "", "F": "",
                "T": "a & b A<c>"
            })
        );
    }

    #[test]
    fn text_is_trimmed() {
        let (_, v) = parse("<R><S>offline </S></R>").unwrap();
        assert_eq!(v, json!({"S": "offline"}));
    }

    #[test]
    fn malformed() {
        assert!(parse("<R><A></R>").is_err());
        assert!(parse("").is_err());
        assert!(parse("<R>").is_err());
    }
}
