//! [`Table`]: typed keys and values over any ordered engine, read from disk
//! on demand.
//!
//! Chapter 5's tables hold every row in memory and log each change; that is
//! what makes them simple, and what limits them to data that fits in RAM. A
//! `Table` keeps nothing in memory: each row is an entry of an ordered
//! engine, its key encoded so that the bytes sort as the keys do ([`Key`]),
//! its value encoded with chapter 1's codec. A get reads and decodes one
//! entry; a range decodes the entries it visits, as it visits them. Over the
//! B+tree a table is a bucket, so it can be as large as the disk, and reads
//! cost what a B+tree read costs: the pages on the path, from the page cache.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Bound, RangeBounds};

use serde::Serialize;
use serde::de::DeserializeOwned;
use strata_flat_file::codec;

use crate::{Batch, Error, Key, KeyRange, Result, Scan, Store};

/// A table of `K` keys and `V` values in a [`Store`] whose engine keeps keys
/// in order. Cheap to clone; every clone reads and writes the same rows.
///
/// ```
/// # #[cfg(feature = "bptree")] {
/// use strata::{Engine, Options, Store, Table};
///
/// # let dir = tempfile::tempdir()?;
/// let store = Store::create(dir.path().join("app.db"), Engine::Bptree, Options::default())?;
/// let temperatures: Table<(String, i32), f64> = Table::open(&store, "temperatures")?;
/// temperatures.insert(&("oslo".into(), -3), &0.5)?;
/// temperatures.insert(&("oslo".into(), -12), &0.25)?;
/// temperatures.insert(&("lima".into(), 20), &1.0)?;
///
/// // Keys come back in their natural order: strings, then signed integers.
/// let oslo: Vec<i32> = temperatures
///     .range(("oslo".to_string(), i32::MIN)..=("oslo".to_string(), i32::MAX))?
///     .map(|row| row.map(|((_, day), _)| day))
///     .collect::<Result<_, _>>()?;
/// assert_eq!(oslo, [-12, -3]);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Table<K, V> {
    name: String,
    space: Store,
    types: PhantomData<fn() -> (K, V)>,
}

impl<K: Key, V: Serialize + DeserializeOwned> Table<K, V> {
    /// The table `name` in `store` (created by its first insert).
    ///
    /// ```
    /// # #[cfg(all(feature = "wal", feature = "bitcask"))] {
    /// use strata::{Capability, Engine, Error, Options, Store, Table};
    /// # let dir = tempfile::tempdir()?;
    /// let log = Store::create(dir.path().join("log"), Engine::Wal, Options::default())?;
    /// let users: Table<u64, String> = Table::open(&log, "users")?;
    /// assert!(users.is_empty()?);
    ///
    /// let cask = Store::create(dir.path().join("cask"), Engine::Bitcask, Options::default())?;
    /// let refused = Table::<u64, String>::open(&cask, "users");
    /// let Err(Error::Unsupported { capability, .. }) = refused else { panic!() };
    /// assert_eq!(capability, Capability::OrderedScans);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Unsupported`] if the store's engine keeps no order.
    pub fn open(store: &Store, name: &str) -> Result<Table<K, V>> {
        let space = store.keyspace(name)?;
        space.as_key_value().as_ordered()?;
        Ok(Table {
            name: name.to_string(),
            space,
            types: PhantomData,
        })
    }

    /// The table's name.
    ///
    /// ```
    /// # #[cfg(feature = "bptree")] {
    /// use strata::{Engine, Options, Store, Table};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("app.db"), Engine::Bptree, Options::default())?;
    /// let users: Table<u64, String> = Table::open(&store, "users")?;
    /// assert_eq!(users.name(), "users");
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    // ANCHOR: get
    /// The value of `key`, if any.
    pub fn get(&self, key: &K) -> Result<Option<V>> {
        match self.space.get(key.to_key_bytes())? {
            Some(bytes) => self.decode_value(&bytes).map(Some),
            None => Ok(None),
        }
    }

    // ANCHOR_END: get

    /// Whether `key` has a value.
    ///
    /// ```
    /// # #[cfg(feature = "flat-file")] {
    /// use strata::{Engine, Options, Store, Table};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("notes"), Engine::FlatFile, Options::default())?;
    /// let seen: Table<String, ()> = Table::open(&store, "seen")?;
    /// seen.insert(&"ada".to_string(), &())?;
    /// assert!(seen.contains_key(&"ada".to_string())?);
    /// assert!(!seen.contains_key(&"grace".to_string())?);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn contains_key(&self, key: &K) -> Result<bool> {
        Ok(self.space.get(key.to_key_bytes())?.is_some())
    }

    /// Sets `key` to `value`; durable as the store's sync policy says.
    ///
    /// ```
    /// # #[cfg(feature = "bptree")] {
    /// use strata::{Engine, Options, Store, Table};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("app.db"), Engine::Bptree, Options::default())?;
    /// let scores: Table<(String, u32), Vec<u16>> = Table::open(&store, "scores")?;
    /// scores.insert(&("ada".into(), 1), &vec![90, 85])?;
    /// scores.insert(&("ada".into(), 1), &vec![95])?; // replaces the value
    /// assert_eq!(scores.get(&("ada".into(), 1))?, Some(vec![95]));
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn insert(&self, key: &K, value: &V) -> Result<()> {
        self.space
            .put(key.to_key_bytes(), self.encode_value(value)?)
    }

    /// Inserts every row of `rows` in one write, all or none: one
    /// transaction (and one sync) for all of them on the engines with
    /// [`Capability::AtomicBatches`](crate::Capability::AtomicBatches).
    ///
    /// ```
    /// # #[cfg(feature = "wal")] {
    /// use strata::{Engine, Options, Store, Table};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("log"), Engine::Wal, Options::default())?;
    /// let squares: Table<u32, u64> = Table::open(&store, "squares")?;
    /// squares.insert_many((1..=100).map(|n| (n, u64::from(n * n))))?;
    /// assert_eq!(squares.len()?, 100);
    /// assert_eq!(store.stats()?.writes, 1); // one batch, one sync
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn insert_many(&self, rows: impl IntoIterator<Item = (K, V)>) -> Result<()> {
        let mut batch = Batch::new();
        for (key, value) in rows {
            batch = batch.put(key.to_key_bytes(), self.encode_value(&value)?);
        }
        self.space.write(&batch)
    }

    /// Removes `key`; removing a missing key is not an error.
    ///
    /// ```
    /// # #[cfg(feature = "bptree")] {
    /// use strata::{Engine, Options, Store, Table};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("app.db"), Engine::Bptree, Options::default())?;
    /// let sessions: Table<[u8; 4], String> = Table::open(&store, "sessions")?;
    /// sessions.insert(&[1, 2, 3, 4], &"ada".to_string())?;
    /// sessions.remove(&[1, 2, 3, 4])?;
    /// sessions.remove(&[1, 2, 3, 4])?; // already gone: still Ok
    /// assert_eq!(sessions.get(&[1, 2, 3, 4])?, None);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn remove(&self, key: &K) -> Result<()> {
        self.space.delete(key.to_key_bytes())
    }

    /// The number of rows (counted: engines keep no count of a part of them).
    ///
    /// ```
    /// # #[cfg(feature = "bptree")] {
    /// use strata::{Engine, Options, Store, Table};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("app.db"), Engine::Bptree, Options::default())?;
    /// let a: Table<u8, bool> = Table::open(&store, "a")?;
    /// let b: Table<u8, bool> = Table::open(&store, "b")?;
    /// a.insert_many([(1, true), (2, false)])?;
    /// b.insert(&1, &true)?;
    /// assert_eq!((a.len()?, b.len()?), (2, 1)); // each table counts its own rows
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn len(&self) -> Result<u64> {
        self.space.len()
    }

    /// Whether the table has no rows.
    ///
    /// ```
    /// # #[cfg(feature = "wal")] {
    /// use strata::{Engine, Options, Store, Table};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("log"), Engine::Wal, Options::default())?;
    /// let jobs: Table<u64, String> = Table::open(&store, "jobs")?;
    /// assert!(jobs.is_empty()?);
    /// jobs.insert(&1, &"backup".to_string())?;
    /// assert!(!jobs.is_empty()?);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.iter()?.next().is_none())
    }

    /// Every row, in key order.
    ///
    /// ```
    /// # #[cfg(feature = "bptree")] {
    /// use strata::{Engine, Options, Store, Table};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("app.db"), Engine::Bptree, Options::default())?;
    /// let balances: Table<i64, String> = Table::open(&store, "balances")?;
    /// for n in [3, -1, 0, i64::MIN, -20, i64::MAX] {
    ///     balances.insert(&n, &n.to_string())?;
    /// }
    /// // Negatives first: the key encoding keeps the integers' order.
    /// let keys = balances.iter()?.map(|row| row.map(|(k, _)| k));
    /// assert_eq!(keys.collect::<strata::Result<Vec<i64>>>()?, [i64::MIN, -20, -1, 0, 3, i64::MAX]);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn iter(&self) -> Result<Rows<'_, K, V>> {
        self.range(..)
    }

    // ANCHOR: range
    /// The rows whose keys lie in `range`, in key order, decoded as they are read.
    pub fn range(&self, range: impl RangeBounds<K>) -> Result<Rows<'_, K, V>> {
        let encode = |bound: Bound<&K>| bound.map(Key::to_key_bytes);
        let (start, end) = (encode(range.start_bound()), encode(range.end_bound()));
        let range = KeyRange::new(
            start.as_ref().map(Vec::as_slice),
            end.as_ref().map(Vec::as_slice),
        );
        Ok(Rows {
            table: self,
            scan: self.space.range(range)?,
        })
    }
    // ANCHOR_END: range

    fn encode_value(&self, value: &V) -> Result<Vec<u8>> {
        codec::to_vec(value)
            .map_err(|reason| self.value_error(format!("the value does not encode: {reason}")))
    }

    fn decode_value(&self, bytes: &[u8]) -> Result<V> {
        codec::from_slice(bytes).map_err(|reason| {
            self.value_error(format!(
                "a stored value does not decode as the table's value type ({reason})"
            ))
        })
    }

    fn value_error(&self, reason: String) -> Error {
        Error::Value {
            table: self.name.clone(),
            reason,
        }
    }
}

impl<K, V> Clone for Table<K, V> {
    fn clone(&self) -> Self {
        Table {
            name: self.name.clone(),
            space: self.space.clone(),
            types: PhantomData,
        }
    }
}

impl<K, V> fmt::Debug for Table<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Table")
            .field("name", &self.name)
            .field("store", &self.space)
            .finish()
    }
}

/// The rows of a [`Table`] in key order, each decoded when it is reached.
///
/// ```
/// # #[cfg(feature = "flat-file")] {
/// use strata::{Engine, Options, Store, Table};
/// # let dir = tempfile::tempdir()?;
/// let store = Store::create(dir.path().join("notes"), Engine::FlatFile, Options::default())?;
/// let temps: Table<i16, f32> = Table::open(&store, "temps")?;
/// temps.insert_many([(-5, 0.5), (-10, 0.25), (0, 1.0), (10, 2.0)])?;
/// let cold: Vec<(i16, f32)> = temps.range(..0)?.collect::<Result<_, _>>()?;
/// assert_eq!(cold, [(-10, 0.25), (-5, 0.5)]);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Rows<'a, K, V> {
    table: &'a Table<K, V>,
    scan: Scan<'a>,
}

impl<K: Key, V: Serialize + DeserializeOwned> Iterator for Rows<'_, K, V> {
    type Item = Result<(K, V)>;

    fn next(&mut self) -> Option<Result<(K, V)>> {
        let (key, value) = match self.scan.next()? {
            Ok(entry) => entry,
            Err(e) => return Some(Err(e)),
        };
        Some(K::from_key_bytes(&key).and_then(|k| Ok((k, self.table.decode_value(&value)?))))
    }
}

impl<K, V> fmt::Debug for Rows<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rows")
            .field("table", &self.table.name)
            .finish_non_exhaustive()
    }
}
