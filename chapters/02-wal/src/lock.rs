//! One writer per directory, enforced by the operating system.
//!
//! The writer holds an exclusive lock on the file `LOCK` for as long as it is
//! open. The lock belongs to the open file, so it is released when the store
//! is closed or dropped, and by the OS when the process dies: a crash never
//! leaves a stale lock behind.

use std::fmt::Debug;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use crate::fs::Dir;
use crate::{Error, Result};

/// The lock file's name.
pub const LOCK_FILE: &str = "LOCK";
/// Tries before a held lock counts as another writer's (about 100 ms in all).
const RETRIES: u32 = 10;
const RETRY_DELAY: std::time::Duration = std::time::Duration::from_millis(10);

/// An exclusive lock on a store's directory, held until dropped.
#[derive(Debug)]
pub struct DirLock {
    _held: Box<dyn Debug + Send + Sync>,
    path: PathBuf,
}

impl DirLock {
    // ANCHOR: acquire
    /// Takes the lock on `dir`, or fails with [`Error::Locked`] if it stays
    /// held for about 100 ms.
    pub fn acquire(dir: &Dir) -> Result<Self> {
        let path = dir.path().join(LOCK_FILE);
        // A lock just released can look held for an instant: a child process
        // forked by another thread shares our open files until it execs. So a
        // held lock is retried briefly before it counts as another writer's.
        for attempt in 1..=RETRIES {
            match dir.fs().try_lock(&path) {
                Ok(held) => return Ok(DirLock { _held: held, path }),
                Err(e) if e.kind() == ErrorKind::WouldBlock && attempt < RETRIES => {
                    std::thread::sleep(RETRY_DELAY)
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => return Err(Error::io(path, e)),
            }
        }
        Err(Error::Locked { path })
    }
    // ANCHOR_END: acquire

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
