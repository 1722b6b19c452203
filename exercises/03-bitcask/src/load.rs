//! Rebuilding the keydir from one data file when the cask opens.
//! **Yours to write: `load_file` and `apply`.**
//!
//! A valid hint file is read in place of the data file: it holds every
//! entry's key and location without the values, so opening reads a fraction of
//! the bytes. A hint is valid when its CRC trailer matches; without it (its
//! writer crashed) the data file is scanned instead. Either way, entries are
//! applied in file order, so the last entry for a key wins, and a tombstone
//! removes the key whatever came before.

use crate::Result;
use crate::bitcask::{Bitcask, OpenReport};
use crate::entry;
use crate::files::PinnedFile;
use crate::hint;
use crate::keydir::Location;
use crate::scan;

impl Bitcask {
    /// Applies every entry of the data file `file` to the keydir, from its
    /// hint file if that is valid, else from the data file itself.
    ///
    /// Hints: `file.hint_bytes()` are the hint file's bytes (empty when there is
    /// none); `hint::validated` gives the records when the trailer is valid. For
    /// each record from `hint::records`, stop (and note `file.id` in
    /// `report.hints_cut_short`) when `offset + entry_len > file.size + 1`,
    /// computed with `checked_add` and `saturating_add` (the numbers come from a
    /// file); otherwise `apply` it. Count `report.from_hints`. Without a valid
    /// hint, count `report.scanned` and scan the data file through its open
    /// handle, `scan::scan_file(&file.data, &file.path, ...)`, applying each entry
    /// (a tombstone value is `entry::is_tombstone`); add the scan's `bad_entries`
    /// and record a torn tail in `report.torn_tails`.
    pub(crate) fn load_file(&mut self, file: &PinnedFile, report: &mut OpenReport) -> Result<()> {
        todo!("chapter 3, step 3: load a file's entries from its hint if valid, else by scanning")
    }

    /// Applies one entry: a tombstone removes the key, anything else points
    /// the key at it (later entries replace earlier ones). Keeps the per-file
    /// counts the merge triggers use.
    ///
    /// Hints: `self.count_written(location, live)` first; then `keydir.remove` or
    /// `keydir.insert`, and `self.forget` the location that was replaced.
    pub(crate) fn apply(&mut self, key: &[u8], location: Location, tombstone: bool) {
        todo!("chapter 3, step 3: a tombstone removes the key; anything else points it here")
    }
}
