//! Checkpoints: keep the log short by saving the map and starting over.
//! **Yours to write: `checkpoint`.**
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
/// Hints, calling `step(dir, after, ...)` after each:
/// 1. `log.sync()`;
/// 2. unless `log` is empty and already starts at `last_seq + 1`, replace it with
///    `LogWriter::create(dir, last_seq + 1)`.
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
/// Hints, calling `step(dir, after, ...)` after each:
/// 3. `strata_flat_file::write_map_in(&dir.fs(), &segment::snapshot_path(dir.path(), last_seq), map)`
///    (through the directory's file system, so the power-loss tests see it);
/// 4. with `segment::list(dir)`, remove (`segment::remove_durably(dir, path)`) segments that
///    start at or before `last_seq` and snapshots older than `last_seq`.
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
