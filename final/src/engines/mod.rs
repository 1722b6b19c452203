//! One adapter per engine: each chapter's crate behind the common traits.
//!
//! An adapter owns its chapter's store and adds only what the traits promise
//! and the chapter left out: sharing between threads (and group commit, for
//! the engines whose writes take `&mut`), a lock file for the flat file, and
//! a bucket for the B+tree's keys. Everything else is a call to the chapter.

use std::fs::{File, OpenOptions as FsOpenOptions};
use std::io::ErrorKind;
use std::path::Path;
use std::time::Duration;

use crate::{Engine, Error, KeyValue, Options, Result};

#[cfg(feature = "bitcask")]
mod bitcask;
#[cfg(feature = "bptree")]
mod bptree;
#[cfg(feature = "flat-file")]
pub(crate) mod flat_file;
pub(crate) mod prefixed;
#[cfg(any(feature = "flat-file", feature = "wal"))]
pub(crate) mod snapshot;
#[cfg(feature = "wal")]
mod wal;

/// An open engine, as a [`Store`](crate::Store) holds it.
pub(crate) trait Backend: KeyValue {
    /// Where the engine's files are.
    fn path(&self) -> &Path;

    /// Makes everything durable and closes the engine, reporting what
    /// dropping it would have to ignore.
    fn close(self: Box<Self>) -> Result<()>;

    /// Ends the engine as a crash of the process would: nothing is synced,
    /// saved or finished; only what already reached the operating system
    /// remains. The default is a plain drop, for the engines whose `Drop`
    /// does no more than that.
    fn crash(self: Box<Self>) {}

    /// The keyspace `name`, if the engine has keyspaces of its own (the
    /// B+tree's buckets); `None` makes it a prefix of the one keyspace.
    fn keyspace(&self, name: &[u8]) -> Option<Result<Box<dyn Backend>>> {
        let _ = name;
        None
    }
}

/// Whether an open makes a new database or opens an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Create {
    /// Make a new one; something already there is an error.
    New,
    /// Open what is there; nothing there is an error.
    Existing,
}

/// Opens `engine`'s database at `path` to read only: nothing on disk is
/// changed, created or locked for writing (see [`Options::read_only`]).
pub(crate) fn open_read_only(
    engine: Engine,
    path: &Path,
    options: &Options,
) -> Result<Box<dyn Backend>> {
    #[allow(unreachable_patterns)]
    match engine {
        #[cfg(feature = "flat-file")]
        Engine::FlatFile => {
            let map = strata_flat_file::read_map(path)?.ok_or_else(|| Error::NotFound {
                path: path.to_path_buf(),
            })?;
            let bytes = std::fs::metadata(path).map_or(0, |m| m.len());
            Ok(Box::new(snapshot::Snapshot::new(engine, path, map, bytes)))
        }
        #[cfg(feature = "wal")]
        Engine::Wal => {
            let mut map = strata_flat_file::Map::new();
            strata_wal::read_replaying(path, strata_wal::RecoveryMode::default(), |op| {
                op.apply(&mut map)
            })?;
            let bytes = dir_bytes(path)?;
            Ok(Box::new(snapshot::Snapshot::new(engine, path, map, bytes)))
        }
        #[cfg(feature = "bitcask")]
        Engine::Bitcask => Ok(Box::new(bitcask::BitcaskEngine::open_read_only(
            path, options,
        )?)),
        #[cfg(feature = "bptree")]
        Engine::Bptree => Ok(Box::new(bptree::BptreeEngine::open(
            path,
            options,
            Create::Existing,
        )?)),
        _ => {
            let _ = (path, options);
            Err(Error::FeatureDisabled { engine })
        }
    }
}

/// Opens (or creates) `engine`'s database at `path`.
pub(crate) fn open(
    engine: Engine,
    path: &Path,
    options: &Options,
    create: Create,
) -> Result<Box<dyn Backend>> {
    // Each arm is compiled only with its feature; the others fall through.
    #[allow(unreachable_patterns)]
    match engine {
        #[cfg(feature = "flat-file")]
        Engine::FlatFile => Ok(Box::new(flat_file::FlatFileEngine::open(
            path, options, create,
        )?)),
        #[cfg(feature = "wal")]
        Engine::Wal => Ok(Box::new(wal::WalEngine::open(path, options, create)?)),
        #[cfg(feature = "bitcask")]
        Engine::Bitcask => Ok(Box::new(bitcask::BitcaskEngine::open(
            path, options, create,
        )?)),
        #[cfg(feature = "bptree")]
        Engine::Bptree => Ok(Box::new(bptree::BptreeEngine::open(path, options, create)?)),
        _ => {
            let _ = (path, options, create);
            Err(Error::FeatureDisabled { engine })
        }
    }
}

/// How often, and how far apart, a held lock is tried again before it
/// counts as another writer's: a lock just released can look held for an
/// instant (a child process forked by another thread shares our open files
/// until it execs), as chapter 2's lock explains.
const LOCK_TRIES: u32 = 10;
const LOCK_RETRY_DELAY: Duration = Duration::from_millis(10);

/// Creates `path` if needed and locks it exclusively for as long as the
/// returned file is open.
#[cfg_attr(not(feature = "flat-file"), allow(dead_code))]
pub(crate) fn lock_exclusively(path: &Path) -> Result<File> {
    let file = FsOpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    for attempt in 1..=LOCK_TRIES {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) if attempt < LOCK_TRIES => {
                std::thread::sleep(LOCK_RETRY_DELAY);
            }
            Err(std::fs::TryLockError::WouldBlock) => break,
            Err(std::fs::TryLockError::Error(e)) if e.kind() == ErrorKind::WouldBlock => break,
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(path, e)),
        }
    }
    Err(Error::Locked {
        path: path.to_path_buf(),
    })
}

/// The bytes of the files in `dir` (not its subdirectories).
#[cfg_attr(not(any(feature = "wal", feature = "bitcask")), allow(dead_code))]
pub(crate) fn dir_bytes(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        // A file removed since the listing (a merge's input) counts as empty.
        if let Ok(meta) = entry.metadata()
            && meta.is_file()
        {
            total += meta.len();
        }
    }
    Ok(total)
}
