//! Merging: rewriting every data file but the active one as new files that
//! hold only live entries, then removing the old ones. **Yours to write:
//! its steps, `copy_live_entries`, `install_outputs`, `mark_inputs` and
//! `remove_inputs`.** `merge_with`, which runs them in order, is given.
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

/// What copying produced: the output files, closed and durable, and where
/// each copied key lives in them (the keydir still points at the inputs).
#[derive(Debug, Default)]
struct Copied {
    /// The output files' ids, in the order they were written.
    outputs: Vec<u32>,
    /// Each copied key and its new location.
    moves: Vec<(Vec<u8>, Location)>,
    /// Bytes of the inputs.
    bytes_in: u64,
}

/// The callback a merge reports its steps to.
type After<'a> = &'a mut dyn FnMut(MergeStep) -> io::Result<()>;

impl Bitcask {
    /// Merges every data file but the active one; see the module docs.
    pub fn merge(&mut self) -> Result<MergeReport> {
        self.merge_with(|_| Ok(()))
    }

    /// [`merge`](Bitcask::merge), calling `after` after each [`MergeStep`]: an
    /// error from `after` stops the merge there, as a crash would (for tests).
    ///
    /// Given: the steps it runs are yours, below.
    pub fn merge_with(
        &mut self,
        mut after: impl FnMut(MergeStep) -> io::Result<()>,
    ) -> Result<MergeReport> {
        if self.write_lock.is_none() {
            return Err(Error::ReadOnly);
        }
        let inputs = self.merge_inputs();
        if inputs.is_empty() {
            return Ok(MergeReport::default());
        }
        let mut merge_lock = Lock::acquire(&self.disk, &self.dir, LockKind::Merge)?;

        let copied = self.copy_live_entries(&inputs, &mut merge_lock, &mut after)?;
        let report = MergeReport {
            inputs: inputs.clone(),
            outputs: copied.outputs.clone(),
            entries_copied: copied.moves.len() as u64,
            bytes_in: copied.bytes_in,
            bytes_out: copied
                .moves
                .iter()
                .map(|(_, moved)| u64::from(moved.entry_len))
                .sum(),
        };
        self.install_outputs(copied, &mut merge_lock)?;
        self.reached(&mut after, MergeStep::OutputWritten)?;
        self.mark_inputs(&inputs, &mut after)?;
        self.remove_inputs(&inputs, &mut after)?;
        Ok(report)
    }

    /// Every data file but the active one, oldest first.
    fn merge_inputs(&self) -> Vec<u32> {
        let active = self.active.as_ref().map(FileWriter::id);
        let mut inputs: Vec<u32> = self
            .readers
            .keys()
            .copied()
            .filter(|&id| Some(id) != active)
            .collect();
        inputs.sort_unstable();
        inputs
    }

    /// Reports a finished step; an error from `after` stops the merge there.
    fn reached(&self, after: After<'_>, step: MergeStep) -> Result<()> {
        after(step).map_err(|e| Error::io(&self.dir, e))
    }

    /// Step 1: copies every live entry of `inputs`, oldest file first, into
    /// new output files, and closes them (durable). The keydir is left alone:
    /// until the copies are durable it must keep pointing at the inputs.
    ///
    /// Hints: an entry is live only if it is not a tombstone, not expired, and
    /// the keydir points at exactly this entry (compare a [`Location`] built
    /// from the scanned entry with `self.keydir.get`). Each copy keeps its
    /// tstamp. `output_for` gives the output to append to, rolling over at
    /// `max_file_size`; collect (key, new location) in `Copied::moves` rather
    /// than touching the keydir. Report [`MergeStep::Copying`] after the first
    /// copy, and close the last output before returning. Checked by
    /// `suite::merge` (the report's counts come from what you return) and the
    /// crash test at `Copying`.
    ///
    /// <details><summary>Stuck?</summary>
    ///
    /// For each input, add its length (`std::fs::metadata`) to `bytes_in`
    /// and `scan::scan` it: the closure gets every entry with its offset and
    /// length. Append a live one with `FileWriter::append`, which returns the
    /// offset; the new location is the old one with the output's id and that
    /// offset.
    ///
    /// </details>
    fn copy_live_entries(
        &mut self,
        inputs: &[u32],
        merge_lock: &mut Lock,
        after: After<'_>,
    ) -> Result<Copied> {
        todo!("chapter 3, step 4: scan each input, append its live entries to the outputs")
    }

    /// The output to append an entry of `len` bytes to: the current one, or a
    /// new one (named in the merge lock while it is written) when there is
    /// none or the entry would take a non-empty one past `max_file_size`.
    fn output_for<'o>(
        &mut self,
        output: &'o mut Option<FileWriter>,
        len: u32,
        merge_lock: &mut Lock,
        copied: &mut Copied,
    ) -> Result<&'o mut FileWriter> {
        let full = output.as_ref().is_some_and(|o| {
            !o.is_empty() && o.len() + u64::from(len) > self.options.max_file_size
        });
        if !full && let Some(current) = output {
            return Ok(current);
        }
        if let Some(done) = output.take() {
            done.close()?;
        }
        let id = self.next_file_id()?;
        let writer = FileWriter::create(&self.disk, &self.dir, id)?;
        merge_lock.set_active(writer.data_path())?;
        copied.outputs.push(writer.id());
        Ok(output.insert(writer))
    }

    /// Still step 1: makes the copies the live entries. The active file is
    /// synced first: a key whose latest entry is there was not copied, and its
    /// older entries are about to go with the inputs.
    ///
    /// Hints: the order is the point. Sync the active file, then stop naming an
    /// output in the merge lock (`clear_active`), then let reads find the
    /// outputs (map each into `self.readers`), and only then move each copied
    /// key in the keydir, with the stats following: the old location is dead,
    /// the new one live. Checked by the crash test at `OutputWritten`,
    /// `suite::readers` (readers beside the merge) and `suite::power_loss`
    /// (a sync missing here loses a key in one of its cuts).
    ///
    /// <details><summary>Stuck?</summary>
    ///
    /// `self.sync()`; `merge_lock.clear_active()`; `Reader::map` each output's
    /// data path; then for each move, `self.keydir.insert` returns the location
    /// it replaced, for `self.forget`, and `self.count_written(moved, true)`
    /// counts the new one.
    ///
    /// </details>
    fn install_outputs(&mut self, copied: Copied, merge_lock: &mut Lock) -> Result<()> {
        todo!("chapter 3, step 4: sync, clear the lock, map the outputs, move the keys")
    }

    /// Step 2: marks the inputs pending-delete, oldest first, and stops
    /// reading them.
    ///
    /// Hints: oldest first (the module docs say why), each through
    /// `files::mark_pending_delete` on `self.disk`; a marked input is no longer
    /// read (its reader and its stats go). Report `FirstMarked` after the
    /// first and `AllMarked` at the end. Checked by the crash test at those
    /// steps and by `suite::readers`.
    fn mark_inputs(&mut self, inputs: &[u32], after: After<'_>) -> Result<()> {
        todo!("chapter 3, step 4: mark each input pending-delete, oldest first")
    }

    /// Step 3: removes the inputs, oldest first.
    ///
    /// Hints: oldest first, each data file and its hint with
    /// `files::remove_pair`; `FirstRemoved` after the first, `AllRemoved` at
    /// the end. No directory sync: the module docs say why none is needed.
    fn remove_inputs(&self, inputs: &[u32], after: After<'_>) -> Result<()> {
        todo!("chapter 3, step 4: remove each input, oldest first")
    }
}
