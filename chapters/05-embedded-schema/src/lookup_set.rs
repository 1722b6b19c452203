//! [`LookupSet`]: a hash map of keys to sets of values (who shares what).
//!
//! Each (key, value) pair is one logged entry whose log key holds both, with
//! an empty value.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::log::Log;
use crate::table::{Handle, Table, TableState};
use crate::{Result, codec};

/// A hash map of keys to sets of values.
#[derive(Debug)]
pub struct LookupSet<K, V> {
    handle: Handle,
    map: HashMap<K, HashSet<V>>,
}

impl<K, V> LookupSet<K, V>
where
    K: Hash + Eq + Serialize + DeserializeOwned,
    V: Hash + Eq + Serialize + DeserializeOwned,
{
    /// The set of `key`, if it has one.
    pub fn get(&self, key: &K) -> Option<&HashSet<V>> {
        self.map.get(key)
    }

    /// Whether `key`'s set holds `value`.
    pub fn contains(&self, key: &K, value: &V) -> bool {
        self.map.get(key).is_some_and(|set| set.contains(value))
    }

    /// The number of keys with a set.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no key has a set.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Every key and its set, in arbitrary order.
    pub fn iter(&self) -> std::collections::hash_map::Iter<'_, K, HashSet<V>> {
        self.map.iter()
    }

    /// Adds `value` to `key`'s set; returns whether it was new.
    pub fn insert(&mut self, key: K, value: V) -> Result<bool> {
        if self.contains(&key, &value) {
            return Ok(false);
        }
        // The value is part of the key: the entry itself holds nothing.
        self.handle.put(&[&key, &value], &(), None)?;
        self.map.entry(key).or_default().insert(value);
        Ok(true)
    }

    /// Removes `value` from `key`'s set; returns whether it was there.
    pub fn remove(&mut self, key: &K, value: &V) -> Result<bool> {
        if !self.contains(key, value) {
            return Ok(false);
        }
        self.handle.delete(&[key, value], Some(&()))?;
        if let Some(set) = self.map.get_mut(key) {
            set.remove(value);
            if set.is_empty() {
                self.map.remove(key);
            }
        }
        Ok(true)
    }

    /// Removes `key` and its whole set; returns the set.
    pub fn remove_key(&mut self, key: &K) -> Result<HashSet<V>> {
        let Some(set) = self.map.get(key) else {
            return Ok(HashSet::new());
        };
        self.handle.log.record(self.handle.name, |changes| {
            set.iter()
                .try_for_each(|value| changes.delete(&[key, value], Some(&())))
        })?;
        Ok(self.map.remove(key).unwrap_or_default())
    }

    fn parse(&self, rest: &[u8]) -> Result<(K, V)> {
        let (key, rest) = codec::decode_front::<K>(self.handle.name, rest)?;
        Ok((key, codec::decode(self.handle.name, rest)?))
    }
}

impl<K, V> TableState for LookupSet<K, V>
where
    K: Hash + Eq + Serialize + DeserializeOwned,
    V: Hash + Eq + Serialize + DeserializeOwned,
{
    fn load(&mut self, rest: &[u8], value: &[u8]) -> Result<()> {
        if !value.is_empty() {
            return Err(self.handle.bad_key("has a value where none belongs"));
        }
        let (key, value) = self.parse(rest)?;
        self.map.entry(key).or_default().insert(value);
        Ok(())
    }

    fn unload(&mut self, rest: &[u8]) -> Result<()> {
        let (key, value) = self.parse(rest)?;
        if let Some(set) = self.map.get_mut(&key) {
            set.remove(&value);
            if set.is_empty() {
                self.map.remove(&key);
            }
        }
        Ok(())
    }

    fn dump(&self, out: &mut dyn FnMut(Vec<u8>, Vec<u8>)) -> Result<()> {
        for (key, set) in &self.map {
            for value in set {
                out(self.handle.key(&[key, value])?, Vec::new());
            }
        }
        Ok(())
    }
}

impl<K, V> Table for LookupSet<K, V>
where
    K: Hash + Eq + Serialize + DeserializeOwned,
    V: Hash + Eq + Serialize + DeserializeOwned,
{
    fn create(name: &'static str, log: Log) -> Self {
        LookupSet {
            handle: Handle { name, log },
            map: HashMap::new(),
        }
    }

    fn log(&self) -> &Log {
        &self.handle.log
    }
}
