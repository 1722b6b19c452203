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

#[cfg(feature = "flat-file")]
pub use strata_flat_file as flat_file;

#[cfg(feature = "wal")]
pub use strata_wal as wal;

#[cfg(feature = "bitcask")]
pub use strata_bitcask as bitcask;

#[cfg(feature = "bptree")]
pub use strata_bptree as bptree;
