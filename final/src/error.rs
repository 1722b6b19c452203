//! One error type for every engine.
//!
//! An engine's own error is kept whole inside [`Error`] (match on
//! [`Error::Bitcask`] to see a [`strata_bitcask::Error`]), and its message is
//! shown as is. [`Error::kind`] sorts every error into the few cases a
//! program usually handles differently: a missing database, a lock held by
//! someone else, damage, a capability the engine lacks.

use std::io;
use std::path::PathBuf;

use crate::engine::{Capability, Engine};

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `strata`.
///
/// ```
/// # #[cfg(feature = "bitcask")] {
/// use strata::{Capability, Engine, Error, Options, Store};
/// # let dir = tempfile::tempdir()?;
/// let store = Store::create(dir.path().join("cask"), Engine::Bitcask, Options::default())?;
/// match store.begin_read() {
///     Err(Error::Unsupported { engine, capability }) => {
///         assert_eq!((engine, capability), (Engine::Bitcask, Capability::Transactions));
///     }
///     Err(other) => return Err(other.into()),
///     Ok(_) => unreachable!("Bitcask has no transactions"),
/// }
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ANCHOR: unsupported
    /// The engine cannot do what was asked: see [`Engine::capabilities`].
    #[error("the {engine} engine does not offer {capability}")]
    Unsupported {
        /// The engine asked.
        engine: Engine,
        /// What it lacks.
        capability: Capability,
    },
    // ANCHOR_END: unsupported
    /// This build of `strata` leaves the engine out: turn its feature on.
    #[error("this build of strata leaves out the {engine} engine (enable the `{engine}` feature)")]
    FeatureDisabled {
        /// The engine asked for.
        engine: Engine,
    },

    /// Nothing is at the path: [`Store::create`](crate::Store::create) makes a database.
    #[error("{path}: no such file or directory")]
    NotFound {
        /// The path opened.
        path: PathBuf,
    },

    /// [`Store::create`](crate::Store::create) found something at the path already.
    #[error("{path}: already exists ({found})")]
    AlreadyExists {
        /// The path given.
        path: PathBuf,
        /// What is there.
        found: String,
    },

    /// The path holds something that is not a database any engine recognises.
    #[error("{path}: not a strata database: {found}")]
    Unrecognized {
        /// The path opened.
        path: PathBuf,
        /// What was found there instead.
        found: String,
    },

    /// Another process (or another `Store` in this one) has the database open
    /// for writing. The engines that lock their own files report this through
    /// their own errors; [`Error::kind`] is [`ErrorKind::Locked`] for all of them.
    #[error("{path}: locked: another writer has this database open")]
    Locked {
        /// The lock file.
        path: PathBuf,
    },

    /// A write to a store opened with [`Options::read_only`](crate::Options::read_only).
    #[error("the {engine} store is read-only (opened with `Options::read_only`)")]
    ReadOnly {
        /// The store's engine.
        engine: Engine,
    },

    /// An I/O error outside any engine (looking at a path, taking a lock).
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },

    /// Bytes stored as a typed table's key are not a key of its type (see
    /// [`Key`](crate::Key)): the table was opened with another key type.
    #[error("not a key of this table's type: {reason}")]
    BadKey {
        /// What is wrong with the bytes.
        reason: String,
    },

    /// A typed table's value does not encode, or its stored bytes do not
    /// decode as the table's value type.
    #[error("table {table}: {reason}")]
    Value {
        /// The table's name.
        table: String,
        /// What went wrong.
        reason: String,
    },

    /// A thread panicked while holding one of `strata`'s locks, or an earlier
    /// failed save left the in-memory state ahead of the disk: reopen.
    #[error("the store is unusable after an earlier failure: reopen it")]
    Poisoned,

    /// Chapter 1's flat file.
    #[cfg(feature = "flat-file")]
    #[error(transparent)]
    FlatFile(#[from] strata_flat_file::Error),

    /// Chapter 2's write-ahead log.
    #[cfg(feature = "wal")]
    #[error(transparent)]
    Wal(#[from] strata_wal::Error),

    /// Chapter 3's Bitcask (its refusal to write when read-only is
    /// [`Error::ReadOnly`]).
    #[cfg(feature = "bitcask")]
    #[error(transparent)]
    Bitcask(strata_bitcask::Error),

    /// Chapter 4's B+tree (its refusal to write when read-only is
    /// [`Error::ReadOnly`]).
    #[cfg(feature = "bptree")]
    #[error(transparent)]
    Bptree(strata_bptree::Error),
}

// A read-only store refuses a write with one error whatever the engine, as
// `Options::read_only` promises; the chapters' own read-only errors become it.
#[cfg(feature = "bitcask")]
impl From<strata_bitcask::Error> for Error {
    fn from(e: strata_bitcask::Error) -> Error {
        match e {
            strata_bitcask::Error::ReadOnly => Error::ReadOnly {
                engine: Engine::Bitcask,
            },
            e => Error::Bitcask(e),
        }
    }
}

#[cfg(feature = "bptree")]
impl From<strata_bptree::Error> for Error {
    fn from(e: strata_bptree::Error) -> Error {
        match e {
            strata_bptree::Error::ReadOnly => Error::ReadOnly {
                engine: Engine::Bptree,
            },
            e => Error::Bptree(e),
        }
    }
}

/// What kind of failure an [`Error`] is.
///
/// ```
/// # #[cfg(feature = "flat-file")] {
/// use strata::{Engine, ErrorKind, Options, Store};
/// # let dir = tempfile::tempdir()?;
/// let path = dir.path().join("notes");
/// assert_eq!(Store::open(&path).unwrap_err().kind(), ErrorKind::NotFound);
/// let _store = Store::create(&path, Engine::FlatFile, Options::default())?;
/// let again = Store::create(&path, Engine::FlatFile, Options::default());
/// assert_eq!(again.unwrap_err().kind(), ErrorKind::AlreadyExists);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Nothing at the path, or not a database.
    NotFound,
    /// Something is already at the path.
    AlreadyExists,
    /// Another writer holds the database.
    Locked,
    /// The engine lacks the capability, or the build leaves the engine out.
    Unsupported,
    /// The files are damaged, or are not what they claim to be.
    Corrupt,
    /// The request itself is wrong: a key or value too large, a write to a
    /// read-only store.
    InvalidInput,
    /// The operating system failed an operation.
    Io,
    /// The store must be reopened.
    Poisoned,
}

impl Error {
    /// The kind of failure, whichever engine reported it.
    ///
    /// ```
    /// use strata::{Capability, Engine, Error, ErrorKind};
    /// let e = Error::Unsupported { engine: Engine::Bitcask, capability: Capability::OrderedScans };
    /// assert_eq!(e.kind(), ErrorKind::Unsupported);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Unsupported { .. } | Error::FeatureDisabled { .. } => ErrorKind::Unsupported,
            Error::NotFound { .. } | Error::Unrecognized { .. } => ErrorKind::NotFound,
            Error::AlreadyExists { .. } => ErrorKind::AlreadyExists,
            Error::Locked { .. } => ErrorKind::Locked,
            Error::BadKey { .. } | Error::Value { .. } | Error::ReadOnly { .. } => {
                ErrorKind::InvalidInput
            }
            Error::Io { .. } => ErrorKind::Io,
            Error::Poisoned => ErrorKind::Poisoned,
            #[cfg(feature = "flat-file")]
            Error::FlatFile(e) => flat_file_kind(e),
            #[cfg(feature = "wal")]
            Error::Wal(e) => wal_kind(e),
            #[cfg(feature = "bitcask")]
            Error::Bitcask(e) => bitcask_kind(e),
            #[cfg(feature = "bptree")]
            Error::Bptree(e) => bptree_kind(e),
        }
    }

    /// The engine that reported the error, if one did.
    ///
    /// ```
    /// use strata::{Engine, Error};
    /// assert_eq!(Error::ReadOnly { engine: Engine::Wal }.engine(), Some(Engine::Wal));
    /// assert_eq!(Error::Poisoned.engine(), None);
    /// ```
    pub fn engine(&self) -> Option<Engine> {
        match self {
            Error::Unsupported { engine, .. }
            | Error::FeatureDisabled { engine }
            | Error::ReadOnly { engine } => Some(*engine),
            #[cfg(feature = "flat-file")]
            Error::FlatFile(_) => Some(Engine::FlatFile),
            #[cfg(feature = "wal")]
            Error::Wal(_) => Some(Engine::Wal),
            #[cfg(feature = "bitcask")]
            Error::Bitcask(_) => Some(Engine::Bitcask),
            #[cfg(feature = "bptree")]
            Error::Bptree(_) => Some(Engine::Bptree),
            _ => None,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

#[cfg(any(feature = "flat-file", feature = "wal"))]
fn flat_file_kind(e: &strata_flat_file::Error) -> ErrorKind {
    use strata_flat_file::Error as E;
    match e {
        E::Io { .. } => ErrorKind::Io,
        E::NotFound { .. } => ErrorKind::NotFound,
        E::Value { .. } => ErrorKind::InvalidInput,
        _ => ErrorKind::Corrupt,
    }
}

#[cfg(feature = "wal")]
fn wal_kind(e: &strata_wal::Error) -> ErrorKind {
    use strata_wal::Error as E;
    match e {
        E::Io { .. } => ErrorKind::Io,
        E::Locked { .. } => ErrorKind::Locked,
        E::NotFound { .. } => ErrorKind::NotFound,
        E::Snapshot(e) => flat_file_kind(e),
        E::TooLarge { .. } => ErrorKind::InvalidInput,
        E::Poisoned => ErrorKind::Poisoned,
        _ => ErrorKind::Corrupt,
    }
}

#[cfg(feature = "bitcask")]
fn bitcask_kind(e: &strata_bitcask::Error) -> ErrorKind {
    use strata_bitcask::Error as E;
    match e {
        E::Io { .. } | E::KeptChanging { .. } => ErrorKind::Io,
        E::Locked { .. } => ErrorKind::Locked,
        E::NotFound { .. } => ErrorKind::NotFound,
        E::KeyTooLarge { .. } | E::ValueTooLarge { .. } | E::ReservedValue | E::ReadOnly => {
            ErrorKind::InvalidInput
        }
        _ => ErrorKind::Corrupt,
    }
}

#[cfg(feature = "bptree")]
fn bptree_kind(e: &strata_bptree::Error) -> ErrorKind {
    use strata_bptree::Error as E;
    match e {
        E::Shared(e) => bptree_kind(e),
        E::Io { .. } => ErrorKind::Io,
        E::Locked { .. } => ErrorKind::Locked,
        E::Invalid { .. } | E::Corrupt { .. } => ErrorKind::Corrupt,
        E::Poisoned => ErrorKind::Poisoned,
        _ => ErrorKind::InvalidInput,
    }
}
