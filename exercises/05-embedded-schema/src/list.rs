//! [`List`]: a vector of values, like an event log.
//!
//! Each element is one logged entry keyed by an id that only grows, so the
//! log's key order is the list's order, and removing an element deletes one
//! entry instead of renumbering the ones after it. **Yours to write:
//! `push`, `remove`, `set` and `clear`, and the list's `load`, `unload` and
//! `dump`.**
//!
//! Given, shared with the reference crate: the [`List`] type (`items`, the
//! elements; `ids`, the id of each element, ascending; `next_id`, the id the
//! next push takes), every read, `pop` (a `remove` of the last element),
//! `check(index)` (the [`Error::OutOfRange`] for an index past the end) and
//! `Table::create`. An element's entry is keyed `&[&Id(id)]`: the table's
//! name, a zero byte, the id as 8 big-endian bytes.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::table::{Id, TableState, read_id};
use crate::{Result, codec};
// For the links in the docs.
#[cfg(doc)]
use crate::Error;

#[path = "../../../chapters/05-embedded-schema/src/list/items.rs"]
mod items;

pub use items::List;

impl<T: Serialize + DeserializeOwned> List<T> {
    /// Appends `value`.
    ///
    /// Hints: the new element's id is `self.next_id`. Log first: a put of
    /// its entry (keyed by the id, as the module docs show) whose `old` is
    /// `None`, since the entry had no value (undoing the put deletes it).
    /// Only once the log has accepted it, push the value and its id, and move
    /// `next_id` on. Checked by `suite::tables::list_push_pop_remove_set_clear`.
    pub fn push(&mut self, value: T) -> Result<()> {
        todo!("chapter 5, step 3: log a put under next_id, then push")
    }

    /// Removes element `index` and returns it.
    ///
    /// Hints: `self.check(index)?` first. Log a delete of the element's entry
    /// with the element as its old value (what a rollback puts back), then
    /// remove it from `items` and its id from `ids`. No other element's key
    /// changes.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] past the end.
    pub fn remove(&mut self, index: usize) -> Result<T> {
        todo!("chapter 5, step 3: check, log a delete (old: the element), then remove")
    }

    /// Replaces element `index`; returns the old value.
    ///
    /// Hints: as `remove`, but log a put of the new value under the
    /// element's own id. Checked, with `remove`, by
    /// `suite::tables::list_index_past_the_end_is_an_error_that_changes_nothing`.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] past the end.
    pub fn set(&mut self, index: usize, value: T) -> Result<T> {
        todo!("chapter 5, step 3: check, log a put under its id (old: the element), then replace")
    }

    /// Removes every element.
    ///
    /// Hints: as the keyed tables' `clear`: a delete of every element's entry,
    /// each with the element as its `old`, all in one log record (one
    /// `Log::record` call on the handle's log). Then clear `items` and `ids`,
    /// but not `next_id`: an id is never given twice.
    pub fn clear(&mut self) -> Result<()> {
        todo!("chapter 5, step 3: record a delete of every entry in one record, then clear")
    }
}

impl<T: Serialize + DeserializeOwned> TableState for List<T> {
    /// Hints: `rest` is the id, 8 big-endian bytes: `read_id` reads it, with
    /// the error for any other length. At open, ids come in ascending order,
    /// so this is usually a push. But a rolled-back `remove` loads an id that
    /// belongs between two others, and a rolled-back `set` one that is
    /// already there: find the place with `ids.partition_point`, and replace
    /// or insert. Finally, `next_id` must end up past every id loaded, or the
    /// next push overwrites an element.
    fn load(&mut self, rest: &[u8], value: &[u8]) -> Result<()> {
        todo!("chapter 5, step 3: read the id, decode, put it in its place; next_id past it")
    }

    /// Hints: read the id, and remove the element with that id, if there is
    /// one (`ids.binary_search`), from both `ids` and `items`.
    fn unload(&mut self, rest: &[u8]) -> Result<()> {
        todo!("chapter 5, step 3: read the id, remove its element if it is there")
    }

    /// Hints: `out(key, value)` for each element, in order, keyed as `push`
    /// logs it (`self.handle.key(&[&Id(id)])`, the same as `entry_key`).
    /// Checked by `suite::compaction`.
    fn dump(&self, out: &mut dyn FnMut(Vec<u8>, Vec<u8>)) -> Result<()> {
        todo!("chapter 5, step 3: out(entry key, encoded element) for every element")
    }
}
