//! Baishan's rules from the config document, checked at plan time (and
//! before every batch, so one bad domain cannot sink the others): origin
//! counts and roles, one port, IP list forms, TTLs, referer wildcards,
//! comma-free patterns. Each problem names the attribute's JSON pointer.

use super::config::{BACKUP, PRIMARY};
use crate::model::domain::{is_valid_domain_name, MatchKind, OriginProtocol, MAX_TTL_SECONDS};
use crate::model::{Domain, OriginType};
use crate::provider::Invalid;
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr};

/// Up to six default and six backup origins (`default_master`,
/// `default_slave`).
pub const MAX_ORIGINS_PER_ROLE: usize = 6;
/// `ip_black_list` / `ip_white_list` entries.
pub const MAX_IP_ENTRIES: usize = 200;

struct Out(Vec<Invalid>);

impl Out {
    fn push(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        self.0.push(Invalid {
            pointer: pointer.into(),
            message: format!("Baishan Cloud CDN: {}", message.into()),
        });
    }
}

pub fn validate(d: &Domain) -> Vec<Invalid> {
    let mut out = Out(Vec::new());
    if !is_valid_domain_name(&d.name) {
        out.push("/name", format!("{:?} is not a valid domain name", d.name));
    }
    origins(d, &mut out);
    if let Some(h) = &d.origin_host {
        if h.trim().is_empty() || h.contains(char::is_whitespace) {
            out.push(
                "/origin_host",
                format!("origin host {h:?} must be a host name"),
            );
        }
    }
    cache_rules(d, &mut out);
    lists(d, &mut out);
    if let Some(h) = &d.https {
        let id = h.certificate.id.as_deref().unwrap_or_default();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) || id == "0" {
            out.push(
                "/https/certificate/id",
                format!(
                    "HTTPS needs the numeric id of a certificate held by Baishan (cert_id), not {id:?}; \
                     certificates cannot be uploaded through the config API"
                ),
            );
        }
    }
    if let Some(c) = d.compression.as_ref().filter(|c| c.enabled) {
        if c.content_types.as_ref().is_some_and(Vec::is_empty) {
            out.push(
                "/compression/content_types",
                "give at least one content type",
            );
        }
        if c.min_size.is_some_and(|s| s % 1024 != 0) {
            out.push(
                "/compression/min_size",
                "min_size is set in KB or MB: give a multiple of 1024 bytes",
            );
        }
    }
    out.0
}

fn origins(d: &Domain, out: &mut Out) {
    let primaries = d.origins.iter().filter(|o| o.priority == PRIMARY).count();
    let backups = d.origins.iter().filter(|o| o.priority == BACKUP).count();
    if primaries == 0 {
        out.push(
            "/origins",
            "needs at least one primary origin (priority 20)",
        );
    }
    for (count, role) in [(primaries, "primary"), (backups, "backup")] {
        if count > MAX_ORIGINS_PER_ROLE {
            out.push(
                "/origins",
                format!("at most {MAX_ORIGINS_PER_ROLE} {role} origins; found {count}"),
            );
        }
    }
    let mut seen: HashSet<String> = HashSet::new();
    let port = d.origins.first().map(|o| o.port);
    for (i, o) in d.origins.iter().enumerate() {
        let at = |f: &str| format!("/origins/{i}/{f}");
        if o.priority != PRIMARY && o.priority != BACKUP {
            out.push(
                at("priority"),
                format!(
                    "origin priority must be 20 (primary) or 30 (backup), not {}",
                    o.priority
                ),
            );
        }
        let addr = o.address.trim().to_ascii_lowercase();
        if addr.is_empty() || addr.contains(',') || addr.contains(char::is_whitespace) {
            out.push(
                at("address"),
                format!("origin address {:?} must be one IP or host name", o.address),
            );
        } else if !seen.insert(addr.clone()) {
            out.push(
                at("address"),
                format!("origin {:?} is listed twice (a backup origin must differ from the primary ones)", o.address),
            );
        } else if addr.trim_end_matches('.') == d.name.to_ascii_lowercase() {
            out.push(
                at("address"),
                "origin address must differ from the accelerated domain",
            );
        }
        let is_ip = addr.parse::<IpAddr>().is_ok();
        match o.origin_type {
            OriginType::Ip if !is_ip => out.push(
                at("address"),
                format!("origin of type ip needs an IP address, not {:?}", o.address),
            ),
            OriginType::Domain if is_ip => out.push(
                at("type"),
                format!("origin {:?} is an IP address: use type ip", o.address),
            ),
            _ => {}
        }
        if o.port == 0 {
            out.push(at("port"), "origin port must be between 1 and 65535");
        }
        if Some(o.port) != port {
            out.push(at("port"), "all origins share one port on Baishan");
        }
    }
    if d.origin_protocol == Some(OriginProtocol::Follow) && port.is_some_and(|p| p != 80) {
        out.push(
            "/origins/0/port",
            "with origin_protocol follow Baishan picks the port by protocol: leave the port at 80",
        );
    }
}

fn cache_rules(d: &Domain, out: &mut Out) {
    for (i, r) in d.cache_rules.iter().enumerate() {
        let at = |f: &str| format!("/cache_rules/{i}/{f}");
        if r.patterns.is_empty() {
            out.push(at("patterns"), "a cache rule needs at least one pattern");
        }
        for p in &r.patterns {
            if p.trim().is_empty() || p.contains(',') {
                out.push(at("patterns"), format!("pattern {p:?} must be non-empty and without commas (Baishan joins patterns with commas)"));
            } else if r.match_kind == MatchKind::Extension && p.starts_with('.') {
                out.push(
                    at("patterns"),
                    format!("extension {p:?} is written without the dot"),
                );
            } else if matches!(r.match_kind, MatchKind::Directory | MatchKind::Path)
                && !p.starts_with('/')
            {
                out.push(at("patterns"), format!("{p:?} must start with /"));
            }
        }
        if r.ttl.seconds() > MAX_TTL_SECONDS {
            out.push(at("ttl"), "the longest cache TTL is 2 years");
        }
        if r.priority.is_some_and(|p| p > 99) {
            out.push(
                at("priority"),
                "cache rule priority must be between 0 and 99",
            );
        }
    }
}

/// An IPv4 address or an IPv4 /8, /16 or /24 block with its host bits zero.
pub fn ip_entry_ok(entry: &str) -> bool {
    match entry.split_once('/') {
        None => entry.parse::<Ipv4Addr>().is_ok(),
        Some((ip, bits)) => {
            let (Ok(ip), Ok(bits)) = (ip.parse::<Ipv4Addr>(), bits.parse::<u32>()) else {
                return false;
            };
            matches!(bits, 8 | 16 | 24) && u32::from(ip) & ((1u32 << (32 - bits)) - 1) == 0
        }
    }
}

fn lists(d: &Domain, out: &mut Out) {
    if let Some(r) = &d.referer {
        if r.list.is_empty() {
            out.push(
                "/referer/list",
                "give at least one referer or remove the block",
            );
        }
        for (i, e) in r.list.iter().enumerate() {
            let bad = e.trim().is_empty()
                || e.contains(',')
                || e.contains(char::is_whitespace)
                || (e.contains('*') && !(e.starts_with('*') && e.matches('*').count() == 1));
            if bad {
                out.push(format!("/referer/list/{i}"), format!("referer {e:?}: one host per entry; a wildcard must start with * (\"*.example.com\")"));
            }
        }
    }
    if let Some(f) = &d.ip_filter {
        if f.list.is_empty() {
            out.push(
                "/ip_filter/list",
                "give at least one IP or remove the block",
            );
        }
        if f.list.len() > MAX_IP_ENTRIES {
            out.push(
                "/ip_filter/list",
                format!(
                    "at most {MAX_IP_ENTRIES} IP entries; found {}",
                    f.list.len()
                ),
            );
        }
        let mut seen = HashSet::new();
        for (i, e) in f.list.iter().enumerate() {
            if !ip_entry_ok(e) {
                out.push(
                    format!("/ip_filter/list/{i}"),
                    format!("{e:?} is not an IPv4 address or a /8, /16 or /24 block"),
                );
            } else if !seen.insert(e.as_str()) {
                out.push(
                    format!("/ip_filter/list/{i}"),
                    format!("{e:?} is listed twice"),
                );
            }
        }
    }
    let mut names = HashSet::new();
    for (i, h) in d.response_headers.iter().enumerate() {
        let token = !h.name.is_empty()
            && h.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c));
        if !token {
            out.push(
                format!("/response_headers/{i}/name"),
                format!("{:?} is not a header name", h.name),
            );
        } else if !names.insert(h.name.to_ascii_lowercase()) {
            out.push(
                format!("/response_headers/{i}/name"),
                format!("header {:?} is set twice", h.name),
            );
        }
    }
}
