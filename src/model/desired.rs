//! What the planner needs from the configuration, without knowing HCL: the
//! declared resources and a way to evaluate one of them once the values of
//! the resources it references are known (or known to be unknown).

use crate::model::{Address, Diagnostic, Location, PlannedValue, ProviderAddr};
use serde_json::Value as Json;

/// A resource block as declared.
#[derive(Clone, Debug)]
pub struct DesiredResource {
    pub address: Address,
    pub provider: ProviderAddr,
    /// Explicit `depends_on` plus every resource the block references.
    pub depends_on: Vec<Address>,
    pub location: Option<Location>,
    pub lifecycle: Lifecycle,
    /// From an `import { to = ..., id = ... }` block: adopt this existing
    /// object (the vendor's id) instead of creating one.
    pub import_id: Option<String>,
}

/// A resource's `lifecycle { }` block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lifecycle {
    /// Refuse any plan that deletes or replaces the resource.
    pub prevent_destroy: bool,
    /// JSON pointers of attributes whose differences are ignored on update
    /// (`"/origins"`, `"/https/http2"`); `all` ignores every attribute.
    pub ignore_changes: IgnoreChanges,
    /// On replacement, create the new object before deleting the old one.
    pub create_before_destroy: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum IgnoreChanges {
    #[default]
    None,
    Some(Vec<String>),
    All,
}

/// The value of another resource's attribute, as far as the plan knows it.
#[derive(Clone, Debug, PartialEq)]
pub enum Lookup {
    Known(Json),
    /// Known only after apply: the evaluator yields an `Unknown::Expr`.
    Unknown,
    /// The resource has no such attribute.
    NoSuchAttribute,
}

pub trait Desired: Sync {
    fn resources(&self) -> &[DesiredResource];

    /// Evaluate a resource's attributes into the schema's JSON shape
    /// (defaults applied). `lookup(address, path)` answers references to
    /// other resources' attributes (`cdn_domain.web.cname` asks
    /// `(cdn_domain.web, ["cname"])`).
    fn evaluate(
        &self,
        address: &Address,
        lookup: &dyn Fn(&Address, &[String]) -> Lookup,
    ) -> Result<PlannedValue, Vec<Diagnostic>>;

    /// Where in the config the attribute at JSON pointer `pointer` of
    /// `address` was set (falling back to the nearest enclosing block), so
    /// plan-time errors can point at the source.
    fn locate(&self, address: &Address, pointer: &str) -> Option<Location>;
}
