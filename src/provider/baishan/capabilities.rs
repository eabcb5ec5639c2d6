//! What Baishan Cloud CDN can express of the neutral schema, and its
//! documented limits. Anything left out (user-agent filters, origin request
//! headers, minimum TLS version, IPv6, origin weights, OSS origins,
//! uploaded PEM certificates) is a plan-time error naming baishan.

use super::validate::{MAX_IP_ENTRIES, MAX_ORIGINS_PER_ROLE};
use crate::provider::Capabilities;

pub static CAPABILITIES: Capabilities = Capabilities {
    vendor: "baishan",
    resource_types: &["cdn_domain", "cdn_purge", "cdn_preload"],
    // Leaf attributes only (see the Alibaba table for why).
    attributes: &[
        "/name",
        "/cdn_type",
        "/enabled",
        "/origins/*/type",
        "/origins/*/address",
        "/origins/*/port",
        "/origins/*/priority",
        "/origin_host",
        "/origin_protocol",
        "/cache_rules/*/match",
        "/cache_rules/*/patterns",
        "/cache_rules/*/ttl",
        "/cache_rules/*/ignore_query",
        "/cache_rules/*/honor_no_cache",
        "/cache_rules/*/priority",
        "/referer/mode",
        "/referer/list",
        "/referer/allow_empty",
        "/ip_filter/mode",
        "/ip_filter/list",
        "/response_headers/*/name",
        "/response_headers/*/value",
        "/https/http2",
        "/https/force_redirect",
        "/https/certificate/id",
        "/compression/enabled",
        "/compression/content_types",
        "/compression/min_size",
        "/cname",
        "/https_cname",
        "/status",
        "/created_at",
        "/modified_at",
    ],
    // Up to six default (primary) and six backup origins.
    max_origins: 2 * MAX_ORIGINS_PER_ROLE,
    allowed_values: &[
        // Origins are IPs or domain names; no object storage type.
        ("/origins/*/type", &["ip", "domain"]),
        ("/origins/*/priority", &["20", "30"]),
    ],
    max_items: &[
        ("/origins", 2 * MAX_ORIGINS_PER_ROLE),
        ("/ip_filter/list", MAX_IP_ENTRIES),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::CDN_DOMAIN;

    /// Deliberately not expressible through Baishan's config API.
    const UNSUPPORTED: &[&str] = &[
        "/ipv6",
        "/origins/*/weight",
        "/user_agent_filter/mode",
        "/user_agent_filter/list",
        "/origin_request_headers/*/name",
        "/origin_request_headers/*/value",
        "/https/http3",
        "/https/min_tls_version",
        "/https/certificate/public_pem",
        "/https/certificate/private_pem",
    ];

    /// Every schema attribute is either mapped or deliberately listed as
    /// unsupported: a new schema attribute fails here until decided.
    #[test]
    fn covers_the_whole_schema() {
        let mut expected: Vec<&str> = UNSUPPORTED.to_vec();
        expected.sort();
        assert_eq!(CAPABILITIES.unsupported_in(CDN_DOMAIN.block), expected);
        assert!(!CAPABILITIES.supports_block("/user_agent_filter"));
        assert!(!CAPABILITIES.supports_block("/origin_request_headers"));
        assert_eq!(CAPABILITIES.max_items("/ip_filter/list"), Some(200));
        assert_eq!(
            CAPABILITIES.allowed_values("/origins/2/type"),
            Some(&["ip", "domain"][..])
        );
    }
}
