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
/// Hints: walk the segment frame by frame from its start with
/// `record::decode`. Each intact record whose `seq` is above the last one
/// applied goes to `apply`, in order; `valid_len` is always the end of the
/// last record applied (the store truncates the segment there) and
/// `last_seq` its number.
///
/// At the first frame that is not such a record (incomplete, invalid, or a
/// number going backwards), ask one question: does an intact record whose
/// number follows the last one applied start anywhere after it? A
/// [`FrameSearch`] over the segment answers it; make one per call, since it
/// keeps its work between the searches of one segment. The answer, with
/// `is_newest` and `mode` (see [`RecoveryMode`]), decides:
/// - nothing follows, in the newest segment, in any mode but
///   `AbsoluteConsistency`: a torn tail, the normal end of a crash. It
///   takes precedence over the other modes' rules;
/// - `PointInTime`: stop here; everything from here on is discarded;
/// - `SkipAnyCorruptedRecords`: skip the damaged bytes, up to the next
///   intact record (or the end), and carry on there;
/// - anything else: [`Error::Corrupt`], naming the segment and the offset.
///
/// What you record (`torn_tail`, `stopped`, `skipped`) says where the damage
/// starts in this segment, how many bytes it covers, and why. The usual
/// slip: damage at the end of an *older* segment taken for a torn tail.
/// Checked by `suite::recovery` (a cut at every byte, a flipped bit at
/// every position, each mode), then by reopening in `suite::store`.
///
/// <details><summary>Stuck?</summary>
///
/// One loop over an offset into `bytes`. Turn what `record::decode` finds
/// either into "apply it and move past it" or into a reason (the
/// `Frame::Invalid` text, or your own words for an incomplete frame or a
/// number going backwards), which becomes the `reason` of a [`Damage`] or
/// of the error. For a problem, ask `next_valid_frame` from the byte after
/// it, passing the last number applied. Then decide in the order above:
/// a [`TornTail`] drops everything from the offset to the end; `stopped` is
/// a `Damage` to the end; a skipped `Damage` runs up to the next intact
/// record, where the loop resumes (to the end if there is none, and stop).
///
/// </details>
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
