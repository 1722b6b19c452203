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
    /// Hints: one source or the other, never both. When the hint is valid
    /// (`hint::validated` of `file.hint_bytes()`, empty when there is none),
    /// its records (`hint::records`) are the entries; otherwise scan the
    /// data file through its open handle (`scan::scan_file` on `file.data`).
    /// Either way every entry goes to [`apply`](Bitcask::apply), in file
    /// order, with its [`Location`] in this file; a hint record says whether
    /// it is a tombstone, a scanned entry's value does
    /// (`entry::is_tombstone`).
    ///
    /// Riak's bound: a hint record whose entry would end past
    /// `file.size + 1` ends this file's hints. Stop there, note the file in
    /// `report.hints_cut_short`, and do not fall back to scanning. The
    /// numbers come from a file, so the sums must not overflow (an overflow
    /// is past the end). The report also counts the file in `from_hints` or
    /// `scanned`, adds the scan's bad entries to `bad_entries`, and records a
    /// torn tail (the bytes the scan ignored at the end) in `torn_tails`.
    /// Checked by `suite::reopen` (hints, scans, the report) and
    /// `suite::crash` (every cut, every flipped bit, a hostile length).
    ///
    /// <details><summary>Stuck?</summary>
    ///
    /// For the bound, `checked_add` the offset and the entry's length, and
    /// `saturating_add` one to the size. `scan::scan_file` calls your closure
    /// with each [`ScannedEntry`](crate::scan::ScannedEntry) (offset, length,
    /// tstamp, key, value) and returns a
    /// [`ScanReport`](crate::scan::ScanReport) (`bad_entries`, `torn_bytes`).
    ///
    /// </details>
    pub(crate) fn load_file(&mut self, file: &PinnedFile, report: &mut OpenReport) -> Result<()> {
        todo!("chapter 3, step 3: load a file's entries from its hint if valid, else by scanning")
    }

    /// Applies one entry: a tombstone removes the key, anything else points
    /// the key at it (later entries replace earlier ones). Keeps the per-file
    /// counts the merge triggers use.
    ///
    /// Hints: every entry counts in its file's stats (`self.count_written`),
    /// live unless it is a tombstone, whatever it replaces. A tombstone
    /// removes the key from `self.keydir`, anything else points the key
    /// here; either way the location the key had is now dead in its file
    /// (`self.forget`), and the keydir's `remove` and `insert` both hand it
    /// back. Checked by `suite::reopen` and, through the counts, by
    /// `suite::merge::needs_merge_follows_the_fragmentation_trigger`.
    pub(crate) fn apply(&mut self, key: &[u8], location: Location, tombstone: bool) {
        todo!("chapter 3, step 3: a tombstone removes the key; anything else points it here")
    }
}
