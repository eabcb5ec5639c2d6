//! Saved plans (`plan -out FILE`): a versioned JSON file holding the plan —
//! never a credential or a write-only value (those are not serialised) —
//! and the check that decides whether it may still be applied.

use crate::model::schema::resource_schema;
use crate::plan::Plan;

/// Is the top-level key of JSON pointer `ptr` a computed attribute?
fn schema_computed(resource_type: &str, ptr: &str) -> bool {
    let key = ptr.trim_start_matches('/').split('/').next().unwrap_or("");
    resource_schema(resource_type).is_some_and(|s| s.block.is_computed(key))
}
use serde::{Deserialize, Serialize};
use std::path::Path;

pub const SAVED_PLAN_FORMAT: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format: String,
    pub format_version: u32,
    pub cdnform_version: String,
    pub plan: Plan,
}

#[derive(Debug, thiserror::Error)]
pub enum SavedPlanError {
    #[error("cannot read the plan file {path}: {detail}")]
    Read { path: String, detail: String },
    #[error("cannot write the plan file {path}: {detail}")]
    Write { path: String, detail: String },
    #[error(
        "the plan is stale: {reason}. Run `cdnform plan -out FILE` again and apply the new plan"
    )]
    Stale { reason: String },
}

impl SavedPlan {
    pub fn new(plan: Plan) -> SavedPlan {
        SavedPlan {
            format: "cdnform-plan".into(),
            format_version: SAVED_PLAN_FORMAT,
            cdnform_version: env!("CARGO_PKG_VERSION").into(),
            plan,
        }
    }

    pub fn write(&self, path: &Path) -> Result<(), SavedPlanError> {
        let err = |detail: String| SavedPlanError::Write {
            path: path.display().to_string(),
            detail,
        };
        let text = serde_json::to_string_pretty(self).map_err(|e| err(e.to_string()))?;
        std::fs::write(path, text).map_err(|e| err(e.to_string()))
    }

    pub fn read(path: &Path) -> Result<SavedPlan, SavedPlanError> {
        let err = |detail: String| SavedPlanError::Read {
            path: path.display().to_string(),
            detail,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        Self::from_text(&text).map_err(err)
    }

    /// Parse a plan file's text (format and version checked).
    pub fn from_text(text: &str) -> Result<SavedPlan, String> {
        let err = |detail: String| detail;
        let saved: SavedPlan =
            serde_json::from_str(text).map_err(|e| err(format!("not a cdnform plan file: {e}")))?;
        if saved.format != "cdnform-plan" || saved.format_version > SAVED_PLAN_FORMAT {
            return Err(err(format!(
                "format {} version {} is not one this cdnform ({}) reads",
                saved.format,
                saved.format_version,
                env!("CARGO_PKG_VERSION")
            )));
        }
        Ok(saved)
    }

    /// May the saved plan still be applied? It must have been made against
    /// the state as it is now, and planning again from the current
    /// configuration and accounts must give the same changes.
    pub fn check_current(
        &self,
        lineage: &str,
        serial: u64,
        fresh: &Plan,
    ) -> Result<(), SavedPlanError> {
        let stale = |reason: String| Err(SavedPlanError::Stale { reason });
        // A state that does not exist yet gets a new lineage at every load:
        // then only "still serial 0" can be checked.
        let new_state = self.plan.serial == 0 && serial == 0;
        if self.plan.lineage != lineage && !new_state {
            return stale(format!(
                "it was made for state lineage {}, the state is now {lineage}",
                self.plan.lineage
            ));
        }
        if self.plan.serial != serial {
            return stale(format!(
                "the state moved from serial {} to {serial} since",
                self.plan.serial
            ));
        }
        if self.plan.mode != fresh.mode {
            return stale("it was made in another mode".into());
        }
        // What the vendor computes (status, timestamps) may move on its own.
        let configured = |c: &crate::plan::ResourceChange| {
            c.after.as_ref().map(|a| {
                let mut a = a.clone();
                if let (Some(schema), serde_json::Value::Object(m)) =
                    (resource_schema(&c.address.resource_type), &mut a.value)
                {
                    m.retain(|k, _| !schema.block.is_computed(k));
                }
                a.unknown
                    .retain(|k, _| !schema_computed(&c.address.resource_type, k));
                a
            })
        };
        let steps = |p: &Plan| {
            p.changes
                .iter()
                .filter(|c| c.is_change())
                .map(|c| {
                    (
                        c.address.clone(),
                        c.action,
                        c.importing.clone(),
                        configured(c),
                    )
                })
                .collect::<Vec<_>>()
        };
        if steps(&self.plan) != steps(fresh) {
            return stale(
                "the configuration or the live accounts changed in a way that alters the plan"
                    .into(),
            );
        }
        Ok(())
    }
}
