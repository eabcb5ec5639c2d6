//! The postgres backend's tables, created when missing, and the advisory
//! lock keys derived from the schema and workspace names.
//!
//! ```sql
//! states  (workspace text PRIMARY KEY, serial bigint, lineage text,
//!          format_version integer, body text, updated_at timestamptz)
//! journal (workspace text, seq bigserial, lineage text, serial bigint,
//!          op text, recorded_at timestamptz, PRIMARY KEY (workspace, seq))
//! locks   (workspace text PRIMARY KEY, lock_id text, info text,
//!          backend_pid integer, created_at timestamptz)
//! ```
//!
//! `body` and `op` are the JSON text exactly as written (a `jsonb` column
//! would reorder object keys, and attribute order shows in plans); cast
//! them (`body::jsonb`) to query them. `serial` and `lineage` repeat the
//! body's for people reading the table; the body is what cdnform trusts.

use super::super::error::StateError;
use postgres::Client;
use sha2::{Digest, Sha256};

pub const DEFAULT_SCHEMA: &str = "cdnform";
pub const DEFAULT_WORKSPACE: &str = "default";

/// PostgreSQL truncates longer identifiers, which would silently merge
/// two schema names.
const MAX_IDENTIFIER_BYTES: usize = 63;

/// `name` as a quoted identifier (`"cdnform"`), after checking that
/// PostgreSQL would keep it as given.
pub(crate) fn quote_schema(name: &str) -> Result<String, StateError> {
    let problem = if name.is_empty() {
        Some("it is empty")
    } else if name.len() > MAX_IDENTIFIER_BYTES {
        Some("it is longer than 63 bytes, PostgreSQL's limit")
    } else if name.chars().any(char::is_control) {
        Some("it contains a control character")
    } else if name.starts_with("pg_") {
        Some("names starting with `pg_` are reserved by PostgreSQL")
    } else {
        None
    };
    if let Some(problem) = problem {
        return Err(StateError::BackendConfig {
            detail: format!("schema_name {name:?} cannot be used: {problem}"),
        });
    }
    Ok(format!("\"{}\"", name.replace('"', "\"\"")))
}

pub(crate) fn check_workspace(name: &str) -> Result<(), StateError> {
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(StateError::BackendConfig {
            detail: format!("workspace {name:?} cannot be used: it must be non-empty text"),
        });
    }
    Ok(())
}

/// A 64-bit advisory lock key for `purpose` and `parts`. Hashing keeps the
/// keys of different schemas and workspaces apart (one fixed key, as
/// Terraform uses, would make every workspace wait for every other), and the
/// purpose prefix keeps them apart from other applications' keys.
fn key(purpose: &str, parts: &[&str]) -> i64 {
    let mut h = Sha256::new();
    h.update(b"cdnform\0");
    h.update(purpose.as_bytes());
    for p in parts {
        h.update(b"\0");
        h.update(p.as_bytes());
    }
    let digest = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// The session-level advisory lock key of one workspace's state.
pub(crate) fn state_lock_key(schema: &str, workspace: &str) -> i64 {
    key("state lock", &[schema, workspace])
}

/// The transaction-level key that serializes creating one schema's tables
/// (concurrent `CREATE TABLE IF NOT EXISTS` can fail on a unique index).
fn setup_lock_key(schema: &str) -> i64 {
    key("schema setup", &[schema])
}

/// Create the schema and tables unless they all exist (so a role without
/// CREATE rights can use tables an administrator made).
pub(crate) fn ensure_tables(
    client: &mut Client,
    schema_name: &str,
    schema: &str,
) -> Result<(), postgres::Error> {
    let present = client.query_one(
        "SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL \
         AND to_regclass($3) IS NOT NULL",
        &[
            &format!("{schema}.states"),
            &format!("{schema}.journal"),
            &format!("{schema}.locks"),
        ],
    )?;
    if present.get::<_, bool>(0) {
        return Ok(());
    }
    let mut tx = client.transaction()?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1)",
        &[&setup_lock_key(schema_name)],
    )?;
    tx.batch_execute(&format!(
        "CREATE SCHEMA IF NOT EXISTS {schema};
         CREATE TABLE IF NOT EXISTS {schema}.states (
             workspace      text PRIMARY KEY,
             serial         bigint NOT NULL,
             lineage        text NOT NULL,
             format_version integer NOT NULL,
             body           text NOT NULL,
             updated_at     timestamptz NOT NULL DEFAULT now()
         );
         CREATE TABLE IF NOT EXISTS {schema}.journal (
             workspace   text NOT NULL,
             seq         bigserial,
             lineage     text NOT NULL,
             serial      bigint NOT NULL,
             op          text NOT NULL,
             recorded_at timestamptz NOT NULL DEFAULT now(),
             PRIMARY KEY (workspace, seq)
         );
         CREATE TABLE IF NOT EXISTS {schema}.locks (
             workspace   text PRIMARY KEY,
             lock_id     text NOT NULL,
             info        text NOT NULL,
             backend_pid integer NOT NULL,
             created_at  timestamptz NOT NULL DEFAULT now()
         );"
    ))?;
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_are_quoted_or_refused() {
        assert_eq!(quote_schema("cdnform").unwrap(), "\"cdnform\"");
        assert_eq!(quote_schema("My\"Team").unwrap(), "\"My\"\"Team\"");
        for bad in ["", "pg_temp", "a\nb", &"x".repeat(64)] {
            let err = quote_schema(bad).unwrap_err();
            assert!(matches!(err, StateError::BackendConfig { .. }), "{err}");
        }
    }

    #[test]
    fn lock_keys_differ_by_schema_and_workspace() {
        let k = state_lock_key("cdnform", "default");
        assert_eq!(k, state_lock_key("cdnform", "default"));
        assert_ne!(k, state_lock_key("cdnform", "staging"));
        assert_ne!(k, state_lock_key("other", "default"));
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(state_lock_key("ab", "c"), state_lock_key("a", "bc"));
        assert_ne!(k, setup_lock_key("cdnform"));
    }
}
