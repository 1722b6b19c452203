//! Chapter 3's Bitcask behind the common traits.
//!
//! A [`Bitcask`] reads through `&self` and writes through `&mut self`, so it
//! sits behind a read-write lock: gets run side by side, a put holds the
//! lock only while its entry is appended to the write buffer. Durability
//! comes after, with the lock released: the cask is opened with Riak's
//! `SyncStrategy::None`, and under [`SyncPolicy::Always`] each writer waits
//! for a [`GroupCommit`] sync, which hands the buffer to the OS under the
//! lock ([`Bitcask::start_sync`]) and fsyncs with no lock held
//! ([`PendingSync::finish`](strata_bitcask::PendingSync::finish)). Readers
//! never wait for a disk, and concurrent writers share each fsync.
//!
//! A Bitcask keeps no order, and Riak's has no batches: both capabilities
//! are [`Error::Unsupported`].

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock, RwLockReadGuard};

use strata_bitcask::{Bitcask, Options as CaskOptions, SyncStrategy};

use super::{Backend, Create};
use crate::group_commit::GroupCommit;
use crate::kv::{Stats, unsupported};
use crate::{
    Batch, BatchOp, Capability, Engine, Error, KeyValue, Keys, Options, Result, Scan, SyncPolicy,
};

#[derive(Debug)]
pub(crate) struct BitcaskEngine {
    dir: PathBuf,
    cask: RwLock<Option<Bitcask>>,
    commit: GroupCommit,
    sync: SyncPolicy,
    writes: AtomicU64,
    /// Opened with [`Bitcask::open_read_only`]: writes are refused here.
    read_only: bool,
}

impl BitcaskEngine {
    pub(crate) fn open(dir: &Path, options: &Options, create: Create) -> Result<BitcaskEngine> {
        let cask_options = CaskOptions {
            // Group commit decides when to sync (see the module docs).
            sync: SyncStrategy::None,
            create_if_missing: create == Create::New,
            ..options.bitcask.clone()
        };
        let mut cask = Bitcask::open(dir, cask_options)?;
        if create == Create::New {
            // So that the directory is recognised even if nothing is written.
            cask.start_active_file()?;
        }
        Ok(BitcaskEngine::new(dir, cask, options.sync, false))
    }

    /// Opens the cask in `dir` to read only, beside any writer, as Riak's
    /// read-only open does: no lock, no new file.
    pub(crate) fn open_read_only(dir: &Path, options: &Options) -> Result<BitcaskEngine> {
        if !dir.is_dir() {
            return Err(Error::NotFound {
                path: dir.to_path_buf(),
            });
        }
        let cask = Bitcask::open_read_only(dir, options.bitcask.clone())?;
        Ok(BitcaskEngine::new(dir, cask, options.sync, true))
    }

    fn new(dir: &Path, cask: Bitcask, sync: SyncPolicy, read_only: bool) -> BitcaskEngine {
        BitcaskEngine {
            dir: dir.to_path_buf(),
            cask: RwLock::new(Some(cask)),
            commit: GroupCommit::new(),
            sync,
            writes: AtomicU64::new(0),
            read_only,
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, Option<Bitcask>> {
        self.cask.read().unwrap_or_else(PoisonError::into_inner)
    }

    // ANCHOR: commit
    /// Runs `change` on the cask under the write lock, numbers it, and
    /// waits as the policy says.
    fn commit(&self, change: impl FnOnce(&mut Bitcask) -> Result<()>) -> Result<()> {
        self.commit_all(1, change)
    }

    /// [`commit`](Self::commit) for `count` writes that `change` makes
    /// together, waited for once.
    fn commit_all(
        &self,
        count: u64,
        change: impl FnOnce(&mut Bitcask) -> Result<()>,
    ) -> Result<()> {
        if self.read_only {
            return Err(Error::ReadOnly {
                engine: Engine::Bitcask,
            });
        }
        let seq = {
            let mut cask = self.cask.write().map_err(|_| Error::Poisoned)?;
            let cask = cask.as_mut().ok_or(Error::Poisoned)?;
            // Numbered first: after a failed sync this refuses the change.
            // Writes made together are one number: they are waited for
            // together, and group commit counts waiters, not writes.
            let seq = self.commit.written()?;
            change(cask)?;
            seq
        };
        self.writes.fetch_add(count, Ordering::Relaxed);
        match self.sync {
            SyncPolicy::Always => self.commit.wait_durable(seq, || self.sync_now()),
            SyncPolicy::OnFlush => Ok(()),
        }
    }
    // ANCHOR_END: commit

    // ANCHOR: sync_now
    /// Hands the buffer to the OS under the lock, then fsyncs without it.
    fn sync_now(&self) -> Result<()> {
        let pending = {
            let mut cask = self.cask.write().map_err(|_| Error::Poisoned)?;
            cask.as_mut().ok_or(Error::Poisoned)?.start_sync()?
        };
        if let Some(pending) = pending {
            pending.finish()?;
        }
        Ok(())
    }
    // ANCHOR_END: sync_now
}

impl KeyValue for BitcaskEngine {
    fn engine(&self) -> Engine {
        Engine::Bitcask
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.read().as_ref().ok_or(Error::Poisoned)?.get(key)?)
    }

    fn put(&self, key: &[u8], value: &[u8]) -> Result<()> {
        self.commit(|cask| Ok(cask.put(key, value)?))
    }

    fn delete(&self, key: &[u8]) -> Result<()> {
        self.commit(|cask| Ok(cask.delete(key)?))
    }

    fn write(&self, _batch: &Batch) -> Result<()> {
        Err(unsupported(Engine::Bitcask, Capability::AtomicBatches))
    }

    /// Every operation appended under one hold of the lock, then one sync.
    fn write_each(&self, batch: &Batch) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        self.commit_all(batch.len() as u64, |cask| {
            for op in batch.ops() {
                match op {
                    BatchOp::Put { key, value } => cask.put(key, value)?,
                    BatchOp::Delete { key } => cask.delete(key)?,
                }
            }
            Ok(())
        })
    }

    fn flush(&self) -> Result<()> {
        if self.read_only {
            return Ok(()); // nothing written, nothing to sync
        }
        self.commit.sync_all(|| self.sync_now())
    }

    fn len(&self) -> Result<u64> {
        Ok(self.read().as_ref().ok_or(Error::Poisoned)?.len() as u64)
    }

    fn keys(&self) -> Result<Keys<'_>> {
        let keys = self.read().as_ref().ok_or(Error::Poisoned)?.keys();
        Ok(Keys::new(keys.into_iter().map(Ok)))
    }

    fn entries(&self) -> Result<Scan<'_>> {
        let keys = self.read().as_ref().ok_or(Error::Poisoned)?.keys();
        Ok(Scan::new(keys.into_iter().filter_map(|key| {
            self.get(&key)
                .transpose()
                .map(|value| value.map(|value| (key, value)))
        })))
    }

    fn stats(&self) -> Result<Stats> {
        Ok(Stats {
            keys: self.len()?,
            disk_bytes: super::dir_bytes(&self.dir)?,
            writes: self.writes.load(Ordering::Relaxed),
            syncs: self.commit.syncs()?,
        })
    }
}

impl Backend for BitcaskEngine {
    fn path(&self) -> &Path {
        &self.dir
    }

    /// Dropped without closing, the cask hands its buffer to the OS but
    /// writes no hint trailer: the next open scans the active data file.
    fn crash(self: Box<Self>) {
        let cask = match self.cask.write() {
            Ok(mut cask) => cask.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        drop(cask);
    }

    fn close(self: Box<Self>) -> Result<()> {
        let cask = self.cask.write().map_err(|_| Error::Poisoned)?.take();
        match cask {
            // Closing writes the hint file's trailer and syncs everything.
            Some(cask) => Ok(cask.close()?),
            None => Ok(()),
        }
    }
}

impl Drop for BitcaskEngine {
    /// Closes the cask if [`Backend::close`] did not: the write buffer of
    /// [`SyncPolicy::OnFlush`] reaches the OS, and the hint file its trailer.
    /// Errors go unseen here; call [`Store::close`](crate::Store::close) to see them.
    fn drop(&mut self) {
        let cask = match self.cask.get_mut() {
            Ok(cask) => cask.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(cask) = cask {
            let _ = cask.close();
        }
    }
}
