//! # Strata
//!
//! Every storage engine built in the Strata book, behind one API, each behind a
//! Cargo feature of its own name:
//!
//! | feature     | module          | engine |
//! |-------------|-----------------|--------|
//! | `flat-file` | [`flat_file`]   | a map saved whole to one checksummed file, atomically |
//! | `wal`       | [`wal`]         | a map made durable by a write-ahead log with checkpoints |
//! | `bitcask`   | [`bitcask`]     | a Bitcask whose files Riak's bitcask 2.1.0 reads and writes |
//! | `bptree`    | [`bptree`]      | a copy-on-write B+tree whose files Go's bbolt 1.3.6 reads and writes |
//! | `schema`    | [`schema`]      | a typed store whose schema is a Rust struct of tables, logged through `wal` |
//!
//! ```
//! # #[cfg(feature = "wal")] {
//! use strata::wal::{Options, Store};
//!
//! # let dir = tempfile::tempdir().unwrap();
//! let db = Store::open(dir.path(), Options::default())?;
//! db.put("greeting", "hello")?;
//! assert_eq!(db.get(b"greeting").as_deref(), Some(&b"hello"[..]));
//! db.close()?;
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The typed store's derive names its crate `strata_schema`; through this
//! crate, tell it the path:
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
