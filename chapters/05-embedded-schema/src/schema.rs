//! What `#[derive(Schema)]` implements, and what every schema can do with
//! it: open, transactions, compaction.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use strata_wal::{Create, Options, Store};

use crate::log::{Change, Log};
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

/// Splits a log key into its table's name and the rest.
fn split_key(key: &[u8]) -> Result<(&str, &[u8])> {
    let bad = || Error::Decode {
        table: String::from_utf8_lossy(key).into_owned(),
        reason: "a logged key without a table name".into(),
    };
    let zero = key.iter().position(|&b| b == 0).ok_or_else(bad)?;
    let name = std::str::from_utf8(&key[..zero]).map_err(|_| bad())?;
    Ok((name, &key[zero + 1..]))
}

fn table<'s, S: Schema>(db: &'s mut S, name: &str) -> Result<&'s mut dyn TableState> {
    db.table_mut(name).ok_or_else(|| Error::UnknownTable {
        name: name.to_string(),
    })
}

// ANCHOR: open
/// Opens (or creates) the database `config` describes: replays the log into
/// the store's map, then hands each entry to the table its key names.
///
/// # Errors
/// [`Error::UnknownTable`] for a logged table the schema does not have;
/// [`Error::Decode`] for an entry that does not decode as its table's types;
/// [`Error::Log`] for I/O, a held lock, or damage the log cannot recover from.
pub fn open<S: Schema>(config: Config) -> Result<S> {
    let store = match &config.folder {
        None => None,
        Some(folder) => {
            let create = if config.create {
                Create::IfMissing
            } else {
                Create::Never
            };
            Some(Store::open(
                folder,
                Options::new(config.sync).create(create),
            )?)
        }
    };
    let log = Log::new(store, config.read_only, config.compact_above);
    let mut db = S::create(log.clone());
    log.for_each_entry(|key, value| {
        let (name, rest) = split_key(key)?;
        table(&mut db, name)?.load(rest, value)
    })?;
    Ok(db)
}
// ANCHOR_END: open

// ANCHOR: undo
/// Applies undo changes (newest first) to the tables in memory.
fn undo<S: Schema>(db: &mut S, changes: Vec<Change>) -> Result<()> {
    for change in changes {
        match change {
            Change::Put(key, value) => {
                let (name, rest) = split_key(&key)?;
                table(db, name)?.load(rest, &value)?;
            }
            Change::Delete(key) => {
                let (name, rest) = split_key(&key)?;
                table(db, name)?.unload(rest)?;
            }
        }
    }
    Ok(())
}
// ANCHOR_END: undo

// ANCHOR: transaction
/// Runs `f` as one transaction: its changes are logged as one record when it
/// returns `Ok`. If it returns an error or panics, nothing is written and
/// every table is as it was before. A transaction inside a transaction joins
/// the outer one.
pub fn transaction<S: Schema, T>(db: &mut S, f: impl FnOnce(&mut S) -> Result<T>) -> Result<T> {
    if !db.log().begin() {
        return f(db);
    }
    match catch_unwind(AssertUnwindSafe(|| f(db))) {
        Ok(Ok(value)) => match db.log().commit() {
            Ok(()) => Ok(value),
            Err((error, changes)) => {
                undo(db, changes)?;
                Err(error)
            }
        },
        Ok(Err(error)) => {
            let changes = db.log().abort();
            undo(db, changes)?;
            Err(error)
        }
        Err(panic) => {
            let changes = db.log().abort();
            // Restore the tables, then let the panic go on.
            let _ = undo(db, changes);
            resume_unwind(panic)
        }
    }
}
// ANCHOR_END: transaction

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
        self.log().compact()
    }

    /// Makes every write so far durable, whatever the sync policy.
    fn sync(&self) -> Result<()> {
        self.log().sync()
    }
}

impl<S: Schema> Database for S {}
