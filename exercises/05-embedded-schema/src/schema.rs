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

use strata_wal::{Change, Create, Op, Options};

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
/// replays the log and hands each change to the table its key names. A
/// read-only database reads the log without opening the store: no lock,
/// and no file created or changed.
///
/// Hints: the tables are rebuilt by replaying the log into them. Make the
/// log every table writes through (`Log::new(&config)`) and the empty tables on it
/// (`S::create`). A database in memory (`config.folder` is `None`) is then
/// done. Otherwise chapter 2 reads the log in the folder and hands every
/// operation, oldest first, to a closure of yours, which gives it to
/// `replay`:
/// - normally, chapter 2's log opens it (`strata_wal::Log::open_in`, with
///   [`Options`] from `config.sync`, and `config.create` as a [`Create`]),
///   and this crate's log is attached to it (`Log::attach`) so that changes
///   are written from then on;
/// - read-only (`config.read_only`), chapter 2's log is not opened at all, since it
///   would take the lock and may create files: `strata_wal::read_replaying_in`
///   (in the default `strata_wal::RecoveryMode`) reads the log and changes
///   nothing, and nothing is attached.
///
/// The pitfall: that closure cannot return an error. Keep the first one,
/// skip the operations after it, and return it once the log has been read:
/// a database that cannot read one of its entries does not open. Every test
/// opens a database; the first to pass are
/// `suite::tables::single_insert_get_clear` and the other tables given
/// whole; the read-only ones are in `suite::config`.
///
/// <details><summary>Stuck?</summary>
///
/// One closure serves both paths: it calls `replay` only as long as nothing
/// has failed, and keeps the first error in an `Option` declared outside
/// it. Pass the closure as `&mut`, so that you can look at that `Option`
/// once the log is open (or read), before attaching anything.
///
/// </details>
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
/// name)?` the table. The first error stops the replay. A private helper of
/// your own that applies one key, with a value (a put) or without (a
/// delete), serves this function and [`apply`] alike.
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
/// Hints: `Log::begin` (through `db.log()`) opens a transaction, or returns
/// `false` when one is already open: then this call joins it, and simply
/// runs `f` (the outer transaction commits or rolls back everything).
/// Otherwise run `f` so that a panic is caught too (`catch_unwind`, with
/// `AssertUnwindSafe`: the undo is what makes that promise true), and end
/// the transaction by its outcome:
/// - `f` returned `Ok`: `Log::commit` writes the changes as one record. If
///   that write fails, the tables still hold the changes: undo them, and
///   return the commit's error;
/// - `f` returned an error: `Log::abort` (nothing is written), undo, return
///   the error;
/// - `f` panicked: abort and undo the same way, then let the panic go on
///   (`resume_unwind`).
///
/// The invariant: whenever this returns an error or panics, nothing was
/// written and every table is as it was before. Both `Log::commit` (when it
/// fails) and `Log::abort` hand back the `Changes` for your `undo`.
/// Checked by `suite::transaction` (a committed transaction is one record, a
/// failed one leaves the tables and the log as they were) and
/// `suite::crash`.
///
/// <details><summary>Stuck?</summary>
///
/// `catch_unwind(AssertUnwindSafe(|| f(db)))` gives a `Result` (the panic
/// or not) of a `Result` (`f`'s): match its three shapes. In the panic's
/// case an error from `undo` has nowhere to go: ignore it, and resume the
/// panic.
///
/// </details>
pub fn transaction<S: Schema, T>(db: &mut S, f: impl FnOnce(&mut S) -> Result<T>) -> Result<T> {
    todo!("chapter 5, step 4: begin (or join); catch_unwind; commit, or abort and undo")
}
