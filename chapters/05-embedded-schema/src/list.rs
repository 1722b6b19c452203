//! [`List`]: a vector of values, like an event log.
//!
//! Each element is one logged entry keyed by an id that only grows, so the
//! log's key order is the list's order, and removing an element deletes one
//! entry instead of renumbering the ones after it.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::table::{Id, TableState, read_id};
use crate::{Result, codec};
// For the links in the docs.
#[cfg(doc)]
use crate::Error;

mod items;

pub use items::List;

impl<T: Serialize + DeserializeOwned> List<T> {
    // ANCHOR: push
    /// Appends `value`.
    pub fn push(&mut self, value: T) -> Result<()> {
        let id = self.next_id;
        self.handle.put(&[&Id(id)], &value, None)?;
        self.items.push(value);
        self.ids.push(id);
        self.next_id += 1;
        Ok(())
    }
    // ANCHOR_END: push

    // ANCHOR: remove
    /// Removes element `index` and returns it.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] past the end.
    pub fn remove(&mut self, index: usize) -> Result<T> {
        self.check(index)?;
        let old = &self.items[index];
        self.handle.delete(&[&Id(self.ids[index])], Some(old))?;
        self.ids.remove(index);
        Ok(self.items.remove(index))
    }
    // ANCHOR_END: remove

    /// Replaces element `index`; returns the old value.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] past the end.
    pub fn set(&mut self, index: usize, value: T) -> Result<T> {
        self.check(index)?;
        let old = &self.items[index];
        self.handle
            .put(&[&Id(self.ids[index])], &value, Some(old))?;
        Ok(std::mem::replace(&mut self.items[index], value))
    }

    /// Removes every element.
    pub fn clear(&mut self) -> Result<()> {
        self.handle.log.record(self.handle.name, |changes| {
            (self.ids.iter().zip(&self.items))
                .try_for_each(|(&id, old)| changes.delete(&[&Id(id)], Some(old)))
        })?;
        self.items.clear();
        self.ids.clear();
        Ok(())
    }
}

impl<T: Serialize + DeserializeOwned> TableState for List<T> {
    fn load(&mut self, rest: &[u8], value: &[u8]) -> Result<()> {
        let id = read_id(&self.handle, rest)?;
        let value = codec::decode(self.handle.name, value)?;
        // At open, entries come in id order: this is a push.
        let at = self.ids.partition_point(|&x| x < id);
        if self.ids.get(at) == Some(&id) {
            self.items[at] = value;
        } else {
            self.ids.insert(at, id);
            self.items.insert(at, value);
        }
        self.next_id = self.next_id.max(id.saturating_add(1));
        Ok(())
    }

    fn unload(&mut self, rest: &[u8]) -> Result<()> {
        let id = read_id(&self.handle, rest)?;
        if let Ok(at) = self.ids.binary_search(&id) {
            self.ids.remove(at);
            self.items.remove(at);
        }
        Ok(())
    }

    fn dump(&self, out: &mut dyn FnMut(Vec<u8>, Vec<u8>)) -> Result<()> {
        for (&id, item) in self.ids.iter().zip(&self.items) {
            out(self.handle.key(&[&Id(id)])?, self.handle.value(item)?);
        }
        Ok(())
    }
}
