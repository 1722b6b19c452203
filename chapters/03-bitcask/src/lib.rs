//! # Chapter 3: Bitcask
//!
//! Chapter 2 kept every value in memory and wrote them all again at each
//! checkpoint. Bitcask keeps the values where the log put them: the log *is*
//! the database. Memory holds only the *keydir*, which says for every key where
//! its latest entry is, so a read is one hash lookup and one read from disk.
//! Old files are *merged* now and then to drop overwritten and deleted entries.
//!
//! The files are those of Riak's bitcask 2.1.0, byte for byte: Riak reads what
//! this crate writes, and this crate reads what Riak writes (tested against the
//! real thing, see `tests/interop.rs`).
//!
//! ```
//! use strata_bitcask::{Bitcask, Options};
//!
//! # let dir = tempfile::tempdir().unwrap();
//! let mut db = Bitcask::open(dir.path(), Options::default())?;
//! db.put(b"apple", b"red")?;
//! db.delete(b"apple")?;
//! db.put(b"fig", b"purple")?;
//! db.close()?;
//!
//! let db = Bitcask::open_read_only(dir.path(), Options::default())?;
//! assert_eq!(db.get(b"fig")?, Some(b"purple".to_vec()));
//! assert_eq!(db.get(b"apple")?, None);
//! # Ok::<(), strata_bitcask::Error>(())
//! ```
//!
//! The modules, in the order the book reads them:
//! - [`entry`]: a data file entry (and tombstones);
//! - [`keydir`]: the compact in-memory index;
//! - [`hint`]: hint files, so opening need not read values;
//! - [`writer`]: appending to the active data and hint files;
//! - [`scan`]: reading a data file back, with Riak's rules for damage;
//! - [`files`] and [`lock`]: names, pending-delete marks, Riak's lock files;
//! - [`disk`]: the calls that change files, behind a trait tests can record;
//! - [`reader`]: reading entries (closed files are memory-mapped);
//! - [`bitcask`]: the [`Bitcask`] store, opening and plumbing;
//! - `load`: rebuilding the keydir from hint or data files;
//! - `access`: `get`, `put` and `delete`;
//! - [`merge`]: compaction, crash-safe at every step;
//! - [`inspect`]: annotated dumps of the files, as the book shows them.
//!
//! The only `unsafe` code is in [`reader`], which memory-maps closed data files.

mod access;
pub mod bitcask;
pub mod disk;
pub mod entry;
mod error;
pub mod files;
pub mod hint;
pub mod inspect;
pub mod keydir;
mod load;
pub mod lock;
pub mod merge;
mod options;
pub mod reader;
pub mod scan;
pub mod writer;

pub use bitcask::{Bitcask, FileStats, OpenReport, OpenStep};
pub use error::{Error, Result};
pub use merge::{MergeReport, MergeStep};
pub use options::{Clock, MergeTriggers, Options, SyncStrategy};
pub use writer::PendingSync;
