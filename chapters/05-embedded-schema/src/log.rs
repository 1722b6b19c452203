//! The log every table writes through: chapter 2's write-ahead log.
//!
//! Each table stores its data as entries keyed `table name ‖ 0x00 ‖ rest`: a
//! change to a table is a put or a delete of such entries, appended to
//! chapter 2's log before the table changes in memory. The log is a
//! [`Store`] opened with [`Store::open_replaying`]: it keeps no map of its
//! own (the tables are the state), and at open it hands every logged change
//! to the table its key names. Compaction is chapter 2's checkpoint, of a map
//! the tables build of themselves for the moment.
//!
//! Inside a transaction, changes are collected instead of written, and the
//! whole transaction becomes one batch: one log record, all or nothing.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use strata_wal::{Map, Op, Store};

use crate::{Error, Result};

/// One change to the store's map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Sets a key.
    Put(Vec<u8>, Vec<u8>),
    /// Removes a key.
    Delete(Vec<u8>),
}

#[derive(Debug)]
struct Inner {
    /// `None` in memory.
    store: Option<Store>,
    read_only: bool,
    /// The open transaction's changes, and the changes that undo them.
    pending: Option<Pending>,
    compact_above: Option<u64>,
}

#[derive(Debug, Default)]
struct Pending {
    changes: Vec<Change>,
    undo: Vec<Change>,
}

/// A handle on the log, shared by every table of one database.
#[derive(Debug, Clone)]
pub struct Log(Arc<Mutex<Inner>>);

impl Log {
    pub(crate) fn new(read_only: bool, compact_above: Option<u64>) -> Log {
        Log(Arc::new(Mutex::new(Inner {
            store: None,
            read_only,
            pending: None,
            compact_above,
        })))
    }

    /// From now on, writes go to `store` (until then: memory only).
    pub(crate) fn attach(&self, store: Store) {
        self.lock().store = Some(store);
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every critical section leaves `Inner` consistent before it can panic.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    // ANCHOR: record
    /// Logs `changes` as one record, or adds them to the open transaction
    /// with the changes that would undo them (`undo`, called only then).
    /// A table calls this *before* it changes itself: if the log refuses,
    /// the table is unchanged.
    pub fn record(
        &self,
        changes: Vec<Change>,
        undo: impl FnOnce() -> Result<Vec<Change>>,
    ) -> Result<()> {
        let mut inner = self.lock();
        if inner.read_only {
            return Err(Error::ReadOnly);
        }
        if let Some(pending) = &mut inner.pending {
            pending.undo.extend(undo()?);
            pending.changes.extend(changes);
            return Ok(());
        }
        write(&inner, &changes)
    }
    // ANCHOR_END: record

    /// [`record`](Log::record) for one change and one undo change, the
    /// common case, without a vector for each.
    pub fn record_one(&self, change: Change, undo: impl FnOnce() -> Result<Change>) -> Result<()> {
        let mut inner = self.lock();
        if inner.read_only {
            return Err(Error::ReadOnly);
        }
        if let Some(pending) = &mut inner.pending {
            pending.undo.push(undo()?);
            pending.changes.push(change);
            return Ok(());
        }
        write(&inner, std::slice::from_ref(&change))
    }

    /// Opens a transaction. Returns `false` if one is already open (the
    /// inner call then simply joins it).
    pub(crate) fn begin(&self) -> bool {
        let mut inner = self.lock();
        if inner.pending.is_some() {
            return false;
        }
        inner.pending = Some(Pending::default());
        true
    }

    // ANCHOR: commit
    /// Writes the open transaction's changes as one record. If that fails,
    /// returns the error with the changes that undo the transaction in
    /// memory, newest first.
    pub(crate) fn commit(&self) -> Result<(), (Error, Vec<Change>)> {
        let mut inner = self.lock();
        let Pending { changes, mut undo } = inner.pending.take().unwrap_or_default();
        if let Err(e) = write(&inner, &changes) {
            undo.reverse();
            return Err((e, undo));
        }
        Ok(())
    }
    // ANCHOR_END: commit

    /// Drops the open transaction's changes; returns the changes that undo
    /// them in memory, newest first.
    pub(crate) fn abort(&self) -> Vec<Change> {
        let mut undo = self.lock().pending.take().unwrap_or_default().undo;
        undo.reverse();
        undo
    }

    /// Rewrites the log as `state`, every entry the tables hold (chapter
    /// 2's checkpoint: a snapshot, then a fresh log).
    pub(crate) fn compact(&self, state: &Map) -> Result<()> {
        let inner = self.lock();
        if inner.read_only {
            return Err(Error::ReadOnly);
        }
        if inner.pending.is_some() {
            // The tables hold the transaction's changes, which are not committed.
            return Err(Error::InTransaction);
        }
        if let Some(store) = &inner.store {
            store.checkpoint_from(state)?;
        }
        Ok(())
    }

    /// Whether the log has grown past `Config::compact_above` bytes.
    pub(crate) fn compaction_due(&self) -> bool {
        let inner = self.lock();
        match (inner.compact_above, &inner.store) {
            (Some(limit), Some(store)) => store.stats().log_len > limit,
            _ => false,
        }
    }

    /// Makes everything written so far durable (whatever the sync policy).
    pub(crate) fn sync(&self) -> Result<()> {
        if let Some(store) = &self.lock().store {
            store.sync()?;
        }
        Ok(())
    }
}

// ANCHOR: write
/// Appends `changes` to the log as one record: a put, a delete, or a batch.
fn write(inner: &Inner, changes: &[Change]) -> Result<()> {
    let Some(store) = &inner.store else {
        return Ok(());
    };
    let op = match changes {
        [] => return Ok(()),
        [Change::Put(key, value)] => Op::Put { key, value },
        [Change::Delete(key)] => Op::Delete { key },
        many => Op::Batch(
            many.iter()
                .map(|change| match change {
                    Change::Put(key, value) => strata_wal::Change::Put { key, value },
                    Change::Delete(key) => strata_wal::Change::Delete { key },
                })
                .collect(),
        ),
    };
    store.append(&op)?;
    Ok(())
}
// ANCHOR_END: write
