//! Plain data: one planned resource change, and one drift (a change made
//! outside cdnform), each with before/after attribute values.

use crate::model::{Address, PlannedValue, ProviderAddr};
use crate::plan::Action;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    pub address: Address,
    pub provider: ProviderAddr,
    pub action: Action,
    /// Live attributes (refreshed); `None` when the resource does not exist.
    pub before: Option<Json>,
    /// Planned attributes; `None` for a delete.
    pub after: Option<PlannedValue>,
    /// Top-level attributes whose change forces the replacement.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replace_because: Vec<String>,
    /// Resources this one depends on (explicitly or by reference).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<Address>,
    #[serde(default, skip_serializing_if = "ChangeLifecycle::is_default")]
    pub lifecycle: ChangeLifecycle,
    /// The vendor id an `import` block adopts (`before` is its live value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importing: Option<String>,
}

/// What the applier needs of the resource's `lifecycle` block.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeLifecycle {
    /// Record the resource as protected (`prevent_destroy`) in the state.
    #[serde(default)]
    pub protect: bool,
    /// On replacement, create the new domain before deleting the old one.
    #[serde(default)]
    pub create_before_destroy: bool,
}

impl ChangeLifecycle {
    fn is_default(&self) -> bool {
        *self == ChangeLifecycle::default()
    }
}

impl ResourceChange {
    pub fn resource_type(&self) -> &str {
        &self.address.resource_type
    }

    /// Whether applying this changes anything: an action, or an import.
    pub fn is_change(&self) -> bool {
        self.action != Action::NoOp || self.importing.is_some()
    }
}

/// A difference between the last recorded state and the live account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceDrift {
    pub address: Address,
    pub provider: ProviderAddr,
    /// As recorded in the state.
    pub before: Json,
    /// As read from the vendor; `None` when deleted outside cdnform.
    pub after: Option<Json>,
    /// Top-level attributes that differ.
    pub changed: Vec<String>,
}
