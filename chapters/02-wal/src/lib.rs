//! # Chapter 2: a write-ahead log
//!
//! Chapter 1 rewrote the whole file to save one change. Here every change is
//! *appended* to a log before it is applied to the in-memory map, so a write
//! costs a few bytes, and after a crash the map is rebuilt by replaying the log.
//! A checkpoint writes the map as a chapter-1 snapshot and starts a fresh log,
//! so the log (and the time to replay it) stays short.
//!
//! ```
//! use strata_wal::{Batch, Options, Store, SyncPolicy};
//!
//! # let dir = tempfile::tempdir().unwrap();
//! let db = Store::open(dir.path(), Options::new(SyncPolicy::Always))?;
//! db.put("apple", "red")?;                // in the log and fsynced when this returns
//! db.write(Batch::new().put("fig", "purple").delete("apple"))?; // all or nothing
//! db.checkpoint()?;                       // snapshot + fresh log
//! db.close()?;
//!
//! let db = Store::open(dir.path(), Options::new(SyncPolicy::Always))?;
//! assert_eq!(db.get(b"fig").as_deref(), Some(&b"purple"[..]));
//! assert_eq!(db.get(b"apple"), None);
//! # Ok::<(), strata_wal::Error>(())
//! ```
//!
//! The modules, in the order the book reads them:
//! - [`op`]: what a log record says (put, delete, or an atomic batch);
//! - [`record`]: how a record is framed on disk (`[len][crc][payload]`);
//! - [`writer`]: appending records to a segment file;
//! - [`replay`]: reading a segment back, and telling a torn tail from corruption;
//! - [`search`]: finding the next intact frame after damage, in linear time;
//! - [`recovery`]: the recovery modes and what recovery reports;
//! - [`durability`]: sync policies and group commit (checked with loom, through
//!   the small `sync` module that swaps std's primitives for loom's);
//! - [`checkpoint`]: snapshot, new segment, old files removed;
//! - [`segment`]: the names of the files in a store's directory;
//! - [`fs`]: the file system those files live on (a simulated one in the
//!   power-loss tests);
//! - [`lock`]: one writer per directory;
//! - [`store`]: the [`Store`] that ties them together;
//! - [`inspect`]: annotated dumps of a log's bytes, as the book shows them.
//!
//! This crate has no `unsafe` code.

pub mod checkpoint;
pub mod codec;
pub mod durability;
mod error;
pub mod fs;
pub mod inspect;
pub mod lock;
pub mod log;
pub mod op;
mod reader;
pub mod record;
pub mod recovery;
pub mod replay;
pub mod search;
pub mod segment;
pub mod store;
mod sync;
pub mod writer;

pub use checkpoint::CheckpointStep;
pub use durability::SyncPolicy;
pub use error::{Error, Result};
pub use log::{Create, Log, Options, Stats};
pub use op::{Batch, Change, Op};
pub use reader::{read_replaying, read_replaying_in};
pub use recovery::{Damage, RecoveryMode, RecoveryReport, TornTail};
pub use store::{ReadView, Store};

/// The in-memory map: byte keys in order, byte values (the same as chapter 1's).
pub type Map = strata_flat_file::Map;
