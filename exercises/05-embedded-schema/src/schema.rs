//! What `#[derive(Schema)]` implements, and what every schema can do with
//! it: open, transactions, compaction. **Yours to write: `open` (with
//! `replay` and `apply`, which hand logged changes to the tables), `undo`
//! and `transaction`.**
//!
//! Given: the [`Schema`] trait (the derive implements it, and your code only
//! calls it), and, shared with the reference crate, [`Database`], [`compact`],
//! `split_key::<S>(key)` (a log key split at its first zero byte into the
//! table's name, one of the schema's, and the rest; or
//! [`Error::UnknownTable`]) and `table(db, name)` (the table stored under
//! `name`).
//!
//! The log (`log.rs`) is given whole. Inside a transaction, `Log::record`
//! collects each change, with the value its entry had before, instead of
//! writing; `Log::begin` opens a transaction, `Log::commit` writes what it
//! collected as one record (and if that fails, hands back the error with
//! the [`Changes`]), and `Log::abort` ends it unwritten, handing back the
//! `Changes` the same way. [`Changes::undo`] lists the changes that undo
//! them, newest first.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use strata_wal::{Change, Create, Op, Options, Store};

use crate::log::{Changes, Log};
use crate::{Config, Result};
// For the links in the docs.
#[cfg(doc)]
use crate::Error;

#[path = "../../../chapters/05-embedded-schema/src/schema/database.rs"]
mod database;

pub use database::{Database, Schema, compact};
use database::{split_key, table};

/// Opens (or creates) the database `config` describes: chapter 2's store
/// replays the log and hands each change to the table its key names.
///
/// Hints: make the log, `Log::new(config.read_only, config.compact_above)`,
/// and the empty tables, `S::create(log.clone())`. A database in memory
/// (`config.folder` is `None`) is done. Otherwise open chapter 2's store with
/// `Store::open_replaying_in(folder, options, |op| ...)`: the options are
/// `Options::new(config.sync).create(..)`, with `Create::IfMissing` or
/// `Create::Never` as `config.create` says; the closure gets every logged
/// operation, oldest first, for `replay`. It cannot return an error, so
/// keep the first one in a variable (and skip the operations after it), and
/// return it once the store is open: a database that cannot read an entry
/// does not open. Last, `log.attach(store)`, so that changes are written
/// from now on. Every test opens a database; the first to pass are
/// `suite::tables::single_insert_get_clear` and the other tables given whole.
///
/// # Errors
/// [`Error::UnknownTable`] for a logged table the schema does not have;
/// [`Error::Decode`] for an entry that does not decode as its table's types;
/// [`Error::Log`] for I/O, a held lock, or damage the log cannot recover from.
pub fn open<S: Schema>(config: Config) -> Result<S> {
    todo!("chapter 5, step 1: the log, empty tables, then the store replaying into them")
}

/// Applies one logged operation to the tables.
///
/// Hints: chapter 2's `Op` is a put, a delete, or a batch of
/// `strata_wal::Change`s, each a put or a delete. Every put is a `load` and
/// every delete an `unload` of the table the key names:
/// `split_key::<S>(key)?` gives the name and the rest (or
/// [`Error::UnknownTable`], checked by `suite::evolution`), `table(db,
/// name)?` the table.
fn replay<S: Schema>(db: &mut S, op: &Op<'_>) -> Result<()> {
    todo!("chapter 5, step 1: a put is a load, a delete an unload, in the key's table")
}

/// Applies one change to the table its key names.
///
/// Hints: the same as one change of a batch in [`replay`]; the undo
/// changes are `Change`s too.
fn apply<S: Schema>(db: &mut S, change: &Change<'_>) -> Result<()> {
    todo!("chapter 5, step 1: a put is a load, a delete an unload, in the key's table")
}

/// Applies a transaction's undo changes to the tables in memory, newest first.
///
/// Hints: [`apply`] each of `changes.undo()` (it gives the newest first),
/// and stop at the first error.
fn undo<S: Schema>(db: &mut S, changes: Changes) -> Result<()> {
    todo!("chapter 5, step 4: apply every undo change, newest first")
}

/// Runs `f` as one transaction: its changes are logged as one record when it
/// returns `Ok`. If it returns an error or panics, nothing is written and
/// every table is as it was before. A transaction inside a transaction joins
/// the outer one.
///
/// Hints: if `db.log().begin()` returns `false`, a transaction is already
/// open: just run `f`. Otherwise run `f` under `catch_unwind`, with
/// `AssertUnwindSafe` (the undo is what makes that promise true), and take
/// the three outcomes apart:
/// - `Ok(Ok(value))`: `db.log().commit()`. If it fails, it hands back the
///   error and the changes: undo them, return the error;
/// - `Ok(Err(error))`: `db.log().abort()` hands back the changes: undo
///   them, return the error;
/// - `Err(panic)`: abort and undo the same way, then `resume_unwind(panic)`.
///
/// Checked by `suite::transaction` (a committed transaction is one record, a
/// failed one leaves the tables and the log as they were) and `suite::crash`.
pub fn transaction<S: Schema, T>(db: &mut S, f: impl FnOnce(&mut S) -> Result<T>) -> Result<T> {
    todo!("chapter 5, step 4: begin (or join); catch_unwind; commit, or abort and undo")
}
