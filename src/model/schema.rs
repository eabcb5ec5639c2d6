//! Attribute schemas of the resource types. The config loader checks blocks
//! against them (unknown names, types, required, defaults); the planner uses
//! them to tell computed and replace-forcing attributes apart. One schema per
//! resource type, shared by every vendor.

/// Type of an attribute value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrType {
    String,
    Number,
    Bool,
    List(&'static AttrType),
    Map(&'static AttrType),
}

/// Default applied by the config loader when the attribute is absent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DefaultValue {
    Str(&'static str),
    Int(i64),
    Bool(bool),
}

impl DefaultValue {
    pub fn to_json(self) -> serde_json::Value {
        match self {
            DefaultValue::Str(s) => s.into(),
            DefaultValue::Int(i) => i.into(),
            DefaultValue::Bool(b) => b.into(),
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct AttrSchema {
    pub name: &'static str,
    pub ty: AttrType,
    pub required: bool,
    /// Set by the vendor, never by the configuration.
    pub computed: bool,
    /// A change forces the resource to be replaced.
    pub force_new: bool,
    pub sensitive: bool,
    pub default: Option<DefaultValue>,
    /// Allowed values of a string attribute (empty: any).
    pub one_of: &'static [&'static str],
    pub description: &'static str,
}

impl AttrSchema {
    pub const fn new(name: &'static str, ty: AttrType) -> Self {
        AttrSchema {
            name,
            ty,
            required: false,
            computed: false,
            force_new: false,
            sensitive: false,
            default: None,
            one_of: &[],
            description: "",
        }
    }
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub const fn computed(mut self) -> Self {
        self.computed = true;
        self
    }
    pub const fn force_new(mut self) -> Self {
        self.force_new = true;
        self
    }
    pub const fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    pub const fn default(mut self, d: DefaultValue) -> Self {
        self.default = Some(d);
        self
    }
    pub const fn one_of(mut self, values: &'static [&'static str]) -> Self {
        self.one_of = values;
        self
    }
    pub const fn describe(mut self, d: &'static str) -> Self {
        self.description = d;
        self
    }
}

/// A repeatable nested block (`origin { ... }`), stored in JSON as a list
/// under `json_name` (`origins`).
#[derive(Clone, Copy, Debug)]
pub struct NestedBlock {
    pub name: &'static str,
    pub json_name: &'static str,
    pub min_items: usize,
    pub max_items: Option<usize>,
    /// Does the order of the blocks matter? Unordered lists (origins) are
    /// compared as multisets, so a vendor that returns them in its own order
    /// does not show up as a change.
    pub ordered: bool,
    pub block: &'static BlockSchema,
}

#[derive(Clone, Copy, Debug)]
pub struct BlockSchema {
    pub attributes: &'static [AttrSchema],
    pub blocks: &'static [NestedBlock],
}

impl BlockSchema {
    pub fn attribute(&self, name: &str) -> Option<&AttrSchema> {
        self.attributes.iter().find(|a| a.name == name)
    }
    pub fn block(&self, name: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|b| b.name == name)
    }
    /// Is the JSON top-level key `key` (attribute or block list) computed?
    pub fn is_computed(&self, key: &str) -> bool {
        self.attribute(key).is_some_and(|a| a.computed)
    }
    pub fn forces_new(&self, key: &str) -> bool {
        self.attribute(key).is_some_and(|a| a.force_new)
    }
    pub fn block_by_json_name(&self, json_name: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|b| b.json_name == json_name)
    }
    /// Top-level JSON keys set by configuration (not computed), in schema order.
    pub fn config_keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.attributes
            .iter()
            .filter(|a| !a.computed)
            .map(|a| a.name)
            .chain(self.blocks.iter().map(|b| b.json_name))
    }
}

#[derive(Clone, Copy, Debug)]
pub struct ResourceSchema {
    pub type_name: &'static str,
    pub block: &'static BlockSchema,
}

use AttrType::*;

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
        AttrSchema::new("cname", String).computed(),
        AttrSchema::new("https_cname", String).computed(),
        AttrSchema::new("status", String).computed(),
        AttrSchema::new("created_at", String).computed(),
        AttrSchema::new("modified_at", String).computed(),
    ],
    blocks: &[NestedBlock {
        name: "origin",
        json_name: "origins",
        min_items: 1,
        max_items: None,
        ordered: false,
        block: &ORIGIN_BLOCK,
    }],
};

pub const CDN_DOMAIN: ResourceSchema = ResourceSchema {
    type_name: "cdn_domain",
    block: &DOMAIN_BLOCK,
};

/// Every resource type the configuration may declare.
pub const RESOURCE_TYPES: &[ResourceSchema] = &[CDN_DOMAIN];

pub fn resource_schema(type_name: &str) -> Option<&'static ResourceSchema> {
    RESOURCE_TYPES.iter().find(|r| r.type_name == type_name)
}

/// Settings of a `provider "VENDOR"` block. `alias` is accepted on every
/// provider block and is not listed here.
#[derive(Clone, Copy, Debug)]
pub struct ProviderSchema {
    pub vendor: &'static str,
    pub block: &'static BlockSchema,
}

const ALIYUN_PROVIDER: BlockSchema = BlockSchema {
    attributes: &[
        AttrSchema::new("endpoint", String)
            .describe("API endpoint URL, or \"embedded\" for the built-in emulator"),
        AttrSchema::new("access_key_id", String),
        AttrSchema::new("access_key_secret", String).sensitive(),
    ],
    blocks: &[],
};

pub const PROVIDERS: &[ProviderSchema] = &[ProviderSchema {
    vendor: "aliyun",
    block: &ALIYUN_PROVIDER,
}];

pub fn provider_schema(vendor: &str) -> Option<&'static ProviderSchema> {
    PROVIDERS.iter().find(|p| p.vendor == vendor)
}
