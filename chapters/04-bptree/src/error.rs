//! The crate's one error type. Errors from the file name it and the page.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The operating system refused an open, read, write, sync or lock.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },

    /// Another process holds a lock that excludes this open (a writer
    /// excludes everyone; readers exclude writers).
    #[error("{path}: locked by another process")]
    Locked {
        /// The file.
        path: PathBuf,
    },

    /// Neither meta page is valid: this is not a bbolt file, or both metas are damaged.
    #[error("{path}: not a valid bbolt file: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with meta page 0 (and 1).
        reason: String,
    },

    /// A page, element or length in the file breaks the format's rules.
    #[error("corrupt file: page {page}: {reason}")]
    Corrupt {
        /// The page where the problem is.
        page: u64,
        /// What is wrong.
        reason: String,
    },

    /// A write on a database opened read-only.
    #[error("the database is open read-only")]
    ReadOnly,

    /// An earlier commit failed while writing its meta page: the file's
    /// state is unknown until it is opened again.
    #[error("a commit failed while writing its meta page; reopen the database")]
    Poisoned,

    /// An empty key.
    #[error("a key must not be empty")]
    KeyRequired,

    /// A key longer than bbolt's limit (32,768 bytes).
    #[error("a key of {len} bytes is longer than the 32768-byte limit")]
    KeyTooLarge {
        /// Its length.
        len: usize,
    },

    /// A value longer than bbolt's limit (2^31 − 2 bytes).
    #[error("a value of {len} bytes is longer than the 2147483646-byte limit")]
    ValueTooLarge {
        /// Its length.
        len: usize,
    },

    /// A value where a bucket is expected, or a bucket where a value is.
    #[error("the key holds a bucket where a value is expected, or a value where a bucket is")]
    IncompatibleValue,

    /// Creating a bucket that exists.
    #[error("the bucket already exists")]
    BucketExists,

    /// Deleting a bucket that does not exist.
    #[error("no such bucket")]
    BucketNotFound,

    /// A bucket with an empty name.
    #[error("a bucket name must not be empty")]
    BucketNameRequired,

    /// The commit of a [`DB::batch`](crate::DB::batch) failed: every call in
    /// it gets this same error (errors are not `Clone`, so they share one).
    #[error(transparent)]
    Shared(std::sync::Arc<Error>),

    /// [`Options`](crate::Options) that cannot make a database (a page size
    /// that is not a power of two from 1,024 to 65,536).
    #[error("invalid options: {reason}")]
    InvalidOptions {
        /// What is wrong with them.
        reason: String,
    },

    /// Another call in the same [`DB::batch`](crate::DB::batch) panicked:
    /// nothing of the batch was committed; calling again is safe.
    #[error("a call in the same batch panicked; nothing was committed")]
    BatchPanicked,
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

    /// A corruption found on `page`.
    pub fn corrupt(page: u64, reason: impl Into<String>) -> Self {
        Error::Corrupt {
            page,
            reason: reason.into(),
        }
    }
}
