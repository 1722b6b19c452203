//! Reading and writing single keys: `get`, `put` and `delete`.
//!
//! A read is a keydir lookup and one read of the whole entry (borrowed from
//! the mapped file, or a positioned read of the active one),
//! whose CRC is checked every time: a damaged entry is an error, never wrong
//! data. A write appends an entry to the active file and points the keydir
//! at it. Riak's two rules for writes are kept exactly: an overwrite of a
//! value held in an older file first writes a tombstone naming that file, and
//! a delete writes a v2 tombstone naming the file that held the value.

use crate::bitcask::Bitcask;
use crate::entry::{self, TOMBSTONE_V2_LEN};
use crate::files::data_path;
use crate::keydir::Location;
use crate::{Error, Result};

impl Bitcask {
    // ANCHOR: get
    /// Calls `f` with the value of `key`, read from its data file and checked
    /// against its CRC, and returns what `f` returns. The value is borrowed
    /// from the mapped file where it can be (every closed data file), so a
    /// read that only looks at it allocates nothing and copies nothing.
    ///
    /// # Errors
    /// [`Error::Corrupt`] if the entry's bytes are damaged: never wrong data.
    pub fn get_with<T>(&self, key: &[u8], f: impl FnOnce(&[u8]) -> T) -> Result<Option<T>> {
        let Some(location) = self.keydir.get(key) else {
            return Ok(None);
        };
        if self.is_expired(location.tstamp) {
            return Ok(None);
        }
        let bytes = self.entry_bytes(location)?;
        let path = || data_path(&self.dir, location.file_id);
        let entry = entry::decode(&bytes).map_err(|reason| Error::Corrupt {
            path: path(),
            offset: location.offset,
            reason,
        })?;
        if entry.key != key {
            let reason = "the entry holds another key".to_string();
            return Err(Error::Corrupt {
                path: path(),
                offset: location.offset,
                reason,
            });
        }
        if entry::is_tombstone(entry.value) {
            return Ok(None);
        }
        Ok(Some(f(entry.value)))
    }
    // ANCHOR_END: get

    /// The value of `key`, copied out: [`get_with`](Bitcask::get_with) with
    /// a copy.
    ///
    /// # Errors
    /// As [`get_with`](Bitcask::get_with).
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.get_with(key, <[u8]>::to_vec)
    }

    // ANCHOR: put
    /// Sets `key` to `value`. Durable as the [`SyncStrategy`](crate::SyncStrategy) says.
    ///
    /// An overwrite of a value held in an older file is two entries, a
    /// tombstone then the value (Riak's format needs the tombstone for its
    /// partial merges). A machine crash that tears the second entry after the
    /// first reached the disk leaves the key deleted rather than at its old
    /// value, where a crash mid-put should leave the old value; Riak's
    /// bitcask shares this limitation of the format.
    ///
    /// # Errors
    /// [`Error::KeyTooLarge`], [`Error::ValueTooLarge`], and
    /// [`Error::ReservedValue`] for a value that would read as a delete.
    pub fn put(&mut self, key: &[u8], value: &[u8]) -> Result<()> {
        let entry_len = entry::entry_len(key.len(), value.len())?;
        if entry::is_tombstone(value) {
            return Err(Error::ReservedValue);
        }
        let previous = self.keydir.get(key);
        // Overwriting a value held in an older file writes a tombstone for it
        // first, so that a merge that drops this file cannot bring it back.
        let tombstone_first = |active: u32| previous.filter(|p| p.file_id < active);
        let tombstone_len = entry::entry_len(key.len(), TOMBSTONE_V2_LEN)?;
        let needed = u64::from(entry_len) + u64::from(tombstone_len);
        self.prepare_write(needed)?;
        let tstamp = self.options.clock.now();
        let active_id = self.active_id();
        if let Some(old) = tombstone_first(active_id) {
            let offset =
                self.active_mut()?
                    .append(tstamp, key, &entry::tombstone_v2(old.file_id))?;
            self.count_written(
                Location {
                    file_id: active_id,
                    offset,
                    entry_len: tombstone_len,
                    tstamp,
                },
                false,
            );
        }
        let active = self.active_mut()?;
        let offset = active.append(tstamp, key, value)?;
        let location = Location {
            file_id: active.id(),
            offset,
            entry_len,
            tstamp,
        };
        self.count_written(location, true);
        if let Some(previous) = self.keydir.insert(key, location) {
            self.forget(previous);
        }
        self.after_write()
    }
    // ANCHOR_END: put

    // ANCHOR: delete
    /// Removes `key`. Removing a missing key writes nothing.
    pub fn delete(&mut self, key: &[u8]) -> Result<()> {
        let Some(previous) = self.keydir.get(key) else {
            return Ok(());
        };
        let entry_len = entry::entry_len(key.len(), TOMBSTONE_V2_LEN)?;
        self.prepare_write(u64::from(entry_len))?;
        let tstamp = self.options.clock.now();
        let active = self.active_mut()?;
        let offset = active.append(tstamp, key, &entry::tombstone_v2(previous.file_id))?;
        let location = Location {
            file_id: active.id(),
            offset,
            entry_len,
            tstamp,
        };
        self.count_written(location, false);
        self.keydir.remove(key);
        self.forget(previous);
        self.after_write()
    }
    // ANCHOR_END: delete
}
