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
        let dir = self.dir.clone();
        let step = |after: &mut dyn FnMut(MergeStep) -> io::Result<()>, s| {
            after(s).map_err(|e| Error::io(&dir, e))
        };
        let active = self.active.as_ref().map(FileWriter::id);
        let mut inputs: Vec<u32> = self
            .readers
            .keys()
            .copied()
            .filter(|&id| Some(id) != active)
            .collect();
        inputs.sort_unstable();
        let mut report = MergeReport {
            inputs: inputs.clone(),
            ..MergeReport::default()
        };
        if inputs.is_empty() {
            return Ok(report);
        }
        let mut merge_lock = Lock::acquire(&self.disk, &dir, LockKind::Merge)?;

        // 1. Copy the live entries. The keydir moves to the copies only once
        //    they are durable.
        let mut output: Option<FileWriter> = None;
        let mut moves: Vec<(Vec<u8>, Location)> = Vec::new();
        for &id in &inputs {
            let path = data_path(&dir, id);
            let len = std::fs::metadata(&path).map_or(0, |m| m.len());
            report.bytes_in = report.bytes_in.saturating_add(len);
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
                let full = output.as_ref().is_some_and(|o| {
                    !o.is_empty() && o.len() + u64::from(e.entry_len) > self.options.max_file_size
                });
                if full || output.is_none() {
                    if let Some(done) = output.take() {
                        done.close()?;
                    }
                    let id = self.next_file_id()?;
                    let writer = FileWriter::create(&self.disk, &dir, id)?;
                    merge_lock.set_active(writer.data_path())?;
                    report.outputs.push(writer.id());
                    output = Some(writer);
                }
                let Some(out) = output.as_mut() else {
                    return Ok(());
                };
                let offset = out.append(e.tstamp, &e.key, &e.value)?;
                let moved = Location {
                    file_id: out.id(),
                    offset,
                    entry_len: e.entry_len,
                    tstamp: e.tstamp,
                };
                moves.push((e.key, moved));
                report.entries_copied += 1;
                report.bytes_out += u64::from(e.entry_len);
                if report.entries_copied == 1 {
                    step(&mut after, MergeStep::Copying)?;
                }
                Ok(())
            })?;
        }
        if let Some(done) = output.take() {
            done.close()?;
        }
        // The outputs' names need no directory sync here: `FileWriter::create`
        // synced the directory as it created each pair, and closing synced
        // their contents.
        //
        // A key whose latest entry is in the active file was not copied; its
        // older entries go with the inputs. Unsynced, a power cut would take
        // both, and a key that was durable would be gone.
        self.sync()?;
        // Every output is complete: readers may read them all from now on,
        // before the inputs start to disappear.
        merge_lock.clear_active()?;
        for id in &report.outputs {
            let path = data_path(&dir, *id);
            self.readers
                .insert(*id, Reader::map(&path).map_err(|e| Error::io(&path, e))?);
        }
        for (key, moved) in moves {
            if let Some(old) = self.keydir.insert(&key, moved) {
                self.forget(old);
            }
            self.count_written(moved, true);
        }
        step(&mut after, MergeStep::OutputWritten)?;

        // 2. Mark the inputs, oldest first.
        for (i, &id) in inputs.iter().enumerate() {
            files::mark_pending_delete(&*self.disk, &data_path(&dir, id))?;
            self.readers.remove(&id);
            self.stats.remove(&id);
            if i == 0 {
                step(&mut after, MergeStep::FirstMarked)?;
            }
        }
        step(&mut after, MergeStep::AllMarked)?;

        // 3. Remove them, oldest first.
        for (i, &id) in inputs.iter().enumerate() {
            files::remove_pair(&*self.disk, &dir, id)?;
            if i == 0 {
                step(&mut after, MergeStep::FirstRemoved)?;
            }
        }
        step(&mut after, MergeStep::AllRemoved)?;
        Ok(report)
    }
    // ANCHOR_END: merge
}
