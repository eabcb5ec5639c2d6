//! The postgres backend's journal: one row per finished change, inserted
//! in its own committed transaction before `record` returns, and replayed
//! onto the snapshot by the next load if the run never persisted.

use super::Shared;
use crate::state::backend::Journal;
use crate::state::error::StateError;
use crate::state::model::{JournalOp, State};
use std::sync::Arc;

/// Records changes that apply to one lineage and serial.
pub(crate) struct PgJournal {
    shared: Arc<Shared>,
    lineage: String,
    serial: i64,
    insert: String,
}

impl PgJournal {
    pub fn new(shared: &Arc<Shared>, state: &State) -> Result<PgJournal, StateError> {
        Ok(PgJournal {
            shared: shared.clone(),
            lineage: state.lineage.clone(),
            serial: sql_serial(state.serial)?,
            insert: format!(
                "INSERT INTO {}.journal (workspace, lineage, serial, op) VALUES ($1, $2, $3, $4)",
                shared.names.schema
            ),
        })
    }
}

impl Journal for PgJournal {
    fn record(&mut self, op: &JournalOp) -> Result<(), StateError> {
        let op = serde_json::to_string(op).map_err(StateError::Encode)?;
        let (sql, ws, lineage, serial) = (
            self.insert.clone(),
            self.shared.names.workspace.clone(),
            self.lineage.clone(),
            self.serial,
        );
        // A single statement outside a transaction block commits on its own
        // (and synchronous_commit is on), so the row is durable on return.
        self.shared.main_call("record a change in", move |c| {
            c.execute(&sql, &[&ws, &lineage, &serial, &op])?;
            Ok(())
        })
    }
}

/// A serial as a `bigint`.
pub(crate) fn sql_serial(serial: u64) -> Result<i64, StateError> {
    i64::try_from(serial).map_err(|_| StateError::BackendConfig {
        detail: format!("serial {serial} does not fit PostgreSQL's bigint"),
    })
}

/// One journal row as read back.
pub(crate) struct Row {
    pub seq: i64,
    pub lineage: String,
    pub serial: i64,
    pub op: String,
}

/// Apply the rows that belong to `state` (same lineage and serial) in
/// order, warn about the others; returns how many were applied. A row that
/// cannot be read is an error: rows are written whole, so unlike a file's
/// last line it cannot have been torn by a crash.
pub(crate) fn replay(
    rows: &[Row],
    state: &mut State,
    location: &str,
    warnings: &mut Vec<String>,
) -> Result<usize, StateError> {
    let mut applied = 0;
    for row in rows {
        let belongs = row.lineage == state.lineage && u64::try_from(row.serial) == Ok(state.serial);
        if !belongs {
            warnings.push(format!(
                "ignored row {} of the journal of the {location}: it belongs to lineage {} \
                 serial {}, but the state is lineage {} serial {}",
                row.seq, row.lineage, row.serial, state.lineage, state.serial
            ));
            continue;
        }
        let op: JournalOp =
            serde_json::from_str(&row.op).map_err(|e| StateError::CorruptStored {
                location: location.to_string(),
                detail: format!("row {} of its journal cannot be read ({e})", row.seq),
            })?;
        state.apply(&op);
        applied += 1;
    }
    Ok(applied)
}
