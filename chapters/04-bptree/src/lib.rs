//! # Chapter 4: a copy-on-write B+tree, byte-compatible with Go's bbolt
//!
//! **In progress.** This first part reads bbolt 1.3.6 files (format version
//! 2): pages, both meta pages, the freelist, buckets (nested and inline) and
//! cursors in both directions, zero-copy from a memory map. Writing comes next.
//!
//! The modules, in the order the book will read them:
//! - [`page`]: the page header and the branch and leaf elements;
//! - [`meta`]: the two meta pages and their checksums;
//! - [`freelist`]: the freelist page, and free pages in memory;
//! - [`node`]: pages as editable nodes, written back as bbolt lays them out, and split;
//! - [`db`]: opening a file and choosing its meta;
//! - [`tx`] and [`cursor`]: read transactions, buckets, cursors;
//! - [`check`]: verifying a file as bbolt's `tx.Check()` does;
//! - [`inspect`]: logical dumps, for comparing files with Go's.
//!
//! The only `unsafe` code is in `mmap`, which maps the file.

mod batch;
pub mod check;
pub mod commit;
pub mod cursor;
pub mod db;
mod error;
pub mod freelist;
pub mod inspect;
pub mod meta;
mod mmap;
pub mod node;
pub mod page;
pub mod spill;
pub mod tree;
pub mod tx;
pub mod write;

pub use commit::CommitStep;
pub use cursor::{Cursor, Entry};
pub use db::{DB, Options};
pub use error::{Error, Result};
pub use tx::{Bucket, ReadTx};
pub use write::{BucketMut, CursorMut, WriteTx};
