//! The keyed table type, the maps it can hold, and everything that reads it.
//! What a change logs, and how an entry is loaded back, is in the parent
//! module.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap, btree_map, hash_map};
use std::hash::Hash;
use std::ops::{Bound, RangeBounds};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Result;
use crate::log::Log;
use crate::table::{Handle, Table};

/// A map of keys to values, logged one entry per key; see [`LookupTable`]
/// and [`OrderedTable`].
#[derive(Debug)]
pub struct Keyed<M> {
    pub(super) handle: Handle,
    pub(super) map: M,
}

/// A hash map of keys to values: `get` is a hash lookup, iteration order is
/// arbitrary.
pub type LookupTable<K, V> = Keyed<HashMap<K, V>>;

/// An ordered map of keys to values, with range and prefix queries.
pub type OrderedTable<K, V> = Keyed<BTreeMap<K, V>>;

/// The maps a [`Keyed`] table can hold.
pub trait KeyedMap: Default {
    /// The key type.
    type Key;
    /// The value type.
    type Value;
    /// The value of `key`.
    fn get(&self, key: &Self::Key) -> Option<&Self::Value>;
    /// Sets `key`; returns the old value.
    fn insert(&mut self, key: Self::Key, value: Self::Value) -> Option<Self::Value>;
    /// Sets `key` to `value` once `log`, handed the key, the value and the
    /// old value, has accepted the change; returns the old value. The key is
    /// looked up once, not once to log and again to insert.
    fn insert_logged(
        &mut self,
        key: Self::Key,
        value: Self::Value,
        log: impl FnOnce(&Self::Key, &Self::Value, Option<&Self::Value>) -> Result<()>,
    ) -> Result<Option<Self::Value>>;
    /// Removes `key`; returns its value.
    fn remove(&mut self, key: &Self::Key) -> Option<Self::Value>;
    /// The number of keys.
    fn len(&self) -> usize;
    /// Whether it has no keys.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Every key and value.
    fn entries(&self) -> Box<dyn Iterator<Item = (&Self::Key, &Self::Value)> + '_>;
    /// Removes everything.
    fn clear(&mut self);
}

impl<K: Hash + Eq, V> KeyedMap for HashMap<K, V> {
    type Key = K;
    type Value = V;
    fn get(&self, key: &K) -> Option<&V> {
        HashMap::get(self, key)
    }
    fn insert(&mut self, key: K, value: V) -> Option<V> {
        HashMap::insert(self, key, value)
    }
    fn insert_logged(
        &mut self,
        key: K,
        value: V,
        log: impl FnOnce(&K, &V, Option<&V>) -> Result<()>,
    ) -> Result<Option<V>> {
        match self.entry(key) {
            hash_map::Entry::Occupied(mut entry) => {
                log(entry.key(), &value, Some(entry.get()))?;
                Ok(Some(entry.insert(value)))
            }
            hash_map::Entry::Vacant(entry) => {
                log(entry.key(), &value, None)?;
                entry.insert(value);
                Ok(None)
            }
        }
    }
    fn remove(&mut self, key: &K) -> Option<V> {
        HashMap::remove(self, key)
    }
    fn len(&self) -> usize {
        HashMap::len(self)
    }
    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        Box::new(self.iter())
    }
    fn clear(&mut self) {
        HashMap::clear(self)
    }
}

impl<K: Ord, V> KeyedMap for BTreeMap<K, V> {
    type Key = K;
    type Value = V;
    fn get(&self, key: &K) -> Option<&V> {
        BTreeMap::get(self, key)
    }
    fn insert(&mut self, key: K, value: V) -> Option<V> {
        BTreeMap::insert(self, key, value)
    }
    fn insert_logged(
        &mut self,
        key: K,
        value: V,
        log: impl FnOnce(&K, &V, Option<&V>) -> Result<()>,
    ) -> Result<Option<V>> {
        match self.entry(key) {
            btree_map::Entry::Occupied(mut entry) => {
                log(entry.key(), &value, Some(entry.get()))?;
                Ok(Some(entry.insert(value)))
            }
            btree_map::Entry::Vacant(entry) => {
                log(entry.key(), &value, None)?;
                entry.insert(value);
                Ok(None)
            }
        }
    }
    fn remove(&mut self, key: &K) -> Option<V> {
        BTreeMap::remove(self, key)
    }
    fn len(&self) -> usize {
        BTreeMap::len(self)
    }
    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        Box::new(self.iter())
    }
    fn clear(&mut self) {
        BTreeMap::clear(self)
    }
}

impl<M> Keyed<M>
where
    M: KeyedMap,
    M::Key: Serialize + DeserializeOwned,
    M::Value: Serialize + DeserializeOwned,
{
    /// The value of `key`: a reference into the table, no copy, no decode.
    pub fn get(&self, key: &M::Key) -> Option<&M::Value> {
        self.map.get(key)
    }

    /// Whether `key` has a value.
    pub fn contains_key(&self, key: &M::Key) -> bool {
        self.map.get(key).is_some()
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The whole map, to read.
    pub fn data(&self) -> &M {
        &self.map
    }
}

impl<K, V> Keyed<HashMap<K, V>> {
    /// Every key and value, in arbitrary order.
    pub fn iter(&self) -> std::collections::hash_map::Iter<'_, K, V> {
        self.map.iter()
    }
}

impl<K: Ord, V> Keyed<BTreeMap<K, V>> {
    /// Every key and value, in key order.
    pub fn iter(&self) -> std::collections::btree_map::Iter<'_, K, V> {
        self.map.iter()
    }

    /// The keys and values in `range`, in order: `..=k` for keys ≤ k,
    /// `k..` for keys ≥ k, and so on.
    pub fn range<Q, R>(&self, range: R) -> std::collections::btree_map::Range<'_, K, V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
        R: RangeBounds<Q>,
    {
        self.map.range(range)
    }

    /// The keys that begin with `prefix`, in order (for string keys).
    pub fn prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a K, &'a V)> + 'a
    where
        K: Borrow<str>,
    {
        self.map
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
            .take_while(move |(k, _)| (*k).borrow().starts_with(prefix))
    }
}

impl<M> Table for Keyed<M>
where
    M: KeyedMap,
    M::Key: Serialize + DeserializeOwned,
    M::Value: Serialize + DeserializeOwned,
{
    fn create(name: &'static str, log: Log) -> Self {
        Keyed {
            handle: Handle { name, log },
            map: M::default(),
        }
    }

    fn log(&self) -> &Log {
        &self.handle.log
    }
}
