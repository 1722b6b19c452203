//! The list type and everything that reads it; `pop`, which is a `remove`;
//! the keys of its entries and the index check. What a change logs, and how
//! an entry is loaded back, is in the parent module.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::log::Log;
use crate::table::{Handle, Table};
use crate::{Error, Result};

/// A vector of values.
#[derive(Debug)]
pub struct List<T> {
    pub(super) handle: Handle,
    pub(super) items: Vec<T>,
    /// `ids[i]` is the id of `items[i]`, ascending.
    pub(super) ids: Vec<u64>,
    pub(super) next_id: u64,
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

    /// Removes the last element and returns it.
    pub fn pop(&mut self) -> Result<Option<T>> {
        match self.items.len() {
            0 => Ok(None),
            len => self.remove(len - 1).map(Some),
        }
    }

    /// [`Error::OutOfRange`] if `index` is past the end.
    pub(super) fn check(&self, index: usize) -> Result<()> {
        if index >= self.items.len() {
            return Err(Error::OutOfRange {
                table: self.handle.name,
                index,
                len: self.items.len(),
            });
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
