//! What the CTG overseas fused CDN can express of the neutral schema.
//! Only uploaded PEM certificates are left out: certificate upload is a
//! separate API (证书管理 / 上传证书) whose fields the index does not give,
//! so HTTPS takes the id of a certificate CTG already holds.
//!
//! Not in the portable schema (the seed index marks them "AWS channel
//! only", 仅限AWS渠道), and deliberately not implemented:
//! - 查询/设置域名回源超时时间 (origin timeout)
//! - 查询/设置域名区域访问控制 (region access control; with 查询国家/地区数据)
//! - 获取/设置加速域名的AWS回源请求头策略 (AWS origin request header policy)
//! - 获取/设置加速域名的AWS响应头策略 (AWS response header policy)
//! - the AWS policy lists (获取AWS缓存策略列表, 回源请求头策略列表,
//!   响应头策略列表) and AWS certificates (申请AWS证书, 验证信息).

use super::validate::MAX_ORIGINS;
use crate::provider::Capabilities;

pub static CAPABILITIES: Capabilities = Capabilities {
    vendor: "ctg",
    resource_types: &["cdn_domain", "cdn_purge", "cdn_preload"],
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
        "/https/http3",
        "/https/force_redirect",
        "/https/min_tls_version",
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
    max_origins: MAX_ORIGINS,
    allowed_values: &[
        // `type` "ip" | "domain": no object-storage origins.
        ("/origins/*/type", &["ip", "domain"]),
    ],
    max_items: &[("/origins", MAX_ORIGINS)],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::CDN_DOMAIN;

    const UNSUPPORTED: &[&str] = &[
        "/https/certificate/private_pem",
        "/https/certificate/public_pem",
    ];

    /// Every schema attribute is mapped or deliberately unsupported.
    #[test]
    fn covers_the_whole_schema() {
        let mut expected: Vec<&str> = UNSUPPORTED.to_vec();
        expected.sort();
        assert_eq!(CAPABILITIES.unsupported_in(CDN_DOMAIN.block), expected);
        for block in ["/https", "/user_agent_filter", "/origin_request_headers/0"] {
            assert!(CAPABILITIES.supports_block(block), "{block}");
        }
    }
}
