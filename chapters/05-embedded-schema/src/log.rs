//! The log every table writes through: chapter 2's write-ahead log.
//!
//! Each table stores its data as entries keyed `table name ‖ 0x00 ‖ rest`: a
//! change to a table is a put or a delete of such entries, appended to
//! chapter 2's log before the table changes in memory. The log is chapter
//! 2's [`Log`](strata_wal::Log): it keeps no map (the tables are the state),
//! and at open it hands every logged change to the table its key names.
//! Compaction is chapter 2's checkpoint, of a map the tables build of
//! themselves for the moment.
//!
//! Inside a transaction, changes are collected instead of written, and the
//! whole transaction becomes one batch: one log record, all or nothing.

use std::mem::take;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use strata_wal::{Change, Map, Op};

/// Chapter 2's log, named apart from this module's [`Log`], which wraps it.
type Wal = strata_wal::Log;

use crate::disk::Disk;
use crate::{Config, Error, Result};

// A path relative to this file, so that the exercise crate, which includes
// this file by its path, finds it too.
#[path = "log/changes.rs"]
mod changes;

pub use changes::{Changes, Recorder};

#[derive(Debug)]
struct Inner {
    /// Chapter 2's log; `None` in memory.
    wal: Option<Wal>,
    read_only: bool,
    /// Whether a transaction is open: then `changes` collects its changes
    /// (and what they replaced) until it commits.
    in_transaction: bool,
    /// The changes to write next: one call's, or the open transaction's.
    /// The list is cleared, not dropped, so that its buffers are reused.
    changes: Changes,
    compact_above: Option<u64>,
    /// The database's folder; `None` in memory.
    folder: Option<PathBuf>,
    /// The tables kept in files of their own: compaction writes their
    /// overlays into their files before it drops their entries.
    on_disk: Vec<Arc<Disk>>,
}

/// A handle on the log, shared by every table of one database.
#[derive(Debug, Clone)]
pub struct Log(Arc<Mutex<Inner>>);

impl Log {
    /// The log of a database opened with `config`, writing nowhere until
    /// [`attach`](Log::attach)ed to chapter 2's log.
    pub(crate) fn new(config: &Config) -> Log {
        Log(Arc::new(Mutex::new(Inner {
            wal: None,
            read_only: config.read_only,
            in_transaction: false,
            changes: Changes::default(),
            compact_above: config.compact_above,
            folder: config.folder.as_ref().map(|dir| dir.path().to_path_buf()),
            on_disk: Vec::new(),
        })))
    }

    /// The database's folder; `None` in memory.
    pub(crate) fn folder(&self) -> Option<PathBuf> {
        self.lock().folder.clone()
    }

    /// Whether the database is open read-only.
    pub(crate) fn read_only(&self) -> bool {
        self.lock().read_only
    }

    /// Registers a table kept in a file of its own (see [`Disk::persist`]).
    pub(crate) fn keep_on_disk(&self, disk: Arc<Disk>) {
        self.lock().on_disk.push(disk);
    }

    /// From now on, writes go to `wal` (until then: memory only).
    pub(crate) fn attach(&self, wal: Wal) {
        self.lock().wal = Some(wal);
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while the lock is held (a value's `Serialize`, inside
        // `record`) leaves at worst changes that are never written: `record`
        // takes them back inside a transaction, and the next write clears
        // them outside one. `Inner` is valid whatever happened.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    // ANCHOR: record
    /// Logs the changes `changes` writes for `table` as one record, or adds
    /// them to the open transaction with the values they replace. A table
    /// calls this *before* it changes itself: if the log refuses, the table
    /// is unchanged, and a transaction holds nothing of the refused call.
    pub fn record(
        &self,
        table: &'static str,
        changes: impl FnOnce(&mut Recorder<'_>) -> Result<()>,
    ) -> Result<()> {
        let mut guard = self.lock();
        let inner = &mut *guard;
        if inner.read_only {
            return Err(Error::ReadOnly);
        }
        if !inner.in_transaction {
            inner.changes.clear();
            changes(&mut Recorder::new(table, &mut inner.changes, false))?;
            if let Err(e) = write(inner.wal.as_ref(), &inner.changes) {
                // Refused: no table takes the change, so nothing may pass it on.
                inner.changes.clear();
                return Err(e);
            }
            inner.compact_if_due();
            return Ok(());
        }
        // Whatever stops the call early, an error or a panic (in a value's
        // `Serialize`), takes back its changes whole: the table has not
        // changed, and a closure that catches the panic may still commit.
        let done = inner.changes.len();
        let recorded = catch_unwind(AssertUnwindSafe(|| {
            changes(&mut Recorder::new(table, &mut inner.changes, true))
        }));
        if !matches!(recorded, Ok(Ok(()))) {
            inner.changes.truncate(done);
        }
        recorded.unwrap_or_else(|panic| resume_unwind(panic))
    }
    // ANCHOR_END: record

    /// Opens a transaction. Returns `false` if one is already open (the
    /// inner call then simply joins it).
    pub(crate) fn begin(&self) -> bool {
        let mut inner = self.lock();
        if inner.in_transaction {
            return false;
        }
        inner.in_transaction = true;
        inner.changes.clear();
        true
    }

    // ANCHOR: commit
    /// Writes the open transaction's changes as one record. If that fails,
    /// returns the error with the changes, whose [`Changes::undo`] undoes
    /// the transaction in memory.
    pub(crate) fn commit(&self) -> Result<(), (Error, Changes)> {
        let inner = &mut *self.lock();
        inner.in_transaction = false;
        match write(inner.wal.as_ref(), &inner.changes) {
            Ok(()) => {
                inner.compact_if_due();
                Ok(())
            }
            Err(e) => Err((e, take(&mut inner.changes))),
        }
    }
    // ANCHOR_END: commit

    /// Ends the open transaction without writing it; returns its changes,
    /// whose [`Changes::undo`] undoes them in memory.
    pub(crate) fn abort(&self) -> Changes {
        let mut inner = self.lock();
        inner.in_transaction = false;
        take(&mut inner.changes)
    }

    /// Rewrites the log as `state`, every entry the tables hold (chapter
    /// 2's checkpoint: a snapshot, then a fresh log).
    pub(crate) fn compact(&self, state: &Map) -> Result<()> {
        let inner = self.lock();
        if inner.read_only {
            return Err(Error::ReadOnly);
        }
        if inner.in_transaction {
            // The tables hold the transaction's changes, which are not committed.
            return Err(Error::InTransaction);
        }
        if let Some(wal) = &inner.wal {
            inner.persist_on_disk()?;
            wal.checkpoint_from(state)?;
        }
        Ok(())
    }

    /// Waits for a background compaction, if one is running, and reports
    /// whether the last one failed.
    pub(crate) fn finish_compaction(&self) -> Result<()> {
        if let Some(wal) = &self.lock().wal {
            wal.finish_background_checkpoint()?;
        }
        Ok(())
    }

    /// Makes everything written so far durable (whatever the sync policy).
    pub(crate) fn sync(&self) -> Result<()> {
        if let Some(wal) = &self.lock().wal {
            wal.sync()?;
        }
        Ok(())
    }
}

impl Inner {
    // ANCHOR: compact_if_due
    /// After a write: once the log has grown past `compact_above` bytes,
    /// starts chapter 2's background checkpoint, which moves the log to a new
    /// segment now and compacts the old ones in a thread, from the files
    /// alone. The write has succeeded whatever happens here, so a failure is
    /// not its error: a checkpoint that could not start is tried again at the
    /// next write, and one that failed is reported by `finish_compaction`.
    fn compact_if_due(&self) {
        if let (Some(limit), Some(wal)) = (self.compact_above, &self.wal)
            && wal.stats().log_len > limit
            && !wal.is_checkpointing()
            // The tables on disk first: their entries leave the log only
            // once their files hold them.
            && self.persist_on_disk().is_ok()
        {
            let on_disk: Vec<&'static str> = self.on_disk.iter().map(|d| d.name()).collect();
            let _ = wal.checkpoint_in_background_keeping(move |key| {
                !on_disk.iter().any(|name| is_entry_of(key, name))
            });
        }
    }

    /// Writes every disk table's overlay into its file. The changes just
    /// written go in too: a table changes itself only after `record` returns,
    /// and a compaction started now covers them.
    fn persist_on_disk(&self) -> Result<()> {
        if self.on_disk.is_empty() {
            return Ok(());
        }
        for change in self.changes.iter() {
            let (key, value) = match change {
                Change::Put { key, value } => (key, Some(value)),
                Change::Delete { key } => (key, None),
            };
            if let Some(disk) = self.on_disk.iter().find(|d| is_entry_of(key, d.name())) {
                disk.apply(&key[disk.name().len() + 1..], value);
            }
        }
        self.on_disk.iter().try_for_each(|disk| disk.persist())
    }
    // ANCHOR_END: compact_if_due
}

/// Whether a log key is an entry of table `name`: `name ‖ 0x00 ‖ rest`.
fn is_entry_of(key: &[u8], name: &str) -> bool {
    key.strip_prefix(name.as_bytes())
        .is_some_and(|rest| rest.first() == Some(&0))
}

// ANCHOR: write
/// Appends `changes` to the log as one record: a put, a delete, or a batch.
fn write(wal: Option<&Wal>, changes: &Changes) -> Result<()> {
    let Some(wal) = wal else {
        return Ok(());
    };
    // One change is logged as itself; more, as a batch.
    let op = match (changes.iter().next(), changes.len()) {
        (None, _) => return Ok(()),
        (Some(Change::Put { key, value }), 1) => Op::Put { key, value },
        (Some(Change::Delete { key }), 1) => Op::Delete { key },
        _ => Op::Batch(changes.iter().collect()),
    };
    wal.append(&op)?;
    Ok(())
}
// ANCHOR_END: write
