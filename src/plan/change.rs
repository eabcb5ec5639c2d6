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
}

impl ResourceChange {
    pub fn resource_type(&self) -> &str {
        &self.address.resource_type
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
