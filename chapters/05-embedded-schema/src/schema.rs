//! What `#[derive(Schema)]` implements, and what every schema can do with
//! it: open, transactions, compaction.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use strata_wal::{Change, Create, Op, Options, RecoveryMode};

use crate::log::{Changes, Log};
use crate::{Config, Result};
// For the links in the docs.
#[cfg(doc)]
use crate::Error;

mod database;

pub use database::{Database, Schema, compact};
use database::{split_key, table};

// ANCHOR: open
/// Opens (or creates) the database `config` describes: chapter 2's log
/// replays itself and hands each change to the table its key names. A
/// read-only database reads the log without opening it: no lock,
/// and no file created or changed.
///
/// # Errors
/// [`Error::UnknownTable`] for a logged table the schema does not have;
/// [`Error::Decode`] for an entry that does not decode as its table's types;
/// [`Error::Log`] for I/O, a held lock, or damage the log cannot recover from.
pub fn open<S: Schema>(config: Config) -> Result<S> {
    let log = Log::new(&config);
    let mut db = S::create(log.clone());
    let Some(folder) = &config.folder else {
        return Ok(db);
    };
    // The first error stops the loading; the log's replay itself cannot fail.
    let mut failed = None;
    let mut load = |op: &Op<'_>| {
        if failed.is_none()
            && let Err(e) = replay(&mut db, op)
        {
            failed = Some(e);
        }
    };
    let wal = if config.read_only {
        strata_wal::read_replaying_in(folder, RecoveryMode::default(), &mut load)?;
        None
    } else {
        let create = match config.create {
            true => Create::IfMissing,
            false => Create::Never,
        };
        let options = Options::new(config.sync).create(create);
        Some(strata_wal::Log::open_in(folder, options, &mut load)?)
    };
    if let Some(e) = failed {
        return Err(e);
    }
    if let Some(wal) = wal {
        log.attach(wal);
    }
    Ok(db)
}
// ANCHOR_END: open

/// Applies one logged operation to the tables.
fn replay<S: Schema>(db: &mut S, op: &Op<'_>) -> Result<()> {
    match op {
        Op::Put { key, value } => apply_to(db, key, Some(value)),
        Op::Delete { key } => apply_to(db, key, None),
        Op::Batch(changes) => changes.iter().try_for_each(|change| apply(db, change)),
    }
}

/// Applies one change to the table its key names.
fn apply<S: Schema>(db: &mut S, change: &Change<'_>) -> Result<()> {
    match change {
        Change::Put { key, value } => apply_to(db, key, Some(value)),
        Change::Delete { key } => apply_to(db, key, None),
    }
}

/// Loads `key`'s entry into the table its key names (a put), or unloads it
/// (a delete, `value` is `None`).
fn apply_to<S: Schema>(db: &mut S, key: &[u8], value: Option<&[u8]>) -> Result<()> {
    let (name, rest) = split_key::<S>(key)?;
    let table = table(db, name)?;
    match value {
        Some(value) => table.load(rest, value),
        None => table.unload(rest),
    }
}

// ANCHOR: undo
/// Applies a transaction's undo changes to the tables in memory, newest first.
fn undo<S: Schema>(db: &mut S, changes: Changes) -> Result<()> {
    changes.undo().try_for_each(|change| apply(db, &change))
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
