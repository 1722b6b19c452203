//! Chapter 1's flat file behind the common traits.
//!
//! The map lives in memory behind a read-write lock; the durability point is
//! a save of the whole map (chapter 1's encoding and atomic replace). Under
//! [`SyncPolicy::Always`] every write waits for a save that includes it, and
//! [`GroupCommit`] lets writers that arrive during a save share the next one:
//! the save is encoded under the read lock (readers go on, writers wait for
//! the encoding only) and written with no lock held.
//!
//! Chapter 1 leaves locking to the caller; here a `NAME.lock` file beside the
//! data file, locked by the OS, keeps a second writer out.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock, RwLockReadGuard};

use strata_flat_file::{Map, atomic, format, read_map};

use super::snapshot::first_entries;
use super::{Backend, Create, lock_exclusively};
use crate::group_commit::GroupCommit;
use crate::kv::Stats;
use crate::{
    Batch, BatchOp, Engine, Error, KeyRange, KeyValue, Options, Ordered, Result, Scan, SyncPolicy,
    chunked::Chunked,
};

#[derive(Debug)]
pub(crate) struct FlatFileEngine {
    path: PathBuf,
    map: RwLock<Map>,
    commit: GroupCommit,
    sync: SyncPolicy,
    writes: AtomicU64,
    /// Whether dropping saves what is unsaved (not after a simulated crash).
    save_on_drop: bool,
    /// Held for as long as the engine is open.
    _lock: File,
}

impl FlatFileEngine {
    pub(crate) fn open(path: &Path, options: &Options, create: Create) -> Result<FlatFileEngine> {
        let lock = lock_exclusively(&lock_path(path))?;
        let map = match (read_map(path)?, create) {
            (Some(_), Create::New) => {
                return Err(Error::AlreadyExists {
                    path: path.to_path_buf(),
                    found: "a flat file".into(),
                });
            }
            (Some(map), Create::Existing) => map,
            (None, Create::Existing) => {
                return Err(Error::NotFound {
                    path: path.to_path_buf(),
                });
            }
            (None, Create::New) => {
                // Saved at once, so that the file exists (and is recognised)
                // even if nothing is ever written.
                let empty = Map::new();
                atomic::write_atomic(path, &format::encode(&empty))?;
                empty
            }
        };
        Ok(FlatFileEngine {
            path: path.to_path_buf(),
            map: RwLock::new(map),
            commit: GroupCommit::new(),
            sync: options.sync,
            writes: AtomicU64::new(0),
            save_on_drop: true,
            _lock: lock,
        })
    }

    fn read(&self) -> RwLockReadGuard<'_, Map> {
        // Every change to the map is one insert or remove, so a panic in
        // another thread cannot leave it half-changed.
        self.map.read().unwrap_or_else(PoisonError::into_inner)
    }

    // ANCHOR: commit
    /// Applies `change` to the map, numbers it, and waits as the policy says.
    fn commit(&self, change: impl FnOnce(&mut Map)) -> Result<()> {
        let seq = {
            let mut map = self.map.write().map_err(|_| Error::Poisoned)?;
            // Numbered first: after a failed save this refuses the change.
            let seq = self.commit.written()?;
            change(&mut map);
            seq
        };
        self.writes.fetch_add(1, Ordering::Relaxed);
        match self.sync {
            SyncPolicy::Always => self.commit.wait_durable(seq, || self.save()),
            SyncPolicy::OnFlush => Ok(()),
        }
    }
    // ANCHOR_END: commit

    // ANCHOR: save
    /// Saves the whole map: encoded under the read lock, written without it.
    fn save(&self) -> Result<()> {
        let bytes = format::encode(&self.read());
        atomic::write_atomic(&self.path, &bytes)?;
        Ok(())
    }
    // ANCHOR_END: save
}

/// The lock file beside the data file `path`.
fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    path.with_file_name(name)
}

impl KeyValue for FlatFileEngine {
    fn engine(&self) -> Engine {
        Engine::FlatFile
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.read().get(key).cloned())
    }

    fn put(&self, key: &[u8], value: &[u8]) -> Result<()> {
        self.commit(|map| {
            map.insert(key.to_vec(), value.to_vec());
        })
    }

    fn delete(&self, key: &[u8]) -> Result<()> {
        if !self.read().contains_key(key) {
            return Ok(());
        }
        self.commit(|map| {
            map.remove(key);
        })
    }

    fn write(&self, batch: &Batch) -> Result<()> {
        // One change to the map, saved whole: all of it or none.
        self.commit(|map| {
            for op in batch.ops() {
                match op {
                    BatchOp::Put { key, value } => map.insert(key.clone(), value.clone()),
                    BatchOp::Delete { key } => map.remove(key),
                };
            }
        })
    }

    fn flush(&self) -> Result<()> {
        self.commit.sync_all(|| self.save())
    }

    fn len(&self) -> Result<u64> {
        Ok(self.read().len() as u64)
    }

    fn stats(&self) -> Result<Stats> {
        Ok(Stats {
            keys: self.len()?,
            disk_bytes: std::fs::metadata(&self.path).map_or(0, |m| m.len()),
            writes: self.writes.load(Ordering::Relaxed),
            syncs: self.commit.syncs()?,
        })
    }

    fn as_ordered(&self) -> Result<&dyn Ordered> {
        Ok(self)
    }
}

impl Ordered for FlatFileEngine {
    fn range(&self, range: KeyRange) -> Result<Scan<'_>> {
        Ok(Scan::new(Chunked::new(range, |range, n| {
            Ok(first_entries(&self.read(), range, n))
        })))
    }
}

impl Backend for FlatFileEngine {
    fn path(&self) -> &Path {
        &self.path
    }

    fn close(self: Box<Self>) -> Result<()> {
        self.flush()
    }

    /// Unsaved changes live only in this process: a crash loses them.
    fn crash(mut self: Box<Self>) {
        self.save_on_drop = false;
    }
}

impl Drop for FlatFileEngine {
    /// Saves what [`SyncPolicy::OnFlush`] left unsaved: a flat file's changes
    /// live only in this process until then. Errors go unseen here; call
    /// [`Store::close`](crate::Store::close) to see them.
    fn drop(&mut self) {
        if self.save_on_drop && !self.commit.is_durable().unwrap_or(true) {
            let _ = self.flush();
        }
    }
}
