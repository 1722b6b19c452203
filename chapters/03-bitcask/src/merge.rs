//! Merging: rewriting every data file but the active one as new files that
//! hold only live entries, then removing the old ones.
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

    // ANCHOR: merge
    /// [`merge`](Bitcask::merge), calling `after` after each [`MergeStep`]: an
    /// error from `after` stops the merge there, as a crash would (for tests).
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
    // ANCHOR_END: merge

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

    // ANCHOR: copy_live_entries
    /// Step 1: copies every live entry of `inputs`, oldest file first, into
    /// new output files, and closes them (durable). The keydir is left alone:
    /// until the copies are durable it must keep pointing at the inputs.
    fn copy_live_entries(
        &mut self,
        inputs: &[u32],
        merge_lock: &mut Lock,
        after: After<'_>,
    ) -> Result<Copied> {
        let mut copied = Copied::default();
        let mut output: Option<FileWriter> = None;
        for &id in inputs {
            let path = data_path(&self.dir, id);
            let len = std::fs::metadata(&path)
                .map_err(|e| Error::io(&path, e))?
                .len();
            copied.bytes_in = copied.bytes_in.saturating_add(len);
            scan::scan(&path, |e| {
                let here = Location {
                    file_id: id,
                    offset: e.offset,
                    entry_len: e.entry_len,
                    tstamp: e.tstamp,
                };
                let live = !entry::is_tombstone(&e.value)
                    && self.keydir.get(&e.key) == Some(here)
                    && !self.is_expired(e.tstamp);
                if !live {
                    return Ok(());
                }
                let out = self.output_for(&mut output, e.entry_len, merge_lock, &mut copied)?;
                let offset = out.append(e.tstamp, &e.key, &e.value)?;
                let moved = Location {
                    file_id: out.id(),
                    offset,
                    ..here
                };
                copied.moves.push((e.key, moved));
                if copied.moves.len() == 1 {
                    self.reached(after, MergeStep::Copying)?;
                }
                Ok(())
            })?;
        }
        if let Some(done) = output {
            done.close()?;
        }
        Ok(copied)
    }
    // ANCHOR_END: copy_live_entries

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

    // ANCHOR: install_outputs
    /// Still step 1: makes the copies the live entries. The active file is
    /// synced first: a key whose latest entry is there was not copied, and its
    /// older entries are about to go with the inputs.
    fn install_outputs(&mut self, copied: Copied, merge_lock: &mut Lock) -> Result<()> {
        // The outputs' names need no directory sync: `FileWriter::create`
        // synced the directory as it created each pair, and closing synced
        // their contents.
        self.sync()?;
        // Every output is complete: readers may read them all from now on,
        // before the inputs start to disappear.
        merge_lock.clear_active()?;
        for id in &copied.outputs {
            let path = data_path(&self.dir, *id);
            self.readers
                .insert(*id, Reader::map(&path).map_err(|e| Error::io(&path, e))?);
        }
        for (key, moved) in copied.moves {
            if let Some(old) = self.keydir.insert(&key, moved) {
                self.forget(old);
            }
            self.count_written(moved, true);
        }
        Ok(())
    }
    // ANCHOR_END: install_outputs

    // ANCHOR: mark_and_remove
    /// Step 2: marks the inputs pending-delete, oldest first, and stops
    /// reading them.
    fn mark_inputs(&mut self, inputs: &[u32], after: After<'_>) -> Result<()> {
        for (i, &id) in inputs.iter().enumerate() {
            files::mark_pending_delete(&*self.disk, &data_path(&self.dir, id))?;
            self.readers.remove(&id);
            self.stats.remove(&id);
            if i == 0 {
                self.reached(after, MergeStep::FirstMarked)?;
            }
        }
        self.reached(after, MergeStep::AllMarked)
    }

    /// Step 3: removes the inputs, oldest first.
    fn remove_inputs(&self, inputs: &[u32], after: After<'_>) -> Result<()> {
        for (i, &id) in inputs.iter().enumerate() {
            files::remove_pair(&*self.disk, &self.dir, id)?;
            if i == 0 {
                self.reached(after, MergeStep::FirstRemoved)?;
            }
        }
        self.reached(after, MergeStep::AllRemoved)
    }
    // ANCHOR_END: mark_and_remove
}
