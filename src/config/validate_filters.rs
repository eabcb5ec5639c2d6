//! Checks of the access lists: `ip_filter` entries are IP addresses or
//! CIDR blocks (host bits clear), `referer` entries host names or
//! wildcards without a scheme, and no list holds the same entry twice.

use super::validate::{is_host_name, Ctx};
use crate::model::domain::is_valid_domain_name;
use std::net::IpAddr;

pub fn check(c: &mut Ctx) {
    ip_filter(c);
    referer(c);
    let entries = c
        .strings("/user_agent_filter/list")
        .into_iter()
        .map(|(p, s)| (p.clone(), s.to_string(), c.show(&p, s)))
        .collect();
    c.duplicates(entries, "Duplicate list entry", |s| {
        format!("The user agent {s} is already in this list.")
    });
}

fn ip_filter(c: &mut Ctx) {
    let mut entries = Vec::new();
    for (p, s) in c.strings("/ip_filter/list") {
        match parse_cidr(s) {
            Ok(canonical) => entries.push((p.clone(), canonical, c.show(&p, s))),
            Err(e) => {
                let detail = match e {
                    CidrError::HostBits(net) => format!(
                        "{} has host bits set: the prefix must be a network address.{}",
                        c.show(&p, s),
                        c.suggest(&p, &net)
                    ),
                    CidrError::Prefix(max) => format!(
                        "{} has an invalid prefix length: use a whole number from 0 to {max}.",
                        c.show(&p, s)
                    ),
                    CidrError::Address => format!(
                        "{} is not an IP address or a CIDR block (like 192.0.2.0/24 or 2001:db8::/32).",
                        c.show(&p, s)
                    ),
                };
                c.push(p, "Invalid IP address or CIDR block", detail);
            }
        }
    }
    c.duplicates(entries, "Duplicate list entry", |s| {
        format!("The address {s} is already in this list.")
    });
}

fn referer(c: &mut Ctx) {
    let mut entries = Vec::new();
    for (p, s) in c.strings("/referer/list") {
        if is_valid_domain_name(s) || s.parse::<IpAddr>().is_ok() {
            entries.push((p.clone(), s.to_ascii_lowercase(), c.show(&p, s)));
            continue;
        }
        let (why, host) = match s.split_once("://") {
            Some((_, rest)) => ("without a scheme", host_part(rest)),
            None if s.contains('/') => ("without a path", host_part(s)),
            None => ("", ""),
        };
        let hint = if is_valid_domain_name(host) {
            c.suggest(&p, host)
        } else {
            String::new()
        };
        let detail = if why.is_empty() {
            format!(
                "{} is not a host name or a wildcard like \"*.example.com\".",
                c.show(&p, s)
            )
        } else {
            format!(
                "Referer entries are host names or wildcards like \"*.example.com\", {why}: {} is not one.{hint}",
                c.show(&p, s)
            )
        };
        c.push(p, "Invalid referer entry", detail);
    }
    c.duplicates(entries, "Duplicate list entry", |s| {
        format!("The referer {s} is already in this list (host names are case-insensitive).")
    });
}

/// `example.com` of `example.com:8080/path?q`.
fn host_part(s: &str) -> &str {
    let end = s.find(['/', '?', '#']).unwrap_or(s.len());
    let host = &s[..end];
    match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) && is_host_name(h) => h,
        _ => host,
    }
}

#[derive(Debug, PartialEq)]
pub enum CidrError {
    /// Not an address at all.
    Address,
    /// A prefix length that is not a number from 0 to the given maximum.
    Prefix(u8),
    /// Host bits set; the network address written as a CIDR block.
    HostBits(String),
}

/// Parse an IP address or a CIDR block into its canonical text (an
/// address alone when the prefix covers all of it), so equal blocks
/// written differently compare equal.
pub fn parse_cidr(s: &str) -> Result<String, CidrError> {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let addr: IpAddr = addr.parse().map_err(|_| CidrError::Address)?;
    let max: u8 = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        None => max,
        Some(p) => {
            let ok = !p.is_empty() && p.len() <= 3 && p.chars().all(|c| c.is_ascii_digit());
            match p.parse::<u8>() {
                Ok(n) if ok && n <= max => n,
                _ => return Err(CidrError::Prefix(max)),
            }
        }
    };
    let network = mask(addr, prefix);
    if network != addr {
        return Err(CidrError::HostBits(format!("{network}/{prefix}")));
    }
    Ok(if prefix == max {
        addr.to_string()
    } else {
        format!("{addr}/{prefix}")
    })
}

/// `addr` with every bit after the first `prefix` cleared.
fn mask(addr: IpAddr, prefix: u8) -> IpAddr {
    match addr {
        IpAddr::V4(a) => {
            let m = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((u32::from(a) & m).into())
        }
        IpAddr::V6(a) => {
            let m = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((u128::from(a) & m).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_blocks() {
        assert_eq!(parse_cidr("192.0.2.0/24").unwrap(), "192.0.2.0/24");
        assert_eq!(parse_cidr("192.0.2.1").unwrap(), "192.0.2.1");
        assert_eq!(parse_cidr("192.0.2.1/32").unwrap(), "192.0.2.1");
        assert_eq!(parse_cidr("0.0.0.0/0").unwrap(), "0.0.0.0/0");
        assert_eq!(parse_cidr("2001:DB8::/32").unwrap(), "2001:db8::/32");
        assert_eq!(parse_cidr("::1").unwrap(), "::1");
        assert_eq!(
            parse_cidr("192.0.2.1/24"),
            Err(CidrError::HostBits("192.0.2.0/24".into()))
        );
        assert_eq!(
            parse_cidr("2001:db8::1/64"),
            Err(CidrError::HostBits("2001:db8::/64".into()))
        );
        assert_eq!(parse_cidr("10.0.0.0/33"), Err(CidrError::Prefix(32)));
        assert_eq!(parse_cidr("10.0.0.0/"), Err(CidrError::Prefix(32)));
        assert_eq!(parse_cidr("10.0.0.0/+8"), Err(CidrError::Prefix(32)));
        assert_eq!(parse_cidr("::/129"), Err(CidrError::Prefix(128)));
        assert_eq!(parse_cidr("10.0.0/8"), Err(CidrError::Address));
        assert_eq!(parse_cidr("example.com"), Err(CidrError::Address));
        assert_eq!(parse_cidr(""), Err(CidrError::Address));
    }

    #[test]
    fn host_parts() {
        assert_eq!(host_part("example.com/a?b"), "example.com");
        assert_eq!(host_part("example.com:8080/x"), "example.com");
        assert_eq!(host_part("*.example.com"), "*.example.com");
    }
}
