//! The crate's one error type. Errors from a file name it (and the offset).

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The operating system refused a read, write, sync, rename or removal.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory being worked on.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },

    /// Another process (or handle) holds the cask's write or merge lock.
    #[error("{path}: locked by a live process ({holder})")]
    Locked {
        /// The lock file.
        path: PathBuf,
        /// What the lock file says: `<pid> <active file>`.
        holder: String,
    },

    /// The directory does not exist and `Options::create_if_missing` is off.
    #[error("{path}: no such bitcask directory")]
    NotFound {
        /// The directory.
        path: PathBuf,
    },

    /// An entry failed its CRC (or is cut short) when read: the file is damaged.
    #[error("{path}: corrupt entry at byte {offset}: {reason}")]
    Corrupt {
        /// The data file.
        path: PathBuf,
        /// Where the entry starts.
        offset: u64,
        /// What is wrong.
        reason: String,
    },

    /// A key longer than a bitcask entry can hold (its size is a `u16`).
    #[error("a key of {len} bytes is longer than bitcask's limit of {max}")]
    KeyTooLarge {
        /// The key's length.
        len: usize,
        /// The limit.
        max: usize,
    },

    /// A value too large for an entry's total size to fit in a `u32`.
    #[error("a value of {len} bytes is larger than this key allows ({max} bytes)")]
    ValueTooLarge {
        /// The value's length.
        len: u64,
        /// The limit for this key.
        max: u64,
    },

    /// A value that starts with `bitcask_tombstone` would read back as a delete.
    #[error("values starting with \"bitcask_tombstone\" are reserved for deletes")]
    ReservedValue,

    /// A data file already has the largest id there is (`u32::MAX`), so no
    /// newer one can be created.
    #[error("{path}: the largest file id there is; no data file can come after it")]
    OutOfFileIds {
        /// The data file with that id.
        path: PathBuf,
    },

    /// Opening found the data files changed (by a merge beside it) every
    /// time it listed them.
    #[error("{path}: the data files changed during each of {tries} tries to open them")]
    KeptChanging {
        /// The cask's directory.
        path: PathBuf,
        /// How many times the files were listed.
        tries: u32,
    },

    /// A write was attempted on a cask opened read-only.
    #[error("the cask is open read-only")]
    ReadOnly,
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
