//! The file system a store's files live on: the real one, or in tests a
//! simulated disk that can lose power.
//!
//! Chapter 1 put a save's three calls behind a trait so that a test could cut
//! the power under it. A log makes more calls (it appends, lists, truncates,
//! removes and locks), so they are gathered in [`LogFs`], and every file the
//! store touches is reached through a [`Dir`]: a directory on some `LogFs`.
//! In production that is [`StdFs`], std's calls and nothing else; the tests
//! use chapter 1's [`SimFs`], which keeps what was not fsynced apart and can
//! lose it. A store holds its `LogFs` as a trait object: one indirect call
//! beside each system call, which costs nothing measurable.

use std::fmt::Debug;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

pub use strata_flat_file::fs::StdFs;
use strata_flat_file::fs::{Fs, SyncAll};
use strata_flat_file::simfs::{SimFile, SimFs};

use crate::durability::SyncData;

/// The calls a store makes on its files.
pub trait LogFs: Debug + Send + Sync {
    /// Creates `dir` and its parents if missing.
    fn create_dir_all(&self, dir: &Path) -> io::Result<()>;
    /// Whether `dir` exists as a directory.
    fn is_dir(&self, dir: &Path) -> bool;
    /// The paths of the entries directly in `dir`.
    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>>;
    /// Creates the new file `path` (`AlreadyExists` if it exists), to append to.
    fn create_new(&self, path: &Path) -> io::Result<Box<dyn LogFile>>;
    /// Opens the existing file `path`, to append to.
    fn open_append(&self, path: &Path) -> io::Result<Box<dyn LogFile>>;
    /// Creates or empties the file `path`, to write (a snapshot's temporary file).
    fn create(&self, path: &Path) -> io::Result<Box<dyn LogFile>>;
    /// Opens the file `path` to read: it stays readable if it is removed.
    fn open_read(&self, path: &Path) -> io::Result<Box<dyn Read + Send>>;
    /// Renames `from` to `to`, replacing `to`.
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Removes the file `path`.
    fn remove_file(&self, path: &Path) -> io::Result<()>;
    /// Cuts the file `path` to `len` bytes (durable once the file is synced).
    fn set_len(&self, path: &Path, len: u64) -> io::Result<()>;
    /// Flushes `dir`'s entries (creations, renames, removals) to disk.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
    /// Takes an exclusive lock on the file `path` (creating it), held until
    /// the returned guard is dropped: `WouldBlock` if another holder has it.
    fn try_lock(&self, path: &Path) -> io::Result<Box<dyn Debug + Send + Sync>>;
}

/// A file open for writing.
pub trait LogFile: Write + SyncData + Debug + Send + Sync {
    /// A second handle on the same file (group commit fsyncs through one
    /// while appends go through the other).
    fn try_clone(&self) -> io::Result<Box<dyn LogFile>>;
}

impl SyncData for Box<dyn LogFile> {
    fn sync_data(&self) -> io::Result<()> {
        (**self).sync_data()
    }
}

impl SyncAll for Box<dyn LogFile> {
    fn sync_all(&mut self) -> io::Result<()> {
        // A snapshot's temporary file is new: syncing its data syncs its size.
        (**self).sync_data()
    }
}

// ANCHOR: dir
/// A store's directory, on the file system its files live on.
#[derive(Debug, Clone)]
pub struct Dir {
    fs: Arc<dyn LogFs>,
    path: PathBuf,
}

/// The real file system, shared: directories on it compare equal by path.
static STD_FS: LazyLock<Arc<dyn LogFs>> = LazyLock::new(|| Arc::new(StdFs));

impl Dir {
    /// The directory `path` on the real file system.
    pub fn new(path: impl Into<PathBuf>) -> Dir {
        Dir::on(Arc::clone(&STD_FS), path)
    }

    /// The directory `path` on `fs`.
    pub fn on(fs: Arc<dyn LogFs>, path: impl Into<PathBuf>) -> Dir {
        Dir {
            fs,
            path: path.into(),
        }
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file system it is on.
    pub fn fs(&self) -> &dyn LogFs {
        &*self.fs
    }
}
// ANCHOR_END: dir

/// Two `Dir`s are equal when they name the same path on the same file system.
impl PartialEq for Dir {
    fn eq(&self, other: &Dir) -> bool {
        self.path == other.path && Arc::ptr_eq(&self.fs, &other.fs)
    }
}

impl Eq for Dir {}

/// Chapter 1's atomic save, through a [`LogFs`]: how snapshots are written.
impl Fs for &dyn LogFs {
    type File = Box<dyn LogFile>;

    fn create(&self, path: &Path) -> io::Result<Box<dyn LogFile>> {
        LogFs::create(*self, path)
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        LogFs::rename(*self, from, to)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        LogFs::sync_dir(*self, dir)
    }
}

impl LogFs for StdFs {
    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)
    }

    fn is_dir(&self, dir: &Path) -> bool {
        dir.is_dir()
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        fs::read_dir(dir)?.map(|entry| Ok(entry?.path())).collect()
    }

    fn create_new(&self, path: &Path) -> io::Result<Box<dyn LogFile>> {
        let file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(path)?;
        Ok(Box::new(file))
    }

    fn open_append(&self, path: &Path) -> io::Result<Box<dyn LogFile>> {
        Ok(Box::new(OpenOptions::new().append(true).open(path)?))
    }

    fn create(&self, path: &Path) -> io::Result<Box<dyn LogFile>> {
        Ok(Box::new(Fs::create(&StdFs, path)?))
    }

    fn open_read(&self, path: &Path) -> io::Result<Box<dyn Read + Send>> {
        Ok(Box::new(File::open(path)?))
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }

    fn set_len(&self, path: &Path, len: u64) -> io::Result<()> {
        OpenOptions::new().write(true).open(path)?.set_len(len)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        Fs::sync_dir(&StdFs, dir)
    }

    fn try_lock(&self, path: &Path) -> io::Result<Box<dyn Debug + Send + Sync>> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Box::new(file)),
            Err(TryLockError::WouldBlock) => Err(io::ErrorKind::WouldBlock.into()),
            Err(TryLockError::Error(e)) => Err(e),
        }
    }
}

impl LogFile for File {
    fn try_clone(&self) -> io::Result<Box<dyn LogFile>> {
        Ok(Box::new(File::try_clone(self)?))
    }
}

impl LogFs for SimFs {
    fn create_dir_all(&self, _dir: &Path) -> io::Result<()> {
        Ok(()) // directories are implied by the names in them
    }

    fn is_dir(&self, _dir: &Path) -> bool {
        true
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        Ok(SimFs::list(self, dir))
    }

    fn create_new(&self, path: &Path) -> io::Result<Box<dyn LogFile>> {
        Ok(Box::new(self.open_append(path, true)?))
    }

    fn open_append(&self, path: &Path) -> io::Result<Box<dyn LogFile>> {
        Ok(Box::new(SimFs::open_append(self, path, false)?))
    }

    fn create(&self, path: &Path) -> io::Result<Box<dyn LogFile>> {
        Ok(Box::new(Fs::create(self, path)?))
    }

    fn open_read(&self, path: &Path) -> io::Result<Box<dyn Read + Send>> {
        // The bytes as they are now: enough for a reading that follows at once.
        Ok(Box::new(io::Cursor::new(self.read(path)?)))
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        Fs::rename(self, from, to)
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        self.remove(path)
    }

    fn set_len(&self, path: &Path, len: u64) -> io::Result<()> {
        SimFs::set_len(self, path, len)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        Fs::sync_dir(self, dir)
    }

    fn try_lock(&self, path: &Path) -> io::Result<Box<dyn Debug + Send + Sync>> {
        Ok(Box::new(SimFs::try_lock(self, path)?))
    }
}

impl SyncData for SimFile {
    fn sync_data(&self) -> io::Result<()> {
        self.sync()
    }
}

impl LogFile for SimFile {
    fn try_clone(&self) -> io::Result<Box<dyn LogFile>> {
        Ok(Box::new(self.handle()))
    }
}
