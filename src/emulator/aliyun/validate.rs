//! Validation of action parameters: domain names, business types, origins, pages.
//!
//! Origin rules come from the seeds (2014 `AddCdnDomain`: "IPs and domain names cannot be
//! entered at the same time", "only one domain name", error "Source name can not equal to
//! domain name") and API-NOTES (2018 `Sources` JSON with type ipaddr|domain|oss).

use std::net::Ipv4Addr;

use serde_json::Value;

use super::errors::AliError;
use super::model::Origin;
use super::ApiVersion;

/// A host name: labels of letters, digits and `-` (not at either end), 1..=63 each, at least
/// two labels, at most 253 characters, a top-level label that is not all digits (so an IPv4
/// address is not a host name). A leading `.` marks a wildcard domain (API-NOTES) when
/// `allow_wildcard`. MODELLED: upper case is accepted and folded to lower case, as DNS does.
pub fn host_name(raw: &str, allow_wildcard: bool) -> Option<String> {
    let lower = raw.trim().to_ascii_lowercase();
    let body = match lower.strip_prefix('.') {
        Some(rest) if allow_wildcard => rest,
        Some(_) => return None,
        None => lower.as_str(),
    };
    if body.is_empty() || body.len() > 253 {
        return None;
    }
    let labels: Vec<&str> = body.split('.').collect();
    if labels.len() < 2 {
        return None;
    }
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if !labels.iter().all(label_ok) {
        return None;
    }
    if labels
        .last()
        .is_some_and(|t| t.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    Some(lower)
}

pub fn domain_name(raw: &str) -> Result<String, AliError> {
    host_name(raw, true).ok_or_else(AliError::invalid_domain_format)
}

pub fn cdn_type(raw: &str) -> Result<String, AliError> {
    match raw {
        "web" | "download" | "video" => Ok(raw.to_string()),
        _ => Err(AliError::invalid_value("CdnType")),
    }
}

/// 2018 `Scope` (API-NOTES: domestic|overseas|global). MODELLED: absent means `domestic`.
pub fn scope(raw: Option<&str>) -> Result<String, AliError> {
    match raw.unwrap_or("domestic") {
        s @ ("domestic" | "overseas" | "global") => Ok(s.to_string()),
        _ => Err(AliError::invalid_value("Scope")),
    }
}

/// A JSON field given as a string or a number, as the SDKs send either.
fn text_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// 2018 `Sources`: a JSON list of `{content, type, port, priority, weight}`.
/// MODELLED defaults when a field is absent: port 80, priority "20", weight "10".
pub fn sources_2018(raw: &str, domain: &str) -> Result<Vec<Origin>, AliError> {
    let list: Vec<Value> = serde_json::from_str(raw).map_err(|_| AliError::invalid_source())?;
    let mut origins = Vec::with_capacity(list.len());
    for item in &list {
        let obj = item.as_object().ok_or_else(AliError::invalid_source)?;
        let content = text_of(obj.get("content")).ok_or_else(AliError::invalid_source)?;
        let kind = text_of(obj.get("type")).ok_or_else(AliError::invalid_source)?;
        let port = match text_of(obj.get("port")) {
            None => 80,
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p >= 1)
                .ok_or_else(|| AliError::invalid_value("Sources.port"))?,
        };
        let priority = match text_of(obj.get("priority")) {
            None => "20".to_string(),
            Some(p) if p == "20" || p == "30" => p,
            Some(_) => return Err(AliError::invalid_value("Sources.priority")),
        };
        let weight = match text_of(obj.get("weight")) {
            None => "10".to_string(),
            Some(w) => match w.parse::<u8>() {
                Ok(n) if n <= 100 => n.to_string(),
                _ => return Err(AliError::invalid_value("Sources.weight")),
            },
        };
        origins.push(Origin {
            content,
            kind,
            port,
            priority,
            weight,
        });
    }
    check_origins(origins, domain, ApiVersion::V2018_05_10)
}

/// 2014 `SourceType` + comma-separated `Sources`. MODELLED: the 2014 API has no port,
/// priority or weight; origins get port 80, priority "20", weight "10".
pub fn sources_2014(source_type: &str, raw: &str, domain: &str) -> Result<Vec<Origin>, AliError> {
    let origins = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|content| Origin {
            content: content.to_string(),
            kind: source_type.to_string(),
            port: 80,
            priority: "20".into(),
            weight: "10".into(),
        })
        .collect();
    check_origins(origins, domain, ApiVersion::V2014_11_11)
}

/// The rules common to both versions. IPs and domain names cannot be mixed and only one
/// domain name may be given (2014 seed). MODELLED: an OSS bucket origin is a domain name for
/// both rules, so a domain has either IP origins only (≤20 in 2018-05-10 as the brief of the
/// current API says, ≤100 in 2014-11-11 as its seed says) or exactly one domain/oss origin.
fn check_origins(
    mut origins: Vec<Origin>,
    domain: &str,
    version: ApiVersion,
) -> Result<Vec<Origin>, AliError> {
    if origins.is_empty() {
        return Err(AliError::invalid_source());
    }
    for o in &mut origins {
        match o.kind.as_str() {
            "ipaddr" => {
                if o.content.parse::<Ipv4Addr>().is_err() {
                    return Err(AliError::invalid_ip());
                }
            }
            "domain" | "oss" => {
                o.content = host_name(&o.content, false).ok_or_else(AliError::invalid_source)?;
            }
            _ => {
                return Err(match version {
                    ApiVersion::V2014_11_11 => AliError::invalid_value("SourceType"),
                    ApiVersion::V2018_05_10 => AliError::invalid_source(),
                })
            }
        }
        if o.content == domain {
            return Err(AliError::source_equals_domain());
        }
    }
    let ips = origins.iter().filter(|o| o.kind == "ipaddr").count();
    let names = origins.len() - ips;
    let max_ips = match version {
        ApiVersion::V2014_11_11 => 100,
        ApiVersion::V2018_05_10 => 20,
    };
    if (ips > 0 && names > 0) || names > 1 || ips > max_ips {
        return Err(AliError::invalid_source());
    }
    Ok(origins)
}

/// `PageNumber` (1..=100000, 2014 seed) and `PageSize` (1..=500 in 2018-05-10, 1..=50 in
/// 2014-11-11; default 20). Out of range or not a number is `InvalidParameter`.
pub fn page(
    number: Option<&str>,
    size: Option<&str>,
    version: ApiVersion,
) -> Result<(usize, usize), AliError> {
    let max_size = match version {
        ApiVersion::V2014_11_11 => 50,
        ApiVersion::V2018_05_10 => 500,
    };
    page_within(number, size, max_size)
}

/// `PageNumber` (1..=100000) and `PageSize` (1..=`max_size`, default 20).
pub fn page_within(
    number: Option<&str>,
    size: Option<&str>,
    max_size: usize,
) -> Result<(usize, usize), AliError> {
    let parse = |raw: Option<&str>, name: &str, default: usize, max: usize| match raw {
        None => Ok(default),
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| AliError::invalid_value(name)),
    };
    Ok((
        parse(number, "PageNumber", 1, 100_000)?,
        parse(size, "PageSize", 20, max_size)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_names() {
        assert_eq!(domain_name("Example.COM").unwrap(), "example.com");
        assert_eq!(domain_name(".example.com").unwrap(), ".example.com");
        for bad in [
            "", "com", "a..com", "-a.com", "a-.com", "a_b.com", "1.2.3.4", "a.com.", "*.a.com",
            "a b.com",
        ] {
            let e = domain_name(bad).unwrap_err();
            assert_eq!(
                e.message, "The specified parameter DomainName format is error.",
                "{bad}"
            );
        }
    }

    #[test]
    fn sources_2018_accepts_strings_or_numbers_and_returns_strings() {
        let o = sources_2018(
            r#"[{"content":"1.1.1.1","type":"ipaddr","port":"8080","priority":30,"weight":"100"},
                {"content":"2.2.2.2","type":"ipaddr"}]"#,
            "a.com",
        )
        .unwrap();
        assert_eq!(
            (o[0].port, o[0].priority.as_str(), o[0].weight.as_str()),
            (8080, "30", "100")
        );
        assert_eq!(
            (o[1].port, o[1].priority.as_str(), o[1].weight.as_str()),
            (80, "20", "10")
        );
    }

    #[test]
    fn sources_2018_rules() {
        let msg = |s: &str| sources_2018(s, "a.com").unwrap_err().message;
        let one = |fields: &str| format!(r#"[{{"content":"1.1.1.1","type":"ipaddr",{fields}}}]"#);
        assert!(msg(&one(r#""port":0"#)).contains("Sources.port"));
        assert!(msg(&one(r#""port":65536"#)).contains("Sources.port"));
        assert!(msg(&one(r#""priority":"10""#)).contains("Sources.priority"));
        assert!(msg(&one(r#""weight":101"#)).contains("Sources.weight"));
        assert!(sources_2018(&one(r#""port":65535,"weight":0"#), "a.com").is_ok());
        assert_eq!(
            msg(r#"[{"content":"1.1.1","type":"ipaddr"}]"#),
            "The specified parameter IP format is error."
        );
        assert_eq!(
            msg(r#"[{"content":"x","type":"ftp"}]"#),
            "The specified Source is not valid."
        );
        assert_eq!(msg("[]"), "The specified Source is not valid.");
        assert_eq!(msg("not json"), "The specified Source is not valid.");
        assert_eq!(
            msg(r#"[{"content":"1.1.1.1","type":"ipaddr"},{"content":"o.com","type":"domain"}]"#),
            "The specified Source is not valid."
        );
        assert_eq!(
            msg(r#"[{"content":"o.com","type":"domain"},{"content":"p.com","type":"domain"}]"#),
            "The specified Source is not valid."
        );
        assert_eq!(
            msg(r#"[{"content":"A.com","type":"domain"}]"#),
            "Source name can not equal to domain name"
        );
        assert_eq!(
            msg(r#"[{"content":"bad_host","type":"domain"}]"#),
            "The specified Source is not valid."
        );
        let many: Vec<String> = (1..=21)
            .map(|i| format!(r#"{{"content":"10.0.0.{i}","type":"ipaddr"}}"#))
            .collect();
        assert!(sources_2018(&format!("[{}]", many.join(",")), "a.com").is_err());
        assert!(sources_2018(&format!("[{}]", many[..20].join(",")), "a.com").is_ok());
    }

    #[test]
    fn sources_2014_rules() {
        let o = sources_2014("ipaddr", "1.1.1.1, 2.2.2.2", "a.com").unwrap();
        assert_eq!(o.len(), 2);
        assert_eq!(
            sources_2014("domain", "o.com", "a.com").unwrap()[0].kind,
            "domain"
        );
        assert!(sources_2014("domain", "o.com,p.com", "a.com").is_err());
        assert_eq!(
            sources_2014("cdn", "o.com", "a.com").unwrap_err().message,
            "The specified value of parameter SourceType is not valid."
        );
        let many: Vec<String> = (1..=21).map(|i| format!("10.0.0.{i}")).collect();
        assert!(sources_2014("ipaddr", &many.join(","), "a.com").is_ok());
    }

    #[test]
    fn page_bounds_per_version() {
        use ApiVersion::*;
        assert_eq!(page(None, None, V2018_05_10).unwrap(), (1, 20));
        assert_eq!(page(Some("2"), Some("500"), V2018_05_10).unwrap(), (2, 500));
        assert!(page(None, Some("501"), V2018_05_10).is_err());
        assert!(page(None, Some("51"), V2014_11_11).is_err());
        assert_eq!(page(None, Some("50"), V2014_11_11).unwrap(), (1, 50));
        assert!(page(Some("0"), None, V2018_05_10).is_err());
        assert!(page(None, Some("0"), V2018_05_10).is_err());
        assert!(page(Some("x"), None, V2014_11_11).is_err());
    }
}
