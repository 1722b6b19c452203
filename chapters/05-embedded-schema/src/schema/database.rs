//! What the derive implements ([`Schema`]), what every schema can do
//! ([`Database`]), compaction, and finding the table a logged key names.
//! Opening and transactions are in the parent module.

use strata_wal::Map;

use super::{open, transaction};
use crate::log::Log;
use crate::table::TableState;
use crate::{Config, Error, Result};

// ANCHOR: schema_trait
/// A struct of tables. Implemented by `#[derive(Schema)]`; not by hand.
pub trait Schema: Sized {
    /// Every table's stored name, in field order.
    const TABLES: &'static [&'static str];
    /// The schema with every table empty, logging through `log`.
    fn create(log: Log) -> Self;
    /// The table stored under `name`.
    fn table_mut(&mut self, name: &str) -> Option<&mut dyn TableState>;
    /// The log every table writes through.
    fn log(&self) -> &Log;
}
// ANCHOR_END: schema_trait

/// Splits a log key into its table's name and the rest. The name is found
/// among the schema's own (`S::TABLES`) by comparing bytes, which is
/// cheaper than checking that it is UTF-8 first: opening does this once for
/// every entry in the log.
///
/// # Errors
/// [`Error::UnknownTable`] for a name the schema does not have;
/// [`Error::Decode`] for a key without the zero byte that ends the name.
pub(super) fn split_key<S: Schema>(key: &[u8]) -> Result<(&'static str, &[u8])> {
    let Some(zero) = key.iter().position(|&b| b == 0) else {
        return Err(Error::Decode {
            table: String::from_utf8_lossy(key).into_owned(),
            reason: "a logged key without a table name".into(),
        });
    };
    let (name, rest) = (&key[..zero], &key[zero + 1..]);
    match S::TABLES.iter().find(|table| table.as_bytes() == name) {
        Some(table) => Ok((table, rest)),
        None => Err(Error::UnknownTable {
            name: String::from_utf8_lossy(name).into_owned(),
        }),
    }
}

/// The table stored under `name`, or [`Error::UnknownTable`].
pub(super) fn table<'s, S: Schema>(db: &'s mut S, name: &str) -> Result<&'s mut dyn TableState> {
    db.table_mut(name).ok_or_else(|| Error::UnknownTable {
        name: name.to_string(),
    })
}

/// Rewrites the log as the tables' current state: chapter 2's checkpoint.
pub fn compact<S: Schema>(db: &mut S) -> Result<()> {
    let mut state = Map::new();
    for name in S::TABLES {
        table(db, name)?.dump(&mut |key, value| {
            state.insert(key, value);
        })?;
    }
    db.log().compact(&state)
}

/// What every schema can do; `#[derive(Schema)]` also makes these inherent
/// methods, so calling them needs no import.
pub trait Database: Schema {
    /// Opens the database; see [`open`].
    fn open(config: Config) -> Result<Self> {
        open(config)
    }

    /// Runs `f` as one transaction; see [`transaction`].
    fn transaction<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        transaction(self, f)
    }

    /// Rewrites the log as the current state: chapter 2's checkpoint.
    fn compact(&mut self) -> Result<()> {
        compact(self)
    }

    /// Makes every write so far durable, whatever the sync policy.
    fn sync(&self) -> Result<()> {
        self.log().sync()
    }

    /// Waits for the background compaction that
    /// [`Config::compact_above`](crate::Config::compact_above) started, if
    /// one is running, and reports whether the last one failed. (A failed
    /// one leaves a longer log, which is still correct; the next write past
    /// the limit tries again.)
    fn finish_compaction(&self) -> Result<()> {
        self.log().finish_compaction()
    }
}

impl<S: Schema> Database for S {}
