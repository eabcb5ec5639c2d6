//! Alibaba answer envelopes: JSON or XML, success or error, each with a `RequestId`.
//!
//! A success body is built once as a JSON object and rendered either way. In XML the root is
//! `<ActionResponse>` (errors: `<Error>`), an object is a nested element and a list is the
//! same element repeated, as the seeds' XML examples show (`<Domains><CDNDomain>..</CDNDomain>
//! <CDNDomain>..</CDNDomain></Domains>` for JSON `"Domains":{"CDNDomain":[..]}`).

use serde_json::{Map, Value};

use super::errors::AliError;

/// The `HostId` of error answers (seed: "the ID of the site you accessed").
pub const HOST_ID: &str = "cdn.aliyuncs.com";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

/// `Format` is JSON or XML in any case (SDKs send `JSON` and `json`); absent means XML, the
/// seed's default. MODELLED: another value is `InvalidParameter` (answered in XML).
pub fn parse_format(raw: Option<&str>) -> Result<Format, AliError> {
    match raw.map(str::to_ascii_lowercase).as_deref() {
        None | Some("") | Some("xml") => Ok(Format::Xml),
        Some("json") => Ok(Format::Json),
        Some(_) => Err(AliError::invalid_value("Format")),
    }
}

/// A finished HTTP answer, independent of the web framework.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    /// The error's `Code` (none on success).
    pub code: Option<String>,
}

/// A new request id: an upper-case UUID like the seeds' `4C467B38-3910-447D-87BC-AC049166F216`.
pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_ascii_uppercase()
}

pub fn success(
    format: Format,
    action: &str,
    request_id: &str,
    mut body: Map<String, Value>,
) -> Rendered {
    body.insert("RequestId".into(), Value::String(request_id.to_string()));
    render(format, 200, &format!("{action}Response"), body)
}

pub fn error(format: Format, request_id: &str, err: &AliError) -> Rendered {
    let mut body = Map::new();
    body.insert("RequestId".into(), request_id.into());
    body.insert("HostId".into(), HOST_ID.into());
    body.insert("Code".into(), err.code.clone().into());
    body.insert("Message".into(), err.message.clone().into());
    Rendered {
        code: Some(err.code.clone()),
        ..render(format, err.status, "Error", body)
    }
}

fn render(format: Format, status: u16, root: &str, body: Map<String, Value>) -> Rendered {
    match format {
        Format::Json => Rendered {
            status,
            content_type: "application/json;charset=utf-8",
            body: Value::Object(body).to_string(),
            code: None,
        },
        Format::Xml => Rendered {
            status,
            content_type: "text/xml;charset=utf-8",
            body: to_xml(root, &body),
            code: None,
        },
    }
}

pub fn to_xml(root: &str, body: &Map<String, Value>) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    out.push_str(&format!("<{root}>"));
    write_children(&mut out, body);
    out.push_str(&format!("</{root}>"));
    out
}

fn write_children(out: &mut String, obj: &Map<String, Value>) {
    for (name, value) in obj {
        match value {
            Value::Array(items) => {
                for item in items {
                    write_element(out, name, item);
                }
            }
            other => write_element(out, name, other),
        }
    }
}

fn write_element(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Null => out.push_str(&format!("<{name}/>")),
        Value::Object(children) => {
            out.push_str(&format!("<{name}>"));
            write_children(out, children);
            out.push_str(&format!("</{name}>"));
        }
        // A list inside a list has no name of its own in XML: repeat the outer name.
        Value::Array(items) => items.iter().for_each(|i| write_element(out, name, i)),
        Value::String(s) => out.push_str(&format!(
            "<{name}>{}</{name}>",
            quick_xml::escape::escape(s.as_str())
        )),
        Value::Bool(b) => out.push_str(&format!("<{name}>{b}</{name}>")),
        Value::Number(n) => out.push_str(&format!("<{name}>{n}</{name}>")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn xml_lists_repeat_the_element_and_text_is_escaped() {
        let body = obj(json!({
            "Domains": {"CDNDomain": [{"DomainName": "a.com"}, {"DomainName": "b&c"}]},
            "PageNumber": 1,
            "OperationLocks": {"LockReason": []}
        }));
        let r = success(Format::Xml, "DescribeUserDomains", "RID", body);
        assert_eq!(r.status, 200);
        assert_eq!(
            r.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeUserDomainsResponse><Domains><CDNDomain><DomainName>a.com</DomainName></CDNDomain><CDNDomain><DomainName>b&amp;c</DomainName></CDNDomain></Domains><PageNumber>1</PageNumber><OperationLocks></OperationLocks><RequestId>RID</RequestId></DescribeUserDomainsResponse>"
        );
    }

    #[test]
    fn json_success_and_error_envelopes() {
        let r = success(Format::Json, "X", "RID", obj(json!({"A": "1"})));
        assert_eq!(r.content_type, "application/json;charset=utf-8");
        let v: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v, json!({"A": "1", "RequestId": "RID"}));

        let e = error(Format::Json, "RID", &AliError::unsupported_operation());
        assert_eq!(e.status, 400);
        let v: Value = serde_json::from_str(&e.body).unwrap();
        assert_eq!(
            v,
            json!({"RequestId": "RID", "HostId": "cdn.aliyuncs.com", "Code": "UnsupportedOperation",
                   "Message": "The specified action is not supported."})
        );
    }

    #[test]
    fn xml_error_has_error_root() {
        let e = error(Format::Xml, "RID", &AliError::service_busy());
        assert_eq!(e.status, 503);
        assert_eq!(
            e.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><RequestId>RID</RequestId><HostId>cdn.aliyuncs.com</HostId><Code>ServiceBusy</Code><Message>The specified Domain is configuring, please retry later</Message></Error>"
        );
    }

    #[test]
    fn format_parsing() {
        assert_eq!(parse_format(None).unwrap(), Format::Xml);
        assert_eq!(parse_format(Some("json")).unwrap(), Format::Json);
        assert_eq!(parse_format(Some("JSON")).unwrap(), Format::Json);
        assert_eq!(parse_format(Some("xml")).unwrap(), Format::Xml);
        assert!(parse_format(Some("yaml")).is_err());
    }

    #[test]
    fn request_ids_are_upper_case_uuids() {
        let id = new_request_id();
        assert_eq!(id.len(), 36);
        assert_eq!(id, id.to_ascii_uppercase());
    }
}
