//! Reading and writing single keys: `get`, `put` and `delete`.
//! **Yours to write: all three.**
//!
//! A read is a keydir lookup and one positioned read of the whole entry,
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
    /// The value of `key`, read from its data file and checked against its CRC.
    ///
    /// # Errors
    /// [`Error::Corrupt`] if the entry's bytes are damaged: never wrong data.
    ///
    /// Hints: `self.keydir.get(key)`; an expired entry (`self.is_expired`) reads
    /// as absent; `self.read_entry(location)` gives the entry's bytes; decode them
    /// with `entry::decode` (an error there is `Error::Corrupt` with the file's path
    /// from `data_path(&self.dir, file_id)` and the offset); check the entry holds
    /// this key; a tombstone reads as absent.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        todo!("chapter 3, step 2: look the key up, read its entry, check it")
    }

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
    ///
    /// Hints: `entry::entry_len` checks the sizes; refuse tombstone values with
    /// `Error::ReservedValue`. Look up the previous location. Call
    /// `self.prepare_write(bytes needed)` (it rolls over when
    /// needed), take the tstamp from `self.options.clock.now()`. If the previous
    /// entry is in an older file than `self.active_id()`, append
    /// `entry::tombstone_v2(previous file)` first and `count_written` it as dead.
    /// Then append the value, `count_written` it as live, insert it into the
    /// keydir (`forget` what it replaced) and finish with `self.after_write()`.
    pub fn put(&mut self, key: &[u8], value: &[u8]) -> Result<()> {
        todo!(
            "chapter 3, step 2: append the entry (with a tombstone first across files) and point the keydir at it"
        )
    }

    /// Removes `key`. Removing a missing key writes nothing.
    ///
    /// Hints: a missing key writes nothing. Otherwise as `put`, with the value
    /// `entry::tombstone_v2(previous.file_id)`; then remove the key from the keydir
    /// and `forget` its old location.
    pub fn delete(&mut self, key: &[u8]) -> Result<()> {
        todo!("chapter 3, step 2: append a v2 tombstone naming the file of the current value")
    }
}
