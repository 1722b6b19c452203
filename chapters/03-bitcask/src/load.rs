//! Rebuilding the keydir from one data file when the cask opens.
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
    // ANCHOR: load_file
    /// Applies every entry of the data file `file` to the keydir, from its
    /// hint file if that is valid, else from the data file itself.
    pub(crate) fn load_file(&mut self, file: &PinnedFile, report: &mut OpenReport) -> Result<()> {
        let hint_bytes = file.hint_bytes();
        if let Some(records) = hint::validated(&hint_bytes) {
            report.from_hints = report.from_hints.saturating_add(1);
            for record in hint::records(records) {
                // Riak's bound, `+ 1` included: a record pointing past the end
                // of the data file ends this file's hints.
                let end = record.offset.checked_add(u64::from(record.entry_len));
                if end.is_none_or(|end| end > file.size.saturating_add(1)) {
                    report.hints_cut_short.push(file.id);
                    break;
                }
                let location = Location {
                    file_id: file.id,
                    offset: record.offset,
                    entry_len: record.entry_len,
                    tstamp: record.tstamp,
                };
                self.apply(record.key, location, record.tombstone);
            }
            return Ok(());
        }
        report.scanned = report.scanned.saturating_add(1);
        let scanned = scan::scan_file(&file.data, &file.path, |e| {
            let location = Location {
                file_id: file.id,
                offset: e.offset,
                entry_len: e.entry_len,
                tstamp: e.tstamp,
            };
            self.apply(&e.key, location, entry::is_tombstone(&e.value));
            Ok(())
        })?;
        report.bad_entries = report.bad_entries.saturating_add(scanned.bad_entries);
        if scanned.torn_bytes > 0 {
            report.torn_tails.push((file.id, scanned.torn_bytes));
        }
        Ok(())
    }
    // ANCHOR_END: load_file

    // ANCHOR: apply
    /// Applies one entry: a tombstone removes the key, anything else points
    /// the key at it (later entries replace earlier ones). Keeps the per-file
    /// counts the merge triggers use.
    pub(crate) fn apply(&mut self, key: &[u8], location: Location, tombstone: bool) {
        self.count_written(location, !tombstone);
        let previous = if tombstone {
            self.keydir.remove(key)
        } else {
            self.keydir.insert(key, location)
        };
        if let Some(previous) = previous {
            self.forget(previous);
        }
    }
    // ANCHOR_END: apply
}
