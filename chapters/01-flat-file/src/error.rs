//! The crate's one error type. Every error that comes from a file names it.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The operating system refused a read, write, sync or rename.
    #[error("{path}: {source}")]
    Io {
        /// The file (or directory) being worked on.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },

    /// The file does not exist and [`IfMissing::Error`](crate::IfMissing::Error) was asked for.
    #[error("{path}: no such file")]
    NotFound {
        /// The missing file.
        path: PathBuf,
    },

    /// The file does not start with this format's magic bytes: it is some other file.
    #[error("{path}: not a Strata flat file (it starts with {found:02x?})")]
    BadMagic {
        /// The file.
        path: PathBuf,
        /// The first bytes found instead of the magic.
        found: Vec<u8>,
    },

    /// The file was written by a format version this build cannot read.
    #[error(
        "{path}: format version {found} is not supported (this build reads version {supported})"
    )]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
        /// The version this build reads and writes.
        supported: u32,
    },

    /// The file ends before its header, a record or its checksum is complete:
    /// it was cut short (copied partially, or written by something that does not
    /// save atomically).
    #[error("{path}: truncated: the file ends at byte {len}, before its contents do")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// The file's length.
        len: u64,
    },

    /// The stored CRC-32 does not match the file's bytes: they were damaged.
    #[error("{path}: checksum mismatch: stored {stored:#010x}, computed {computed:#010x}")]
    ChecksumMismatch {
        /// The file.
        path: PathBuf,
        /// The CRC-32 stored in the file's last four bytes.
        stored: u32,
        /// The CRC-32 of the bytes actually found.
        computed: u32,
    },

    /// The checksum matches but the contents break the format's rules
    /// (records out of order, bytes left over): a buggy or hostile writer.
    #[error("{path}: corrupt at byte {offset}: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Where the problem starts.
        offset: u64,
        /// What is wrong.
        reason: String,
    },

    /// A value could not be converted to or from the type asked for.
    #[error("value of key {key:?} does not convert to or from the requested type: {reason}")]
    Value {
        /// The key (lossily printed as text).
        key: String,
        /// What the codec said.
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
}
