//! How a record is framed in a log segment. **Yours to write: `encode` and `decode`.**
//!
//! ```text
//! offset  size  field
//! 0       4     payload length, u32 little-endian
//! 4       4     CRC-32 (IEEE) of the payload, u32 little-endian
//! 8       len   payload: bincode of (sequence number, operation)
//! ```
//!
//! The length lets a reader find the next record; the checksum tells a record
//! that was written whole from one that was cut short by a crash or damaged on
//! disk. A segment is nothing but these frames, back to back.

use serde::{Deserialize, Serialize};

use crate::codec;
use crate::op::Op;
use crate::{Error, Result};

/// Length and checksum.
pub const HEADER_LEN: usize = 8;
/// The largest payload a frame can hold.
pub const MAX_PAYLOAD: usize = u32::MAX as usize;

/// A record's payload: its sequence number and what it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record<'a> {
    /// Every record's number, one more than the record before it.
    pub seq: u64,
    /// What the record does.
    #[serde(borrow)]
    pub op: Op<'a>,
}

/// What [`decode`] found at the front of some bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A complete, intact record that took `len` bytes.
    Record {
        /// The record.
        record: Record<'a>,
        /// Header plus payload.
        len: usize,
    },
    /// The bytes end before the frame does: a torn write, if at the tail.
    Incomplete,
    /// The frame is complete but wrong: bad checksum or undecodable payload.
    Invalid(String),
}

/// Appends the frame of record `seq` doing `op` to `out`.
///
/// # Errors
/// [`Error::TooLarge`] if the payload does not fit a `u32` length; `out` is
/// then left as it was.
///
/// Hints: a frame is its header, then the payload; the header holds the
/// payload's length and CRC-32, which you know only once the payload is
/// encoded. The payload is the `codec` encoding of a [`Record`]: [`decode`]
/// reads a `Record` back, so encode exactly that. Both header fields are
/// little-endian, and the CRC covers the payload alone. `out` may already
/// hold other frames: append to it, and on [`Error::TooLarge`] (a payload
/// over [`MAX_PAYLOAD`]) leave it exactly as it was. Checked by
/// `suite::record` (`a_frame_is_length_checksum_payload`,
/// `encode_appends_and_decode_reads_back`) and, byte for byte, by
/// `suite::snapshot`.
///
/// <details><summary>Stuck?</summary>
///
/// Remember where the frame starts in `out`, reserve the header's bytes
/// there, and let `codec::encode_into` append the payload after them (a
/// `Record` owns its `Op`: clone `op`, which copies no key or value bytes,
/// since an `Op` borrows them). Then measure the payload: too large, cut
/// `out` back to where the frame started; otherwise write the length and
/// the `crc32fast::hash` of the payload into the reserved bytes.
///
/// </details>
pub fn encode(seq: u64, op: &Op<'_>, out: &mut Vec<u8>) -> Result<()> {
    todo!("chapter 2, step 1: frame a record as [len][crc][payload]")
}

/// Decodes the frame at the front of `bytes`, borrowing keys and values from them.
///
/// Hints: fewer than `HEADER_LEN` bytes, or fewer payload bytes than the
/// length says, is `Frame::Incomplete` (check the length against the bytes
/// present before slicing). A checksum mismatch, a payload that does not
/// decode (`codec::decode_borrowed::<Record>`) or one with bytes left over
/// is `Frame::Invalid`. Checked by `suite::record`: `a_cut_frame_is_incomplete`,
/// `a_flipped_bit_is_invalid` and `a_hostile_length_is_incomplete_not_an_allocation`.
pub fn decode(bytes: &[u8]) -> Frame<'_> {
    todo!("chapter 2, step 1: read one frame, checking length and checksum")
}
