//! Chapter 2's write-ahead log behind the common traits.
//!
//! Chapter 2's [`Store`] is already shared between threads and already
//! commits in groups, so this adapter only translates. It adds one thing a
//! long-running program needs: when the log passes a size, a checkpoint runs
//! in the background, so that the log (and the next open's replay) stays short.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use strata_wal::{Create as WalCreate, Options as WalOptions, Store, SyncPolicy as WalSync};

use super::{Backend, Create};
use crate::chunked::Chunked;
use crate::kv::Stats;
use crate::{
    Batch, BatchOp, Engine, Error, KeyRange, KeyValue, Options, Ordered, Result, Scan, SyncPolicy,
};

/// A background checkpoint starts when the active log passes this size.
const CHECKPOINT_ABOVE: u64 = 64 << 20;
/// The log's size is looked at once every this many writes.
const CHECK_EVERY: u64 = 1024;

#[derive(Debug)]
pub(crate) struct WalEngine {
    store: Store,
    dir: PathBuf,
    writes: AtomicU64,
}

impl WalEngine {
    pub(crate) fn open(dir: &Path, options: &Options, create: Create) -> Result<WalEngine> {
        let sync = match options.sync {
            SyncPolicy::Always => WalSync::Always,
            SyncPolicy::OnFlush => WalSync::Never,
        };
        let create_dir = match create {
            Create::New => WalCreate::IfMissing,
            Create::Existing => WalCreate::Never,
        };
        let store = Store::open(dir, WalOptions::new(sync).create(create_dir))?;
        Ok(WalEngine {
            store,
            dir: dir.to_path_buf(),
            writes: AtomicU64::new(0),
        })
    }

    /// Counts a write, and checkpoints in the background now and then.
    fn wrote(&self) -> Result<()> {
        let writes = self.writes.fetch_add(1, Ordering::Relaxed) + 1;
        if writes.is_multiple_of(CHECK_EVERY) && self.store.stats().log_len > CHECKPOINT_ABOVE {
            self.store.checkpoint_in_background()?;
        }
        Ok(())
    }
}

impl KeyValue for WalEngine {
    fn engine(&self) -> Engine {
        Engine::Wal
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.store.get(key))
    }

    fn put(&self, key: &[u8], value: &[u8]) -> Result<()> {
        self.store.put(key, value)?;
        self.wrote()
    }

    fn delete(&self, key: &[u8]) -> Result<()> {
        if self.store.delete(key)? {
            self.wrote()?;
        }
        Ok(())
    }

    fn write(&self, batch: &Batch) -> Result<()> {
        let mut wal_batch = strata_wal::Batch::new();
        for op in batch.ops() {
            wal_batch = match op {
                BatchOp::Put { key, value } => wal_batch.put(key.clone(), value.clone()),
                BatchOp::Delete { key } => wal_batch.delete(key.clone()),
            };
        }
        self.store.write(wal_batch)?;
        self.wrote()
    }

    fn flush(&self) -> Result<()> {
        Ok(self.store.sync()?)
    }

    fn len(&self) -> Result<u64> {
        Ok(self.store.len() as u64)
    }

    fn stats(&self) -> Result<Stats> {
        Ok(Stats {
            keys: self.len()?,
            disk_bytes: super::dir_bytes(&self.dir)?,
            writes: self.writes.load(Ordering::Relaxed),
            syncs: self.store.stats().log_syncs,
        })
    }

    fn as_ordered(&self) -> Result<&dyn Ordered> {
        Ok(self)
    }
}

impl Ordered for WalEngine {
    fn range(&self, range: KeyRange) -> Result<Scan<'_>> {
        Ok(Scan::new(Chunked::new(range, |range, n| {
            if range.is_empty() {
                // `BTreeMap::range` panics on some empty ranges.
                return Ok(Vec::new());
            }
            let view = self.store.read();
            Ok(view
                .range::<[u8]>((range.start(), range.end()))
                .take(n)
                .map(|(k, v)| (k.to_vec(), v.to_vec()))
                .collect())
        })))
    }
}

impl Backend for WalEngine {
    fn path(&self) -> &Path {
        &self.dir
    }

    fn close(self: Box<Self>) -> Result<()> {
        self.store.finish_background_checkpoint()?;
        self.store.close().map_err(Error::from)
    }
}
