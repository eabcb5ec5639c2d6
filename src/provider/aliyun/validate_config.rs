//! Alibaba's rules on the domain configuration (cache rules, filters,
//! headers, certificate), checked at plan time. List limits marked
//! MODELLED are our reading of the console's limits, not from API-NOTES.

use super::config_map::{rule_weight, MAX_WEIGHT};
use crate::model::domain::{AccessFilter, MatchKind};
use crate::model::Domain;
use crate::provider::Invalid;

/// Weights run 1..=99 and each rule needs its own.
pub const MAX_CACHE_RULES: usize = MAX_WEIGHT as usize;
/// MODELLED: entries of a referer list.
pub const MAX_REFERER_LIST: usize = 100;
/// MODELLED: entries of an IP allow/deny list.
pub const MAX_IP_LIST: usize = 100;
/// MODELLED: entries of a user agent list.
pub const MAX_UA_LIST: usize = 100;

fn push(out: &mut Vec<Invalid>, pointer: String, message: String) {
    out.push(Invalid {
        pointer,
        message: format!("Alibaba Cloud CDN {message}"),
    });
}

pub fn validate(d: &Domain, out: &mut Vec<Invalid>) {
    cache_rules(d, out);
    if let Some(r) = &d.referer {
        list(
            out,
            "/referer/list",
            &r.list,
            MAX_REFERER_LIST,
            ",",
            "referer",
        );
    }
    if let Some(f) = &d.ip_filter {
        ip_list(out, f);
    }
    if let Some(f) = &d.user_agent_filter {
        list(
            out,
            "/user_agent_filter/list",
            &f.list,
            MAX_UA_LIST,
            "|",
            "user agent",
        );
    }
    for (field, headers) in [
        ("response_headers", &d.response_headers),
        ("origin_request_headers", &d.origin_request_headers),
    ] {
        for (i, h) in headers.iter().enumerate() {
            let bad = h.name.is_empty() || h.name.chars().any(|c| c.is_whitespace() || c == ':');
            if bad {
                push(
                    out,
                    format!("/{field}/{i}/name"),
                    format!("header name {:?} is not a valid header name", h.name),
                );
            }
        }
    }
    if d.origin_host
        .as_deref()
        .is_some_and(|h| h.trim().is_empty())
    {
        push(
            out,
            "/origin_host".into(),
            "origin_host must not be empty".into(),
        );
    }
    if let Some(h) = &d.https {
        let c = &h.certificate;
        let upload = c.public_pem.is_some() || c.private_pem.is_some();
        if c.id.is_some() && upload {
            push(
                out,
                "/https/certificate".into(),
                "certificate takes either an id or public_pem and private_pem, not both".into(),
            );
        } else if c.id.is_none() && (c.public_pem.is_none() || c.private_pem.is_none()) {
            push(
                out,
                "/https/certificate".into(),
                "certificate needs an id, or both public_pem and private_pem".into(),
            );
        }
    }
}

fn cache_rules(d: &Domain, out: &mut Vec<Invalid>) {
    if d.cache_rules.len() > MAX_CACHE_RULES {
        push(
            out,
            "/cache_rules".into(),
            format!(
                "allows at most {MAX_CACHE_RULES} cache rules; found {}",
                d.cache_rules.len()
            ),
        );
    }
    let mut previous: Option<u32> = None;
    for (i, r) in d.cache_rules.iter().enumerate() {
        let at = |f: &str| format!("/cache_rules/{i}/{f}");
        if let Some(p) = r.priority.filter(|p| !(1..=MAX_WEIGHT).contains(p)) {
            push(
                out,
                at("priority"),
                format!("cache rule priority must be between 1 and {MAX_WEIGHT}, not {p}"),
            );
        }
        let weight = rule_weight(i, r.priority);
        if previous.is_some_and(|p| weight >= p) {
            push(out, at("priority"), format!(
                "orders cache rules by weight only: this rule's weight {weight} must be lower than the one \
                 before it ({}); list rules with a higher priority first",
                previous.unwrap_or_default()
            ));
        }
        previous = Some(weight);
        if r.patterns.is_empty() {
            push(
                out,
                at("patterns"),
                "cache rule needs at least one pattern".into(),
            );
        }
        for (j, p) in r.patterns.iter().enumerate() {
            let ptr = format!("/cache_rules/{i}/patterns/{j}");
            let why = match r.match_kind {
                MatchKind::Extension
                    if p.is_empty()
                        || p.contains(['.', ',', '/'])
                        || p.contains(char::is_whitespace) =>
                {
                    Some("an extension without the dot, comma, slash or spaces")
                }
                MatchKind::Directory if !p.starts_with('/') || !p.ends_with('/') => {
                    Some("a directory that starts and ends with /")
                }
                MatchKind::Path if !p.starts_with('/') || p.ends_with('/') || p.contains(',') => {
                    Some("a path that starts with / and does not end with /")
                }
                _ => None,
            };
            if let Some(why) = why {
                push(out, ptr, format!("cache rule pattern {p:?} must be {why}"));
            }
        }
    }
}

fn list(out: &mut Vec<Invalid>, ptr: &str, items: &[String], max: usize, sep: &str, what: &str) {
    if items.is_empty() {
        push(out, ptr.into(), format!("{what} list must not be empty"));
    }
    if items.len() > max {
        push(
            out,
            ptr.into(),
            format!("allows at most {max} {what} entries; found {}", items.len()),
        );
    }
    for (i, s) in items.iter().enumerate() {
        if s.trim().is_empty() || s.contains(sep) {
            push(
                out,
                format!("{ptr}/{i}"),
                format!("{what} entry {s:?} must not be empty or contain {sep:?}"),
            );
        }
    }
}

fn ip_list(out: &mut Vec<Invalid>, f: &AccessFilter) {
    list(out, "/ip_filter/list", &f.list, MAX_IP_LIST, ",", "IP");
    for (i, s) in f.list.iter().enumerate() {
        let ok = match s.split_once('/') {
            Some((ip, bits)) => ip
                .parse::<std::net::IpAddr>()
                .ok()
                .zip(bits.parse::<u8>().ok())
                .is_some_and(|(ip, b)| b <= if ip.is_ipv4() { 32 } else { 128 }),
            None => s.parse::<std::net::IpAddr>().is_ok(),
        };
        if !ok && !s.trim().is_empty() {
            push(
                out,
                format!("/ip_filter/list/{i}"),
                format!("IP list entry {s:?} is not an IP address or CIDR block"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::domain::{CacheRule, FilterMode, Ttl};
    use crate::model::{CdnType, Origin, OriginType};

    fn domain() -> Domain {
        Domain::new(
            "www.example.com",
            CdnType::Web,
            vec![Origin {
                origin_type: OriginType::Ip,
                address: "192.0.2.1".into(),
                port: 80,
                priority: 20,
                weight: 10,
            }],
        )
    }

    fn rule(kind: MatchKind, patterns: &[&str], priority: Option<u32>) -> CacheRule {
        CacheRule {
            match_kind: kind,
            patterns: patterns.iter().map(|s| s.to_string()).collect(),
            ttl: Ttl(60),
            ignore_query: false,
            honor_no_cache: false,
            priority,
        }
    }

    fn pointers(d: &Domain) -> Vec<String> {
        let mut out = Vec::new();
        validate(d, &mut out);
        out.into_iter().map(|i| i.pointer).collect()
    }

    #[test]
    fn good_rules_pass() {
        let mut d = domain();
        d.cache_rules = vec![
            rule(MatchKind::Extension, &["jpg", "png"], None),
            rule(MatchKind::Directory, &["/static/"], None),
            rule(MatchKind::Path, &["/index.html"], Some(10)),
        ];
        assert!(pointers(&d).is_empty());
    }

    #[test]
    fn bad_rules() {
        let mut d = domain();
        d.cache_rules = vec![
            rule(MatchKind::Extension, &[".jpg"], Some(5)),
            rule(MatchKind::Directory, &["/static"], None),
            rule(MatchKind::Path, &["/a/"], Some(100)),
            rule(MatchKind::Path, &[], None),
        ];
        assert_eq!(
            pointers(&d),
            [
                "/cache_rules/0/patterns/0",
                "/cache_rules/1/priority",
                "/cache_rules/1/patterns/0",
                "/cache_rules/2/priority",
                "/cache_rules/2/priority",
                "/cache_rules/2/patterns/0",
                "/cache_rules/3/patterns",
            ]
        );
        d.cache_rules = (0..100)
            .map(|_| rule(MatchKind::Extension, &["a"], None))
            .collect();
        assert!(pointers(&d).contains(&"/cache_rules".to_string()));
    }

    #[test]
    fn filters_and_certificate() {
        let mut d = domain();
        d.ip_filter = Some(AccessFilter {
            mode: FilterMode::Deny,
            list: vec!["192.0.2.0/24".into(), "2001:db8::/129".into(), "x".into()],
        });
        d.user_agent_filter = Some(AccessFilter {
            mode: FilterMode::Allow,
            list: vec!["a|b".into()],
        });
        d.https = Some(crate::model::domain::Https {
            certificate: crate::model::domain::Certificate {
                id: None,
                public_pem: Some("P".into()),
                private_pem: None,
            },
            http2: false,
            http3: false,
            force_redirect: false,
            min_tls_version: None,
        });
        assert_eq!(
            pointers(&d),
            [
                "/ip_filter/list/1",
                "/ip_filter/list/2",
                "/user_agent_filter/list/0",
                "/https/certificate"
            ]
        );
        d.ip_filter.as_mut().unwrap().list =
            (0..101).map(|i| format!("10.0.0.{}", i % 250)).collect();
        assert!(pointers(&d).contains(&"/ip_filter/list".to_string()));
    }
}
