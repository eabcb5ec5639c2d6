//! Reading and writing the postgres backend's snapshot row: load (snapshot
//! plus journal, read in one consistent snapshot of the database), persist
//! (checked against the stored serial and lineage, journal cleared in the
//! same transaction) and overwrite (for migration).

use super::journal::{replay, sql_serial, Row};
use super::Shared;
use crate::state::backend::Loaded;
use crate::state::error::StateError;
use crate::state::model::{State, FORMAT_VERSION};
use crate::state::snapshot::{self, SnapshotError};
use postgres::{Client, IsolationLevel};
use std::path::PathBuf;

pub(crate) fn load(shared: &Shared) -> Result<Loaded, StateError> {
    let n = shared.names.clone();
    let (body, rows) = shared.main_call("read", move |c| {
        // Repeatable read: a persist committing between the two queries
        // must not show us the old snapshot without its journal.
        let mut tx = c
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let body = tx
            .query_opt(
                &format!("SELECT body FROM {}.states WHERE workspace = $1", n.schema),
                &[&n.workspace],
            )?
            .map(|r| r.get::<_, String>(0));
        let rows = tx
            .query(
                &format!(
                    "SELECT seq, lineage, serial, op FROM {}.journal \
                     WHERE workspace = $1 ORDER BY seq",
                    n.schema
                ),
                &[&n.workspace],
            )?
            .into_iter()
            .map(|r| Row {
                seq: r.get(0),
                lineage: r.get(1),
                serial: r.get(2),
                op: r.get(3),
            })
            .collect::<Vec<_>>();
        tx.commit()?;
        Ok((body, rows))
    })?;
    let location = &shared.names.location;
    let exists = body.is_some();
    let mut state = match body {
        Some(b) => parse(&b, location)?,
        None => {
            // First run crashed before its first snapshot: the journal's
            // lineage is the state's, or its rows would be orphaned.
            let mut s = State::new();
            if let Some(first) = rows.first() {
                s.lineage = first.lineage.clone();
                s.serial = u64::try_from(first.serial).unwrap_or(0);
            }
            s
        }
    };
    let mut warnings = Vec::new();
    let replayed = replay(&rows, &mut state, location, &mut warnings)?;
    Ok(Loaded {
        state,
        warnings,
        replayed,
        exists,
    })
}

fn parse(body: &str, location: &str) -> Result<State, StateError> {
    snapshot::parse(body.as_bytes()).map_err(|e| match e {
        SnapshotError::Newer(found) => StateError::NewerFormat {
            path: PathBuf::from(location),
            found,
            supported: FORMAT_VERSION,
        },
        SnapshotError::Invalid(detail) => StateError::CorruptStored {
            location: location.to_string(),
            detail,
        },
    })
}

/// The snapshot as stored: the same pretty JSON as the local state file.
fn body(state: &State) -> Result<String, StateError> {
    let mut body = serde_json::to_string_pretty(state).map_err(StateError::Encode)?;
    body.push('\n');
    Ok(body)
}

/// `INSERT` of a snapshot row, replacing any existing one unless `update`
/// is `DO NOTHING`.
fn upsert_sql(schema: &str, on_conflict: &str) -> String {
    format!(
        "INSERT INTO {schema}.states (workspace, serial, lineage, format_version, body) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workspace) {on_conflict}"
    )
}

const REPLACE: &str = "DO UPDATE SET serial = EXCLUDED.serial, lineage = EXCLUDED.lineage, \
     format_version = EXCLUDED.format_version, body = EXCLUDED.body, updated_at = now()";

pub(crate) fn persist(shared: &Shared, state: &mut State) -> Result<(), StateError> {
    let mut next = state.clone();
    next.serial += 1;
    next.format_version = FORMAT_VERSION;
    let (text, serial) = (body(&next)?, sql_serial(next.serial)?);
    let (lineage, writing) = (state.lineage.clone(), state.serial);
    let n = shared.names.clone();
    shared.main_call("write", move |c| {
        // Twice at most: a first insert can lose a race with another
        // process's first insert, and then the stored row decides.
        for _ in 0..2 {
            let mut tx = c.transaction()?;
            let stored = tx.query_opt(
                &format!(
                    "SELECT body FROM {}.states WHERE workspace = $1 FOR UPDATE",
                    n.schema
                ),
                &[&n.workspace],
            )?;
            let params: [&(dyn postgres::types::ToSql + Sync); 5] = [
                &n.workspace,
                &serial,
                &lineage,
                &(FORMAT_VERSION as i32),
                &text,
            ];
            match stored {
                // Our own commit, whose answer was lost with the session
                // before this retry: done.
                Some(row) if row.get::<_, &str>(0) == text => return Ok(()),
                Some(row) => {
                    let on_disk = parse(row.get(0), &n.location)?;
                    check_replaceable(&on_disk, &lineage, writing, &n.location)?;
                    tx.execute(&upsert_sql(&n.schema, REPLACE), &params)?;
                }
                None => {
                    let inserted = tx.execute(&upsert_sql(&n.schema, "DO NOTHING"), &params)?;
                    if inserted == 0 {
                        continue; // rolled back on drop
                    }
                }
            }
            clear_journal(&mut tx, &n.schema, &n.workspace)?;
            tx.commit()?;
            return Ok(());
        }
        Err(StateError::Postgres {
            action: "write",
            location: n.location.clone(),
            detail: "the snapshot row changed twice while being written; run the command again"
                .into(),
        }
        .into())
    })?;
    *state = next;
    Ok(())
}

/// Refuse to replace a snapshot that is not an older version of the state
/// being written (the local backend's rule).
fn check_replaceable(
    on_disk: &State,
    lineage: &str,
    writing: u64,
    location: &str,
) -> Result<(), StateError> {
    if on_disk.lineage != lineage {
        return Err(StateError::LineageMismatch {
            path: PathBuf::from(location),
            on_disk: on_disk.lineage.clone(),
            writing: lineage.to_string(),
        });
    }
    if on_disk.serial > writing {
        return Err(StateError::StaleSerial {
            path: PathBuf::from(location),
            on_disk: on_disk.serial,
            writing,
        });
    }
    Ok(())
}

fn clear_journal(
    tx: &mut postgres::Transaction<'_>,
    schema: &str,
    workspace: &str,
) -> Result<(), postgres::Error> {
    tx.execute(
        &format!("DELETE FROM {schema}.journal WHERE workspace = $1"),
        &[&workspace],
    )?;
    Ok(())
}

pub(crate) fn overwrite(shared: &Shared, state: &State) -> Result<(), StateError> {
    let mut state = state.clone();
    state.format_version = FORMAT_VERSION;
    let (text, serial) = (body(&state)?, sql_serial(state.serial)?);
    let n = shared.names.clone();
    shared.main_call("write", move |c: &mut Client| {
        let mut tx = c.transaction()?;
        tx.execute(
            &upsert_sql(&n.schema, REPLACE),
            &[
                &n.workspace,
                &serial,
                &state.lineage,
                &(FORMAT_VERSION as i32),
                &text,
            ],
        )?;
        clear_journal(&mut tx, &n.schema, &n.workspace)?;
        tx.commit()?;
        Ok(())
    })
}
