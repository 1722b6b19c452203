//! One writer per directory, enforced by the operating system.
//!
//! The writer holds an exclusive lock on the file `LOCK` for as long as it is
//! open. The lock belongs to the open file, so it is released when the store
//! is closed or dropped, and by the OS when the process dies: a crash never
//! leaves a stale lock behind.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The lock file's name.
pub const LOCK_FILE: &str = "LOCK";

/// An exclusive lock on a store's directory, held until dropped.
#[derive(Debug)]
pub struct DirLock {
    _file: File,
    path: PathBuf,
}

impl DirLock {
    // ANCHOR: acquire
    /// Takes the lock on `dir`, or fails at once with [`Error::Locked`].
    pub fn acquire(dir: &Path) -> Result<Self> {
        let path = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(DirLock { _file: file, path }),
            Err(TryLockError::WouldBlock) => Err(Error::Locked { path }),
            Err(TryLockError::Error(e)) => Err(Error::io(path, e)),
        }
    }
    // ANCHOR_END: acquire

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
