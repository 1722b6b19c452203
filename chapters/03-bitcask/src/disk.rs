//! The write side of the file system: every call that changes a file or a
//! name goes through a [`Disk`].
//!
//! Killing a process cannot test an fsync: the kernel keeps the page cache.
//! Chapters 1 and 2 put the file system behind a trait and ran their tests on
//! a simulated disk that can lose power. A cask reads its closed files through
//! memory maps, which a simulated disk cannot serve, so only the write side
//! is behind this trait: creating, writing, syncing, renaming, linking and
//! removing files, marking them, creating and syncing directories. Reads go
//! to the real files. In production that is [`StdDisk`], std's calls and
//! nothing else; a test can pass a disk that makes the same calls and records
//! each one, then rebuild from the record what a power cut at any moment
//! would have left (see the chapter's `power_loss` tests).
//!
//! A cask holds its disk as an `Arc<dyn Disk>`: one indirect call beside each
//! system call, which costs nothing measurable.

use std::fmt::Debug;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, LazyLock};

/// The calls a cask makes that change what is on disk.
pub trait Disk: Debug + Send + Sync {
    /// Creates the directory `dir` (its parent must exist).
    fn create_dir(&self, dir: &Path) -> io::Result<()>;
    /// Creates the new file `path` to append to, with permissions `mode`
    /// (less the umask; ignored off Unix): `AlreadyExists` if it exists.
    fn create_new(&self, path: &Path, mode: u32) -> io::Result<File>;
    /// Appends `bytes` to `file`, which was created at `path`.
    fn append(&self, file: &mut File, path: &Path, bytes: &[u8]) -> io::Result<()>;
    /// Forces `file`'s data to disk (`fdatasync`): its contents and size.
    fn sync_data(&self, file: &File, path: &Path) -> io::Result<()>;
    /// Forces `file`'s data and metadata, permissions included, to disk (`fsync`).
    fn sync_all(&self, file: &File, path: &Path) -> io::Result<()>;
    /// Sets the permission bits of `path` (Unix only).
    fn set_mode(&self, path: &Path, mode: u32) -> io::Result<()>;
    /// Renames `from` to `to`, replacing `to`.
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Gives the file `from` a second name, `to`: `AlreadyExists` if taken.
    fn hard_link(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Removes the name `path`.
    fn remove_file(&self, path: &Path) -> io::Result<()>;
    /// Flushes `dir`'s entries (creations, renames, links, removals) to disk.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
}

/// The real file system, through std.
#[derive(Debug, Clone, Copy, Default)]
pub struct StdDisk;

/// The real file system, shared by every cask that opens without a disk.
static STD_DISK: LazyLock<Arc<dyn Disk>> = LazyLock::new(|| Arc::new(StdDisk));

/// [`StdDisk`], as the `Arc<dyn Disk>` a cask holds.
pub fn std_disk() -> Arc<dyn Disk> {
    Arc::clone(&STD_DISK)
}

impl Disk for StdDisk {
    fn create_dir(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir(dir)
    }

    fn create_new(&self, path: &Path, mode: u32) -> io::Result<File> {
        let mut options = OpenOptions::new();
        options.append(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
        #[cfg(not(unix))]
        let _ = mode;
        options.open(path)
    }

    fn append(&self, file: &mut File, _path: &Path, bytes: &[u8]) -> io::Result<()> {
        file.write_all(bytes)
    }

    fn sync_data(&self, file: &File, _path: &Path) -> io::Result<()> {
        file.sync_data()
    }

    fn sync_all(&self, file: &File, _path: &Path) -> io::Result<()> {
        file.sync_all()
    }

    fn set_mode(&self, path: &Path, mode: u32) -> io::Result<()> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(path, fs::Permissions::from_mode(mode))
        }
        #[cfg(not(unix))]
        {
            let _ = (path, mode);
            Ok(())
        }
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }

    fn hard_link(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::hard_link(from, to)
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        // Chapter 1's directory sync (a no-op where there is no such call).
        strata_flat_file::fs::Fs::sync_dir(&strata_flat_file::fs::StdFs, dir)
    }
}
