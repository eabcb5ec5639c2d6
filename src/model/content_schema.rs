//! The `cdn_purge` and `cdn_preload` schemas: cache purges and preloads
//! that run when created and again whenever their `triggers` change. Only
//! `triggers` forces a new run; other changes are recorded in the state.

use super::schema::AttrType::*;
use super::schema::{AttrSchema, BlockSchema, DefaultValue, ResourceSchema};

const STRINGS: super::schema::AttrType = List(&String);

const PURGE_BLOCK: BlockSchema = BlockSchema {
    attributes: &[
        AttrSchema::new("urls", STRINGS).describe("absolute http(s) URLs to purge"),
        AttrSchema::new("directories", STRINGS)
            .describe("absolute http(s) URLs ending in / whose content is purged"),
        AttrSchema::new("regexes", STRINGS)
            .describe("http(s)://host/ followed by a regular expression (vendors that support it)"),
        AttrSchema::new("triggers", Map(&String))
            .force_new()
            .describe("any change runs the purge again"),
        AttrSchema::new("wait", Bool)
            .default(DefaultValue::Bool(true))
            .describe("wait until the vendor reports the tasks complete"),
        AttrSchema::new("timeout", String)
            .default(DefaultValue::Str("10m"))
            .describe("how long to wait"),
        AttrSchema::new("task_ids", STRINGS).computed(),
        AttrSchema::new("last_run", String).computed(),
        AttrSchema::new("outcome", String).computed(),
    ],
    blocks: &[],
};

const PRELOAD_BLOCK: BlockSchema = BlockSchema {
    attributes: &[
        AttrSchema::new("urls", STRINGS)
            .required()
            .describe("absolute http(s) URLs to preload"),
        AttrSchema::new("area", String).describe("where to preload, for vendors that take it"),
        AttrSchema::new("triggers", Map(&String))
            .force_new()
            .describe("any change runs the preload again"),
        AttrSchema::new("wait", Bool).default(DefaultValue::Bool(true)),
        AttrSchema::new("timeout", String).default(DefaultValue::Str("10m")),
        AttrSchema::new("task_ids", STRINGS).computed(),
        AttrSchema::new("last_run", String).computed(),
        AttrSchema::new("outcome", String).computed(),
    ],
    blocks: &[],
};

pub const CDN_PURGE: ResourceSchema = ResourceSchema {
    type_name: "cdn_purge",
    block: &PURGE_BLOCK,
};

pub const CDN_PRELOAD: ResourceSchema = ResourceSchema {
    type_name: "cdn_preload",
    block: &PRELOAD_BLOCK,
};

/// Whether resources of this type are content tasks (purge, preload).
pub fn is_content_type(type_name: &str) -> bool {
    type_name == CDN_PURGE.type_name || type_name == CDN_PRELOAD.type_name
}
