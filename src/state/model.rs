//! The state itself: `State`, its `ResourceState`s, and the `JournalOp`s that
//! change it one resource at a time. Plain data and its serde; no I/O.

use crate::model::{Address, ProviderAddr};
use serde::{Deserialize, Serialize};

/// Version of the state file format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// Everything cdnform knows about the resources it manages.
///
/// `serial` grows by one with every snapshot written; `lineage` is fixed when
/// the state is first created, so two unrelated states are never mistaken for
/// versions of each other.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub format_version: u32,
    pub serial: u64,
    pub lineage: String,
    /// Sorted by address, at most one entry per address.
    pub resources: Vec<ResourceState>,
    /// Creates started but not known to have finished (an interrupted run):
    /// the next plan reads each and adopts what exists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<PendingCreate>,
    /// Output values as of the last apply.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub outputs: std::collections::BTreeMap<String, OutputState>,
}

/// A create about to be sent: if the run dies before the result is
/// journaled, the object may exist on the account without being in the
/// state; this record lets the next plan find it by reading.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingCreate {
    pub address: Address,
    pub provider: ProviderAddr,
    /// The vendor id the create uses (the domain name).
    pub vendor_id: String,
}

/// One `output` value in the state. A sensitive output's value is never
/// stored (it may come from a credential or a private key).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputState {
    #[serde(default)]
    pub value: serde_json::Value,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
}

/// One managed resource instance as last seen after a successful change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceState {
    pub address: Address,
    pub provider: ProviderAddr,
    /// The vendor's own identifier (for `cdn_domain`, the domain name).
    pub vendor_id: String,
    pub attributes: serde_json::Value,
    #[serde(default)]
    pub dependencies: Vec<Address>,
    /// `lifecycle { prevent_destroy = true }` as last applied. It keeps
    /// protecting the resource after its block leaves the configuration,
    /// until `state rm` or `-unprotect ADDR`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub protected: bool,
}

/// One finished change, as recorded in the journal and folded into the state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum JournalOp {
    /// Insert or replace the resource at `resource.address`.
    Upsert { resource: ResourceState },
    /// Forget the resource at `address` (no-op when absent).
    Remove { address: Address },
    /// A create is about to be sent (see `PendingCreate`).
    Intent { pending: PendingCreate },
}

impl State {
    /// An empty state: serial 0 and a fresh lineage.
    pub fn new() -> State {
        State {
            format_version: FORMAT_VERSION,
            serial: 0,
            lineage: uuid::Uuid::new_v4().to_string(),
            resources: Vec::new(),
            pending: Vec::new(),
            outputs: Default::default(),
        }
    }

    pub fn get(&self, address: &Address) -> Option<&ResourceState> {
        self.position(address).ok().map(|i| &self.resources[i])
    }

    /// Apply one change, keeping `resources` sorted by address.
    pub fn apply(&mut self, op: &JournalOp) {
        match op {
            JournalOp::Intent { pending } => {
                self.pending.retain(|p| p.address != pending.address);
                self.pending.push(pending.clone());
                return;
            }
            JournalOp::Upsert { resource } => match self.position(&resource.address) {
                Ok(i) => self.resources[i] = resource.clone(),
                Err(i) => self.resources.insert(i, resource.clone()),
            },
            JournalOp::Remove { address } => {
                if let Ok(i) = self.position(address) {
                    self.resources.remove(i);
                }
            }
        }
        // The create's outcome is known now.
        let done = match op {
            JournalOp::Upsert { resource } => &resource.address,
            JournalOp::Remove { address } => address,
            JournalOp::Intent { .. } => unreachable!("returned above"),
        };
        self.pending.retain(|p| &p.address != done);
    }

    /// Restore the sorted-by-address invariant after deserializing (a hand
    /// edit may reorder entries). Returns the first address that occurs twice.
    pub(crate) fn normalize(&mut self) -> Result<(), Address> {
        self.resources.sort_by(|a, b| a.address.cmp(&b.address));
        match self
            .resources
            .windows(2)
            .find(|w| w[0].address == w[1].address)
        {
            Some(w) => Err(w[0].address.clone()),
            None => Ok(()),
        }
    }

    fn position(&self, address: &Address) -> Result<usize, usize> {
        self.resources.binary_search_by(|r| r.address.cmp(address))
    }
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn resource(name: &str, n: i64) -> ResourceState {
        ResourceState {
            address: Address::new("cdn_domain", name),
            provider: ProviderAddr::new("aliyun", None),
            vendor_id: format!("{name}.example.com"),
            attributes: json!({ "domain_name": format!("{name}.example.com"), "n": n }),
            dependencies: Vec::new(),
            protected: false,
        }
    }

    pub(crate) fn upsert(name: &str, n: i64) -> JournalOp {
        JournalOp::Upsert {
            resource: resource(name, n),
        }
    }

    #[test]
    fn new_states_have_distinct_lineages() {
        let (a, b) = (State::new(), State::new());
        assert_eq!(a.serial, 0);
        assert_eq!(a.format_version, FORMAT_VERSION);
        assert_ne!(a.lineage, b.lineage);
    }

    #[test]
    fn apply_keeps_resources_sorted_and_unique() {
        let mut s = State::new();
        for (name, n) in [("web", 1), ("api", 1), ("img", 1), ("web", 2)] {
            s.apply(&upsert(name, n));
        }
        let names: Vec<_> = s
            .resources
            .iter()
            .map(|r| r.address.name.as_str())
            .collect();
        assert_eq!(names, ["api", "img", "web"]);
        let web = Address::new("cdn_domain", "web");
        assert_eq!(s.get(&web).unwrap().attributes["n"], 2);
        s.apply(&JournalOp::Remove {
            address: web.clone(),
        });
        assert!(s.get(&web).is_none());
        s.apply(&JournalOp::Remove { address: web });
        assert_eq!(s.resources.len(), 2);
    }

    #[test]
    fn journal_op_serializes_with_op_tag() {
        let op = JournalOp::Remove {
            address: Address::new("cdn_domain", "web"),
        };
        let text = serde_json::to_string(&op).unwrap();
        assert_eq!(text, r#"{"op":"remove","address":"cdn_domain.web"}"#);
        assert_eq!(serde_json::from_str::<JournalOp>(&text).unwrap(), op);
    }

    #[test]
    fn normalize_sorts_and_finds_duplicates() {
        let mut s = State::new();
        s.resources = vec![resource("b", 1), resource("a", 1)];
        assert!(s.normalize().is_ok());
        assert_eq!(s.resources[0].address.name, "a");
        s.resources.push(resource("a", 2));
        assert_eq!(s.normalize().unwrap_err().name, "a");
    }
}
