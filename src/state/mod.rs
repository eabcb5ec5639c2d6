//! TEMPORARY stand-in for the state module being written on branch `state`;
//! replaced wholesale at merge.
use crate::model::{Address, ProviderAddr};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

pub const FORMAT_VERSION: u32 = 1;
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub format_version: u32,
    pub serial: u64,
    pub lineage: String,
    pub resources: Vec<ResourceState>,
}
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceState {
    pub address: Address,
    pub provider: ProviderAddr,
    pub vendor_id: String,
    pub attributes: serde_json::Value,
    #[serde(default)]
    pub dependencies: Vec<Address>,
}
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum JournalOp {
    Upsert { resource: ResourceState },
    Remove { address: Address },
}
impl State {
    pub fn new() -> State {
        State {
            format_version: 1,
            serial: 0,
            lineage: String::new(),
            resources: vec![],
        }
    }
    pub fn get(&self, a: &Address) -> Option<&ResourceState> {
        self.resources.iter().find(|r| &r.address == a)
    }
    pub fn apply(&mut self, op: &JournalOp) {
        match op {
            JournalOp::Upsert { resource } => {
                self.resources.retain(|r| r.address != resource.address);
                self.resources.push(resource.clone());
                self.resources.sort_by(|a, b| a.address.cmp(&b.address));
            }
            JournalOp::Remove { address } => self.resources.retain(|r| &r.address != address),
        }
    }
}
impl Default for State {
    fn default() -> Self {
        State::new()
    }
}
#[derive(Debug, thiserror::Error)]
#[error("state error")]
pub struct StateError;
pub struct Loaded {
    pub state: State,
    pub warnings: Vec<String>,
    pub replayed: usize,
    pub exists: bool,
}
pub struct LockRequest {
    pub operation: String,
}
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LockInfo {
    pub id: String,
    pub operation: String,
    pub who: String,
    pub pid: u32,
    pub host: String,
    pub created: String,
    pub path: String,
}
pub trait Journal: Send {
    fn record(&mut self, op: &JournalOp) -> Result<(), StateError>;
}
pub trait LockGuard: Send {
    fn info(&self) -> &LockInfo;
}
pub trait StateBackend: Send + Sync {
    fn describe(&self) -> String;
    fn load(&self) -> Result<Loaded, StateError>;
    fn lock(
        &self,
        request: &LockRequest,
        timeout: Duration,
    ) -> Result<Box<dyn LockGuard>, StateError>;
    fn force_unlock(&self, id: &str) -> Result<(), StateError>;
    fn begin(&self, state: &State) -> Result<Box<dyn Journal>, StateError>;
    fn persist(&self, state: &mut State) -> Result<(), StateError>;
}
pub struct LocalBackend {
    pub path: PathBuf,
}
impl LocalBackend {
    pub fn new(path: PathBuf) -> Self {
        LocalBackend { path }
    }
}
impl StateBackend for LocalBackend {
    fn describe(&self) -> String {
        String::new()
    }
    fn load(&self) -> Result<Loaded, StateError> {
        Err(StateError)
    }
    fn lock(&self, _r: &LockRequest, _t: Duration) -> Result<Box<dyn LockGuard>, StateError> {
        Err(StateError)
    }
    fn force_unlock(&self, _id: &str) -> Result<(), StateError> {
        Err(StateError)
    }
    fn begin(&self, _s: &State) -> Result<Box<dyn Journal>, StateError> {
        Err(StateError)
    }
    fn persist(&self, _s: &mut State) -> Result<(), StateError> {
        Err(StateError)
    }
}
