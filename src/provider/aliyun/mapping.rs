//! The neutral `Domain` and Alibaba's fields, both ways: `Sources` JSON for
//! AddCdnDomain/ModifyCdnDomain, `GetDomainDetailModel` into a `Domain`,
//! `DescribeUserDomains` pages into summaries.

use super::body;
use crate::model::{CdnType, Domain, Origin, OriginType};
use crate::provider::DomainSummary;
use serde_json::{json, Value};

pub fn cdn_type_name(t: CdnType) -> &'static str {
    match t {
        CdnType::Web => "web",
        CdnType::Download => "download",
        CdnType::Video => "video",
    }
}

fn parse_cdn_type(s: &str) -> Result<CdnType, String> {
    match s {
        "web" => Ok(CdnType::Web),
        "download" => Ok(CdnType::Download),
        "video" => Ok(CdnType::Video),
        other => Err(format!("unsupported CdnType {other:?}")),
    }
}

pub fn origin_type_name(t: OriginType) -> &'static str {
    match t {
        OriginType::Ip => "ipaddr",
        OriginType::Domain => "domain",
        OriginType::Oss => "oss",
    }
}

fn parse_origin_type(s: &str) -> Result<OriginType, String> {
    match s {
        "ipaddr" => Ok(OriginType::Ip),
        "domain" => Ok(OriginType::Domain),
        "oss" => Ok(OriginType::Oss),
        other => Err(format!("unsupported origin Type {other:?}")),
    }
}

/// The `Sources` parameter: a JSON list of
/// `{"content","type","port","priority","weight"}`, port a number, priority
/// and weight strings (as the 2018-05-10 API documents them).
pub fn sources_param(origins: &[Origin]) -> String {
    let list: Vec<Value> = origins
        .iter()
        .map(|o| {
            json!({
                "content": o.address,
                "type": origin_type_name(o.origin_type),
                "port": o.port,
                "priority": o.priority.to_string(),
                "weight": o.weight.to_string(),
            })
        })
        .collect();
    Value::Array(list).to_string()
}

/// Parameters of `AddCdnDomain` (`Scope` left to the account's default).
pub fn add_domain_params(d: &Domain) -> Vec<(&'static str, String)> {
    vec![
        ("DomainName", d.name.clone()),
        ("CdnType", cdn_type_name(d.cdn_type).to_string()),
        ("Sources", sources_param(&d.origins)),
    ]
}

/// Parameters of `ModifyCdnDomain`: the origins are replaced as a whole.
pub fn modify_domain_params(d: &Domain) -> Vec<(&'static str, String)> {
    vec![
        ("DomainName", d.name.clone()),
        ("Sources", sources_param(&d.origins)),
    ]
}

/// Is a domain in this status serving traffic (or on its way to)?
pub fn is_enabled(status: &str) -> bool {
    !matches!(status, "offline" | "stopping")
}

fn origin_from_source(s: &Value) -> Result<Origin, String> {
    let address = body::non_empty(s, "Content").ok_or("origin without Content")?;
    let origin_type = parse_origin_type(&body::string(s, "Type").unwrap_or_default())?;
    let number = |key: &str, default: u64| -> Result<u64, String> {
        match &s[key] {
            Value::Null => Ok(default),
            Value::String(t) if t.trim().is_empty() => Ok(default),
            _ => {
                body::uint(s, key).ok_or_else(|| format!("origin {key} {} is not a number", s[key]))
            }
        }
    };
    let port = number("Port", 80)?;
    let port = u16::try_from(port).map_err(|_| format!("origin Port {port} out of range"))?;
    let priority =
        u32::try_from(number("Priority", 20)?).map_err(|_| "origin Priority out of range")?;
    let weight = u32::try_from(number("Weight", 10)?).map_err(|_| "origin Weight out of range")?;
    Ok(Origin {
        origin_type,
        address,
        port,
        priority,
        weight,
    })
}

/// A `DescribeCdnDomainDetail` answer as a `Domain`.
pub fn domain_from_detail(answer: &Value) -> Result<Domain, String> {
    let m = &answer["GetDomainDetailModel"];
    if !m.is_object() {
        return Err("answer has no GetDomainDetailModel".into());
    }
    let name = body::non_empty(m, "DomainName").ok_or("GetDomainDetailModel without DomainName")?;
    let cdn_type = parse_cdn_type(
        &body::non_empty(m, "CdnType").ok_or("GetDomainDetailModel without CdnType")?,
    )?;
    let origins = body::list(m, "SourceModels", "SourceModel")
        .into_iter()
        .map(origin_from_source)
        .collect::<Result<Vec<_>, _>>()?;
    let status = body::non_empty(m, "DomainStatus");
    Ok(Domain {
        enabled: status.as_deref().is_none_or(is_enabled),
        cname: body::non_empty(m, "Cname"),
        https_cname: body::non_empty(m, "HttpsCname"),
        status,
        created_at: body::non_empty(m, "GmtCreated"),
        modified_at: body::non_empty(m, "GmtModified"),
        ..Domain::new(name, cdn_type, origins)
    })
}

/// One `DescribeUserDomains` page: its domains and the `TotalCount`.
/// Reads `Domains.PageData` (2018-05-10) and `Domains.CDNDomain` (2014).
pub fn domains_page(answer: &Value) -> Result<(Vec<DomainSummary>, Option<u64>), String> {
    let mut items = body::list(answer, "Domains", "PageData");
    if items.is_empty() {
        items = body::list(answer, "Domains", "CDNDomain");
    }
    let summaries = items
        .into_iter()
        .map(|d| {
            Ok(DomainSummary {
                name: body::non_empty(d, "DomainName").ok_or("listed domain without DomainName")?,
                status: body::string(d, "DomainStatus").unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok((summaries, body::uint(answer, "TotalCount")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::aliyun::body;

    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/testdata/aliyun/responses/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        body::parse(&std::fs::read_to_string(&path).expect(&path)).expect(name)
    }

    fn origins() -> Vec<Origin> {
        vec![
            Origin {
                origin_type: OriginType::Ip,
                address: "203.0.113.10".into(),
                port: 80,
                priority: 20,
                weight: 10,
            },
            Origin {
                origin_type: OriginType::Ip,
                address: "203.0.113.11".into(),
                port: 8080,
                priority: 30,
                weight: 90,
            },
        ]
    }

    #[test]
    fn add_domain_sources_exact() {
        let d = Domain::new("img.example.com", CdnType::Download, origins());
        let p = add_domain_params(&d);
        assert_eq!(
            p,
            vec![
                ("DomainName", "img.example.com".to_string()),
                ("CdnType", "download".to_string()),
                (
                    "Sources",
                    r#"[{"content":"203.0.113.10","type":"ipaddr","port":80,"priority":"20","weight":"10"},{"content":"203.0.113.11","type":"ipaddr","port":8080,"priority":"30","weight":"90"}]"#
                        .to_string()
                ),
            ]
        );
        assert_eq!(modify_domain_params(&d)[1], p[2]);
    }

    fn expected_detail() -> Domain {
        Domain {
            cname: Some("img.example.com.w.kunlunsl.com".into()),
            https_cname: Some("img.example.com.w.kunlunsl.com".into()),
            status: Some("online".into()),
            created_at: Some("2024-03-01T08:15:30Z".into()),
            modified_at: Some("2024-03-02T09:00:00Z".into()),
            ..Domain::new("img.example.com", CdnType::Web, origins())
        }
    }

    #[test]
    fn detail_json_and_xml_give_the_same_domain() {
        let j = domain_from_detail(&fixture("DescribeCdnDomainDetail.json")).unwrap();
        let x = domain_from_detail(&fixture("DescribeCdnDomainDetail.xml")).unwrap();
        assert_eq!(j, expected_detail());
        assert_eq!(x, expected_detail());
    }

    #[test]
    fn detail_single_origin_in_xml_and_offline() {
        let d = domain_from_detail(&fixture("DescribeCdnDomainDetail-offline.xml")).unwrap();
        assert_eq!(d.origins.len(), 1);
        assert_eq!(d.origins[0].origin_type, OriginType::Domain);
        assert_eq!(d.origins[0].address, "origin.example.net");
        assert_eq!(d.origins[0].port, 443);
        assert_eq!(d.status.as_deref(), Some("offline"));
        assert!(!d.enabled);
        assert_eq!(d.cdn_type, CdnType::Video);
    }

    #[test]
    fn status_to_enabled() {
        for (s, e) in [
            ("online", true),
            ("configuring", true),
            ("configure_failed", true),
            ("checking", true),
            ("offline", false),
            ("stopping", false),
        ] {
            assert_eq!(is_enabled(s), e, "{s}");
        }
    }

    #[test]
    fn detail_errors() {
        assert!(domain_from_detail(&serde_json::json!({"RequestId": "x"})).is_err());
        let bad = serde_json::json!({"GetDomainDetailModel": {
            "DomainName": "a.example.com", "CdnType": "web",
            "SourceModels": {"SourceModel": [{"Content": "x", "Type": "fc_domain"}]}}});
        assert!(domain_from_detail(&bad).unwrap_err().contains("fc_domain"));
    }

    #[test]
    fn user_domains_pages() {
        for f in ["DescribeUserDomains.json", "DescribeUserDomains.xml"] {
            let (items, total) = domains_page(&fixture(f)).unwrap();
            assert_eq!(total, Some(3), "{f}");
            let names: Vec<_> = items
                .iter()
                .map(|d| (d.name.as_str(), d.status.as_str()))
                .collect();
            assert_eq!(
                names,
                [
                    ("img.example.com", "online"),
                    ("static.example.com", "offline"),
                    ("video.example.org", "configuring")
                ],
                "{f}"
            );
        }
        let (items, total) = domains_page(&fixture("DescribeUserDomains-empty.xml")).unwrap();
        assert!(items.is_empty());
        assert_eq!(total, Some(0));
    }
}
