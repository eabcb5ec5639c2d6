//! `StateError`: everything that can go wrong reading, locking or writing the
//! state, each with the context and the next step a user needs.

use super::backend::LockInfo;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// A filesystem call failed; `action` says which ("read", "create", ...).
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error(
        "the state file {} is not valid: {detail}; it has not been modified; \
         restore it from {}.backup or fix it by hand",
        path.display(),
        path.display()
    )]
    Corrupt { path: PathBuf, detail: String },

    /// A record in the middle of the journal cannot be read. (A torn *last*
    /// record is expected after a crash and only warned about.)
    #[error(
        "the state journal {} is not valid at line {line}: {detail}; neither it nor \
         the state file has been modified; fix that line by hand, or move the \
         journal aside to discard the changes it records",
        path.display()
    )]
    CorruptJournal {
        path: PathBuf,
        line: usize,
        detail: String,
    },

    #[error(
        "the state in {} has format version {found}, but this cdnform reads \
         versions up to {supported}; it has not been modified; use a newer cdnform",
        path.display()
    )]
    NewerFormat {
        path: PathBuf,
        found: u32,
        supported: u32,
    },

    #[error(
        "refusing to write {}: it holds a different state (lineage {on_disk}) from the \
         one being saved (lineage {writing}); it has not been modified; check that \
         this is the right state, or move it aside",
        path.display()
    )]
    LineageMismatch {
        path: PathBuf,
        on_disk: String,
        writing: String,
    },

    #[error(
        "refusing to write {}: it is at serial {on_disk}, newer than the state being \
         saved (serial {writing}), so it was written by someone else after this run \
         read it; it has not been modified; run the command again",
        path.display()
    )]
    StaleSerial {
        path: PathBuf,
        on_disk: u64,
        writing: u64,
    },

    /// `path` is where the lock lives (the lock file, or the postgres state);
    /// `stale` is true when the holder ran on this host and its process no
    /// longer exists.
    #[error("{}", locked_message(info, path, *stale))]
    Locked {
        info: Box<LockInfo>,
        path: PathBuf,
        stale: bool,
    },

    #[error(
        "the lock file {} cannot be read: {detail}; if no cdnform is running \
         against this state, delete it by hand",
        path.display()
    )]
    LockUnreadable { path: PathBuf, detail: String },

    #[error(
        "cannot unlock: the lock in {} is held under ID {held}, not {given}; \
         copy the ID from the lock error message",
        path.display()
    )]
    LockIdMismatch {
        path: PathBuf,
        held: String,
        given: String,
    },

    #[error("cannot unlock: the state is not locked (no lock in {})", path.display())]
    NotLocked { path: PathBuf },

    /// An earlier `record` failed part-way, so later records could not be
    /// told apart from a torn one; the run must stop and persist.
    #[error(
        "the state journal {} cannot take more records after an earlier write \
         failed; the changes recorded before that are safe",
        path.display()
    )]
    JournalBroken { path: PathBuf },

    #[error("cannot encode the state as JSON: {0}")]
    Encode(#[source] serde_json::Error),

    /// A PostgreSQL call failed. `location` is the backend's `describe()`;
    /// `detail` has had the connection string's password removed.
    #[error("cannot {action} the {location}: {detail}")]
    Postgres {
        action: &'static str,
        location: String,
        detail: String,
    },

    /// A row of the postgres backend (snapshot, journal or lock) cannot be
    /// read. The postgres counterpart of `Corrupt` and `CorruptJournal`.
    #[error(
        "the {location} is not valid: {detail}; it has not been modified; fix \
         the row by hand or restore it from a database backup"
    )]
    CorruptStored { location: String, detail: String },

    /// The backend settings cannot be used (no connection string, a schema
    /// name PostgreSQL would refuse, ...). Never quotes a secret.
    #[error("invalid state backend settings: {detail}")]
    BackendConfig { detail: String },

    /// `migrate` found a state in the target that copying would replace.
    #[error(
        "refusing to migrate the state to the {target}: {reason}; nothing was \
         changed; check that this is the right target, or migrate with force \
         to replace what it holds"
    )]
    MigrateRefused { target: String, reason: String },
}

impl StateError {
    pub(crate) fn io(action: &'static str, path: &Path, source: io::Error) -> StateError {
        StateError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

fn locked_message(info: &LockInfo, path: &Path, stale: bool) -> String {
    let stale_note = if stale {
        format!(
            " Process {} no longer exists on {}, so the lock looks stale.",
            info.pid, info.host
        )
    } else {
        String::new()
    };
    format!(
        "the state is locked: {who} (pid {pid} on {host}) has held it for `{op}` \
         since {created} (lock ID {id}, held in {path}).{stale_note} If that \
         process is gone, run `cdnform force-unlock {id}`",
        who = info.who,
        pid = info.pid,
        host = info.host,
        op = info.operation,
        created = info.created,
        id = info.id,
        path = path.display(),
    )
}
