//! The `cdn_domain` schema: every attribute and nested block of the
//! provider-neutral domain, with its type, default and constraints.

use super::schema::AttrType::*;
use super::schema::{AttrSchema, BlockSchema, DefaultValue, NestedBlock, ResourceSchema};

const STRINGS: super::schema::AttrType = List(&String);

const ORIGIN_BLOCK: BlockSchema = BlockSchema {
    attributes: &[
        AttrSchema::new("type", String)
            .required()
            .one_of(&["ip", "domain", "oss"])
            .describe("ip, domain or oss (object storage bucket)"),
        AttrSchema::new("address", String)
            .required()
            .describe("IP address or host name of the origin"),
        AttrSchema::new("port", Number).default(DefaultValue::Int(80)),
        AttrSchema::new("priority", Number)
            .default(DefaultValue::Int(20))
            .describe("20 = primary, 30 = backup"),
        AttrSchema::new("weight", Number).default(DefaultValue::Int(10)),
    ],
    blocks: &[],
};

const CACHE_RULE_BLOCK: BlockSchema = BlockSchema {
    attributes: &[
        AttrSchema::new("match", String).required().one_of(&[
            "extension",
            "directory",
            "path",
            "regex",
        ]),
        AttrSchema::new("patterns", STRINGS).required().describe(
            "extensions without the dot, directories ending in /, paths, or regular expressions",
        ),
        AttrSchema::new("ttl", String)
            .required()
            .describe("how long to cache: 30s, 10m, 1h, 7d; 0 = do not cache"),
        AttrSchema::new("ignore_query", Bool).default(DefaultValue::Bool(false)),
        AttrSchema::new("honor_no_cache", Bool).default(DefaultValue::Bool(false)),
        AttrSchema::new("priority", Number).describe("higher wins; default: earlier rules win"),
    ],
    blocks: &[],
};

const FILTER_BLOCK: BlockSchema = BlockSchema {
    attributes: &[
        AttrSchema::new("mode", String)
            .required()
            .one_of(&["allow", "deny"]),
        AttrSchema::new("list", STRINGS).required(),
    ],
    blocks: &[],
};

const REFERER_BLOCK: BlockSchema = BlockSchema {
    attributes: &[
        AttrSchema::new("mode", String)
            .required()
            .one_of(&["allow", "deny"]),
        AttrSchema::new("list", STRINGS).required(),
        AttrSchema::new("allow_empty", Bool)
            .default(DefaultValue::Bool(false))
            .describe("let requests without a Referer header through"),
    ],
    blocks: &[],
};

const HEADER_BLOCK: BlockSchema = BlockSchema {
    attributes: &[
        AttrSchema::new("name", String).required(),
        AttrSchema::new("value", String).required(),
    ],
    blocks: &[],
};

const CERTIFICATE_BLOCK: BlockSchema = BlockSchema {
    attributes: &[
        AttrSchema::new("id", String).describe("a certificate already held by the vendor"),
        AttrSchema::new("public_pem", String).describe("PEM certificate chain to upload"),
        AttrSchema::new("private_pem", String)
            .write_only()
            .describe("PEM private key; never stored, only its digest"),
    ],
    blocks: &[],
};

const HTTPS_BLOCK: BlockSchema = BlockSchema {
    attributes: &[
        AttrSchema::new("http2", Bool).default(DefaultValue::Bool(false)),
        AttrSchema::new("http3", Bool).default(DefaultValue::Bool(false)),
        AttrSchema::new("force_redirect", Bool)
            .default(DefaultValue::Bool(false))
            .describe("redirect http:// requests to https://"),
        AttrSchema::new("min_tls_version", String).one_of(&["1.0", "1.1", "1.2", "1.3"]),
    ],
    blocks: &[NestedBlock::single("certificate", &CERTIFICATE_BLOCK).min_items(1)],
};

const COMPRESSION_BLOCK: BlockSchema = BlockSchema {
    attributes: &[
        AttrSchema::new("enabled", Bool).default(DefaultValue::Bool(true)),
        AttrSchema::new("content_types", STRINGS),
        AttrSchema::new("min_size", Number).describe("bytes"),
    ],
    blocks: &[],
};

const DOMAIN_BLOCK: BlockSchema = BlockSchema {
    attributes: &[
        AttrSchema::new("name", String)
            .required()
            .force_new()
            .describe("the accelerated domain name"),
        AttrSchema::new("cdn_type", String)
            .default(DefaultValue::Str("web"))
            .force_new()
            .one_of(&["web", "download", "video"]),
        AttrSchema::new("enabled", Bool).default(DefaultValue::Bool(true)),
        AttrSchema::new("origin_host", String).describe("Host header sent to the origin"),
        AttrSchema::new("origin_protocol", String).one_of(&["http", "https", "follow"]),
        AttrSchema::new("ipv6", Bool),
        AttrSchema::new("cname", String).computed(),
        AttrSchema::new("https_cname", String).computed(),
        AttrSchema::new("status", String).computed(),
        AttrSchema::new("created_at", String).computed(),
        AttrSchema::new("modified_at", String).computed(),
    ],
    blocks: &[
        NestedBlock::list("origin", "origins", &ORIGIN_BLOCK).min_items(1),
        NestedBlock::list("cache_rule", "cache_rules", &CACHE_RULE_BLOCK).ordered(),
        NestedBlock::single("referer", &REFERER_BLOCK),
        NestedBlock::single("ip_filter", &FILTER_BLOCK),
        NestedBlock::single("user_agent_filter", &FILTER_BLOCK),
        NestedBlock::list("response_header", "response_headers", &HEADER_BLOCK),
        NestedBlock::list(
            "origin_request_header",
            "origin_request_headers",
            &HEADER_BLOCK,
        ),
        NestedBlock::single("https", &HTTPS_BLOCK),
        NestedBlock::single("compression", &COMPRESSION_BLOCK),
    ],
};

pub const CDN_DOMAIN: ResourceSchema = ResourceSchema {
    type_name: "cdn_domain",
    block: &DOMAIN_BLOCK,
};
