//! Chapter 4's B+tree behind the common traits.
//!
//! bbolt keeps keys in buckets, never at the top of the file, so the store's
//! keys live in one bucket: [`Options::bucket`] names it (`strata` unless
//! told otherwise), which is also how a file written by a Go program is read
//! through its own buckets. A put or delete is one write transaction, a
//! [`Batch`] is one too; reads are read transactions, which see one snapshot
//! and never wait for a writer. A scan owns its read transaction, so it reads
//! one moment of the file however long it runs (and, like any open reader,
//! keeps the pages of that moment from being reused until it is dropped).

use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use strata_bptree::tx::ReadTx;
use strata_bptree::{Bucket, DB, Options as DbOptions, WriteTx};

use super::{Backend, Create};
use crate::chunked::Chunked;
use crate::kv::Stats;
use crate::{
    Batch, BatchOp, Engine, Entry, Error, KeyRange, KeyValue, Options, Ordered, ReadTransaction,
    Result, Scan, SyncPolicy, Transactional, WriteTransaction,
};

#[derive(Debug)]
pub(crate) struct BptreeEngine {
    /// Shared by the store and each of its keyspaces (buckets).
    db: Arc<DB>,
    path: PathBuf,
    bucket: Vec<u8>,
    sync: SyncPolicy,
    writes: AtomicU64,
    /// Commits and [`DB::sync`] calls that reached the disk.
    syncs: AtomicU64,
}

impl BptreeEngine {
    pub(crate) fn open(path: &Path, options: &Options, create: Create) -> Result<BptreeEngine> {
        match (path.exists(), create) {
            (true, Create::New) => {
                return Err(Error::AlreadyExists {
                    path: path.to_path_buf(),
                    found: "a file".into(),
                });
            }
            (false, Create::Existing) => {
                return Err(Error::NotFound {
                    path: path.to_path_buf(),
                });
            }
            _ => {}
        }
        let db_options = DbOptions {
            no_sync: options.sync == SyncPolicy::OnFlush,
            read_only: options.read_only,
            ..options.bptree.clone()
        };
        let db = Arc::new(DB::open(path, db_options)?);
        Ok(BptreeEngine {
            db,
            path: path.to_path_buf(),
            bucket: options.bucket.clone(),
            sync: options.sync,
            writes: AtomicU64::new(0),
            syncs: AtomicU64::new(0),
        })
    }

    /// Runs `f` on the store's bucket in one write transaction, and commits.
    fn update(
        &self,
        f: impl FnOnce(&mut strata_bptree::BucketMut<'_>) -> Result<()>,
    ) -> Result<()> {
        let mut tx = self.db.begin_write()?;
        f(&mut tx.create_bucket_if_not_exists(&self.bucket)?)?;
        tx.commit()?;
        self.committed();
        Ok(())
    }

    /// Counts a commit: a write, and (unless commits skip it) a sync.
    fn committed(&self) {
        self.writes.fetch_add(1, Ordering::Relaxed);
        if self.sync == SyncPolicy::Always {
            self.syncs.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn read_tx(&self) -> BptreeRead {
        BptreeRead {
            tx: self.db.begin_read(),
            bucket: self.bucket.clone(),
        }
    }
}

impl KeyValue for BptreeEngine {
    fn engine(&self) -> Engine {
        Engine::Bptree
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        // The chapter's own error inside, converted once at the end: the
        // lookup then compiles as it does when the chapter crate is called
        // directly.
        let found = self.db.view(|tx| {
            let Some(bucket) = tx.bucket(&self.bucket)? else {
                return Ok(None);
            };
            Ok(bucket.get(key)?.map(<[u8]>::to_vec))
        });
        Ok(found?)
    }

    fn put(&self, key: &[u8], value: &[u8]) -> Result<()> {
        self.update(|bucket| Ok(bucket.put(key, value)?))
    }

    fn delete(&self, key: &[u8]) -> Result<()> {
        // A missing key costs no commit (and no sync).
        let tx = self.db.begin_read();
        let present = match tx.bucket(&self.bucket)? {
            Some(bucket) => bucket.get(key)?.is_some(),
            None => false,
        };
        drop(tx);
        if !present {
            return Ok(());
        }
        self.update(|bucket| Ok(bucket.delete(key)?))
    }

    fn write(&self, batch: &Batch) -> Result<()> {
        self.update(|bucket| {
            for op in batch.ops() {
                match op {
                    BatchOp::Put { key, value } => bucket.put(key, value)?,
                    BatchOp::Delete { key } => bucket.delete(key)?,
                }
            }
            Ok(())
        })
    }

    fn flush(&self) -> Result<()> {
        if self.sync == SyncPolicy::OnFlush {
            self.db.sync()?;
            self.syncs.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Counts the keys by walking the bucket's pages: bbolt stores no count.
    fn len(&self) -> Result<u64> {
        let tx = self.db.begin_read();
        match tx.bucket(&self.bucket)? {
            Some(bucket) => Ok(bucket.stats()?.keys),
            None => Ok(0),
        }
    }

    fn stats(&self) -> Result<Stats> {
        Ok(Stats {
            keys: self.len()?,
            disk_bytes: std::fs::metadata(&self.path).map_or(0, |m| m.len()),
            writes: self.writes.load(Ordering::Relaxed),
            syncs: self.syncs.load(Ordering::Relaxed),
        })
    }

    fn as_ordered(&self) -> Result<&dyn Ordered> {
        Ok(self)
    }

    fn as_transactional(&self) -> Result<&dyn Transactional> {
        Ok(self)
    }
}

impl Ordered for BptreeEngine {
    fn range(&self, range: KeyRange) -> Result<Scan<'_>> {
        // The scan owns its transaction: one snapshot from start to end.
        let BptreeRead { tx, bucket } = self.read_tx();
        Ok(Scan::new(Chunked::new(range, move |range, n| {
            first_entries(&tx, &bucket, range, n)
        })))
    }
}

impl Transactional for BptreeEngine {
    fn begin_read(&self) -> Result<Box<dyn ReadTransaction + '_>> {
        Ok(Box::new(self.read_tx()))
    }

    fn begin_write(&self) -> Result<Box<dyn WriteTransaction + '_>> {
        Ok(Box::new(BptreeWrite {
            tx: self.db.begin_write()?,
            engine: self,
        }))
    }
}

impl Backend for BptreeEngine {
    fn path(&self) -> &Path {
        &self.path
    }

    fn close(self: Box<Self>) -> Result<()> {
        self.flush()
    }

    fn keyspace(&self, name: &[u8]) -> Option<Result<Box<dyn Backend>>> {
        Some(Ok(Box::new(BptreeEngine {
            db: Arc::clone(&self.db),
            path: self.path.clone(),
            bucket: name.to_vec(),
            sync: self.sync,
            writes: AtomicU64::new(0),
            syncs: AtomicU64::new(0),
        })))
    }
}

/// A read transaction on the store's bucket.
struct BptreeRead {
    tx: ReadTx,
    bucket: Vec<u8>,
}

impl ReadTransaction for BptreeRead {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        get_in(&self.tx, &self.bucket, key)
    }

    fn range(&self, range: KeyRange) -> Result<Scan<'_>> {
        Ok(Scan::new(Chunked::new(range, |range, n| {
            first_entries(&self.tx, &self.bucket, range, n)
        })))
    }
}

/// The value of `key` in bucket `name` of `tx`, copied out.
fn get_in(tx: &ReadTx, name: &[u8], key: &[u8]) -> Result<Option<Vec<u8>>> {
    let Some(bucket) = tx.bucket(name)? else {
        return Ok(None);
    };
    Ok(bucket.get(key)?.map(<[u8]>::to_vec))
}

/// The first `n` entries of `range` in bucket `name` of `tx`; nested
/// buckets are not values, and are skipped.
fn first_entries(tx: &ReadTx, name: &[u8], range: &KeyRange, n: usize) -> Result<Vec<Entry>> {
    let Some(bucket) = tx.bucket(name)? else {
        return Ok(Vec::new());
    };
    entries_of(&bucket, range, n)
}

fn entries_of(bucket: &Bucket<'_>, range: &KeyRange, n: usize) -> Result<Vec<Entry>> {
    let mut cursor = bucket.cursor();
    let mut entry = match range.start() {
        Bound::Unbounded => cursor.first()?,
        Bound::Included(start) | Bound::Excluded(start) => cursor.seek(start)?,
    };
    if let (Bound::Excluded(start), Some(e)) = (range.start(), &entry)
        && e.key == start
    {
        entry = cursor.next()?;
    }
    let mut out = Vec::new();
    while let Some(e) = entry {
        if out.len() == n || range.is_past_end(e.key) {
            break;
        }
        if !e.is_bucket() {
            out.push((e.key.to_vec(), e.value.to_vec()));
        }
        entry = cursor.next()?;
    }
    Ok(out)
}

/// A write transaction on the store's bucket.
struct BptreeWrite<'db> {
    tx: WriteTx<'db>,
    engine: &'db BptreeEngine,
}

impl WriteTransaction for BptreeWrite<'_> {
    fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let Some(bucket) = self.tx.bucket(&self.engine.bucket)? else {
            return Ok(None);
        };
        Ok(bucket.get(key)?.map(<[u8]>::to_vec))
    }

    fn put(&mut self, key: &[u8], value: &[u8]) -> Result<()> {
        let mut bucket = self.tx.create_bucket_if_not_exists(&self.engine.bucket)?;
        Ok(bucket.put(key, value)?)
    }

    fn delete(&mut self, key: &[u8]) -> Result<()> {
        match self.tx.bucket(&self.engine.bucket)? {
            Some(mut bucket) => Ok(bucket.delete(key)?),
            None => Ok(()),
        }
    }

    fn commit(self: Box<Self>) -> Result<()> {
        let engine = self.engine;
        self.tx.commit()?;
        engine.committed();
        Ok(())
    }
}
