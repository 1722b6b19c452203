//! # Chapter 4: a copy-on-write B+tree, byte-compatible with Go's bbolt
//!
//! A database in one file of fixed-size pages, in the format of bbolt 1.3.6
//! (format version 2): Go programs using bbolt read what this crate writes,
//! and this crate reads and modifies what they write.
//!
//! ```
//! use strata_bptree::{DB, Options};
//!
//! # let dir = tempfile::tempdir().unwrap();
//! let db = DB::open(dir.path().join("my.db"), Options::default())?;
//! db.update(|tx| {
//!     let mut fruit = tx.create_bucket(b"fruit")?;
//!     fruit.put(b"apple", b"red")?;
//!     fruit.put(b"banana", b"yellow")?;
//!     Ok(())
//! })?;
//! db.view(|tx| {
//!     let fruit = tx.bucket(b"fruit")?.expect("created above");
//!     assert_eq!(fruit.get(b"apple")?, Some(&b"red"[..]));
//!     let mut cursor = fruit.cursor();
//!     let first = cursor.first()?.expect("two keys");
//!     assert_eq!(first.key, b"apple");
//!     Ok(())
//! })?;
//! # Ok::<(), strata_bptree::Error>(())
//! ```
//!
//! - Reads are zero-copy from a memory map: a read transaction's keys and
//!   values are slices of the map, valid for the transaction's lifetime.
//! - One writer and many readers run at once; a reader sees one snapshot and
//!   never waits for the writer. A file lock keeps other processes' writers out.
//! - A commit writes changed nodes to free pages (copy-on-write), then the
//!   meta page: a crash at any point leaves the previous commit. Data is
//!   durable when `commit` returns (unless `Options::no_sync`).
//!
//! The modules, in the order the book reads them:
//! - [`page`]: the page header and the branch and leaf elements;
//! - [`meta`]: the two meta pages and their checksums;
//! - [`freelist`]: the freelist page, and free pages in memory;
//! - [`db`]: opening a file, choosing its meta, readers and the writer;
//! - [`file`](mod@file): the calls that change the file, behind a trait tests can wrap;
//! - [`tx`] and [`cursor`]: read transactions, buckets, cursors;
//! - [`node`]: pages as editable nodes, written back as bbolt lays them out, and split;
//! - [`tree`]: a bucket's tree in a write transaction (dirty nodes, put, delete, rebalance);
//! - [`write`](mod@write): write transactions and their buckets;
//! - [`spill`] and [`commit`]: writing dirty nodes to new pages, and the commit order;
//! - [`check`]: verifying a file as bbolt's `tx.Check()` does;
//! - [`stats`] and [`inspect`]: statistics, logical dumps and annotated pages.
//!
//! The only `unsafe` code is in `mmap`, which maps the file.

mod batch;
pub mod check;
pub mod commit;
pub mod cursor;
pub mod db;
mod error;
pub mod file;
pub mod freelist;
pub mod inspect;
pub mod meta;
mod mmap;
pub mod node;
pub mod page;
pub mod spill;
pub mod stats;
pub mod tree;
pub mod tx;
pub mod write;

pub use commit::CommitStep;
pub use cursor::{Cursor, Entry};
pub use db::{DB, Options};
pub use error::{Error, Result};
pub use tx::{Bucket, ReadTx};
pub use write::{BucketMut, CursorMut, WriteTx};
