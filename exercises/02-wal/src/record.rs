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
/// Hints: remember where the frame starts (`out.len()`), push `HEADER_LEN` zero
/// bytes, encode the payload after them with `codec::encode_into` (serialize a
/// `Record` with `seq` and `op.clone()`), check its length against `MAX_PAYLOAD`
/// (truncate `out` back on error), then fill in the length and the
/// `crc32fast::hash` of the payload, both little-endian.
pub fn encode(seq: u64, op: &Op<'_>, out: &mut Vec<u8>) -> Result<()> {
    todo!("chapter 2, step 1: frame a record as [len][crc][payload]")
}

/// Decodes the frame at the front of `bytes`, borrowing keys and values from them.
///
/// Hints: fewer than `HEADER_LEN` bytes, or fewer payload bytes than the
/// length says, is `Frame::Incomplete` (check the length against the bytes
/// present before slicing). A checksum mismatch, a payload that does not
/// decode (`codec::decode_borrowed::<Record>`) or one with bytes left over
/// is `Frame::Invalid`.
pub fn decode(bytes: &[u8]) -> Frame<'_> {
    todo!("chapter 2, step 1: read one frame, checking length and checksum")
}
