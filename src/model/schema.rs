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
    /// The vendor accepts it but never returns it (a private key): the state
    /// keeps a `sha256:` digest in its place, never the value.
    pub write_only: bool,
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
            write_only: false,
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
    pub const fn write_only(mut self) -> Self {
        self.write_only = true;
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
    /// At most one block, stored as a JSON object (or null when absent)
    /// rather than a list: `https { ... }` is `"https": {...}`.
    pub single: bool,
    pub block: &'static BlockSchema,
}

impl NestedBlock {
    /// A repeatable block whose order does not matter.
    pub const fn list(
        name: &'static str,
        json_name: &'static str,
        block: &'static BlockSchema,
    ) -> Self {
        NestedBlock {
            name,
            json_name,
            min_items: 0,
            max_items: None,
            ordered: false,
            single: false,
            block,
        }
    }
    /// An optional single block, stored under its own name.
    pub const fn single(name: &'static str, block: &'static BlockSchema) -> Self {
        NestedBlock {
            max_items: Some(1),
            single: true,
            ..NestedBlock::list(name, name, block)
        }
    }
    pub const fn ordered(mut self) -> Self {
        self.ordered = true;
        self
    }
    pub const fn min_items(mut self, n: usize) -> Self {
        self.min_items = n;
        self
    }
    pub const fn max_items(mut self, n: usize) -> Self {
        self.max_items = Some(n);
        self
    }
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
    /// Every attribute as a JSON pointer, nested blocks included (`*` for a
    /// list index, nothing for a single block): `/origins/*/port`.
    pub fn attribute_pointers(&self) -> Vec<String> {
        fn walk(block: &BlockSchema, prefix: &str, out: &mut Vec<String>) {
            for a in block.attributes {
                out.push(format!("{prefix}/{}", a.name));
            }
            for nested in block.blocks {
                let p = if nested.single {
                    format!("{prefix}/{}", nested.json_name)
                } else {
                    format!("{prefix}/{}/*", nested.json_name)
                };
                walk(nested.block, &p, out);
            }
        }
        let mut out = Vec::new();
        walk(self, "", &mut out);
        out
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

pub use super::content_schema::{is_content_type, CDN_PRELOAD, CDN_PURGE};
pub use super::domain_schema::CDN_DOMAIN;

/// Every resource type the configuration may declare.
pub const RESOURCE_TYPES: &[ResourceSchema] = &[CDN_DOMAIN, CDN_PURGE, CDN_PRELOAD];

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
        AttrSchema::new("endpoint", AttrType::String)
            .describe("API endpoint URL, or \"embedded\" for the built-in emulator"),
        AttrSchema::new("access_key_id", AttrType::String),
        AttrSchema::new("access_key_secret", AttrType::String).sensitive(),
    ],
    blocks: &[],
};

const BAISHAN_PROVIDER: BlockSchema = BlockSchema {
    attributes: &[
        AttrSchema::new("endpoint", AttrType::String)
            .describe("API base URL, or \"embedded\" for the built-in emulator"),
        AttrSchema::new("token", AttrType::String).sensitive(),
    ],
    blocks: &[],
};

const CTG_PROVIDER: BlockSchema = BlockSchema {
    attributes: &[
        AttrSchema::new("endpoint", AttrType::String)
            .describe("API base URL, or \"embedded\" for the built-in emulator"),
        AttrSchema::new("access_key", AttrType::String),
        AttrSchema::new("secret_key", AttrType::String).sensitive(),
    ],
    blocks: &[],
};

pub const PROVIDERS: &[ProviderSchema] = &[
    ProviderSchema {
        vendor: "aliyun",
        block: &ALIYUN_PROVIDER,
    },
    ProviderSchema {
        vendor: "baishan",
        block: &BAISHAN_PROVIDER,
    },
    ProviderSchema {
        vendor: "ctg",
        block: &CTG_PROVIDER,
    },
];

pub fn provider_schema(vendor: &str) -> Option<&'static ProviderSchema> {
    PROVIDERS.iter().find(|p| p.vendor == vendor)
}
