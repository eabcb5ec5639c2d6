//! The local backend's journal file (`<state>.journal`): one JSON line per
//! finished change, fsynced as it is written, replayed onto the snapshot by
//! the next load if the run never reached `persist`.

use super::backend::Journal;
use super::error::StateError;
use super::fsutil::sync_parent;
use super::model::{JournalOp, State};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// One journal line: `{"lineage":..,"serial":..,"seq":..,"op":"upsert",...}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct JournalRecord {
    pub lineage: String,
    /// Serial of the snapshot this record applies on top of.
    pub serial: u64,
    /// Increasing within one lineage and serial.
    pub seq: u64,
    #[serde(flatten)]
    pub op: JournalOp,
}

/// A parsed journal file.
#[derive(Debug, Default)]
pub(crate) struct JournalContents {
    /// Records with their 1-based line numbers, in file order.
    pub records: Vec<(usize, JournalRecord)>,
    pub warnings: Vec<String>,
    /// Bytes to keep so that the file ends in a whole record.
    pub keep_len: u64,
    /// The last kept record lacks its newline (crash between the two).
    pub needs_newline: bool,
}

impl JournalContents {
    /// Apply the records that belong to `state` (same lineage and serial),
    /// warn about the others; returns how many were applied.
    pub fn replay_onto(&mut self, state: &mut State, path: &Path) -> usize {
        let mut applied = 0;
        for (line, rec) in &self.records {
            if rec.lineage == state.lineage && rec.serial == state.serial {
                state.apply(&rec.op);
                applied += 1;
            } else {
                self.warnings.push(format!(
                    "ignored line {line} of the state journal {}: it belongs to \
                     lineage {} serial {}, but the state is lineage {} serial {}",
                    path.display(),
                    rec.lineage,
                    rec.serial,
                    state.lineage,
                    state.serial
                ));
            }
        }
        applied
    }
}

/// Parse a journal. A last line that does not parse is a record torn by a
/// crash: dropped with a warning. Any earlier bad line is `CorruptJournal`.
pub(crate) fn parse(bytes: &[u8], path: &Path) -> Result<JournalContents, StateError> {
    let mut out = JournalContents::default();
    let mut start = 0usize;
    let mut line_no = 0usize;
    while start < bytes.len() {
        line_no += 1;
        let (end, next, terminated) = match bytes[start..].iter().position(|&b| b == b'\n') {
            Some(i) => (start + i, start + i + 1, true),
            None => (bytes.len(), bytes.len(), false),
        };
        let line = &bytes[start..end];
        let is_last = next >= bytes.len();
        if line.iter().all(u8::is_ascii_whitespace) {
            if terminated {
                out.keep_len = next as u64;
            }
            start = next;
            continue;
        }
        match serde_json::from_slice::<JournalRecord>(line) {
            Ok(rec) => {
                out.records.push((line_no, rec));
                out.keep_len = next as u64;
                out.needs_newline = !terminated;
            }
            Err(e) if is_last => out.warnings.push(format!(
                "dropped the last line ({line_no}) of the state journal {}: it is an \
                 incomplete record, most likely cut short by a crash ({e}); the change \
                 it described was not confirmed",
                path.display()
            )),
            Err(e) => {
                return Err(StateError::CorruptJournal {
                    path: path.to_path_buf(),
                    line: line_no,
                    detail: e.to_string(),
                })
            }
        }
        start = next;
    }
    Ok(out)
}

/// Read and parse the journal at `path`; `None` when there is none.
pub(crate) fn read(path: &Path) -> Result<Option<JournalContents>, StateError> {
    match std::fs::read(path) {
        Ok(bytes) => parse(&bytes, path).map(Some),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StateError::io("read", path, e)),
    }
}

/// Appends records to `<state>.journal`, which is created by the first
/// record: a run that records nothing leaves no file behind.
pub(crate) struct LocalJournal {
    file: Option<File>,
    path: PathBuf,
    lineage: String,
    serial: u64,
    next_seq: u64,
    broken: bool,
}

impl LocalJournal {
    /// Open (or create) the journal for `state`. A torn tail left by a crash
    /// is cut off first so that new records never follow half a line.
    pub fn open(path: &Path, state: &State) -> Result<LocalJournal, StateError> {
        let io_err = |action, e| StateError::io(action, path, e);
        let mut journal = LocalJournal {
            file: None,
            path: path.to_path_buf(),
            lineage: state.lineage.clone(),
            serial: state.serial,
            next_seq: 1,
            broken: false,
        };
        if !path.exists() {
            return Ok(journal);
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(path)
            .map_err(|e| io_err("open", e))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| io_err("read", e))?;
        let contents = parse(&bytes, path)?;
        if contents.keep_len < bytes.len() as u64 {
            file.set_len(contents.keep_len)
                .map_err(|e| io_err("truncate", e))?;
        }
        if contents.needs_newline {
            file.write_all(b"\n").map_err(|e| io_err("write", e))?;
        }
        file.sync_data().map_err(|e| io_err("sync", e))?;
        let last_seq = contents
            .records
            .iter()
            .filter(|(_, r)| r.lineage == state.lineage && r.serial == state.serial)
            .map(|(_, r)| r.seq)
            .max()
            .unwrap_or(0);
        journal.file = Some(file);
        journal.next_seq = last_seq + 1;
        Ok(journal)
    }

    /// The open file, created (and its directory entry synced) on first use.
    fn file(&mut self) -> io::Result<&mut File> {
        if self.file.is_none() {
            let file = OpenOptions::new()
                .append(true)
                .create(true)
                .open(&self.path)?;
            sync_parent(&self.path).map_err(|e| io::Error::other(e.to_string()))?;
            self.file = Some(file);
        }
        Ok(self.file.as_mut().expect("opened above"))
    }
}

impl Journal for LocalJournal {
    fn record(&mut self, op: &JournalOp) -> Result<(), StateError> {
        if self.broken {
            return Err(StateError::JournalBroken {
                path: self.path.clone(),
            });
        }
        let record = JournalRecord {
            lineage: self.lineage.clone(),
            serial: self.serial,
            seq: self.next_seq,
            op: op.clone(),
        };
        let mut line = serde_json::to_vec(&record).map_err(StateError::Encode)?;
        line.push(b'\n');
        // One write of the whole line: a crash leaves at most one torn record,
        // at the end, which the next load drops.
        let written = self
            .file()
            .and_then(|f| f.write_all(&line).and_then(|()| f.sync_data()));
        if let Err(e) = written {
            self.broken = true;
            return Err(StateError::io("write", &self.path, e));
        }
        self.next_seq += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::model::tests::upsert;

    fn line(lineage: &str, serial: u64, seq: u64, name: &str) -> String {
        let rec = JournalRecord {
            lineage: lineage.into(),
            serial,
            seq,
            op: upsert(name, seq as i64),
        };
        serde_json::to_string(&rec).unwrap()
    }

    #[test]
    fn record_line_is_flat() {
        let text = line("L", 3, 1, "web");
        assert!(
            text.starts_with(r#"{"lineage":"L","serial":3,"seq":1,"op":"upsert","resource":{"#),
            "{text}"
        );
    }

    #[test]
    fn torn_last_line_is_dropped_and_cut() {
        let good = line("L", 0, 1, "a");
        let torn = &line("L", 0, 2, "b")[..20];
        let bytes = format!("{good}\n{torn}");
        let c = parse(bytes.as_bytes(), Path::new("j")).unwrap();
        assert_eq!(c.records.len(), 1);
        assert_eq!(c.keep_len, good.len() as u64 + 1);
        assert!(!c.needs_newline);
        assert_eq!(c.warnings.len(), 1);
        assert!(c.warnings[0].contains("line (2)"), "{}", c.warnings[0]);
    }

    #[test]
    fn complete_last_record_without_newline_is_kept() {
        let bytes = format!("{}\n{}", line("L", 0, 1, "a"), line("L", 0, 2, "b"));
        let c = parse(bytes.as_bytes(), Path::new("j")).unwrap();
        assert_eq!(c.records.len(), 2);
        assert!(c.needs_newline);
        assert_eq!(c.keep_len, bytes.len() as u64);
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn bad_middle_line_is_corrupt() {
        let bytes = format!(
            "{}\nnot json\n{}\n",
            line("L", 0, 1, "a"),
            line("L", 0, 2, "b")
        );
        let err = parse(bytes.as_bytes(), Path::new("x.journal")).unwrap_err();
        assert!(
            matches!(err, StateError::CorruptJournal { line: 2, .. }),
            "{err}"
        );
        assert!(
            err.to_string().contains("x.journal is not valid at line 2"),
            "{err}"
        );
    }

    #[test]
    fn blank_lines_are_skipped() {
        let bytes = format!("\n{}\n\n", line("L", 0, 1, "a"));
        let c = parse(bytes.as_bytes(), Path::new("j")).unwrap();
        assert_eq!(c.records.len(), 1);
        assert_eq!(c.keep_len, bytes.len() as u64);
    }
}
