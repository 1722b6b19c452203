//! # Chapter 5: your Rust types are the schema
//!
//! A database whose schema is a Rust struct and whose tables are ordinary
//! in-memory collections: every change is appended to a log (chapter 2's),
//! and reads hand out references to your own data, with no copy and no decode.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use strata_schema::{Config, List, LookupTable, Schema, Single};
//!
//! #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
//! struct Account { name: String }
//!
//! #[derive(Schema)]
//! struct App {
//!     account: Single<Account>,
//!     files: LookupTable<u64, String>,
//!     events: List<String>,
//! }
//!
//! # let dir = tempfile::tempdir().unwrap();
//! let mut db = App::open(Config::in_folder(dir.path()))?;
//! db.account.insert(Account { name: "ada".into() })?;
//! db.files.insert(1, "notes.md".into())?;
//! db.transaction(|tx| {
//!     tx.files.remove(&1)?;
//!     tx.events.push("removed notes.md".into())?;
//!     Ok(())
//! })?;
//! drop(db);
//!
//! let db = App::open(Config::in_folder(dir.path()))?;
//! assert_eq!(db.account.get().map(|a| a.name.as_str()), Some("ada"));
//! assert!(db.files.get(&1).is_none());
//! assert_eq!(db.events.data(), ["removed notes.md"]);
//! # Ok::<(), strata_schema::Error>(())
//! ```
//!
//! The modules, in the order the book reads them:
//! - [`table`]: what every table shares, and how its entries are keyed;
//! - [`single`], [`keyed`], [`list`], [`lookup_list`], [`lookup_set`]: the
//!   table types;
//! - [`log`]: the log every table writes through (chapter 2's `Log`);
//! - [`schema`]: what the derive implements; open, transactions, compaction;
//! - [`disk`]: [`DiskTable`], a table kept in a B+tree file of its own
//!   (chapter 4's), for data larger than memory;
//! - [`codec`]: the one place values are encoded.
//!
//! This crate has no `unsafe` code.

pub mod codec;
mod config;
pub mod disk;
mod error;
pub mod keyed;
pub mod list;
pub mod log;
pub mod lookup_list;
pub mod lookup_set;
pub mod schema;
pub mod single;
pub mod table;

pub use config::{Config, Dir, SyncPolicy};
pub use disk::DiskTable;
pub use error::{Error, Result};
pub use keyed::{LookupTable, OrderedTable};
pub use list::List;
pub use lookup_list::LookupList;
pub use lookup_set::LookupSet;
pub use schema::{Database, Schema};
pub use single::Single;
pub use strata_schema_derive::Schema;
