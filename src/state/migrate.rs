//! `migrate`: copy the state from one backend to another (a local file to
//! PostgreSQL when a team starts sharing it, or back), refusing to replace
//! a different state in the target unless forced.

use super::backend::{LockRequest, StateBackend};
use super::error::StateError;
use std::time::Duration;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrateOptions {
    /// Replace whatever state the target holds.
    pub force: bool,
    /// Lock both backends for the copy, waiting this long for each; `None`
    /// when the caller holds both locks already.
    pub lock_timeout: Option<Duration>,
}

impl Default for MigrateOptions {
    fn default() -> Self {
        MigrateOptions {
            force: false,
            lock_timeout: Some(Duration::ZERO),
        }
    }
}

/// What `migrate` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Migrated {
    /// False when there was nothing to copy: the source has no state, or
    /// the target already holds exactly this state.
    pub copied: bool,
    pub lineage: String,
    /// The serial of the state as written to the target.
    pub serial: u64,
    pub resources: usize,
    /// Lineage and serial of a state the target held and no longer does.
    pub replaced: Option<(String, u64)>,
    /// The source's load warnings.
    pub warnings: Vec<String>,
}

/// Copy the state `from` loads (snapshot plus journal) into `to`.
///
/// The target may be empty or hold an older version of the same state;
/// anything else (another lineage, a newer or diverged version) is
/// refused with `MigrateRefused` unless `options.force`. The source is
/// left as it was. When the target held this state already, the copy gets
/// a serial past the target's, so a run that read the target before the
/// migration cannot write over it.
pub fn migrate(
    from: &dyn StateBackend,
    to: &dyn StateBackend,
    options: &MigrateOptions,
) -> Result<Migrated, StateError> {
    if from.describe() == to.describe() {
        return Err(StateError::MigrateRefused {
            target: to.describe(),
            reason: "it is the state being migrated".into(),
        });
    }
    let _locks = match options.lock_timeout {
        Some(timeout) => {
            let request = LockRequest::new("migrate");
            let source = from.lock(&request, timeout)?;
            Some((source, to.lock(&request, timeout)?))
        }
        None => None,
    };
    let source = from.load()?;
    let mut next = source.state;
    let mut done = Migrated {
        copied: false,
        lineage: next.lineage.clone(),
        serial: next.serial,
        resources: next.resources.len(),
        replaced: None,
        warnings: source.warnings,
    };
    if !source.exists && source.replayed == 0 {
        return Ok(done);
    }
    let target = to.load()?;
    if target.exists || target.replayed > 0 {
        let held = target.state;
        if held == next {
            return Ok(done);
        }
        let refusal = if held.lineage != next.lineage {
            Some(format!(
                "it already holds a different state (lineage {}, serial {}, {} resources) \
                 from the one being migrated (lineage {})",
                held.lineage,
                held.serial,
                held.resources.len(),
                next.lineage
            ))
        } else if held.serial > next.serial {
            Some(format!(
                "it already holds a newer version of this state (serial {}; migrating \
                 serial {})",
                held.serial, next.serial
            ))
        } else if held.serial == next.serial {
            Some(format!(
                "it holds another version of this state at the same serial {}",
                held.serial
            ))
        } else {
            None
        };
        if let (Some(reason), false) = (refusal, options.force) {
            return Err(StateError::MigrateRefused {
                target: to.describe(),
                reason,
            });
        }
        next.serial = next.serial.max(held.serial) + 1;
        done.replaced = Some((held.lineage, held.serial));
    }
    to.overwrite(&next)?;
    done.copied = true;
    done.serial = next.serial;
    Ok(done)
}
