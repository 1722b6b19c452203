//! # Chapter 1: a flat file
//!
//! The simplest database that keeps its data: a sorted map from byte keys to
//! byte values, held in memory and saved **whole** to one file. Saving is
//! atomic (the file on disk is always the old version or the new one, never a
//! mix) and checksummed (a damaged file is detected, never silently misread).
//!
//! ```
//! use strata_flat_file::FlatFile;
//!
//! # let dir = tempfile::tempdir().unwrap();
//! # let path = dir.path().join("fruit.strata");
//! let mut db = FlatFile::open(&path)?;          // a missing file is an empty store
//! db.put("apple", "red");
//! db.put("banana", "yellow");
//! db.save()?;                                   // durable once this returns
//!
//! let db = FlatFile::open(&path)?;
//! assert_eq!(db.get(b"apple"), Some(&b"red"[..]));
//! # Ok::<(), strata_flat_file::Error>(())
//! ```
//!
//! The modules, in the order the book reads them:
//! - [`format`](mod@format): the bytes of the file (magic, version, count, records, CRC-32);
//! - [`codec`]: the one place that knows how a record is encoded (bincode);
//! - [`atomic`]: replacing a file atomically (temp file, fsync, rename, fsync dir);
//! - [`fs`]: the few file-system calls a save makes, behind a trait, so that
//!   [`simfs`], a simulated disk, can lose power under the tests;
//! - [`store`]: the [`FlatFile`] map that ties them together;
//! - [`inspect`] and [`hexdump`]: annotated dumps of the bytes, as the book shows them.
//!
//! This crate has no `unsafe` code.

pub mod atomic;
pub mod codec;
mod error;
pub mod format;
pub mod fs;
pub mod hexdump;
pub mod inspect;
mod range;
pub mod simfs;
pub mod store;

pub use atomic::{SaveStep, write_atomic, write_atomic_in, write_atomic_with};
pub use error::{Error, Result};
pub use range::byte_range;
pub use store::{FlatFile, IfMissing, OpenOptions};
pub use store::{read_map, write_map, write_map_in};

/// The map every chapter-1 file holds: byte keys in order, byte values.
pub type Map = std::collections::BTreeMap<Vec<u8>, Vec<u8>>;
