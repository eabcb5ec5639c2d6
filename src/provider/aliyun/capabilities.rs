//! What Alibaba Cloud CDN can express of the neutral schema, and its limits.

use super::validate::MAX_IP_ORIGINS;
use super::validate_config::{MAX_CACHE_RULES, MAX_IP_LIST, MAX_REFERER_LIST, MAX_UA_LIST};
use crate::provider::Capabilities;

pub static CAPABILITIES: Capabilities = Capabilities {
    vendor: "aliyun",
    resource_types: &["cdn_domain", "cdn_purge", "cdn_preload"],
    // Leaf attributes only: a listed block (say "/origins") would make
    // `supports` accept anything under it, including attributes added to
    // the schema later.
    attributes: &[
        "/name",
        "/cdn_type",
        "/enabled",
        "/origins/*/type",
        "/origins/*/address",
        "/origins/*/port",
        "/origins/*/priority",
        "/origins/*/weight",
        "/origin_host",
        "/origin_protocol",
        "/ipv6",
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
        "/user_agent_filter/mode",
        "/user_agent_filter/list",
        "/response_headers/*/name",
        "/response_headers/*/value",
        "/origin_request_headers/*/name",
        "/origin_request_headers/*/value",
        "/https/http2",
        "/https/force_redirect",
        "/https/min_tls_version",
        "/https/certificate/id",
        "/https/certificate/public_pem",
        "/https/certificate/private_pem",
        "/compression/enabled",
        "/cname",
        "/https_cname",
        "/status",
        "/created_at",
        "/modified_at",
    ],
    max_origins: MAX_IP_ORIGINS,
    // Values compared as their JSON text without quotes.
    allowed_values: &[
        // No regular expressions: filetype_based_ttl_set and
        // path_based_ttl_set only.
        ("/cache_rules/*/match", &["extension", "directory", "path"]),
        // No per-rule query or no-cache handling in the TTL functions.
        ("/cache_rules/*/ignore_query", &["false"]),
        ("/cache_rules/*/honor_no_cache", &["false"]),
    ],
    max_items: &[
        ("/cache_rules", MAX_CACHE_RULES),
        ("/referer/list", MAX_REFERER_LIST),
        ("/ip_filter/list", MAX_IP_LIST),
        ("/user_agent_filter/list", MAX_UA_LIST),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::CDN_DOMAIN;

    /// Deliberately not expressible: gzip has no content types or size.
    const UNSUPPORTED: &[&str] = &[
        "/https/http3",
        "/compression/content_types",
        "/compression/min_size",
    ];

    /// Every attribute of the `cdn_domain` schema is supported except the
    /// ones listed as deliberately unsupported: a new attribute added to
    /// the schema fails here until it is mapped or listed.
    #[test]
    fn covers_the_whole_schema() {
        let mut expected: Vec<&str> = UNSUPPORTED.to_vec();
        expected.sort();
        assert_eq!(CAPABILITIES.unsupported_in(CDN_DOMAIN.block), expected);
        assert!(!CAPABILITIES.supports("/origins/0/unknown"));
        assert!(!CAPABILITIES.supports("/cache_rules/0/unknown"));
        assert_eq!(CAPABILITIES.max_origins, 20);
    }

    #[test]
    fn value_restrictions_and_limits() {
        assert_eq!(
            CAPABILITIES.allowed_values("/cache_rules/3/match"),
            Some(&["extension", "directory", "path"][..])
        );
        assert_eq!(
            CAPABILITIES.allowed_values("/cache_rules/0/ignore_query"),
            Some(&["false"][..])
        );
        assert_eq!(CAPABILITIES.max_items("/referer/list"), Some(100));
        assert_eq!(CAPABILITIES.max_items("/cache_rules"), Some(99));
    }
}
