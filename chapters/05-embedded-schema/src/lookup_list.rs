//! [`LookupList`]: a hash map of keys to lists of values (an index from
//! one thing to many).
//!
//! Each value is one logged entry keyed by the encoded key and an id that
//! only grows, so a key's values come back in the order they were pushed.

use std::collections::HashMap;
use std::hash::Hash;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::log::Log;
use crate::table::{Handle, Id, Table, TableState, read_id};
use crate::{Result, codec};

/// One key's values and their ids (ascending).
#[derive(Debug)]
struct Values<V> {
    values: Vec<V>,
    ids: Vec<u64>,
}

/// A hash map of keys to lists of values.
#[derive(Debug)]
pub struct LookupList<K, V> {
    handle: Handle,
    map: HashMap<K, Values<V>>,
    next_id: u64,
}

impl<K, V> LookupList<K, V>
where
    K: Hash + Eq + Serialize + DeserializeOwned,
    V: Serialize + DeserializeOwned,
{
    /// The values of `key`, in the order they were pushed (empty if none).
    pub fn get(&self, key: &K) -> &[V] {
        self.map.get(key).map_or(&[], |v| &v.values)
    }

    /// Whether `key` has values.
    pub fn contains_key(&self, key: &K) -> bool {
        self.map.contains_key(key)
    }

    /// The number of keys with values.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no key has values.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Every key and its values, in arbitrary order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &[V])> {
        self.map.iter().map(|(k, v)| (k, v.values.as_slice()))
    }

    // ANCHOR: push
    /// Appends `value` to `key`'s values.
    pub fn push(&mut self, key: K, value: V) -> Result<()> {
        let id = self.next_id;
        self.handle.put(&[&key, &Id(id)], &value, None)?;
        let entry = self.map.entry(key).or_insert_with(|| Values {
            values: Vec::new(),
            ids: Vec::new(),
        });
        entry.values.push(value);
        entry.ids.push(id);
        self.next_id += 1;
        Ok(())
    }
    // ANCHOR_END: push

    /// Removes `key` and all its values; returns them.
    pub fn remove_key(&mut self, key: &K) -> Result<Vec<V>> {
        let Some(entry) = self.map.get(key) else {
            return Ok(Vec::new());
        };
        self.handle.log.record(self.handle.name, |changes| {
            (entry.ids.iter().zip(&entry.values))
                .try_for_each(|(&id, old)| changes.delete(&[key, &Id(id)], Some(old)))
        })?;
        Ok(self.map.remove(key).map(|v| v.values).unwrap_or_default())
    }

    /// Decodes an entry key's rest: the key and the id.
    fn parse(&self, rest: &[u8]) -> Result<(K, u64)> {
        let (key, id) = codec::decode_front::<K>(self.handle.name, rest)?;
        Ok((key, read_id(&self.handle, id)?))
    }
}

impl<K, V> TableState for LookupList<K, V>
where
    K: Hash + Eq + Serialize + DeserializeOwned,
    V: Serialize + DeserializeOwned,
{
    fn load(&mut self, rest: &[u8], value: &[u8]) -> Result<()> {
        let (key, id) = self.parse(rest)?;
        let value = codec::decode(self.handle.name, value)?;
        let entry = self.map.entry(key).or_insert_with(|| Values {
            values: Vec::new(),
            ids: Vec::new(),
        });
        let at = entry.ids.partition_point(|&x| x < id);
        if entry.ids.get(at) == Some(&id) {
            entry.values[at] = value;
        } else {
            entry.ids.insert(at, id);
            entry.values.insert(at, value);
        }
        self.next_id = self.next_id.max(id.saturating_add(1));
        Ok(())
    }

    fn unload(&mut self, rest: &[u8]) -> Result<()> {
        let (key, id) = self.parse(rest)?;
        if let Some(entry) = self.map.get_mut(&key)
            && let Ok(at) = entry.ids.binary_search(&id)
        {
            entry.ids.remove(at);
            entry.values.remove(at);
            if entry.ids.is_empty() {
                self.map.remove(&key);
            }
        }
        Ok(())
    }

    fn dump(&self, out: &mut dyn FnMut(Vec<u8>, Vec<u8>)) -> Result<()> {
        for (key, entry) in &self.map {
            for (&id, value) in entry.ids.iter().zip(&entry.values) {
                out(self.handle.key(&[key, &Id(id)])?, self.handle.value(value)?);
            }
        }
        Ok(())
    }
}

impl<K, V> Table for LookupList<K, V>
where
    K: Hash + Eq + Serialize + DeserializeOwned,
    V: Serialize + DeserializeOwned,
{
    fn create(name: &'static str, log: Log) -> Self {
        LookupList {
            handle: Handle { name, log },
            map: HashMap::new(),
            next_id: 0,
        }
    }

    fn log(&self) -> &Log {
        &self.handle.log
    }
}
