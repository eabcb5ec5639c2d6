//! Small filesystem helpers for crash-safe writes: directory fsync and
//! "does the parent directory exist".

use super::error::StateError;
use std::path::Path;

/// The directory holding `path` (`.` for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Create the directory holding `path` if it is missing.
pub(crate) fn ensure_parent(path: &Path) -> Result<(), StateError> {
    let dir = parent_dir(path);
    std::fs::create_dir_all(dir).map_err(|e| StateError::io("create the directory", dir, e))
}

/// Make a rename, create or delete in `path`'s directory durable.
pub(crate) fn sync_parent(path: &Path) -> Result<(), StateError> {
    let dir = parent_dir(path);
    #[cfg(unix)]
    {
        let f = std::fs::File::open(dir).map_err(|e| StateError::io("open", dir, e))?;
        f.sync_all()
            .map_err(|e| StateError::io("sync the directory", dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir; // Directory handles cannot be fsynced portably here.
    Ok(())
}
