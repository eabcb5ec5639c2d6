//! Provider-neutral data: resource addresses, the `cdn_domain` model, the
//! attribute schema, planned values with unknowns, and diagnostics. Plain
//! data and its serde; uses nothing else of this crate.

pub mod address;
pub mod content_schema;
pub mod desired;
pub mod diagnostic;
pub mod domain;
pub mod domain_schema;
pub mod schema;
pub mod secret;
pub mod value;

pub use address::{Address, InstanceKey, ProviderAddr};
pub use desired::{Desired, DesiredResource, IgnoreChanges, Lifecycle, Lookup};
pub use diagnostic::{Diagnostic, Location, Severity};
pub use domain::{CdnType, Domain, Origin, OriginType};
pub use schema::{AttrSchema, AttrType, BlockSchema, DefaultValue, NestedBlock, ResourceSchema};
pub use secret::Secret;
pub use value::{Part, PlannedValue, Unknown};
