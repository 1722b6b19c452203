//! [`Store`]: one handle over any engine.

use std::fmt;
use std::io::ErrorKind;
use std::path::Path;
use std::sync::Arc;

use crate::engines::prefixed::Prefixed;
use crate::engines::{self, Backend, Create};
use crate::kv::Stats;
use crate::{
    Batch, Capabilities, Engine, Error, KeyRange, KeyValue, Keys, Options, Ordered,
    ReadTransaction, Result, Scan, SyncPolicy, Transactional, WriteTransaction, detect,
};

/// A database of any engine, shared by every thread that clones the handle.
///
/// [`Store::open`] looks at what is on disk and opens it with the engine
/// that wrote it, Go's bbolt and Riak's bitcask included;
/// [`Store::create`] makes a new database of the engine you choose. Every
/// engine does what [`KeyValue`] promises; what only some can do is asked
/// for by name ([`range`](Store::range), [`begin_read`](Store::begin_read))
/// and is [`Error::Unsupported`] on the others.
///
/// ```
/// # #[cfg(feature = "bptree")] {
/// use strata::{Engine, Options, Store};
///
/// # let dir = tempfile::tempdir()?;
/// let path = dir.path().join("fruit.db");
/// let store = Store::create(&path, Engine::Bptree, Options::default())?;
/// store.put("apple", "red")?;
/// store.put("apricot", "orange")?;
/// store.put("banana", "yellow")?;
///
/// let keys: Vec<Vec<u8>> = store.prefix("ap")?.map(|e| e.map(|(k, _)| k)).collect::<Result<_, _>>()?;
/// assert_eq!(keys, [b"apple".to_vec(), b"apricot".to_vec()]);
/// store.close()?;
///
/// // Opening needs no engine: the file says what it is.
/// let store = Store::open(&path)?;
/// assert_eq!(store.engine(), Engine::Bptree);
/// assert_eq!(store.get("banana")?.as_deref(), Some(&b"yellow"[..]));
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A `Store` is `Clone + Send + Sync`: clones share one open database. It
/// closes when the last clone is dropped, or at [`close`](Store::close),
/// which reports what dropping cannot.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    backend: Box<dyn Backend>,
    sync: SyncPolicy,
}

impl Store {
    /// Opens the database at `path` with the engine that wrote it.
    ///
    /// ```
    /// # #[cfg(feature = "flat-file")] {
    /// use strata::{Engine, Error, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("notes");
    /// assert!(matches!(Store::open(&path), Err(Error::NotFound { .. })));
    /// Store::create(&path, Engine::FlatFile, Options::default())?.close()?;
    /// assert_eq!(Store::open(&path)?.engine(), Engine::FlatFile);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`] if nothing is there; [`Error::Unrecognized`] if
    /// what is there is no engine's; [`Error::FeatureDisabled`] if this build
    /// leaves its engine out; the engine's error if it cannot open it (a lock
    /// held by another writer, damage).
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_with(path, Options::default())
    }

    // ANCHOR: open_with
    /// [`Store::open`] with `options`.
    pub fn open_with(path: impl AsRef<Path>, options: Options) -> Result<Store> {
        let path = path.as_ref();
        let engine = detect(path)?.ok_or_else(|| Error::NotFound {
            path: path.to_path_buf(),
        })?;
        Store::open_as(path, engine, options)
    }
    // ANCHOR_END: open_with

    /// Opens the database at `path` as one of `engine`, whatever detection
    /// would say (for a store whose marks are damaged, or to insist).
    ///
    /// ```
    /// # #[cfg(feature = "wal")] {
    /// use strata::{Engine, Error, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("log");
    /// let writer = Store::create(&path, Engine::Wal, Options::default())?;
    /// writer.put("k", "v")?;
    /// // A reader beside the writer: the log as it is now, read without its lock.
    /// let reader = Store::open_as(&path, Engine::Wal, Options::new().read_only(true))?;
    /// assert_eq!(reader.get("k")?.as_deref(), Some(&b"v"[..]));
    /// assert!(matches!(reader.put("k", "w"), Err(Error::ReadOnly { engine: Engine::Wal })));
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`Store::open`]; a path the engine cannot read is its own error.
    pub fn open_as(path: impl AsRef<Path>, engine: Engine, options: Options) -> Result<Store> {
        let path = path.as_ref();
        if options.read_only {
            return Store::start(
                engines::open_read_only(engine, path, &options)?,
                options.sync,
            );
        }
        Store::start(
            engines::open(engine, path, &options, Create::Existing)?,
            options.sync,
        )
    }

    // ANCHOR: create
    /// Creates a new database of `engine` at `path`: a file for the flat
    /// file and the B+tree, a directory for the log and Bitcask (an empty
    /// directory may already be there).
    ///
    /// # Errors
    /// [`Error::AlreadyExists`] if something is at `path`;
    /// [`Error::FeatureDisabled`] if this build leaves `engine` out;
    /// [`Error::ReadOnly`] if `options` say read-only.
    pub fn create(path: impl AsRef<Path>, engine: Engine, options: Options) -> Result<Store> {
        let path = path.as_ref();
        if !engine.is_enabled() {
            return Err(Error::FeatureDisabled { engine });
        }
        if options.read_only {
            return Err(Error::ReadOnly { engine });
        }
        if !is_free(path, engine)? {
            let found = match detect(path) {
                Ok(Some(engine)) => format!("a {engine} database"),
                Ok(None) => "something".into(),
                Err(Error::Unrecognized { found, .. }) => found,
                Err(e) => return Err(e),
            };
            return Err(Error::AlreadyExists {
                path: path.to_path_buf(),
                found,
            });
        }
        Store::start(
            engines::open(engine, path, &options, Create::New)?,
            options.sync,
        )
    }
    // ANCHOR_END: create

    fn start(backend: Box<dyn Backend>, sync: SyncPolicy) -> Result<Store> {
        Ok(Store {
            inner: Arc::new(Inner { backend, sync }),
        })
    }

    fn backend(&self) -> &dyn Backend {
        &*self.inner.backend
    }

    /// Which engine the store runs on.
    ///
    /// ```
    /// # #[cfg(feature = "bitcask")] {
    /// use strata::{Engine, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("cask"), Engine::Bitcask, Options::default())?;
    /// assert_eq!(store.engine(), Engine::Bitcask);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn engine(&self) -> Engine {
        self.backend().engine()
    }

    /// When writes are durable: the policy the store was opened with.
    ///
    /// ```
    /// # #[cfg(feature = "wal")] {
    /// use strata::{Engine, Options, Store, SyncPolicy};
    /// # let dir = tempfile::tempdir()?;
    /// let options = Options::new().sync(SyncPolicy::OnFlush);
    /// let store = Store::create(dir.path().join("log"), Engine::Wal, options)?;
    /// assert_eq!(store.sync_policy(), SyncPolicy::OnFlush);
    /// // Keyspaces inherit it.
    /// assert_eq!(store.keyspace("users")?.sync_policy(), SyncPolicy::OnFlush);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sync_policy(&self) -> SyncPolicy {
        self.inner.sync
    }

    /// What the engine can do beyond [`KeyValue`].
    ///
    /// ```
    /// # #[cfg(feature = "bitcask")] {
    /// use strata::{Capability, Engine, Error, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("cask"), Engine::Bitcask, Options::default())?;
    /// assert!(!store.capabilities().contains(Capability::OrderedScans));
    /// // So a range is refused, by a typed error rather than a slow emulation.
    /// let Err(Error::Unsupported { engine, capability }) = store.range(..) else { panic!() };
    /// assert_eq!((engine, capability), (Engine::Bitcask, Capability::OrderedScans));
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn capabilities(&self) -> Capabilities {
        self.backend().capabilities()
    }

    /// Where the database is: its file, or its directory.
    ///
    /// ```
    /// # #[cfg(feature = "bptree")] {
    /// use strata::{Engine, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("app.db");
    /// let store = Store::create(&path, Engine::Bptree, Options::default())?;
    /// assert_eq!(store.path(), path);
    /// assert!(path.is_file());
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn path(&self) -> &Path {
        self.backend().path()
    }

    /// The value of `key`, if any.
    ///
    /// ```
    /// # #[cfg(feature = "flat-file")] {
    /// use strata::{Engine, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("notes"), Engine::FlatFile, Options::default())?;
    /// store.put("apple", "red")?;
    /// assert_eq!(store.get("apple")?, Some(b"red".to_vec()));
    /// assert_eq!(store.get(b"pear")?, None); // keys are anything byte-like
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<Vec<u8>>> {
        self.backend().get(key.as_ref())
    }

    /// Every entry (see [`KeyValue::entries`]): in key order where the
    /// engine keeps one.
    ///
    /// ```
    /// # #[cfg(feature = "wal")] {
    /// use strata::{Engine, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("log"), Engine::Wal, Options::default())?;
    /// store.put("b", "2")?;
    /// store.put("a", "1")?;
    /// let entries = store.entries()?.collect::<strata::Result<Vec<_>>>()?;
    /// assert_eq!(entries, [(b"a".to_vec(), b"1".to_vec()), (b"b".to_vec(), b"2".to_vec())]);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn entries(&self) -> Result<Scan<'_>> {
        self.backend().entries()
    }

    /// Every key (see [`KeyValue::keys`]): in key order where the engine
    /// keeps one, without reading values where it can.
    ///
    /// ```
    /// # #[cfg(feature = "bitcask")] {
    /// use strata::{Engine, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("cask"), Engine::Bitcask, Options::default())?;
    /// store.put("b", "2")?;
    /// store.put("a", "1")?;
    /// // Bitcask keeps no order, but lists its keys (from memory) all the same.
    /// let mut keys = store.keys()?.collect::<strata::Result<Vec<_>>>()?;
    /// keys.sort();
    /// assert_eq!(keys, [b"a".to_vec(), b"b".to_vec()]);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn keys(&self) -> Result<Keys<'_>> {
        self.backend().keys()
    }

    /// Sets `key` to `value`; durable as the [`SyncPolicy`] says.
    ///
    /// ```
    /// # #[cfg(feature = "bitcask")] {
    /// use strata::{Engine, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("cask"), Engine::Bitcask, Options::default())?;
    /// store.put("count", 1u32.to_be_bytes())?; // on disk when it returns (SyncPolicy::Always)
    /// store.put("count", 2u32.to_be_bytes())?; // the last put wins
    /// assert_eq!(store.get("count")?, Some(2u32.to_be_bytes().to_vec()));
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn put(&self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Result<()> {
        self.backend().put(key.as_ref(), value.as_ref())
    }

    /// Removes `key`; removing a missing key is not an error.
    ///
    /// ```
    /// # #[cfg(feature = "wal")] {
    /// use strata::{Engine, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("log"), Engine::Wal, Options::default())?;
    /// store.put("k", "v")?;
    /// store.delete("k")?;
    /// store.delete("k")?; // already gone: still Ok
    /// assert_eq!(store.get("k")?, None);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn delete(&self, key: impl AsRef<[u8]>) -> Result<()> {
        self.backend().delete(key.as_ref())
    }

    /// Applies `batch` all or nothing (see [`KeyValue::write`]).
    ///
    /// ```
    /// # #[cfg(all(feature = "flat-file", feature = "bitcask"))] {
    /// use strata::{Batch, Capability, Engine, Error, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let batch = Batch::new().put("a", "1").put("b", "2").delete("a");
    /// let store = Store::create(dir.path().join("notes"), Engine::FlatFile, Options::default())?;
    /// store.write(&batch)?;
    /// assert_eq!((store.get("a")?, store.len()?), (None, 1));
    ///
    /// // Bitcask has no atomic batches: it refuses, and writes nothing.
    /// let cask = Store::create(dir.path().join("cask"), Engine::Bitcask, Options::default())?;
    /// let refused = cask.write(&batch);
    /// let Err(Error::Unsupported { capability, .. }) = refused else { panic!() };
    /// assert_eq!(capability, Capability::AtomicBatches);
    /// assert!(cask.is_empty()?);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write(&self, batch: &Batch) -> Result<()> {
        self.backend().write(batch)
    }

    /// Applies `batch`'s operations one by one, with one sync for all (see
    /// [`KeyValue::write_each`]): on every engine, atomic only where the
    /// engine has batches.
    ///
    /// ```
    /// # #[cfg(feature = "bitcask")] {
    /// use strata::{Batch, Engine, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("cask"), Engine::Bitcask, Options::default())?;
    /// // Where `write` is refused, one by one:
    /// store.write_each(&Batch::new().put("a", "1").put("b", "2").delete("a"))?;
    /// assert_eq!((store.get("a")?, store.len()?), (None, 1));
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_each(&self, batch: &Batch) -> Result<()> {
        self.backend().write_each(batch)
    }

    /// Makes every write so far durable.
    ///
    /// ```
    /// # #[cfg(feature = "flat-file")] {
    /// use strata::{Engine, Options, Store, SyncPolicy};
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("notes");
    /// let options = Options::new().sync(SyncPolicy::OnFlush);
    /// let store = Store::create(&path, Engine::FlatFile, options)?;
    /// store.put("k", "v")?; // in memory only, for a flat file under OnFlush
    /// store.flush()?; // now saved
    /// store.simulate_crash();
    /// assert!(Store::open(&path)?.get("k")?.is_some());
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn flush(&self) -> Result<()> {
        self.backend().flush()
    }

    /// The number of live keys.
    ///
    /// ```
    /// # #[cfg(feature = "bptree")] {
    /// use strata::{Engine, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("app.db"), Engine::Bptree, Options::default())?;
    /// store.put("a", "1")?;
    /// store.put("a", "2")?;
    /// store.put("b", "3")?;
    /// assert_eq!(store.len()?, 2);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn len(&self) -> Result<u64> {
        self.backend().len()
    }

    /// Whether there are no live keys.
    ///
    /// ```
    /// # #[cfg(feature = "wal")] {
    /// use strata::{Engine, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("log"), Engine::Wal, Options::default())?;
    /// assert!(store.is_empty()?);
    /// store.put("k", "v")?;
    /// store.delete("k")?;
    /// assert!(store.is_empty()?); // a deleted key is not live
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_empty(&self) -> Result<bool> {
        self.backend().is_empty()
    }

    /// Counters (see [`Stats`]).
    ///
    /// ```
    /// # #[cfg(feature = "bitcask")] {
    /// use strata::{Batch, Engine, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("cask"), Engine::Bitcask, Options::default())?;
    /// store.write_each(&Batch::new().put("a", "1").put("b", "2"))?;
    /// let stats = store.stats()?;
    /// assert_eq!(stats.keys, 2);
    /// assert!(stats.disk_bytes > 0);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stats(&self) -> Result<Stats> {
        self.backend().stats()
    }

    /// The entries whose keys lie in `range`, in key order: `store.range("a".."m")`.
    ///
    /// ```
    /// # #[cfg(feature = "bptree")] {
    /// use strata::{Engine, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("app.db"), Engine::Bptree, Options::default())?;
    /// for key in ["d", "a", "c", "b"] {
    ///     store.put(key, "")?;
    /// }
    /// let keys = |scan: strata::Scan| {
    ///     scan.map(|e| e.map(|(k, _)| k)).collect::<strata::Result<Vec<_>>>()
    /// };
    /// assert_eq!(keys(store.range("b".."d")?)?, [b"b".to_vec(), b"c".to_vec()]);
    /// assert_eq!(keys(store.range(.."b")?)?, [b"a".to_vec()]);
    /// assert_eq!(keys(store.range("c"..)?)?, [b"c".to_vec(), b"d".to_vec()]);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Unsupported`] on an engine that keeps no order.
    pub fn range(&self, range: impl Into<KeyRange>) -> Result<Scan<'_>> {
        self.backend().as_ordered()?.range(range.into())
    }

    /// The entries whose keys start with `prefix`, in key order.
    ///
    /// ```
    /// # #[cfg(feature = "flat-file")] {
    /// use strata::{Engine, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("notes"), Engine::FlatFile, Options::default())?;
    /// store.put("user/2", "grace")?;
    /// store.put("user/1", "ada")?;
    /// store.put("users", "not one")?;
    /// let names = store.prefix("user/")?.map(|e| e.map(|(_, v)| v));
    /// let names = names.collect::<strata::Result<Vec<_>>>()?;
    /// assert_eq!(names, [b"ada".to_vec(), b"grace".to_vec()]);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Unsupported`] on an engine that keeps no order.
    pub fn prefix(&self, prefix: impl AsRef<[u8]>) -> Result<Scan<'_>> {
        self.backend().as_ordered()?.prefix(prefix.as_ref())
    }

    /// Starts a read transaction (see [`Transactional::begin_read`]).
    ///
    /// ```
    /// # #[cfg(feature = "bptree")] {
    /// use strata::{Engine, KeyRange, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("app.db"), Engine::Bptree, Options::default())?;
    /// store.put("a", "1")?;
    /// let snapshot = store.begin_read()?;
    /// store.put("b", "2")?;
    /// assert_eq!(snapshot.range(KeyRange::all())?.count(), 1); // "b" came after it
    /// assert_eq!(store.len()?, 2);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Unsupported`] on an engine without transactions.
    pub fn begin_read(&self) -> Result<Box<dyn ReadTransaction + '_>> {
        self.backend().as_transactional()?.begin_read()
    }

    /// Starts a write transaction (see [`Transactional::begin_write`]).
    ///
    /// ```
    /// # #[cfg(feature = "bptree")] {
    /// use strata::{Engine, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("app.db"), Engine::Bptree, Options::default())?;
    /// let mut tx = store.begin_write()?;
    /// tx.put(b"k", b"v")?;
    /// assert_eq!(tx.get(b"k")?.as_deref(), Some(&b"v"[..])); // it reads its own write
    /// tx.commit()?;
    /// assert_eq!(store.get("k")?.as_deref(), Some(&b"v"[..]));
    ///
    /// let mut tx = store.begin_write()?;
    /// tx.delete(b"k")?;
    /// drop(tx); // not committed: discarded
    /// assert!(store.get("k")?.is_some());
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Unsupported`] on an engine without transactions.
    pub fn begin_write(&self) -> Result<Box<dyn WriteTransaction + '_>> {
        self.backend().as_transactional()?.begin_write()
    }

    /// Runs `f` in a read transaction.
    ///
    /// ```
    /// # #[cfg(feature = "bptree")] {
    /// use strata::{Engine, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("app.db"), Engine::Bptree, Options::default())?;
    /// store.put("from", "10")?;
    /// store.put("to", "20")?;
    /// // Both reads see the same moment, whatever writers do meanwhile.
    /// let (from, to) = store.view(|tx| Ok((tx.get(b"from")?, tx.get(b"to")?)))?;
    /// assert_eq!((from.as_deref(), to.as_deref()), (Some(&b"10"[..]), Some(&b"20"[..])));
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn view<T>(&self, f: impl FnOnce(&dyn ReadTransaction) -> Result<T>) -> Result<T> {
        let tx = self.begin_read()?;
        f(&*tx)
    }

    /// Runs `f` in a write transaction, and commits it if `f` succeeds; an
    /// error discards every change `f` made.
    ///
    /// ```
    /// # #[cfg(feature = "bptree")] {
    /// use strata::{Engine, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("bank.db"), Engine::Bptree, Options::default())?;
    /// store.put("alice", 100u64.to_be_bytes())?;
    /// store.update(|tx| {
    ///     let balance = u64::from_be_bytes(tx.get(b"alice")?.unwrap().try_into().unwrap());
    ///     tx.put(b"alice", &(balance - 30).to_be_bytes())?;
    ///     tx.put(b"bob", &30u64.to_be_bytes())
    /// })?;
    /// assert_eq!(store.get("bob")?, Some(30u64.to_be_bytes().to_vec()));
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn update<T>(&self, f: impl FnOnce(&mut dyn WriteTransaction) -> Result<T>) -> Result<T> {
        let mut tx = self.begin_write()?;
        let value = f(&mut *tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// The keyspace `name`: a store of its own inside this one, for keys
    /// kept apart from the others. On the B+tree it is a bucket; the other
    /// engines keep one keyspace, and a named one is the keys that start
    /// with `name` and a zero byte (which a scan of the whole store sees).
    /// [`Table`](crate::Table)s are keyspaces.
    ///
    /// ```
    /// # #[cfg(feature = "wal")] {
    /// use strata::{Engine, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("log"), Engine::Wal, Options::default())?;
    /// let users = store.keyspace("users")?;
    /// users.put("ada", "admin")?;
    /// assert_eq!(users.get("ada")?.as_deref(), Some(&b"admin"[..]));
    /// assert_eq!(store.get("users\0ada")?.as_deref(), Some(&b"admin"[..]));
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// The engine's error if it cannot open the keyspace.
    pub fn keyspace(&self, name: &str) -> Result<Store> {
        match self.backend().keyspace(name.as_bytes()) {
            Some(backend) => Store::start(backend?, self.sync_policy()),
            None => Store::start(
                Box::new(Prefixed::new(self.clone(), name.as_bytes())),
                self.sync_policy(),
            ),
        }
    }

    /// The store as a [`KeyValue`] trait object.
    ///
    /// ```
    /// # #[cfg(feature = "wal")] {
    /// use strata::{Engine, KeyValue, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("log"), Engine::Wal, Options::default())?;
    /// let kv: &dyn KeyValue = store.as_key_value();
    /// kv.put(b"k", b"v")?;
    /// assert_eq!(store.get("k")?.as_deref(), Some(&b"v"[..]));
    /// assert!(kv.as_ordered().is_ok());
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn as_key_value(&self) -> &dyn KeyValue {
        self.backend()
    }

    /// Makes everything durable, and closes the database if this is the last
    /// handle to it (other clones keep it open until they are dropped).
    ///
    /// ```
    /// # #[cfg(feature = "wal")] {
    /// use strata::{Engine, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log");
    /// let store = Store::create(&path, Engine::Wal, Options::default())?;
    /// let clone = store.clone();
    /// store.close()?; // flushes; the clone keeps the log open
    /// clone.put("k", "v")?;
    /// clone.close()?; // the last handle: closed, and its lock released
    /// assert_eq!(Store::open(&path)?.get("k")?.as_deref(), Some(&b"v"[..]));
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// What the engine reports while syncing or closing.
    pub fn close(self) -> Result<()> {
        match Arc::try_unwrap(self.inner) {
            Ok(inner) => inner.backend.close(),
            Err(shared) => shared.backend.flush(),
        }
    }

    /// Ends the store as a crash of the process would, for testing what a
    /// program's data survives: nothing is flushed, saved or closed, and
    /// only what had reached the operating system remains (the log's and the
    /// B+tree's writes, Bitcask's buffer without its hint trailer; none of a
    /// flat file's unsaved changes). Other clones keep the store open; the
    /// crash happens with the last one.
    ///
    /// A crash of the machine loses more: what was not yet synced. The
    /// engines' power-loss tests simulate that on a disk of their own.
    ///
    /// ```
    /// # #[cfg(feature = "flat-file")] {
    /// use strata::{Engine, Options, Store, SyncPolicy};
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("notes");
    /// let store = Store::create(&path, Engine::FlatFile, Options::new().sync(SyncPolicy::OnFlush))?;
    /// store.put("saved", "yes")?;
    /// store.flush()?;
    /// store.put("unsaved", "lost")?;
    /// store.simulate_crash();
    /// let store = Store::open(&path)?;
    /// assert!(store.get("saved")?.is_some() && store.get("unsaved")?.is_none());
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn simulate_crash(self) {
        if let Ok(inner) = Arc::try_unwrap(self.inner) {
            inner.backend.crash();
        }
    }
}

/// Whether `path` can take a new database of `engine`: nothing is there, or
/// (for the engines that live in a directory) an empty directory.
fn is_free(path: &Path, engine: Engine) -> Result<bool> {
    match std::fs::read_dir(path) {
        Ok(mut entries) => {
            Ok(matches!(engine, Engine::Wal | Engine::Bitcask) && entries.next().is_none())
        }
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(true),
        Err(e) if e.kind() == ErrorKind::NotADirectory => Ok(false),
        Err(e) => Err(Error::io(path, e)),
    }
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("engine", &self.engine())
            .field("path", &self.path())
            .finish()
    }
}

/// A `Store` is itself a [`KeyValue`], so code written against the trait
/// takes one as readily as an engine.
impl KeyValue for Store {
    fn engine(&self) -> Engine {
        self.backend().engine()
    }

    fn capabilities(&self) -> Capabilities {
        self.backend().capabilities()
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.backend().get(key)
    }

    fn put(&self, key: &[u8], value: &[u8]) -> Result<()> {
        self.backend().put(key, value)
    }

    fn delete(&self, key: &[u8]) -> Result<()> {
        self.backend().delete(key)
    }

    fn write(&self, batch: &Batch) -> Result<()> {
        self.backend().write(batch)
    }

    // Every provided method is passed on too: an engine may do it its own
    // way (Bitcask lists entries from its keydir, and writes many puts with
    // one sync), and the trait's default would hide that.
    fn write_each(&self, batch: &Batch) -> Result<()> {
        self.backend().write_each(batch)
    }

    fn flush(&self) -> Result<()> {
        self.backend().flush()
    }

    fn len(&self) -> Result<u64> {
        self.backend().len()
    }

    fn is_empty(&self) -> Result<bool> {
        self.backend().is_empty()
    }

    fn entries(&self) -> Result<Scan<'_>> {
        self.backend().entries()
    }

    fn keys(&self) -> Result<Keys<'_>> {
        self.backend().keys()
    }

    fn stats(&self) -> Result<Stats> {
        self.backend().stats()
    }

    fn as_ordered(&self) -> Result<&dyn Ordered> {
        self.backend().as_ordered()
    }

    fn as_transactional(&self) -> Result<&dyn Transactional> {
        self.backend().as_transactional()
    }
}
