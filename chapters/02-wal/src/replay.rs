//! Reading a segment back, record by record, and deciding what damage means.
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

// ANCHOR: replay
/// Replays the frames in `bytes` (the whole segment at `path`), calling `apply`
/// for each intact record in order. `is_newest` says whether this is the newest
/// segment, the only one that can have a torn tail.
///
/// Sequence numbers must increase; a record whose number does not is treated as
/// damage (it cannot have been written by this store in that place).
pub fn replay(
    path: &Path,
    bytes: &[u8],
    mode: RecoveryMode,
    is_newest: bool,
    mut apply: impl FnMut(Record<'_>) -> Result<()>,
) -> Result<SegmentReplay> {
    let mut out = SegmentReplay::default();
    let mut search = FrameSearch::new(bytes);
    let mut offset = 0;
    while offset < bytes.len() {
        let problem = match record::decode(&bytes[offset..]) {
            Frame::Record { record, len } if out.last_seq.is_none_or(|last| record.seq > last) => {
                out.last_seq = Some(record.seq);
                apply(record)?;
                offset += len;
                out.valid_len = offset as u64;
                continue;
            }
            Frame::Record { record, .. } => {
                format!("sequence number {} goes backwards", record.seq)
            }
            Frame::Incomplete => "record is incomplete".to_string(),
            Frame::Invalid(reason) => reason,
        };
        let damage = |len: usize| Damage {
            path: path.to_path_buf(),
            offset: offset as u64,
            len: len as u64,
            reason: problem.clone(),
        };
        let next_valid = search.next_valid_frame(offset + 1, out.last_seq);
        match (next_valid, mode) {
            // Nothing valid follows in the newest segment: a torn write.
            (None, mode) if is_newest && mode != RecoveryMode::AbsoluteConsistency => {
                out.torn_tail = Some(TornTail {
                    path: path.to_path_buf(),
                    offset: offset as u64,
                    bytes_dropped: (bytes.len() - offset) as u64,
                });
                break;
            }
            (_, RecoveryMode::PointInTime) => {
                out.stopped = Some(damage(bytes.len() - offset));
                break;
            }
            (Some(next), RecoveryMode::SkipAnyCorruptedRecords) => {
                out.skipped.push(damage(next - offset));
                offset = next;
            }
            (None, RecoveryMode::SkipAnyCorruptedRecords) => {
                out.skipped.push(damage(bytes.len() - offset));
                break;
            }
            _ => {
                return Err(Error::Corrupt {
                    path: path.to_path_buf(),
                    offset: offset as u64,
                    reason: problem,
                });
            }
        }
    }
    Ok(out)
}
// ANCHOR_END: replay
