//! [`Store`]: a sorted map in memory, made durable by a write-ahead log
//! ([`Log`]): each write is appended to the log, then applied to the map.

use std::io;
use std::ops::RangeBounds;
use std::path::Path;
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::fs::Dir;
use crate::log::{Log, Options, Stats};
use crate::op::{Batch, Op};
use crate::reader::Recovered;
use crate::recovery::RecoveryReport;
use crate::{CheckpointStep, Error, Map, Result};

/// A byte-keyed map held in memory and made durable by a write-ahead log.
///
/// Every write is appended to the log before it changes the map, and is
/// durable as the [`SyncPolicy`](crate::SyncPolicy) says. Opening replays the log onto the newest
/// snapshot; [`checkpoint`](Store::checkpoint) writes a new snapshot and starts
/// a fresh log.
///
/// A `Store` is `Send + Sync`: share it between threads with an `Arc` (or
/// scoped threads). Writes are serialized; reads run in parallel with each
/// other. One `Store` per directory, enforced by a lock: a second open fails
/// with [`Error::Locked`] until the first is closed or dropped.
///
/// Dropping a store without [`close`](Store::close) is like a crash of the
/// process: nothing acknowledged is lost, but writes not yet fsynced under a
/// relaxed policy are durable only when the OS gets to them.
#[derive(Debug)]
pub struct Store {
    log: Log,
    /// The state. Writers hold it while they append, so the map changes in
    /// the order of the log's records.
    map: RwLock<Map>,
}

impl Store {
    /// Opens (or creates) the store in directory `dir`, recovering from a crash
    /// if there was one: see [`recovery`](Store::recovery) for what was found.
    ///
    /// # Errors
    /// [`Error::Locked`] if another handle has it open; [`Error::Corrupt`] for
    /// damage the recovery mode does not accept; [`Error::Snapshot`] for a
    /// damaged snapshot.
    pub fn open(dir: impl AsRef<Path>, options: Options) -> Result<Store> {
        Store::open_in(&Dir::new(dir.as_ref()), options)
    }

    /// [`open`](Store::open) for a store in `dir`, on whatever file system
    /// it is on: the tests open stores on a simulated disk that can lose power.
    ///
    /// # Errors
    /// As [`open`](Store::open).
    pub fn open_in(dir: &Dir, options: Options) -> Result<Store> {
        let mut map = Map::new();
        let log = Log::open_with(dir.clone(), options, Recovered::Map(&mut map))?;
        Ok(Store {
            log,
            map: RwLock::new(map),
        })
    }

    /// What recovery found when this store was opened.
    pub fn recovery(&self) -> &RecoveryReport {
        self.log.recovery()
    }

    /// The store's directory.
    pub fn dir(&self) -> &Path {
        self.log.dir()
    }

    /// Sets `key` to `value`: logged, then applied.
    pub fn put(&self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Result<()> {
        let (key, value) = (key.as_ref(), value.as_ref());
        self.commit(&Op::Put { key, value }, |map| {
            map.insert(key.to_vec(), value.to_vec());
        })
    }

    /// Removes `key`, returning whether it was there. Removing a missing key
    /// writes nothing.
    pub fn delete(&self, key: impl AsRef<[u8]>) -> Result<bool> {
        let key = key.as_ref();
        // Looked for under the write lock that appends: of two threads
        // deleting one key, one finds it and writes, the other neither.
        self.commit_if(
            &Op::Delete { key },
            |map| map.contains_key(key),
            |map| {
                map.remove(key);
            },
        )
    }

    /// Applies every change in `batch` as one record: after a crash, either all
    /// of them are there or none is.
    pub fn write(&self, batch: Batch) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let op = batch.as_op();
        self.commit(&op, |map| op.apply(map))
    }

    /// Logs `op` (a put, a delete or a batch) as one record, then applies it.
    pub fn append(&self, op: &Op<'_>) -> Result<()> {
        self.commit(op, |map| op.apply(map))
    }

    /// Logs `op`, applies it with `apply`, then waits as the sync policy says.
    fn commit(&self, op: &Op<'_>, apply: impl FnOnce(&mut Map)) -> Result<()> {
        self.commit_if(op, |_| true, apply).map(|_| ())
    }

    // ANCHOR: commit
    /// Logs `op` if `wanted` says so of the map, applies it with `apply`,
    /// then waits as the sync policy says; returns whether it wrote.
    fn commit_if(
        &self,
        op: &Op<'_>,
        wanted: impl FnOnce(&Map) -> bool,
        apply: impl FnOnce(&mut Map),
    ) -> Result<bool> {
        let seq = {
            let mut map = self.map_mut()?;
            if !wanted(&map) {
                return Ok(false);
            }
            // Logged first: a change the log refuses never reaches the map.
            let seq = self.log.write(op)?;
            apply(&mut map);
            seq
        };
        // The lock is released: other writers append while we wait for the disk.
        self.log.wait(seq)?;
        Ok(true)
    }
    // ANCHOR_END: commit

    /// The map, for a writer. After a panic while it was held, what the map
    /// and the log hold may disagree: writes are refused from then on.
    fn map_mut(&self) -> Result<RwLockWriteGuard<'_, Map>> {
        self.map.write().map_err(|_| Error::Panicked)
    }

    /// The value of `key`, copied out. To borrow instead, use [`read`](Store::read).
    pub fn get(&self, key: impl AsRef<[u8]>) -> Option<Vec<u8>> {
        self.read().get(key.as_ref()).map(<[u8]>::to_vec)
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A consistent view of the map for reading, borrowing values without
    /// copying. Writers wait while a view is alive, so keep it short.
    pub fn read(&self) -> ReadView<'_> {
        // A panic while writing cannot leave the map half-changed in a way a
        // reader could misread (each change is one insert or remove), so
        // reading on after one is safe; writes are refused instead.
        let guard = self.map.read().unwrap_or_else(PoisonError::into_inner);
        ReadView { guard }
    }

    /// Makes every write so far durable, whatever the sync policy.
    pub fn sync(&self) -> Result<()> {
        self.log.sync()
    }

    /// Writes the map as a snapshot, starts a new log segment and removes the
    /// old ones, so the next open replays only what comes after. Writers wait
    /// while it runs.
    pub fn checkpoint(&self) -> Result<()> {
        self.checkpoint_with(|_| Ok(()))
    }

    /// [`checkpoint`](Store::checkpoint), calling `after` after each
    /// [`CheckpointStep`]: an error from `after` stops the checkpoint there, as
    /// a crash would (the tests use this).
    pub fn checkpoint_with(
        &self,
        after: impl FnMut(CheckpointStep) -> io::Result<()>,
    ) -> Result<()> {
        // Holding the map keeps writers out: the snapshot is the log's state.
        let map = self.read();
        self.log.checkpoint_from_with(&map.guard, after)
    }

    /// [`Log::checkpoint_in_background`]: a checkpoint that rebuilds the state
    /// from the files, beside the writers.
    pub fn checkpoint_in_background(&self) -> Result<bool> {
        self.log.checkpoint_in_background()
    }

    /// Waits for the background checkpoint, if one is running, and reports
    /// whether the last one failed (once).
    pub fn finish_background_checkpoint(&self) -> Result<()> {
        self.log.finish_background_checkpoint()
    }

    /// Counters: sequence numbers, fsyncs, log size.
    pub fn stats(&self) -> Stats {
        self.log.stats()
    }

    /// Makes every write durable and releases the directory.
    pub fn close(self) -> Result<()> {
        self.log.close()
    }
}

/// A read-only view of the map; see [`Store::read`].
#[derive(Debug)]
pub struct ReadView<'s> {
    guard: RwLockReadGuard<'s, Map>,
}

impl ReadView<'_> {
    /// The value of `key`, if any.
    pub fn get(&self, key: &[u8]) -> Option<&[u8]> {
        self.guard.get(key).map(Vec::as_slice)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.guard.contains_key(key)
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.guard.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.guard.is_empty()
    }

    /// All entries in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&[u8], &[u8])> {
        self.guard.iter().map(|(k, v)| (k.as_slice(), v.as_slice()))
    }

    /// The entries whose keys fall in `range`, in key order:
    /// `view.range("a".."m")`, `view.range(b"k".as_slice()..)`.
    pub fn range<K: AsRef<[u8]> + ?Sized>(
        &self,
        range: impl RangeBounds<K>,
    ) -> impl DoubleEndedIterator<Item = (&[u8], &[u8])> {
        let bounds = strata_flat_file::byte_range(&range);
        self.guard
            .range::<[u8], _>(bounds)
            .map(|(k, v)| (k.as_slice(), v.as_slice()))
    }
}
