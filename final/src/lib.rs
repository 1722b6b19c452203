//! # Strata
//!
//! Every storage engine built in the Strata book, behind one API. Open any of
//! their databases by what is on disk, and use it through the same calls:
//!
//! ```
//! # #[cfg(feature = "wal")] {
//! use strata::{Engine, Options, Store};
//!
//! # let dir = tempfile::tempdir()?;
//! let store = Store::create(dir.path().join("log"), Engine::Wal, Options::default())?;
//! store.put("greeting", "hello")?; // durable when it returns (SyncPolicy::Always)
//! store.close()?;
//!
//! let store = Store::open(dir.path().join("log"))?; // recognised as a log
//! assert_eq!(store.engine(), Engine::Wal);
//! assert_eq!(store.get("greeting")?.as_deref(), Some(&b"hello"[..]));
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The engines differ in what they can promise, and the API says so instead
//! of hiding it: [`KeyValue`] is what all of them do; [`Ordered`] and
//! [`Transactional`] are what only some can, and asking the others is a
//! typed [`Error::Unsupported`]:
//!
//! | engine ([`Engine`]) | feature | on disk | atomic batches | ordered scans | transactions |
//! |---------------------|---------|---------|:---:|:---:|:---:|
//! | [`Engine::FlatFile`] | `flat-file` | one file, saved whole | yes | yes | |
//! | [`Engine::Wal`]      | `wal`       | a directory: log segments and snapshots | yes | yes | |
//! | [`Engine::Bitcask`]  | `bitcask`   | a directory Riak's bitcask 2.1.0 reads and writes | | | |
//! | [`Engine::Bptree`]   | `bptree`    | one file Go's bbolt 1.3.6 reads and writes | yes | yes | yes |
//!
//! Each engine's own crate is here too, for everything the common API leaves
//! out ([`flat_file`], [`wal`], [`bitcask`], [`bptree`]), with chapter 5's
//! typed store ([`schema`]):
//!
//! ```
//! # #[cfg(feature = "schema")] {
//! use strata::schema::{Config, LookupTable, Schema, Single};
//!
//! #[derive(Schema)]
//! #[schema(crate = "strata::schema")]
//! struct App {
//!     owner: Single<String>,
//!     notes: LookupTable<u64, String>,
//! }
//!
//! # let dir = tempfile::tempdir().unwrap();
//! let mut db = App::open(Config::in_folder(dir.path()))?;
//! db.owner.insert("ada".to_string())?;
//! db.transaction(|db| {
//!     db.notes.insert(1, "first".to_string())?;
//!     db.notes.insert(2, "second".to_string())?;
//!     Ok(())
//! })?;
//! assert_eq!(db.notes.get(&2).map(String::as_str), Some("second"));
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The modules, in the order the book's chapter 6 reads them:
//! - [`engine`]: the engines and their capabilities;
//! - [`kv`]: the traits, and [`Scan`]s;
//! - `range` and `batch`: [`KeyRange`] and [`Batch`];
//! - `detect`: recognising an engine's files;
//! - [`group_commit`]: sharing syncs between writers, for the engines whose
//!   writes take `&mut`;
//! - `engines`: one adapter per engine;
//! - [`store`]: the [`Store`] that opens any of them, and its keyspaces;
//! - `key` and `table`: [`Table`]s of typed rows over any ordered engine,
//!   kept on disk and decoded on demand.

mod batch;
#[cfg(any(feature = "flat-file", feature = "wal", feature = "bptree"))]
mod chunked;
mod detect;
pub mod engine;
mod engines;
mod error;
pub mod group_commit;
mod key;
pub mod kv;
mod options;
mod range;
#[cfg(feature = "server")]
pub mod server;
pub mod store;
mod sync;
mod table;

pub use batch::{Batch, BatchOp};
pub use detect::detect;
pub use engine::{Capabilities, Capability, Engine};
pub use error::{Error, ErrorKind, Result};
pub use key::Key;
pub use kv::{
    Entry, KeyValue, Keys, Ordered, ReadTransaction, Scan, Stats, Transactional, WriteTransaction,
};
pub use options::{Options, SyncPolicy};
pub use range::KeyRange;
pub use store::Store;
pub use table::{Rows, Table};

/// The README's examples, compiled and run as doctests so that they stay true.
#[cfg(all(doctest, feature = "bptree"))]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;

#[cfg(feature = "flat-file")]
pub use strata_flat_file as flat_file;

#[cfg(feature = "wal")]
pub use strata_wal as wal;

#[cfg(feature = "bitcask")]
pub use strata_bitcask as bitcask;

#[cfg(feature = "bptree")]
pub use strata_bptree as bptree;

#[cfg(feature = "schema")]
pub use strata_schema as schema;
