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
