//! [`DiskTable`]: a keyed table that lives in a file of its own, a chapter-4
//! B+tree, rather than in memory, for data larger than memory.
//!
//! Its changes are logged like every table's, so transactions, rollback and
//! crash recovery work as for the others. What differs is where the state is:
//! the changes since the last compaction are held in memory (the *overlay*,
//! encoded key to encoded value, or to nothing for a removed key), and
//! everything older is in `<folder>/<table>.bbolt`, one bucket named after
//! the table, read on demand. A read looks in the overlay first, then in the
//! file.
//!
//! Compaction, by hand or automatic, first writes the overlay into the file
//! in one B+tree transaction (synced), then drops the table's entries from
//! the log: the log only ever holds what the file may not. A crash between
//! the two replays changes the file already holds, which writes the same
//! values again. So memory holds only the changes since the last compaction,
//! and the rest stays on disk, in the page cache when it is read often.
//!
//! A disk table needs a folder on the real file system: in a database in
//! memory it keeps everything in its overlay, like the other tables.
//!
//! ```
//! use strata_schema::{Config, DiskTable, LookupTable, Schema};
//!
//! #[derive(Schema)]
//! struct Archive {
//!     names: LookupTable<u64, String>,
//!     blobs: DiskTable<u64, Vec<u8>>,
//! }
//!
//! # let dir = tempfile::tempdir().unwrap();
//! let mut db = Archive::open(Config::in_folder(dir.path()))?;
//! db.names.insert(1, "logo.png".into())?;
//! db.blobs.insert(1, vec![0x89, b'P', b'N', b'G'])?;
//! db.compact()?; // the blob moves into its table's file
//! assert!(dir.path().join("blobs.bbolt").exists());
//! assert_eq!(db.blobs.get(&1)?, Some(vec![0x89, b'P', b'N', b'G']));
//! # Ok::<(), strata_schema::Error>(())
//! ```

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::Serialize;
use serde::de::DeserializeOwned;
use strata_bptree::DB;

use crate::log::Log;
use crate::table::{Handle, Table, TableState};
use crate::{Error, Result, codec};

/// A table of `K` to `V` kept in a B+tree file of its own; see the module
/// docs. Reads return owned values, decoded from the file or the overlay.
#[derive(Debug)]
pub struct DiskTable<K, V> {
    handle: Handle,
    disk: Arc<Disk>,
    _types: PhantomData<fn(K) -> V>,
}

/// What a disk table and the log share: the log writes the overlay into
/// the file when it compacts.
#[derive(Debug)]
pub(crate) struct Disk {
    name: &'static str,
    state: Mutex<DiskState>,
}

#[derive(Debug)]
struct DiskState {
    /// Encoded key (without the table's prefix) to encoded value, or `None`
    /// for a key removed since the file was last written.
    overlay: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    /// The file, once opened (it is opened when first needed).
    file: Option<DB>,
    /// Where the file is; `None` for a database in memory.
    path: Option<PathBuf>,
    read_only: bool,
}

impl<K, V> Table for DiskTable<K, V>
where
    K: Serialize + DeserializeOwned,
    V: Serialize + DeserializeOwned,
{
    fn create(name: &'static str, log: Log) -> Self {
        let disk = Arc::new(Disk {
            name,
            state: Mutex::new(DiskState {
                overlay: BTreeMap::new(),
                file: None,
                path: log.folder().map(|f| f.join(format!("{name}.bbolt"))),
                read_only: log.read_only(),
            }),
        });
        log.keep_on_disk(Arc::clone(&disk));
        DiskTable {
            handle: Handle { name, log },
            disk,
            _types: PhantomData,
        }
    }

    fn log(&self) -> &Log {
        &self.handle.log
    }
}

impl<K, V> DiskTable<K, V>
where
    K: Serialize + DeserializeOwned,
    V: Serialize + DeserializeOwned,
{
    /// The value of `key`: from the overlay, or read from the file.
    pub fn get(&self, key: &K) -> Result<Option<V>> {
        self.value_at(&self.rest(key)?)
    }

    /// Whether `key` has a value.
    pub fn contains_key(&self, key: &K) -> Result<bool> {
        let rest = self.rest(key)?;
        Ok(self.disk.lock().find(self.disk.name, &rest)?.is_some())
    }

    // ANCHOR: insert
    /// Sets `key` to `value`; returns the old value.
    pub fn insert(&mut self, key: K, value: V) -> Result<Option<V>> {
        let rest = self.rest(&key)?;
        let old = self.value_at(&rest)?;
        self.handle.put(&[&key], &value, old.as_ref())?;
        let encoded = self.handle.value(&value)?;
        self.disk.lock().overlay.insert(rest, Some(encoded));
        Ok(old)
    }
    // ANCHOR_END: insert

    /// Removes `key`; returns its value.
    pub fn remove(&mut self, key: &K) -> Result<Option<V>> {
        let rest = self.rest(key)?;
        let Some(old) = self.value_at(&rest)? else {
            return Ok(None);
        };
        self.handle.delete(&[key], Some(&old))?;
        self.disk.lock().overlay.insert(rest, None);
        Ok(Some(old))
    }

    /// The value stored under the encoded key `rest`, decoded.
    fn value_at(&self, rest: &[u8]) -> Result<Option<V>> {
        match self.disk.lock().find(self.disk.name, rest)? {
            Some(bytes) => Ok(Some(codec::decode(self.handle.name, &bytes)?)),
            None => Ok(None),
        }
    }

    /// The encoded key without the table's prefix: the key in the file.
    fn rest(&self, key: &K) -> Result<Vec<u8>> {
        let mut full = self.handle.key(&[key])?;
        full.drain(..=self.handle.name.len());
        Ok(full)
    }
}

impl<K, V> TableState for DiskTable<K, V> {
    fn load(&mut self, rest: &[u8], value: &[u8]) -> Result<()> {
        self.disk.apply(rest, Some(value));
        Ok(())
    }

    fn unload(&mut self, rest: &[u8]) -> Result<()> {
        self.disk.apply(rest, None);
        Ok(())
    }

    /// Nothing: by the time the log is compacted, the log has written this
    /// table's overlay into its file (see the module docs).
    fn dump(&self, _out: &mut dyn FnMut(Vec<u8>, Vec<u8>)) -> Result<()> {
        Ok(())
    }
}

impl Disk {
    /// The table's name, which prefixes its entries' keys in the log.
    pub(crate) fn name(&self) -> &'static str {
        self.name
    }

    /// Puts one change into the overlay: a value, or `None` for a removal.
    pub(crate) fn apply(&self, rest: &[u8], value: Option<&[u8]>) {
        self.lock()
            .overlay
            .insert(rest.to_vec(), value.map(<[u8]>::to_vec));
    }

    fn lock(&self) -> MutexGuard<'_, DiskState> {
        // Every change to the state is one insert into the overlay, or a
        // file written whole by a transaction: valid whatever panicked.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    // ANCHOR: persist
    /// Writes the overlay into the file in one synced transaction, then
    /// empties it. The log calls this before it drops the table's entries.
    /// In memory (no folder), the overlay stays: it is the table.
    pub(crate) fn persist(&self) -> Result<()> {
        let mut state = self.lock();
        if state.overlay.is_empty() || state.path.is_none() {
            return Ok(());
        }
        let name = self.name;
        let overlay = std::mem::take(&mut state.overlay);
        let written = state.file(name).and_then(|file| {
            let file = file.ok_or(Error::ReadOnly)?;
            file.update(|tx| {
                let mut bucket = tx.create_bucket_if_not_exists(name.as_bytes())?;
                for (key, value) in &overlay {
                    match value {
                        Some(value) => bucket.put(key, value)?,
                        None => bucket.delete(key)?,
                    }
                }
                Ok(())
            })
            .map_err(|source| file_error(name, source))
        });
        if written.is_err() {
            // Nothing is lost: the overlay is kept, and so are the log's entries.
            state.overlay = overlay;
        }
        written
    }
    // ANCHOR_END: persist
}

impl DiskState {
    // ANCHOR: find
    /// The encoded value of `rest`: the overlay's word, else the file's.
    fn find(&mut self, name: &'static str, rest: &[u8]) -> Result<Option<Vec<u8>>> {
        if let Some(value) = self.overlay.get(rest) {
            return Ok(value.clone());
        }
        let Some(file) = self.file(name)? else {
            return Ok(None);
        };
        file.view(|tx| {
            let Some(bucket) = tx.bucket(name.as_bytes())? else {
                return Ok(None);
            };
            Ok(bucket.get(rest)?.map(<[u8]>::to_vec))
        })
        .map_err(|source| file_error(name, source))
    }
    // ANCHOR_END: find

    /// The file, opened on first use: `None` in memory, or when a read-only
    /// database has no file yet (the table is then empty). A database that
    /// writes creates it.
    fn file(&mut self, name: &'static str) -> Result<Option<&DB>> {
        if self.file.is_none() {
            let Some(path) = &self.path else {
                return Ok(None);
            };
            if self.read_only && !path.exists() {
                return Ok(None);
            }
            let options = if self.read_only {
                strata_bptree::Options::read_only()
            } else {
                strata_bptree::Options::default()
            };
            let file = DB::open(path, options).map_err(|source| file_error(name, source))?;
            self.file = Some(file);
        }
        Ok(self.file.as_ref())
    }
}

fn file_error(table: &'static str, source: strata_bptree::Error) -> Error {
    Error::DiskTable {
        table: table.to_string(),
        source,
    }
}
