//! [`List`]: a vector of values, like an event log.
//!
//! Each element is one logged entry keyed by an id that only grows, so the
//! log's key order is the list's order, and removing an element deletes one
//! entry instead of renumbering the ones after it.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::log::{Change, Log};
use crate::table::{Handle, Id, Table, TableState, read_id};
use crate::{Error, Result, codec};

/// A vector of values.
#[derive(Debug)]
pub struct List<T> {
    handle: Handle,
    items: Vec<T>,
    /// `ids[i]` is the id of `items[i]`, ascending.
    ids: Vec<u64>,
    next_id: u64,
}

impl<T: Serialize + DeserializeOwned> List<T> {
    /// Element `index`.
    pub fn get(&self, index: usize) -> Option<&T> {
        self.items.get(index)
    }

    /// The elements, in order.
    pub fn data(&self) -> &[T] {
        &self.items
    }

    /// Every element, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn entry_key(&self, id: u64) -> Result<Vec<u8>> {
        self.handle.key(&[&Id(id)])
    }

    /// The change restoring element `index` as it is.
    fn restore(&self, index: usize) -> Result<Change> {
        Ok(Change::Put(
            self.entry_key(self.ids[index])?,
            self.handle.value(&self.items[index])?,
        ))
    }

    // ANCHOR: push
    /// Appends `value`.
    pub fn push(&mut self, value: T) -> Result<()> {
        let id = self.next_id;
        let key = self.entry_key(id)?;
        let bytes = self.handle.value(&value)?;
        self.handle
            .log
            .record(vec![Change::Put(key.clone(), bytes)], || {
                Ok(vec![Change::Delete(key)])
            })?;
        self.items.push(value);
        self.ids.push(id);
        self.next_id += 1;
        Ok(())
    }
    // ANCHOR_END: push

    /// Removes the last element and returns it.
    pub fn pop(&mut self) -> Result<Option<T>> {
        match self.items.len() {
            0 => Ok(None),
            len => self.remove(len - 1).map(Some),
        }
    }

    fn check(&self, index: usize) -> Result<()> {
        if index >= self.items.len() {
            return Err(Error::OutOfRange {
                table: self.handle.name,
                index,
                len: self.items.len(),
            });
        }
        Ok(())
    }

    // ANCHOR: remove
    /// Removes element `index` and returns it.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] past the end.
    pub fn remove(&mut self, index: usize) -> Result<T> {
        self.check(index)?;
        let key = self.entry_key(self.ids[index])?;
        self.handle
            .log
            .record(vec![Change::Delete(key)], || Ok(vec![self.restore(index)?]))?;
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
        let key = self.entry_key(self.ids[index])?;
        let bytes = self.handle.value(&value)?;
        self.handle.log.record(vec![Change::Put(key, bytes)], || {
            Ok(vec![self.restore(index)?])
        })?;
        Ok(std::mem::replace(&mut self.items[index], value))
    }

    /// Removes every element.
    pub fn clear(&mut self) -> Result<()> {
        let changes = (self.ids.iter())
            .map(|&id| Ok(Change::Delete(self.entry_key(id)?)))
            .collect::<Result<_>>()?;
        self.handle.log.record(changes, || {
            (0..self.items.len()).map(|i| self.restore(i)).collect()
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

impl<T: Serialize + DeserializeOwned> Table for List<T> {
    fn create(name: &'static str, log: Log) -> Self {
        List {
            handle: Handle { name, log },
            items: Vec::new(),
            ids: Vec::new(),
            next_id: 0,
        }
    }

    fn log(&self) -> &Log {
        &self.handle.log
    }
}
