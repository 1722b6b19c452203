//! The file-system seam: the few calls a save makes, behind a trait.
//!
//! Killing a process cannot test an fsync: the kernel keeps the page cache,
//! so whatever the process wrote survives it, synced or not. Only losing power
//! drops unsynced data, and no test can pull the plug on the real disk. So the
//! code that must be durable talks to the disk through [`Fs`]: in production
//! [`StdFs`], which is std's calls and nothing else (the generic code compiles
//! to exactly them); in tests [`SimFs`](crate::simfs::SimFs), a simulated disk
//! that keeps unsynced data apart and can lose it.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// The calls an atomic save makes.
pub trait Fs {
    /// A file open for writing.
    type File: Write + SyncAll;

    /// Creates the file at `path`, or empties it if it exists, for writing.
    fn create(&self, path: &Path) -> io::Result<Self::File>;

    /// Renames `from` to `to`, replacing `to` if it exists.
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;

    /// Flushes the directory's entries (creations, renames, removals) to disk.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
}

/// Flushing one file's data to disk.
pub trait SyncAll {
    /// Returns once the file's data and metadata are on disk (`fsync`).
    fn sync_all(&mut self) -> io::Result<()>;
}

/// The real file system, through std.
#[derive(Debug, Clone, Copy, Default)]
pub struct StdFs;

impl Fs for StdFs {
    type File = File;

    fn create(&self, path: &Path) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        // On Unix a directory is opened like a file and fsynced. Windows has
        // no such call and makes renames durable by other means.
        #[cfg(unix)]
        File::open(dir)?.sync_all()?;
        #[cfg(not(unix))]
        let _ = dir;
        Ok(())
    }
}

impl SyncAll for File {
    fn sync_all(&mut self) -> io::Result<()> {
        File::sync_all(self)
    }
}
