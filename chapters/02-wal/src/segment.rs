//! The files in a store's directory, and their names.
//!
//! ```text
//! LOCK                                  held by the one writer (see `lock`)
//! snapshot-00000000000000000041.strata  the map after record 41 (a chapter-1 file)
//! wal-00000000000000000042.log          records 42, 43, ... (the active segment)
//! ```
//!
//! Numbers are zero-padded so names sort in sequence order. A segment is named
//! after the first sequence number it may hold; a snapshot after the last
//! sequence number it includes.

use std::path::{Path, PathBuf};

use crate::fs::Dir;
use crate::{Error, Result};

const SEGMENT_PREFIX: &str = "wal-";
const SEGMENT_SUFFIX: &str = ".log";
const SNAPSHOT_PREFIX: &str = "snapshot-";
const SNAPSHOT_SUFFIX: &str = ".strata";

/// The segment whose first record is `first_seq`.
///
/// ```
/// # use std::path::Path;
/// use strata_wal::segment::segment_path;
/// let (a, b) = (segment_path(Path::new("db"), 9), segment_path(Path::new("db"), 10));
/// assert!(a < b, "zero-padding makes names sort in sequence order");
/// assert!(b.ends_with("wal-00000000000000000010.log"));
/// ```
pub fn segment_path(dir: &Path, first_seq: u64) -> PathBuf {
    dir.join(format!("{SEGMENT_PREFIX}{first_seq:020}{SEGMENT_SUFFIX}"))
}

/// The snapshot holding the map after record `seq`.
pub fn snapshot_path(dir: &Path, seq: u64) -> PathBuf {
    dir.join(format!("{SNAPSHOT_PREFIX}{seq:020}{SNAPSHOT_SUFFIX}"))
}

/// What a directory holds, each list sorted by sequence number.
#[derive(Debug, Default)]
pub struct Listing {
    /// Log segments: (first sequence number, path).
    pub segments: Vec<(u64, PathBuf)>,
    /// Snapshots: (last sequence number included, path).
    pub snapshots: Vec<(u64, PathBuf)>,
    /// Temporary files a crash left behind mid-save (`.NAME.tmp`).
    pub temporary: Vec<PathBuf>,
}

/// Lists the store's files in `dir`, ignoring anything else.
pub fn list(dir: &Dir) -> Result<Listing> {
    let mut listing = Listing::default();
    let entries = dir
        .fs()
        .list(dir.path())
        .map_err(|e| Error::io(dir.path(), e))?;
    for path in entries {
        let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
            continue;
        };
        if let Some(seq) = parse(name, SEGMENT_PREFIX, SEGMENT_SUFFIX) {
            listing.segments.push((seq, path));
        } else if let Some(seq) = parse(name, SNAPSHOT_PREFIX, SNAPSHOT_SUFFIX) {
            listing.snapshots.push((seq, path));
        } else if name.starts_with('.') && name.ends_with(".tmp") {
            listing.temporary.push(path);
        }
    }
    listing.segments.sort();
    listing.snapshots.sort();
    Ok(listing)
}

fn parse(name: &str, prefix: &str, suffix: &str) -> Option<u64> {
    let digits = name.strip_prefix(prefix)?.strip_suffix(suffix)?;
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Removes `path` from `dir`, then makes the removal durable by syncing `dir`.
pub fn remove_durably(dir: &Dir, path: &Path) -> Result<()> {
    dir.fs().remove_file(path).map_err(|e| Error::io(path, e))?;
    sync(dir)
}

/// Syncs `dir` (after creating, renaming or removing a file in it).
pub fn sync(dir: &Dir) -> Result<()> {
    dir.fs()
        .sync_dir(dir.path())
        .map_err(|e| Error::io(dir.path(), e))
}
