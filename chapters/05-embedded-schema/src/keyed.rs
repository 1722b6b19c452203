//! [`LookupTable`] (a `HashMap`) and [`OrderedTable`] (a `BTreeMap`, with
//! range and prefix queries): one logged entry per key, keyed by the encoded
//! key, holding the encoded value.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::log::Change;
use crate::table::TableState;
use crate::{Result, codec};

mod maps;

pub use maps::{Keyed, KeyedMap, LookupTable, OrderedTable};

impl<M> Keyed<M>
where
    M: KeyedMap,
    M::Key: Serialize + DeserializeOwned,
    M::Value: Serialize + DeserializeOwned,
{
    /// The change that restores `key`'s current state.
    fn restore(&self, key: &M::Key, log_key: Vec<u8>) -> Result<Change> {
        Ok(match self.map.get(key) {
            Some(old) => Change::Put(log_key, self.handle.value(old)?),
            None => Change::Delete(log_key),
        })
    }

    // ANCHOR: insert
    /// Sets `key` to `value`; returns the old value.
    pub fn insert(&mut self, key: M::Key, value: M::Value) -> Result<Option<M::Value>> {
        let log_key = self.handle.key(&[&key])?;
        let bytes = self.handle.value(&value)?;
        self.handle
            .log
            .record_one(Change::Put(log_key.clone(), bytes), || {
                self.restore(&key, log_key)
            })?;
        Ok(self.map.insert(key, value))
    }
    // ANCHOR_END: insert

    /// Removes `key`; returns its value.
    pub fn remove(&mut self, key: &M::Key) -> Result<Option<M::Value>> {
        if self.map.get(key).is_none() {
            return Ok(None);
        }
        let log_key = self.handle.key(&[key])?;
        self.handle
            .log
            .record_one(Change::Delete(log_key.clone()), || {
                self.restore(key, log_key)
            })?;
        Ok(self.map.remove(key))
    }

    /// Removes every key.
    pub fn clear(&mut self) -> Result<()> {
        let mut changes = Vec::with_capacity(self.map.len());
        for (key, _) in self.map.entries() {
            changes.push(Change::Delete(self.handle.key(&[key])?));
        }
        self.handle.log.record(changes, || {
            self.map
                .entries()
                .map(|(key, value)| {
                    Ok(Change::Put(
                        self.handle.key(&[key])?,
                        self.handle.value(value)?,
                    ))
                })
                .collect()
        })?;
        self.map.clear();
        Ok(())
    }
}

impl<M> TableState for Keyed<M>
where
    M: KeyedMap,
    M::Key: Serialize + DeserializeOwned,
    M::Value: Serialize + DeserializeOwned,
{
    fn load(&mut self, rest: &[u8], value: &[u8]) -> Result<()> {
        let key = codec::decode(self.handle.name, rest)?;
        self.map
            .insert(key, codec::decode(self.handle.name, value)?);
        Ok(())
    }

    fn unload(&mut self, rest: &[u8]) -> Result<()> {
        let key = codec::decode(self.handle.name, rest)?;
        self.map.remove(&key);
        Ok(())
    }

    fn dump(&self, out: &mut dyn FnMut(Vec<u8>, Vec<u8>)) -> Result<()> {
        for (key, value) in self.map.entries() {
            out(self.handle.key(&[key])?, self.handle.value(value)?);
        }
        Ok(())
    }
}
