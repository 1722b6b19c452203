//! Where a database lives and how durable its writes are.

use std::path::PathBuf;

pub use strata_wal::SyncPolicy;
pub use strata_wal::fs::Dir;

/// How to open a database: see [`Config::in_folder`] and [`Config::in_memory`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The folder holding the log (on the file system it is on: the real
    /// one, or in tests a simulated disk that can lose power), or `None` for a
    /// database that lives in memory only and never touches the disk.
    pub folder: Option<Dir>,
    /// Create the folder if it is missing. Default: `true`.
    pub create: bool,
    /// Read the folder's log without opening it for writing, and refuse
    /// every change with [`Error::ReadOnly`](crate::Error::ReadOnly).
    /// Default: `false`. A read-only database takes no lock and creates or
    /// changes no file (not even the folder), so it opens beside a writer, in
    /// this process or another, and sees everything committed before it
    /// opened; it does not follow later changes (open it again for those).
    /// The exception is a [`DiskTable`](crate::DiskTable): reading its file
    /// takes chapter 4's shared lock on it, which a writer holding the file
    /// excludes (and which keeps a writer out while the reader holds it).
    pub read_only: bool,
    /// When writes are fsynced: chapter 2's policies. Default:
    /// [`SyncPolicy::Always`], durable when the call returns.
    pub sync: SyncPolicy,
    /// Compact in the background once the log has grown past this many
    /// bytes: after a write (or a commit) that finds it so, chapter 2's
    /// background checkpoint moves the log to a new segment, and a thread
    /// rebuilds the state from the old files and saves it as the snapshot,
    /// while changes go on. Default: `None`, only when
    /// [`compact`](crate::Database::compact) is called.
    pub compact_above: Option<u64>,
}

impl Config {
    /// A database whose log is in `folder`.
    pub fn in_folder(folder: impl Into<PathBuf>) -> Config {
        Config::in_dir(Dir::new(folder))
    }

    /// A database whose log is in `dir`, on whatever file system it is on.
    pub fn in_dir(dir: Dir) -> Config {
        Config {
            folder: Some(dir),
            create: true,
            read_only: false,
            sync: SyncPolicy::Always,
            compact_above: None,
        }
    }

    /// A database in memory only: the same API, no I/O, nothing kept.
    pub fn in_memory() -> Config {
        Config {
            folder: None,
            ..Config::in_folder("")
        }
    }

    /// With another sync policy.
    pub fn sync(mut self, sync: SyncPolicy) -> Config {
        self.sync = sync;
        self
    }

    /// Read-only.
    pub fn read_only(mut self) -> Config {
        self.read_only = true;
        self
    }

    /// Whether to create a missing folder.
    pub fn create(mut self, create: bool) -> Config {
        self.create = create;
        self
    }

    /// Compacting in the background once the log passes `bytes`.
    pub fn compact_above(mut self, bytes: u64) -> Config {
        self.compact_above = Some(bytes);
        self
    }
}
