//! Reading a segment back, record by record, and deciding what damage means.
//! **Yours to write: `replay`.**
//!
//! Replay walks the frames from the start of a segment. At the first frame that
//! is incomplete or fails its checksum it asks one question: *is anything valid
//! after it?* If not, and this is the newest segment, the damage is a torn tail,
//! the normal result of a crash mid-write. If something valid follows, a record
//! in the middle of the log was damaged, and the [`RecoveryMode`] decides.

use std::path::Path;

use crate::record::{self, Frame, Record};
use crate::recovery::{Damage, RecoveryMode, TornTail};
use crate::search::FrameSearch;
use crate::{Error, Result};

/// What replaying one segment found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SegmentReplay {
    /// Bytes from the start that hold intact records: the segment's length
    /// after recovery.
    pub valid_len: u64,
    /// The last intact record's sequence number, if any.
    pub last_seq: Option<u64>,
    /// The torn tail found at the end, if any.
    pub torn_tail: Option<TornTail>,
    /// Damaged regions skipped ([`RecoveryMode::SkipAnyCorruptedRecords`]).
    pub skipped: Vec<Damage>,
    /// Set when [`RecoveryMode::PointInTime`] stopped at damage: every byte from
    /// `valid_len` on is to be discarded, and later segments with it.
    pub stopped: Option<Damage>,
}

/// Replays the frames in `bytes` (the whole segment at `path`), calling `apply`
/// for each intact record in order. `is_newest` says whether this is the newest
/// segment, the only one that can have a torn tail.
///
/// Sequence numbers must increase; a record whose number does not is treated as
/// damage (it cannot have been written by this store in that place).
///
/// Hints: walk `offset` from 0 with `record::decode`. For each intact record
/// whose `seq` is above the last one, call `apply`, and advance `valid_len`.
/// At the first problem (incomplete, invalid, or a sequence number going
/// backwards) look for an intact record after it with a [`FrameSearch`]
/// over the segment (one per call, so that searches reuse its work):
/// - none, in the newest segment, and the mode is not `AbsoluteConsistency`:
///   a torn tail: record it in `torn_tail` and stop;
/// - `PointInTime`: record the rest of the bytes in `stopped` and stop;
/// - `SkipAnyCorruptedRecords`: record the damaged range in `skipped` and
///   carry on at the next intact record (or stop if there is none);
/// - otherwise: `Error::Corrupt` with the path and offset.
pub fn replay(
    path: &Path,
    bytes: &[u8],
    mode: RecoveryMode,
    is_newest: bool,
    mut apply: impl FnMut(Record<'_>) -> Result<()>,
) -> Result<SegmentReplay> {
    todo!(
        "chapter 2, step 3: replay intact records; cut a torn tail; apply the recovery mode to damage"
    )
}
