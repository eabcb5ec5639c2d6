//! Reading a stored snapshot, whatever stores it: the format version first
//! (so that a newer format is reported as such rather than as whatever field
//! it renamed), then the `State`, sorted and checked for duplicates.

use super::model::{State, FORMAT_VERSION};
use serde::Deserialize;

/// Why stored snapshot bytes are not a state this build can use; each
/// backend turns it into its own `StateError` (which names where it lives).
#[derive(Debug, PartialEq)]
pub(crate) enum SnapshotError {
    /// Written by a newer cdnform, with this format version.
    Newer(u32),
    /// Not a state: the detail says why.
    Invalid(String),
}

/// Only the version, read before the rest.
#[derive(Deserialize)]
struct VersionProbe {
    format_version: u32,
}

pub(crate) fn parse(bytes: &[u8]) -> Result<State, SnapshotError> {
    if let Ok(probe) = serde_json::from_slice::<VersionProbe>(bytes) {
        if probe.format_version > FORMAT_VERSION {
            return Err(SnapshotError::Newer(probe.format_version));
        }
        if probe.format_version < FORMAT_VERSION {
            return Err(SnapshotError::Invalid(format!(
                "format_version {} is not a version cdnform ever wrote",
                probe.format_version
            )));
        }
    }
    let mut state: State =
        serde_json::from_slice(bytes).map_err(|e| SnapshotError::Invalid(e.to_string()))?;
    state
        .normalize()
        .map_err(|a| SnapshotError::Invalid(format!("resource {a} appears more than once")))?;
    Ok(state)
}
