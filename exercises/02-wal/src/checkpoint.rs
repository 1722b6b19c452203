//! Checkpoints: keep the log short by saving the map and starting over.
//! **Yours to write: `new_segment` and `save_snapshot`, the two halves of a
//! checkpoint; `checkpoint`, which calls them, is given.**
//!
//! The map at record `S` is written as a chapter-1 snapshot named after `S`;
//! records after `S` go to a new segment; older files are then removed. Opening
//! loads the newest snapshot and replays only records numbered after it.
//!
//! The steps are ordered so that a crash between any two loses nothing:
//!
//! | crash after            | on disk                               | open replays |
//! |------------------------|---------------------------------------|--------------|
//! | `Synced`               | old snapshot, old segment             | old segment |
//! | `NewSegment`           | + new empty segment                   | both, in order |
//! | `SnapshotWritten`      | + new snapshot                        | records after `S` only |
//! | `OldFilesRemoved`      | new snapshot, new segment             | the new segment |

use std::io;

use crate::fs::Dir;
use crate::writer::LogWriter;
use crate::{Map, Result, segment};

/// The steps of a checkpoint, in order. The store reports each one after it
/// completes, so a test can stop the checkpoint there, as a crash would.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CheckpointStep {
    /// The current segment is on disk.
    Synced,
    /// A new, empty segment exists and new records will go there.
    NewSegment,
    /// The snapshot of the map is written, atomically and durably.
    SnapshotWritten,
    /// Older segments and snapshots are removed.
    OldFilesRemoved,
}

impl CheckpointStep {
    /// Every step, in the order they happen.
    pub const ALL: [CheckpointStep; 4] = [
        CheckpointStep::Synced,
        CheckpointStep::NewSegment,
        CheckpointStep::SnapshotWritten,
        CheckpointStep::OldFilesRemoved,
    ];
}

/// Checkpoints the store in `dir`: `map` is the state after record `last_seq`,
/// and `log` is the active segment, which is replaced by a new one.
///
/// `after` is called after each [`CheckpointStep`]; an error from it stops the
/// checkpoint there (the tests use this to crash at every step).
///
/// Given: the two halves are yours. A background checkpoint runs them apart
/// (the first under the store's lock, the second in a thread).
pub fn checkpoint(
    dir: &Dir,
    log: &mut LogWriter,
    map: &Map,
    last_seq: u64,
    mut after: impl FnMut(CheckpointStep) -> io::Result<()>,
) -> Result<()> {
    new_segment(dir, log, last_seq, &mut after)?;
    save_snapshot(dir, map, last_seq, &mut after)
}

/// Steps 1 and 2: records after `last_seq` go to a new segment.
///
/// Hints: steps 1 and 2 of the table in the module docs, each reported
/// through the given `step` once it is done
/// ([`CheckpointStep::Synced`], then [`CheckpointStep::NewSegment`]), and
/// stopping at the first error. The order is the point: recovery takes
/// damage at the end of an *older* segment for real damage, never for a
/// torn tail, so the current segment must be on disk before a newer one
/// exists. Afterwards `log` is the segment that record `last_seq + 1` goes
/// to. The pitfall: when nothing was written since the last checkpoint (or
/// since the store was created), `log` is already an empty segment starting
/// at that number, and creating it again fails: the file exists. Checked by
/// `suite::checkpoint` (`a_crash_at_every_checkpoint_step_loses_nothing`,
/// `repeated_checkpoints_keep_the_directory_small`) and `suite::power_loss`.
///
/// <details><summary>Stuck?</summary>
///
/// [`LogWriter`] has all you need: `sync`, `is_empty`, `first_seq`, and
/// `LogWriter::create`, which makes a new segment for records from a given
/// number on (durably). Replace `*log` with the new writer.
///
/// </details>
pub fn new_segment(
    dir: &Dir,
    log: &mut LogWriter,
    last_seq: u64,
    after: &mut dyn FnMut(CheckpointStep) -> io::Result<()>,
) -> Result<()> {
    todo!("chapter 2, step 4: sync, then a new segment")
}

/// Steps 3 and 4: `map`, the state after record `last_seq`, becomes the
/// snapshot, and the files it replaces go.
///
/// Hints: steps 3 and 4 of the table in the module docs, reported through
/// `step` ([`CheckpointStep::SnapshotWritten`], then
/// [`CheckpointStep::OldFilesRemoved`]). First the snapshot: chapter 1
/// writes a map atomically and durably (`strata_flat_file::write_map_in`),
/// under the name `segment::snapshot_path` gives for `last_seq`. Write it
/// through the directory's file system, `dir.fs()`: the power-loss tests
/// see only what goes through it. Only once it is written are the older
/// files redundant: every segment that starts at or before `last_seq`
/// (the new one starts after it) and every snapshot older than `last_seq`;
/// remove each durably (`segment::remove_durably`). The pitfall is the
/// order: remove anything before the snapshot is written and a crash
/// between the two loses records. Checked by `suite::checkpoint` (a crash
/// after every step, then a reopen) and `suite::power_loss`.
///
/// <details><summary>Stuck?</summary>
///
/// `segment::list(dir)` lists the store's files: `segments`, each with its
/// first record's number, and `snapshots`, each with its last record's
/// number. Go through both lists and remove by the rule above; keep the
/// snapshot you have just written.
///
/// </details>
pub fn save_snapshot(
    dir: &Dir,
    map: &Map,
    last_seq: u64,
    after: &mut dyn FnMut(CheckpointStep) -> io::Result<()>,
) -> Result<()> {
    todo!("chapter 2, step 4: the snapshot, then remove the old files")
}

/// Reports a finished step to `after`. Given.
fn step(
    dir: &Dir,
    after: &mut dyn FnMut(CheckpointStep) -> io::Result<()>,
    step: CheckpointStep,
) -> Result<()> {
    after(step).map_err(|e| crate::Error::io(dir.path(), e))
}
