//! The traits every engine implements: [`KeyValue`] for what all of them do,
//! [`Ordered`] and [`Transactional`] for what only some can.
//!
//! All three are object-safe: a `&dyn KeyValue` or `Box<dyn Ordered>` works,
//! and [`Store`](crate::Store) is one. A capability is reached from the base
//! trait with [`KeyValue::as_ordered`] and [`KeyValue::as_transactional`],
//! which return [`Error::Unsupported`] (naming the
//! engine and the capability) on an engine without it: never a panic, and
//! never a slower emulation that would hide the difference.
//!
//! Iterators borrow what they read from, so the compiler refuses one that
//! would outlive its store or transaction; those a store hands out are
//! `Send`, so they can cross an `.await` or a thread.

use std::fmt;

use crate::engine::{Capabilities, Capability, Engine};
use crate::{Batch, Error, KeyRange, Result};

/// Counters every engine keeps.
///
/// ```
/// # #[cfg(feature = "wal")] {
/// # let dir = tempfile::tempdir()?;
/// let store = strata::Store::create(dir.path().join("log"), strata::Engine::Wal, Default::default())?;
/// store.put("k", "v")?;
/// let stats = store.stats()?;
/// assert_eq!((stats.keys, stats.writes), (1, 1));
/// assert!(stats.syncs >= 1, "SyncPolicy::Always synced the write");
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Live keys.
    pub keys: u64,
    /// Bytes the engine's files take on disk.
    pub disk_bytes: u64,
    /// Writes acknowledged since the store was opened (each put, delete or batch).
    pub writes: u64,
    /// Times the store forced writes to disk since it was opened. Under
    /// [`SyncPolicy::Always`](crate::SyncPolicy::Always), fewer syncs than
    /// writes means concurrent writers shared them (group commit).
    pub syncs: u64,
}

// ANCHOR: key_value
/// What every engine does: keys and values of bytes, and a durability point.
///
/// When a change is durable depends on the [`SyncPolicy`](crate::SyncPolicy)
/// the store was opened with: under `Always`, when the call returns; under
/// `OnFlush`, when [`flush`](KeyValue::flush) returns.
///
/// ```
/// use strata::KeyValue;
///
/// /// Works on any engine: a `Store`, or a `&dyn KeyValue`.
/// fn count_visit(db: &dyn KeyValue, page: &str) -> strata::Result<u64> {
///     let seen = db.get(page.as_bytes())?.map_or(0, |v| u64::from_be_bytes(v.try_into().unwrap()));
///     db.put(page.as_bytes(), &(seen + 1).to_be_bytes())?;
///     Ok(seen + 1)
/// }
/// # #[cfg(feature = "bitcask")] {
/// # let dir = tempfile::tempdir()?;
/// let store = strata::Store::create(dir.path().join("visits"), strata::Engine::Bitcask, Default::default())?;
/// count_visit(&store, "/home")?;
/// assert_eq!(count_visit(&store, "/home")?, 2);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait KeyValue: Send + Sync + fmt::Debug {
    /// Which engine this is.
    fn engine(&self) -> Engine;

    /// What the engine can do beyond this trait.
    fn capabilities(&self) -> Capabilities {
        self.engine().capabilities()
    }

    /// The value of `key`, if any.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>>;

    /// Sets `key` to `value`.
    fn put(&self, key: &[u8], value: &[u8]) -> Result<()>;

    /// Removes `key`; removing a missing key is not an error.
    fn delete(&self, key: &[u8]) -> Result<()>;

    /// Applies every change of `batch`, in order, all or nothing.
    ///
    /// # Errors
    /// [`Error::Unsupported`] on an engine without
    /// [`Capability::AtomicBatches`]: it writes nothing then.
    fn write(&self, batch: &Batch) -> Result<()>;

    /// Applies `batch`'s operations in order, each on its own, and makes
    /// them durable together: one sync for all of them under
    /// [`SyncPolicy::Always`](crate::SyncPolicy::Always). Every engine can:
    /// where it has atomic batches this is [`write`](KeyValue::write)
    /// (all or nothing); elsewhere a crash or an error part way may keep a
    /// prefix of the operations. For many small writes that need not be
    /// atomic, such as those of many clients a server gathers.
    fn write_each(&self, batch: &Batch) -> Result<()> {
        if self.capabilities().contains(Capability::AtomicBatches) {
            return self.write(batch);
        }
        for op in batch.ops() {
            match op {
                crate::BatchOp::Put { key, value } => self.put(key, value)?,
                crate::BatchOp::Delete { key } => self.delete(key)?,
            }
        }
        Ok(())
    }

    /// Makes every change acknowledged so far durable.
    fn flush(&self) -> Result<()>;

    /// The number of live keys.
    fn len(&self) -> Result<u64>;

    /// Whether there are no live keys.
    fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// Counters (see [`Stats`]).
    fn stats(&self) -> Result<Stats>;

    /// Every entry: in key order on the engines that keep one (a
    /// [`range`](Ordered::range) over everything), in no particular order on
    /// the others (Bitcask: its keys as they are now, each value read when
    /// the scan reaches it, a key deleted meanwhile left out).
    fn entries(&self) -> Result<Scan<'_>> {
        self.as_ordered()?.range(KeyRange::all())
    }

    /// Every key, in the order [`entries`](KeyValue::entries) gives them,
    /// without reading values where the engine can (Bitcask's keys are in
    /// memory, its values on disk).
    fn keys(&self) -> Result<Keys<'_>> {
        Ok(Keys::new(
            self.entries()?.map(|entry| entry.map(|(key, _)| key)),
        ))
    }

    /// This engine's ordered scans.
    ///
    /// # Errors
    /// [`Error::Unsupported`] if the engine keeps no order.
    fn as_ordered(&self) -> Result<&dyn Ordered> {
        Err(unsupported(self.engine(), Capability::OrderedScans))
    }

    /// This engine's transactions.
    ///
    /// # Errors
    /// [`Error::Unsupported`] if the engine has none.
    fn as_transactional(&self) -> Result<&dyn Transactional> {
        Err(unsupported(self.engine(), Capability::Transactions))
    }
}
// ANCHOR_END: key_value

// ANCHOR: ordered
/// Engines that keep their keys in order.
///
/// ```
/// use strata::{KeyRange, KeyValue};
///
/// /// The keys of `db` in `range`, if its engine keeps an order.
/// fn keys(db: &dyn KeyValue, range: KeyRange) -> strata::Result<Vec<Vec<u8>>> {
///     db.as_ordered()?.range(range)?.map(|entry| entry.map(|(k, _)| k)).collect()
/// }
/// # #[cfg(feature = "wal")] {
/// # let dir = tempfile::tempdir()?;
/// let store = strata::Store::create(dir.path().join("log"), strata::Engine::Wal, Default::default())?;
/// store.put("b", "2")?;
/// store.put("a", "1")?;
/// assert_eq!(keys(&store, KeyRange::all())?, [b"a".to_vec(), b"b".to_vec()]);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Ordered: KeyValue {
    /// The entries whose keys lie in `range`, in ascending key order.
    ///
    /// Whether the scan sees one moment depends on the engine: under
    /// [`Capability::Transactions`] it reads one snapshot, taken when the
    /// scan starts; otherwise it reads the store in steps, and a key changed
    /// during the scan is seen either before or after the change (never
    /// twice, never out of order).
    fn range(&self, range: KeyRange) -> Result<Scan<'_>>;

    /// The entries whose keys start with `prefix`, in ascending key order.
    fn prefix(&self, prefix: &[u8]) -> Result<Scan<'_>> {
        self.range(KeyRange::prefix(prefix))
    }
}
// ANCHOR_END: ordered

// ANCHOR: transactional
/// Engines with transactions: reads that see one snapshot, and writes that
/// read their own changes and commit all or nothing.
///
/// ```
/// # #[cfg(feature = "bptree")] {
/// # let dir = tempfile::tempdir()?;
/// let store = strata::Store::create(dir.path().join("db"), strata::Engine::Bptree, Default::default())?;
/// store.put("balance", "100")?;
/// let snapshot = store.begin_read()?;
/// store.put("balance", "70")?; // a writer goes on...
/// assert_eq!(snapshot.get(b"balance")?.as_deref(), Some(&b"100"[..])); // ...unseen
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Transactional: Ordered {
    /// Starts a read transaction. It sees the store as of now for as long as
    /// it lives, and never waits for (or holds up) a writer.
    fn begin_read(&self) -> Result<Box<dyn ReadTransaction + '_>>;

    /// Starts a write transaction. Only one runs at a time: this waits for
    /// the one running. Dropping it without
    /// [`commit`](WriteTransaction::commit) discards its changes.
    fn begin_write(&self) -> Result<Box<dyn WriteTransaction + '_>>;
}
// ANCHOR_END: transactional

// ANCHOR: read_transaction
/// A read transaction (see [`Transactional::begin_read`]).
pub trait ReadTransaction: Send + Sync {
    /// The value of `key` in the snapshot.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>>;

    /// The snapshot's entries whose keys lie in `range`, in order.
    fn range(&self, range: KeyRange) -> Result<Scan<'_>>;
}
// ANCHOR_END: read_transaction

// ANCHOR: write_transaction
/// A write transaction (see [`Transactional::begin_write`]). It holds the
/// store's one writer, so it stays on the thread that began it.
pub trait WriteTransaction {
    /// The value of `key`, this transaction's changes included.
    fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>>;

    /// Sets `key` to `value` in this transaction.
    fn put(&mut self, key: &[u8], value: &[u8]) -> Result<()>;

    /// Removes `key` in this transaction.
    fn delete(&mut self, key: &[u8]) -> Result<()>;

    /// Makes every change of the transaction visible and durable at once.
    fn commit(self: Box<Self>) -> Result<()>;
}
// ANCHOR_END: write_transaction

/// A key and its value, as scans return them.
///
/// ```
/// use strata::{Entry, Scan};
/// let entries: Vec<Entry> = vec![(b"k".to_vec(), b"v".to_vec())];
/// let scan = Scan::new(entries.clone().into_iter().map(Ok));
/// assert_eq!(scan.collect::<strata::Result<Vec<Entry>>>()?, entries);
/// # Ok::<(), strata::Error>(())
/// ```
pub type Entry = (Vec<u8>, Vec<u8>);

// ANCHOR: scan
/// An iterator over entries in key order, borrowed from a store or a
/// transaction. Each item is a `Result`: reading from disk can fail half-way
/// (a damaged page), and the scan then ends after the error.
pub struct Scan<'a> {
    inner: Box<dyn Iterator<Item = Result<Entry>> + Send + 'a>,
}
// ANCHOR_END: scan

impl<'a> Scan<'a> {
    /// A scan over the items of `inner`.
    ///
    /// ```
    /// use strata::Scan;
    /// // A scan of one entry, then an error: the way a damaged page ends one.
    /// let items = vec![Ok((b"a".to_vec(), b"1".to_vec())), Err(strata::Error::Poisoned)];
    /// let mut scan = Scan::new(items.into_iter());
    /// assert!(scan.next().unwrap().is_ok());
    /// assert!(scan.next().unwrap().is_err());
    /// ```
    pub fn new(inner: impl Iterator<Item = Result<Entry>> + Send + 'a) -> Scan<'a> {
        Scan {
            inner: Box::new(inner),
        }
    }

    /// A scan that yields nothing.
    ///
    /// ```
    /// assert_eq!(strata::Scan::empty().count(), 0);
    /// ```
    pub fn empty() -> Scan<'a> {
        Scan::new(std::iter::empty())
    }
}

impl Iterator for Scan<'_> {
    type Item = Result<Entry>;

    fn next(&mut self) -> Option<Result<Entry>> {
        self.inner.next()
    }
}

/// Keys, as [`KeyValue::keys`] lists them.
///
/// ```
/// # #[cfg(feature = "flat-file")] {
/// # let dir = tempfile::tempdir()?;
/// let store = strata::Store::create(dir.path().join("f"), strata::Engine::FlatFile, Default::default())?;
/// store.put("a", "1")?;
/// let keys: strata::Keys = store.keys()?;
/// assert_eq!(keys.collect::<strata::Result<Vec<_>>>()?, [b"a".to_vec()]);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Keys<'a> {
    inner: Box<dyn Iterator<Item = Result<Vec<u8>>> + Send + 'a>,
}

impl<'a> Keys<'a> {
    /// The keys `inner` yields.
    ///
    /// ```
    /// let keys = strata::Keys::new(["a", "b"].into_iter().map(|k| Ok(k.as_bytes().to_vec())));
    /// assert_eq!(keys.count(), 2);
    /// ```
    pub fn new(inner: impl Iterator<Item = Result<Vec<u8>>> + Send + 'a) -> Keys<'a> {
        Keys {
            inner: Box::new(inner),
        }
    }
}

impl Iterator for Keys<'_> {
    type Item = Result<Vec<u8>>;

    fn next(&mut self) -> Option<Result<Vec<u8>>> {
        self.inner.next()
    }
}

impl fmt::Debug for Keys<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys").finish_non_exhaustive()
    }
}

impl fmt::Debug for Scan<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scan").finish_non_exhaustive()
    }
}

/// The error for `engine` lacking `capability`.
pub(crate) fn unsupported(engine: Engine, capability: Capability) -> Error {
    Error::Unsupported { engine, capability }
}
