//! Reading and writing single keys: `get`, `put` and `delete`.
//! **Yours to write: `get_with` (which `get` calls), `put` and `delete`.**
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
    /// Calls `f` with the value of `key`, read from its data file and checked
    /// against its CRC, and returns what `f` returns. The value is borrowed
    /// from the mapped file where it can be (every closed data file), so a
    /// read that only looks at it allocates nothing and copies nothing.
    ///
    /// # Errors
    /// [`Error::Corrupt`] if the entry's bytes are damaged: never wrong data.
    ///
    /// Hints: the keydir (`self.keydir`) says where the key's newest entry
    /// is, and `self.entry_bytes` gives that whole entry, borrowed where it
    /// can be. Trust none of it until it checks out: its CRC and length
    /// (`entry::decode`), and that it holds this very key (a keydir pointing
    /// at another key's entry is damage too). A damaged entry is
    /// [`Error::Corrupt`] naming the data file (`data_path(&self.dir,
    /// file_id)`) and the entry's offset: never wrong data, never a panic.
    /// The key reads as absent when the keydir has no entry for it, when the
    /// entry has expired (`self.is_expired` of its tstamp), or when it is a
    /// tombstone (`entry::is_tombstone`). Checked by `suite::store`
    /// (`put_get_delete`, `expired_entries_read_as_absent`) and, once
    /// opening works (step 3), `suite::crash`.
    ///
    /// <details><summary>Stuck?</summary>
    ///
    /// Look up, check the expiry, take the entry's bytes, decode them
    /// (turning the decoder's `String` error into the `Corrupt` error),
    /// compare the key, check for a tombstone, and hand the decoded value,
    /// still borrowed, to `f`.
    ///
    /// </details>
    pub fn get_with<T>(&self, key: &[u8], f: impl FnOnce(&[u8]) -> T) -> Result<Option<T>> {
        todo!("chapter 3, step 2: look the key up, take its entry, check it, hand the value to f")
    }

    /// The value of `key`, copied out: [`get_with`](Bitcask::get_with) with
    /// a copy.
    ///
    /// # Errors
    /// As [`get_with`](Bitcask::get_with).
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.get_with(key, <[u8]>::to_vec)
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
    /// Hints: a put appends an entry to the active file, then points the
    /// keydir at it. Refuse before writing anything: `entry::entry_len`
    /// checks the sizes (its errors are the ones above), and a value that is
    /// itself a tombstone is [`Error::ReservedValue`].
    ///
    /// Riak's rule: when the key's current value lives in a file *older than
    /// the one this entry goes to*, append a v2 tombstone naming that older
    /// file (`entry::tombstone_v2`) first, just before the value. The
    /// pitfall is which file that is: `self.prepare_write(needed)` makes room
    /// in the active file, and may start a new one (it rolls over when the
    /// file is full, or when a newer file exists), so compare with
    /// `self.active_id()` after it, and ask it for room for the tombstone and
    /// the value together, since you cannot know beforehand whether the
    /// tombstone is needed. Both entries take one tstamp,
    /// `self.options.clock.now()`.
    ///
    /// Keep the books: every entry written is counted in its file's stats
    /// (`self.count_written`, the tombstone as dead, the value as live), the
    /// location the key had is `self.forget`-ten once the keydir points at
    /// the new one, and `self.after_write()` applies the sync strategy last.
    /// Checked by `suite::store` (`an_overwrite_across_files_writes_a_tombstone_first`,
    /// `files_roll_over_at_max_file_size`, `limits_are_clear_errors`) and,
    /// through the merge triggers, `suite::merge`.
    ///
    /// <details><summary>Stuck?</summary>
    ///
    /// The tombstone's size is `entry::entry_len` of the key and
    /// [`TOMBSTONE_V2_LEN`]. `self.active_mut()` is the active
    /// [`FileWriter`](crate::writer::FileWriter), whose `append` writes an
    /// entry and returns its offset; a [`Location`] is that file's id, the
    /// offset, the entry's length and its tstamp. The keydir's `insert` hands
    /// back the location it replaced: that is the one to forget.
    ///
    /// </details>
    pub fn put(&mut self, key: &[u8], value: &[u8]) -> Result<()> {
        todo!(
            "chapter 3, step 2: append the entry (with a tombstone first across files) and point the keydir at it"
        )
    }

    /// Removes `key`. Removing a missing key writes nothing.
    ///
    /// Hints: a missing key writes nothing. Otherwise a delete is written as
    /// a put is (room from `prepare_write`, the clock's tstamp, counted in
    /// its file's stats, `after_write` last), but its value is the v2
    /// tombstone naming the file that held the value
    /// (`entry::tombstone_v2`), and the entry counts as dead. Then the key
    /// leaves the keydir, and the location it had is forgotten. Checked by
    /// `suite::store::a_delete_writes_a_v2_tombstone_and_a_missing_key_writes_nothing`
    /// and, once opening works, `suite::merge::deleted_keys_stay_deleted_through_merges_and_reopens`.
    pub fn delete(&mut self, key: &[u8]) -> Result<()> {
        todo!("chapter 3, step 2: append a v2 tombstone naming the file of the current value")
    }
}
