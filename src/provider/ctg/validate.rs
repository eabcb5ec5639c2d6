//! CTG rules checked at plan time, each naming the attribute's JSON
//! pointer. The seed gives no limits for domain configuration; the ones
//! here are MODELLED as the API would need them: at most `MAX_ORIGINS`
//! origins of type ip or domain with a usable port and a weight in
//! 1..=100, a certificate id for HTTPS, IPs and CIDRs in the IP list,
//! parseable regular expressions, non-empty lists and header names.

use crate::model::domain::{is_valid_domain_name, MatchKind, MAX_TTL_SECONDS};
use crate::model::{Domain, OriginType};
use crate::provider::Invalid;
use std::net::IpAddr;

/// MODELLED: origins per domain.
pub const MAX_ORIGINS: usize = 10;

struct Out(Vec<Invalid>);

impl Out {
    fn push(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        self.0.push(Invalid {
            pointer: pointer.into(),
            message: format!("CTG overseas fused CDN: {}", message.into()),
        });
    }
}

fn is_ip_or_cidr(s: &str) -> bool {
    match s.split_once('/') {
        None => s.parse::<IpAddr>().is_ok(),
        Some((ip, bits)) => match (ip.parse::<IpAddr>(), bits.parse::<u8>()) {
            (Ok(IpAddr::V4(_)), Ok(b)) => b <= 32,
            (Ok(IpAddr::V6(_)), Ok(b)) => b <= 128,
            _ => false,
        },
    }
}

fn header_names(d: &[crate::model::domain::Header], at: &str, out: &mut Out) {
    for (i, h) in d.iter().enumerate() {
        let ok = !h.name.is_empty()
            && h.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
        if !ok {
            out.push(
                format!("{at}/{i}/name"),
                format!("{:?} is not a header name", h.name),
            );
        }
    }
}

pub fn validate(d: &Domain) -> Vec<Invalid> {
    let mut out = Out(Vec::new());
    if !is_valid_domain_name(&d.name) {
        out.push("/name", format!("{:?} is not a valid domain name", d.name));
    }
    if d.origins.is_empty() {
        out.push("/origins", "give at least one origin");
    }
    if d.origins.len() > MAX_ORIGINS {
        out.push("/origins", format!("at most {MAX_ORIGINS} origins"));
    }
    for (i, o) in d.origins.iter().enumerate() {
        let at = format!("/origins/{i}");
        match o.origin_type {
            OriginType::Oss => out.push(format!("{at}/type"), "origins are ip or domain"),
            OriginType::Ip if o.address.parse::<IpAddr>().is_err() => out.push(
                format!("{at}/address"),
                format!("{:?} is not an IP address", o.address),
            ),
            OriginType::Domain if !is_valid_domain_name(&o.address) => out.push(
                format!("{at}/address"),
                format!("{:?} is not a host name", o.address),
            ),
            _ => {}
        }
        if o.port == 0 {
            out.push(format!("{at}/port"), "port must be 1..65535");
        }
        if !(1..=100).contains(&o.weight) {
            out.push(format!("{at}/weight"), "weight must be 1..100");
        }
    }
    if let Some(h) = &d.origin_host {
        if h.trim().is_empty() || h.contains(char::is_whitespace) {
            out.push("/origin_host", format!("{h:?} must be a host name"));
        }
    }
    for (i, r) in d.cache_rules.iter().enumerate() {
        let at = format!("/cache_rules/{i}");
        if r.patterns.is_empty() || r.patterns.iter().any(|p| p.trim().is_empty()) {
            out.push(format!("{at}/patterns"), "give non-empty patterns");
        }
        if r.ttl.seconds() > MAX_TTL_SECONDS {
            out.push(format!("{at}/ttl"), "TTL longer than two years");
        }
        if r.match_kind == MatchKind::Regex {
            for p in &r.patterns {
                if let Err(e) = regex_syntax::Parser::new().parse(p) {
                    out.push(
                        format!("{at}/patterns"),
                        format!("{p:?} is not a regular expression: {e}"),
                    );
                }
            }
        }
    }
    let lists = [
        ("/referer/list", d.referer.as_ref().map(|r| &r.list)),
        ("/ip_filter/list", d.ip_filter.as_ref().map(|f| &f.list)),
        (
            "/user_agent_filter/list",
            d.user_agent_filter.as_ref().map(|f| &f.list),
        ),
    ];
    for (at, list) in lists {
        if list.is_some_and(|l| l.is_empty() || l.iter().any(|e| e.trim().is_empty())) {
            out.push(at, "give non-empty entries, or remove the block");
        }
    }
    if let Some(f) = &d.ip_filter {
        for (i, e) in f.list.iter().enumerate() {
            if !e.trim().is_empty() && !is_ip_or_cidr(e) {
                out.push(
                    format!("/ip_filter/list/{i}"),
                    format!("{e:?} is not an IP or CIDR"),
                );
            }
        }
    }
    header_names(&d.response_headers, "/response_headers", &mut out);
    header_names(
        &d.origin_request_headers,
        "/origin_request_headers",
        &mut out,
    );
    if let Some(h) = &d.https {
        if h.certificate
            .id
            .as_deref()
            .unwrap_or_default()
            .trim()
            .is_empty()
        {
            out.push(
                "/https/certificate/id",
                "HTTPS needs the id of a certificate held by CTG; PEM upload is not supported",
            );
        }
        if let Some(v) = &h.min_tls_version {
            if !["1.0", "1.1", "1.2", "1.3"].contains(&v.as_str()) {
                out.push("/https/min_tls_version", format!("{v:?} is not 1.0..1.3"));
            }
        }
    }
    out.0
}
