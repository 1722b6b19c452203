//! [`LookupTable`] (a `HashMap`) and [`OrderedTable`] (a `BTreeMap`, with
//! range and prefix queries): one logged entry per key, keyed by the encoded
//! key, holding the encoded value. **Yours to write: `insert`, `remove` and
//! `clear`, and the table's `load`, `unload` and `dump`.**
//!
//! Given, shared with the reference crate: the [`Keyed`] type (its `handle`,
//! the table's name and log, and its `map`), the [`KeyedMap`] trait that lets
//! one type hold a `HashMap` or a `BTreeMap` (with `insert_logged`, which
//! hands you the old value), every read (`get`, `len`,
//! `iter`, `range`, `prefix`, ...) and `Table::create`. `single.rs` is given
//! whole: it is this file's pattern for a table of one value, so read it
//! first.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::table::TableState;
use crate::{Result, codec};

#[path = "../../../chapters/05-embedded-schema/src/keyed/maps.rs"]
mod maps;

pub use maps::{Keyed, KeyedMap, LookupTable, OrderedTable};

impl<M> Keyed<M>
where
    M: KeyedMap,
    M::Key: Serialize + DeserializeOwned,
    M::Value: Serialize + DeserializeOwned,
{
    /// Sets `key` to `value`; returns the old value.
    ///
    /// Hints: log first, then change the map, and only if the log accepted
    /// the change: a table never holds a change the log refused. The entry's
    /// key is the table's name, a zero byte and the encoded key (its one part
    /// is `key`); `old` is the value the key holds now, or `None`: a
    /// transaction that rolls back puts it back, or deletes the entry.
    /// `self.handle.put` logs one put. The map's `insert_logged` (given, on
    /// [`KeyedMap`]) looks the key up once, hands your closure the key, the
    /// value and the old value, and inserts only if the closure returns
    /// `Ok`. Checked by `suite::tables::lookup_table_insert_get_remove_clear`
    /// and `ordered_table_keeps_key_order`; the `old` value, only by
    /// `suite::transaction` (step 4).
    ///
    /// <details><summary>Stuck?</summary>
    ///
    /// The whole body is one `insert_logged` call, whose closure calls
    /// `self.handle.put` with the key as the only part, the value, and the
    /// old value it was handed.
    ///
    /// </details>
    pub fn insert(&mut self, key: M::Key, value: M::Value) -> Result<Option<M::Value>> {
        todo!("chapter 5, step 2: log a put (with the old value), then insert into the map")
    }

    /// Removes `key`; returns its value.
    ///
    /// Hints: removing a key that is not there changes nothing, so it logs
    /// nothing either: return `Ok(None)` at once. Otherwise log a delete of
    /// the key's entry (`self.handle.delete`), with the value the key holds
    /// as `old`, and only then remove it from the map. Checked by
    /// `suite::tables::lookup_table_insert_get_remove_clear`.
    pub fn remove(&mut self, key: &M::Key) -> Result<Option<M::Value>> {
        todo!("chapter 5, step 2: nothing if absent, else log a delete, then remove")
    }

    /// Removes every key.
    ///
    /// Hints: one delete per key, each with the value it held as `old`, all
    /// in one log record, so that the clear is undone (or replayed) whole.
    /// `self.handle.delete` would make one record per key; instead, call
    /// `Log::record` on the handle's log yourself, whose closure is handed
    /// the [`Recorder`](crate::log::Recorder) the changes go to. The map is
    /// cleared only once the record is accepted. Checked by the `clear` calls
    /// in `suite::tables`.
    ///
    /// <details><summary>Stuck?</summary>
    ///
    /// `self.handle.log.record(self.handle.name, |changes| ...)`; in the
    /// closure, go over `self.map.entries()` and `changes.delete` each, the
    /// first error ending the walk (`try_for_each`).
    ///
    /// </details>
    pub fn clear(&mut self) -> Result<()> {
        todo!("chapter 5, step 2: record every entry's delete in one record, then clear")
    }
}

impl<M> TableState for Keyed<M>
where
    M: KeyedMap,
    M::Key: Serialize + DeserializeOwned,
    M::Value: Serialize + DeserializeOwned,
{
    /// Hints: `rest` is the encoded key and `value` the encoded value: decode
    /// each with `codec::decode(self.handle.name, ...)` (the name goes into the
    /// error) and insert them, replacing whatever the key held (a rolled-back
    /// overwrite loads a key that is already there). Checked by every reopen
    /// in `suite::tables`.
    fn load(&mut self, rest: &[u8], value: &[u8]) -> Result<()> {
        todo!("chapter 5, step 2: decode the key and the value, insert them")
    }

    /// Hints: decode the key from `rest`, remove it from the map. A key that
    /// is not there is not an error.
    fn unload(&mut self, rest: &[u8]) -> Result<()> {
        todo!("chapter 5, step 2: decode the key, remove it")
    }

    /// Hints: call `out(key, value)` with each entry as `insert` logs it: the
    /// key from `self.handle.key`, the value from `self.handle.value`.
    /// Compaction writes what you hand out: checked by `suite::compaction`.
    fn dump(&self, out: &mut dyn FnMut(Vec<u8>, Vec<u8>)) -> Result<()> {
        todo!("chapter 5, step 2: out(entry key, encoded value) for every key")
    }
}
