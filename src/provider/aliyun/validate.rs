//! Alibaba's origin rules, checked at plan time so that a domain the API
//! would refuse fails before any call: each problem names the rule and the
//! JSON pointer of the attribute that breaks it.

use crate::model::{Domain, OriginType};
use crate::provider::Invalid;

pub const MAX_IP_ORIGINS: usize = 20;

fn invalid(pointer: String, message: String) -> Invalid {
    Invalid { pointer, message }
}

pub fn validate(d: &Domain) -> Vec<Invalid> {
    let mut out = Vec::new();
    if d.origins.is_empty() {
        out.push(invalid(
            "/origins".into(),
            "Alibaba Cloud CDN needs at least one origin".into(),
        ));
    }
    let first_of = |t: OriginType| d.origins.iter().position(|o| o.origin_type == t);
    // The first origin of the kind that appears later is the offending one.
    if let (Some(ip), Some(dom)) = (first_of(OriginType::Ip), first_of(OriginType::Domain)) {
        let at = ip.max(dom);
        out.push(invalid(
            format!("/origins/{at}/type"),
            "Alibaba Cloud CDN cannot mix IP and domain origins in one domain".into(),
        ));
    }
    let domain_origins: Vec<usize> = d
        .origins
        .iter()
        .enumerate()
        .filter(|(_, o)| o.origin_type == OriginType::Domain)
        .map(|(i, _)| i)
        .collect();
    if let Some(&second) = domain_origins.get(1) {
        out.push(invalid(
            format!("/origins/{second}/type"),
            format!(
                "Alibaba Cloud CDN allows at most one domain origin; found {}",
                domain_origins.len()
            ),
        ));
    }
    let ips = d
        .origins
        .iter()
        .filter(|o| o.origin_type == OriginType::Ip)
        .count();
    if ips > MAX_IP_ORIGINS {
        out.push(invalid(
            "/origins".into(),
            format!("Alibaba Cloud CDN allows at most {MAX_IP_ORIGINS} IP origins; found {ips}"),
        ));
    }
    for (i, o) in d.origins.iter().enumerate() {
        if o.priority != 20 && o.priority != 30 {
            out.push(invalid(
                format!("/origins/{i}/priority"),
                format!(
                    "Alibaba Cloud CDN origin priority must be 20 (primary) or 30 (backup), not {}",
                    o.priority
                ),
            ));
        }
        if o.weight > 100 {
            out.push(invalid(
                format!("/origins/{i}/weight"),
                format!(
                    "Alibaba Cloud CDN origin weight must be between 0 and 100, not {}",
                    o.weight
                ),
            ));
        }
        if o.port == 0 {
            out.push(invalid(
                format!("/origins/{i}/port"),
                "Alibaba Cloud CDN origin port must be between 1 and 65535, not 0".into(),
            ));
        }
        if o.address.trim().is_empty() {
            out.push(invalid(
                format!("/origins/{i}/address"),
                "Alibaba Cloud CDN origin address must not be empty".into(),
            ));
        } else if o
            .address
            .trim_end_matches('.')
            .eq_ignore_ascii_case(&d.name)
        {
            out.push(invalid(
                format!("/origins/{i}/address"),
                format!(
                    "Alibaba Cloud CDN origin address must differ from the accelerated domain {:?} \
                     (requests would loop back into the CDN)",
                    d.name
                ),
            ));
        }
        if o.origin_type == OriginType::Ip && o.address.trim().parse::<std::net::IpAddr>().is_err()
        {
            out.push(invalid(
                format!("/origins/{i}/address"),
                format!(
                    "Alibaba Cloud CDN origin of type ip needs an IP address, not {:?}",
                    o.address
                ),
            ));
        }
    }
    super::validate_config::validate(d, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CdnType, Origin};

    fn origin(t: OriginType, addr: &str) -> Origin {
        Origin {
            origin_type: t,
            address: addr.into(),
            port: 80,
            priority: 20,
            weight: 10,
        }
    }

    fn domain(origins: Vec<Origin>) -> Domain {
        Domain::new("www.example.com", CdnType::Web, origins)
    }

    fn pointers(d: &Domain) -> Vec<String> {
        validate(d).into_iter().map(|i| i.pointer).collect()
    }

    #[test]
    fn valid_domains_pass() {
        let ips = (1..=20)
            .map(|i| origin(OriginType::Ip, &format!("192.0.2.{i}")))
            .collect();
        assert!(validate(&domain(ips)).is_empty());
        assert!(validate(&domain(vec![origin(
            OriginType::Domain,
            "origin.example.net"
        )]))
        .is_empty());
        assert!(validate(&domain(vec![origin(
            OriginType::Oss,
            "b.oss-cn-hangzhou.aliyuncs.com"
        )]))
        .is_empty());
    }

    #[test]
    fn mixing_ip_and_domain() {
        let d = domain(vec![
            origin(OriginType::Ip, "192.0.2.1"),
            origin(OriginType::Ip, "192.0.2.2"),
            origin(OriginType::Domain, "origin.example.net"),
        ]);
        let v = validate(&d);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].pointer, "/origins/2/type");
        assert!(
            v[0].message.contains("cannot mix IP and domain"),
            "{}",
            v[0].message
        );
    }

    #[test]
    fn one_domain_origin_at_most() {
        let d = domain(vec![
            origin(OriginType::Domain, "a.example.net"),
            origin(OriginType::Domain, "b.example.net"),
        ]);
        assert_eq!(pointers(&d), ["/origins/1/type"]);
        assert!(validate(&d)[0]
            .message
            .contains("at most one domain origin"));
    }

    #[test]
    fn twenty_ip_origins_at_most() {
        let ips = (1..=21)
            .map(|i| origin(OriginType::Ip, &format!("192.0.2.{i}")))
            .collect();
        let v = validate(&domain(ips));
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].pointer, "/origins");
        assert!(v[0].message.contains("at most 20 IP origins; found 21"));
    }

    #[test]
    fn per_origin_ranges() {
        let mut o = origin(OriginType::Ip, "192.0.2.1");
        o.priority = 10;
        o.weight = 101;
        o.port = 0;
        assert_eq!(
            pointers(&domain(vec![o])),
            [
                "/origins/0/priority",
                "/origins/0/weight",
                "/origins/0/port"
            ]
        );
        let mut edge = origin(OriginType::Ip, "192.0.2.1");
        edge.priority = 30;
        edge.weight = 0;
        edge.port = 65535;
        assert!(validate(&domain(vec![edge])).is_empty());
    }

    #[test]
    fn origin_is_not_the_domain_itself() {
        let d = domain(vec![origin(OriginType::Domain, "WWW.example.com.")]);
        let v = validate(&d);
        assert_eq!(pointers(&d), ["/origins/0/address"]);
        assert!(v[0]
            .message
            .contains("must differ from the accelerated domain"));
    }

    #[test]
    fn ip_origin_needs_an_ip() {
        let d = domain(vec![origin(OriginType::Ip, "origin.example.net")]);
        assert_eq!(pointers(&d), ["/origins/0/address"]);
    }

    #[test]
    fn no_origins() {
        assert_eq!(pointers(&domain(vec![])), ["/origins"]);
    }
}
