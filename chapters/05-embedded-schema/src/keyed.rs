//! [`LookupTable`] (a `HashMap`) and [`OrderedTable`] (a `BTreeMap`, with
//! range and prefix queries): one logged entry per key, keyed by the encoded
//! key, holding the encoded value.

use serde::Serialize;
use serde::de::DeserializeOwned;

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
    // ANCHOR: insert
    /// Sets `key` to `value`; returns the old value.
    pub fn insert(&mut self, key: M::Key, value: M::Value) -> Result<Option<M::Value>> {
        let handle = &self.handle;
        self.map
            .insert_logged(key, value, |key, value, old| handle.put(&[key], value, old))
    }
    // ANCHOR_END: insert

    /// Removes `key`; returns its value.
    pub fn remove(&mut self, key: &M::Key) -> Result<Option<M::Value>> {
        let Some(old) = self.map.get(key) else {
            return Ok(None);
        };
        self.handle.delete(&[key], Some(old))?;
        Ok(self.map.remove(key))
    }

    /// Removes every key.
    pub fn clear(&mut self) -> Result<()> {
        self.handle.log.record(self.handle.name, |changes| {
            self.map
                .entries()
                .try_for_each(|(key, old)| changes.delete(&[key], Some(old)))
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
