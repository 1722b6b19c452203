//! The log every table writes through: chapter 2's [`Store`].
//!
//! Each table stores its data as entries of the store's byte map, under keys
//! that start with the table's name and a zero byte: a change to a table is
//! a put or a delete of such entries, appended to chapter 2's write-ahead log
//! before the table changes in memory. Replaying the log at open rebuilds the
//! map; each entry then goes to the table its key names. Compaction is
//! chapter 2's checkpoint: the map written whole, and a fresh log.
//!
//! Inside a transaction, changes are collected instead of written, and the
//! whole transaction becomes one batch: one log record, all or nothing.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use strata_wal::{Batch, Store};

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
    pub(crate) fn new(store: Option<Store>, read_only: bool, compact_above: Option<u64>) -> Log {
        Log(Arc::new(Mutex::new(Inner {
            store,
            read_only,
            pending: None,
            compact_above,
        })))
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
        write(&mut inner, changes)?;
        maybe_compact(&mut inner)
    }
    // ANCHOR_END: record

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
        if let Err(e) = write(&mut inner, changes) {
            undo.reverse();
            return Err((e, undo));
        }
        // The transaction is durable (as the policy says) whatever happens next.
        maybe_compact(&mut inner).map_err(|e| (e, Vec::new()))
    }
    // ANCHOR_END: commit

    /// Drops the open transaction's changes; returns the changes that undo
    /// them in memory, newest first.
    pub(crate) fn abort(&self) -> Vec<Change> {
        let mut undo = self.lock().pending.take().unwrap_or_default().undo;
        undo.reverse();
        undo
    }

    /// Rewrites the log as the current state (chapter 2's checkpoint).
    pub(crate) fn compact(&self) -> Result<()> {
        let inner = self.lock();
        if let Some(store) = &inner.store {
            store.checkpoint()?;
        }
        Ok(())
    }

    /// Calls `f` with every stored entry, in key order.
    pub(crate) fn for_each_entry(
        &self,
        mut f: impl FnMut(&[u8], &[u8]) -> Result<()>,
    ) -> Result<()> {
        let inner = self.lock();
        if let Some(store) = &inner.store {
            for (key, value) in store.read().iter() {
                f(key, value)?;
            }
        }
        Ok(())
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
fn write(inner: &mut Inner, changes: Vec<Change>) -> Result<()> {
    let Some(store) = &inner.store else {
        return Ok(());
    };
    match <[Change; 1]>::try_from(changes) {
        Ok([Change::Put(key, value)]) => store.put(key, value)?,
        Ok([Change::Delete(key)]) => {
            store.delete(key)?;
        }
        Err(changes) if changes.is_empty() => {}
        Err(changes) => {
            let batch = changes
                .into_iter()
                .fold(Batch::new(), |batch, change| match change {
                    Change::Put(key, value) => batch.put(key, value),
                    Change::Delete(key) => batch.delete(key),
                });
            store.write(batch)?;
        }
    }
    Ok(())
}
// ANCHOR_END: write

/// Compacts once the log has grown past the configured size.
fn maybe_compact(inner: &mut Inner) -> Result<()> {
    if let (Some(limit), Some(store)) = (inner.compact_above, &inner.store)
        && store.stats().log_len > limit
    {
        store.checkpoint()?;
    }
    Ok(())
}
