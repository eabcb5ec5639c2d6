//! The persisted world of the emulator and its atomic file storage.
//!
//! The whole world is one JSON document, written after every change by temp file + fsync +
//! rename (+ directory fsync), so a crash leaves either the old or the new world, never half
//! of one. A file that exists but cannot be read or parsed is an error at start and is never
//! overwritten: the operator must look at it.

use std::fs::{self, File};
use std::io::Write;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::aliyun::model::AliyunWorld;
use super::baishan::model::BaishanWorld;
use super::ctg::model::CtgWorld;

/// Everything the emulator remembers. Each vendor owns one section; a section missing from the
/// file (e.g. written by an emulator without that vendor) starts empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct World {
    #[serde(default)]
    pub aliyun: AliyunWorld,
    #[serde(default)]
    pub baishan: BaishanWorld,
    #[serde(default)]
    pub ctg: CtgWorld,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read data file {path}: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("data file {path} is corrupt (left untouched): {source}")]
    Corrupt {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot write data file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug, Clone)]
pub struct Store {
    path: PathBuf,
}

impl Store {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Store { path: path.into() }
    }

    /// The stored world; a missing file is an empty world (first start).
    pub fn load(&self) -> Result<World, StoreError> {
        let text = match fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(World::default()),
            Err(source) => {
                return Err(StoreError::Unreadable {
                    path: self.path.clone(),
                    source,
                })
            }
        };
        serde_json::from_str(&text).map_err(|source| StoreError::Corrupt {
            path: self.path.clone(),
            source,
        })
    }

    pub fn save(&self, world: &World) -> Result<(), StoreError> {
        let err = |source| StoreError::Write {
            path: self.path.clone(),
            source,
        };
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "world".into());
        // Same directory, so the rename stays on one file system and is atomic.
        let tmp = dir.join(format!(
            ".{name}.tmp-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        // The directory may not exist yet (a project whose state lives in a
        // postgres backend has no local `state/`).
        std::fs::create_dir_all(&dir).map_err(err)?;
        let body = serde_json::to_vec_pretty(world).expect("the world always serialises");
        let written = (|| {
            let mut f = File::create(&tmp)?;
            f.write_all(&body)?;
            f.sync_all()?;
            fs::rename(&tmp, &self.path)
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(err(e));
        }
        // Make the rename itself durable; not every platform lets a directory be fsynced.
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::aliyun::model::{AliDomain, Origin};
    use chrono::Utc;

    fn sample() -> World {
        let now = chrono::DateTime::from_timestamp(1_700_000_000, 0)
            .unwrap()
            .with_timezone(&Utc);
        let mut w = World::default();
        w.aliyun.opened = now;
        w.aliyun.domains.insert(
            "a.com".into(),
            AliDomain {
                name: "a.com".into(),
                cdn_type: "web".into(),
                scope: "domestic".into(),
                origins: vec![Origin {
                    content: "1.1.1.1".into(),
                    kind: "ipaddr".into(),
                    port: 80,
                    priority: "20".into(),
                    weight: "10".into(),
                }],
                cname: "a.com.w.kunlunsl.com".into(),
                https_cname: "a-com.alikunlun.com".into(),
                created: now,
                modified: now,
                configuring_until: now,
                enabled: false,
            },
        );
        w
    }

    #[test]
    fn round_trip_and_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("world.json"));
        assert!(store.load().unwrap().aliyun.domains.is_empty());
        let world = sample();
        store.save(&world).unwrap();
        assert_eq!(store.load().unwrap(), world);
        // No temp files are left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn save_creates_a_missing_directory() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("state/world.json"));
        let world = sample();
        store.save(&world).unwrap();
        assert_eq!(store.load().unwrap(), world);
    }

    #[test]
    fn corrupt_file_is_an_error_and_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("world.json");
        fs::write(&path, "{not json").unwrap();
        let err = Store::new(&path).load().unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "{not json");
    }

    #[test]
    fn unreadable_path_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the file should be cannot be read as a file.
        let err = Store::new(dir.path()).load().unwrap_err();
        assert!(matches!(err, StoreError::Unreadable { .. }), "{err}");
    }
}
