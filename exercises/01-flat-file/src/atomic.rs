//! Replacing a file atomically. **Yours to write: `write_atomic_in`.**
//!
//! Overwriting a file in place is never safe: a crash halfway leaves half the
//! new bytes over half the old ones. Instead we write a complete new copy beside
//! it and swap the name over, because a rename within one directory is atomic:
//!
//! 1. create a temporary file in the *same directory* (a rename across file
//!    systems is a copy, not atomic);
//! 2. write all the bytes to it;
//! 3. fsync it, so its bytes are on disk before its name can point at them;
//! 4. rename it over the target;
//! 5. fsync the directory, so the rename itself is on disk.
//!
//! A crash before step 4 leaves the old file; after it, the new one. The
//! temporary file a crash may leave behind is named after the target (so it
//! never accumulates) and is overwritten by the next save.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::fs::{Fs, StdFs, SyncAll};
use crate::{Error, Result};

/// The steps of an atomic write, in order. [`write_atomic_with`] reports each one
/// after it completes, so a test can stop the write there, as a crash would.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SaveStep {
    /// The temporary file exists and is empty.
    Created,
    /// Half of the bytes are written: a crash here leaves a torn temporary file.
    HalfWritten,
    /// All bytes are written to the temporary file (not yet on disk).
    Written,
    /// The temporary file's bytes are on disk.
    Synced,
    /// The temporary file has replaced the target (the rename may not be on disk yet).
    Renamed,
    /// The directory is synced: the new file is durable.
    DirSynced,
}

impl SaveStep {
    /// Every step, in the order they happen.
    pub const ALL: [SaveStep; 6] = [
        SaveStep::Created,
        SaveStep::HalfWritten,
        SaveStep::Written,
        SaveStep::Synced,
        SaveStep::Renamed,
        SaveStep::DirSynced,
    ];
}

/// Replaces the file at `path` with `bytes`, atomically and durably: when this
/// returns `Ok`, the new contents are on disk; if it fails or the process dies
/// partway, the file holds either its old contents or the new ones.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, bytes, |_| Ok(()))
}

/// [`write_atomic`], calling `after` after each [`SaveStep`]. If `after` returns
/// an error the write stops there and returns it, leaving the files as a crash
/// at that point would: this is how the tests crash a save at every step.
pub fn write_atomic_with(
    path: &Path,
    bytes: &[u8],
    after: impl FnMut(SaveStep) -> io::Result<()>,
) -> Result<()> {
    write_atomic_in(&StdFs, path, bytes, after)
}

/// [`write_atomic_with`] on the file system `fs`: the real one ([`StdFs`]),
/// or in tests a simulated disk that can lose power
/// ([`SimFs`](crate::simfs::SimFs)).
///
/// Hints: the module docs list the five steps, and each [`SaveStep`] names
/// the moment after one of them ([`SaveStep::HalfWritten`] is halfway
/// through the bytes, so that a crash can tear the temporary file). Make
/// every call through `fs`; [`temp_path`] and [`parent_dir`] give the two
/// other paths. Two rules make a crash at any step safe: call `after(step)`
/// only once the step is done, and return as soon as anything fails,
/// `after` included, with the error wrapped by [`Error::io`] and the path
/// it concerns. `suite::atomic` crashes the save after every step; leave
/// out an fsync, or make it too late, and `suite::power_loss` says which.
///
/// <details><summary>Stuck?</summary>
///
/// One call per step: `fs.create` on the temporary path (it empties a
/// stale file), `write_all` of the first half and then of the second
/// (`split_at` the middle), `sync_all` on the file ([`SyncAll`]),
/// `fs.rename` onto `path`, and `fs.sync_dir` on the parent directory. An
/// error from `after` is an `io::Error` like the others. Let the file go
/// (drop it) once it is synced, before the rename.
///
/// </details>
pub fn write_atomic_in<F: Fs>(
    fs: &F,
    path: &Path,
    bytes: &[u8],
    mut after: impl FnMut(SaveStep) -> io::Result<()>,
) -> Result<()> {
    todo!("chapter 1, step 2: temp file, write, fsync, rename, fsync the directory")
}

/// The temporary file used while replacing `path`: `.NAME.tmp` in the same directory.
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    parent_dir(path).join(format!(".{name}.tmp"))
}

/// The directory holding `path` (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Flushes a directory's entries (file creations, renames, removals) to disk.
pub fn sync_dir(dir: &Path) -> Result<()> {
    StdFs.sync_dir(dir).map_err(|e| Error::io(dir, e))
}
