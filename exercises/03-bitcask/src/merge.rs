//! Merging: rewriting every data file but the active one as new files that
//! hold only live entries, then removing the old ones. **Yours to write:
//! `merge_with`.**
//!
//! The steps, each safe to crash after:
//!
//! 1. Copy every live entry of the inputs (oldest first, with its original
//!    tstamp) into new data and hint files with fresh, higher ids (each pair
//!    is created durably, as every pair is); close them (hint trailers,
//!    synced), sync the active file
//!    (it holds the newer entries the copy skipped, whose older ones are about
//!    to go), and stop naming an output in the merge lock, so that readers
//!    may read them all before the inputs start to disappear. A crash here leaves
//!    extra files holding copies: opening loads the inputs, then the copies
//!    (higher ids win), and sees the same data.
//! 2. Mark the inputs pending-delete (Riak's other-execute bit), oldest first.
//!    Opening skips marked files, and a read-write open removes them.
//! 3. Remove the inputs, oldest first. The directory is not synced after:
//!    the marks are durable already, so an input that a power cut brings back
//!    is skipped, and a read-write open removes it again.
//!
//! Why oldest first: a tombstone only ever hides entries in its own or older
//! files, so at every moment the files still present are a suffix of the
//! inputs, and no tombstone can be gone while the value it hides remains.
//! Tombstones themselves are not copied: every value they could hide is in an
//! input too, and is dropped with it.

use std::io;

use crate::bitcask::Bitcask;
use crate::entry;
use crate::files::{self, data_path};
use crate::keydir::Location;
use crate::lock::{Lock, LockKind};
use crate::reader::Reader;
use crate::scan;
use crate::writer::FileWriter;
use crate::{Error, Result};

/// The steps of a merge; [`Bitcask::merge_with`] reports each one after it completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MergeStep {
    /// Some live entries have been copied (the output is not yet closed).
    Copying,
    /// The output files are closed and durable.
    OutputWritten,
    /// The first input is marked pending-delete.
    FirstMarked,
    /// Every input is marked pending-delete.
    AllMarked,
    /// The first input is removed.
    FirstRemoved,
    /// Every input is removed.
    AllRemoved,
}

impl MergeStep {
    /// Every step, in order.
    pub const ALL: [MergeStep; 6] = [
        MergeStep::Copying,
        MergeStep::OutputWritten,
        MergeStep::FirstMarked,
        MergeStep::AllMarked,
        MergeStep::FirstRemoved,
        MergeStep::AllRemoved,
    ];
}

/// What a merge did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// The files merged (and removed).
    pub inputs: Vec<u32>,
    /// The files written.
    pub outputs: Vec<u32>,
    /// Live entries copied.
    pub entries_copied: u64,
    /// Bytes read from the inputs.
    pub bytes_in: u64,
    /// Bytes written to the outputs.
    pub bytes_out: u64,
}

impl Bitcask {
    /// Merges every data file but the active one; see the module docs.
    pub fn merge(&mut self) -> Result<MergeReport> {
        self.merge_with(|_| Ok(()))
    }

    /// [`merge`](Bitcask::merge), calling `after` after each [`MergeStep`]: an
    /// error from `after` stops the merge there, as a crash would (for tests).
    ///
    /// Hints, in the order of the module docs: refuse on a read-only cask
    /// (`Error::ReadOnly`); the inputs are every id in `self.readers` except the
    /// active file's, sorted; take `Lock::acquire(&self.disk, dir, LockKind::Merge)`.
    /// Every change to the files goes through `self.disk`. Scan each
    /// input with `scan::scan`: an entry is live when it is not a tombstone, the
    /// keydir points exactly at it, and it has not expired. Copy live entries into
    /// `FileWriter`s (`FileWriter::create(&self.disk, dir, id)`) with new ids
    /// (`self.next_file_id()?`), naming each in the merge lock
    /// (`merge_lock.set_active`), rolling over at
    /// `max_file_size`, and remember each key's new location; call
    /// `after(MergeStep::Copying)` after the first copy. Close the outputs, sync the
    /// active file (`self.sync()`: the newer entries the copy skipped are there), `merge_lock.clear_active()` (readers must
    /// not leave out the last output once the inputs go), map them (`Reader::map`)
    /// into `self.readers`, move the keydir (and the stats) to the
    /// copies, then `after(OutputWritten)`. Mark the inputs oldest first
    /// (`files::mark_pending_delete`, forgetting their readers and stats;
    /// `FirstMarked` after the first, `AllMarked` after all), then remove them
    /// oldest first (`files::remove_pair`; `FirstRemoved` after the first, and
    /// `AllRemoved`).
    pub fn merge_with(
        &mut self,
        mut after: impl FnMut(MergeStep) -> io::Result<()>,
    ) -> Result<MergeReport> {
        todo!("chapter 3, step 4: copy live entries to new files, then mark and remove the inputs")
    }
}
