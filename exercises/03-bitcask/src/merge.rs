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
    /// Hints: the three steps of the module docs, in that order, each
    /// [`MergeStep`] reported only once it is done.
    ///
    /// - **What is merged:** every data file in `self.readers` but the active
    ///   one, oldest first; with none, an empty report. A read-only cask
    ///   refuses ([`Error::ReadOnly`]). The merge lock ([`Lock::acquire`]
    ///   with [`LockKind::Merge`]) is held throughout, and every change to
    ///   the files goes through `self.disk`.
    /// - **What is copied:** live entries only: not a tombstone, not
    ///   expired, and the keydir points at exactly this entry. Each keeps its
    ///   tstamp. The outputs are [`FileWriter`]s with fresh ids
    ///   (`self.next_file_id()`), rolling over at `max_file_size`, each named
    ///   in the merge lock while it is being written.
    /// - **When the keydir moves:** only once the outputs are closed and
    ///   durable. Until then it must keep pointing at the inputs, so collect
    ///   the new locations instead of inserting them as you copy. Moving a key
    ///   makes its old location dead and its new one live (the stats).
    /// - **Before the first mark:** the active file is synced (it holds the
    ///   newer entries the copy skipped, whose older ones are about to go),
    ///   the merge lock no longer names an output, and the outputs are mapped
    ///   into `self.readers` so reads find them.
    /// - **The inputs go oldest first**, marked pending-delete (their readers
    ///   and stats dropped), then removed; the module docs say why that order
    ///   is safe.
    ///
    /// The report lists inputs and outputs and counts the entries copied,
    /// the bytes read and the bytes written. Checked by `suite::merge`
    /// (`a_crash_at_every_merge_step_loses_nothing` and the others),
    /// `suite::readers` (read-only opens while the merge stands at each
    /// step) and, in the whole suite, `suite::power_loss`.
    ///
    /// <details><summary>Stuck?</summary>
    ///
    /// 1. With the inputs known, take the lock (`Lock::acquire` on
    ///    `self.disk` and `self.dir`). Scan each input with `scan::scan`; for each
    ///    entry build the [`Location`] it has in the input and compare it
    ///    with the keydir's. Append a live one (`FileWriter::append` gives
    ///    the offset) to the current output, creating one
    ///    (`FileWriter::create`, then `set_active` on the merge lock) when
    ///    there is none or the entry would take a non-empty one past
    ///    `max_file_size`, and push (key, new location) on a list. `Copying`
    ///    after the first copy.
    /// 2. Close the last output; `self.sync()`; `clear_active` on the lock;
    ///    `Reader::map` each output into `self.readers`; then insert each
    ///    collected location into the keydir, forgetting what it replaced and
    ///    counting the new one as written. `OutputWritten`.
    /// 3. `files::mark_pending_delete` each input (`FirstMarked` after the
    ///    first, `AllMarked` after the last), then `files::remove_pair` each
    ///    (`FirstRemoved`, `AllRemoved`).
    ///
    /// </details>
    pub fn merge_with(
        &mut self,
        mut after: impl FnMut(MergeStep) -> io::Result<()>,
    ) -> Result<MergeReport> {
        todo!("chapter 3, step 4: copy live entries to new files, then mark and remove the inputs")
    }
}
