//! What `tallyman cache stats` and `tallyman cache prune` do to the result
//! cache, outside any scan.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::store::{self, Counts, StoreError};
use super::{BuildId, LAST_RUN, RunFigures, today};

/// What `tallyman cache stats` shows of the result cache.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub file: PathBuf,
    pub exists: bool,
    /// The file and its write-ahead log.
    pub bytes_on_disk: u64,
    #[serde(flatten)]
    pub counts: Counts,
    pub last_run: Option<RunFigures>,
}

/// The state of the result cache in `dir`, as seen by `build`.
pub fn stats(dir: &Path, build: &BuildId) -> Result<Stats, String> {
    let file = store::file_in(dir);
    if !file.exists() {
        return Ok(Stats {
            file,
            exists: false,
            bytes_on_disk: 0,
            counts: Counts::default(),
            last_run: None,
        });
    }
    let describe = |e: StoreError| format!("{}: {e}", file.display());
    let connection = store::connect(&file).map_err(describe)?;
    let counts =
        store::counts(&connection, build.tag()).map_err(|e| describe(StoreError::from(e)))?;
    let last_run = store::note(&connection, LAST_RUN)
        .map_err(|e| describe(StoreError::from(e)))?
        .and_then(|text| serde_json::from_str(&text).ok());
    drop(connection);
    Ok(Stats {
        bytes_on_disk: store::size_on_disk(&file),
        file,
        exists: true,
        counts,
        last_run,
    })
}

/// What to delete from the result cache.
#[derive(Debug, Clone, Copy, Default)]
pub struct Prune {
    /// Entries written by other tallyman builds.
    pub other_builds: bool,
    /// Entries not used for this many days.
    pub older_than_days: Option<u32>,
    /// The whole file.
    pub all: bool,
}

/// What pruning did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Pruned {
    pub entries_deleted: u64,
    pub bytes_before: u64,
    pub bytes_after: u64,
}

/// Deletes what `prune` says from the result cache in `dir`.
pub fn prune(dir: &Path, build: &BuildId, prune: Prune) -> Result<Pruned, String> {
    let file = store::file_in(dir);
    let bytes_before = store::size_on_disk(&file);
    if !file.exists() {
        return Ok(Pruned::default());
    }
    let describe = |e: StoreError| format!("{}: {e}", file.display());
    if prune.all {
        let entries = store::connect(&file)
            .and_then(|c| store::counts(&c, build.tag()).map_err(StoreError::from))
            .map(|counts| counts.entries)
            .unwrap_or(0);
        store::remove(&file).map_err(|e| format!("{}: cannot delete: {e}", file.display()))?;
        return Ok(Pruned {
            entries_deleted: entries,
            bytes_before,
            bytes_after: 0,
        });
    }
    let connection = store::connect(&file).map_err(describe)?;
    let used_before = prune.older_than_days.map(|days| today() - i64::from(days));
    let entries_deleted = store::prune(&connection, build.tag(), prune.other_builds, used_before)
        .map_err(|e| describe(StoreError::from(e)))?;
    drop(connection);
    Ok(Pruned {
        entries_deleted,
        bytes_before,
        bytes_after: store::size_on_disk(&file),
    })
}
