//! The files of a log folder (chapter 2's `wal-<seq>.log` segments and
//! `snapshot-<seq>.strata` snapshots), for tests that look at what is on disk.
//! Chapter 5's suite uses the same helpers, as its database is such a folder.

use std::path::{Path, PathBuf};

/// The log segments in `dir`, oldest first.
pub fn segments(dir: &Path) -> Vec<PathBuf> {
    files(dir, "wal-")
}

/// The snapshots in `dir`, oldest first.
pub fn snapshots(dir: &Path) -> Vec<PathBuf> {
    files(dir, "snapshot-")
}

/// The files in `dir` whose names start with `prefix`, in name order (which is
/// sequence order: the numbers are zero-padded).
fn files(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with(prefix))
        .collect();
    found.sort();
    found
}
