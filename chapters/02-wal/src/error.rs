//! The crate's one error type. Errors that come from a file name it, and from a
//! log, the byte offset where the problem starts.

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

    /// Another handle, in this process or another, has the directory open for writing.
    #[error("{path}: locked: another writer has this database open")]
    Locked {
        /// The lock file.
        path: PathBuf,
    },

    /// The directory does not exist and `Options::create` is off.
    #[error("{path}: no such database directory")]
    NotFound {
        /// The directory.
        path: PathBuf,
    },

    /// The log is damaged somewhere other than its tail (or anywhere, under
    /// [`RecoveryMode::AbsoluteConsistency`](crate::RecoveryMode::AbsoluteConsistency)).
    #[error("{path}: corrupt log at byte {offset}: {reason}")]
    Corrupt {
        /// The log segment.
        path: PathBuf,
        /// Where the damage starts.
        offset: u64,
        /// What is wrong.
        reason: String,
    },

    /// A snapshot (a chapter-1 file) could not be read or written.
    #[error("snapshot: {0}")]
    Snapshot(#[from] strata_flat_file::Error),

    /// A record would be larger than a frame's `u32` length can say.
    #[error("a record of {len} bytes is larger than the log's limit of {max} bytes")]
    TooLarge {
        /// The record's encoded length.
        len: u64,
        /// The largest payload a record may have.
        max: u64,
    },

    /// The log's sequence numbers have reached `u64::MAX`, which only a
    /// damaged or hostile file can claim: no record can follow.
    #[error("{path}: the log has used every sequence number")]
    SequenceExhausted {
        /// The database directory.
        path: PathBuf,
    },

    /// An earlier write or fsync failed, so what the log holds on disk is
    /// unknown. The store refuses further writes: close it and open it again,
    /// and recovery will establish what survived.
    #[error("the store is unusable after an earlier write or sync failure: reopen it")]
    Poisoned,

    /// A thread panicked while it held the store's lock, or while it ran a
    /// background checkpoint: what it was doing may be half done. Writes are
    /// refused; reads go on (each change to the map is one insert or
    /// remove). Reopen the store to recover from the files.
    #[error("a thread panicked while changing the store: reopen it")]
    Panicked,
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
