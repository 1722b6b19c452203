//! How a record is framed in a log segment.
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

/// The same bytes as a [`Record`], serialized from a borrowed operation.
#[derive(Serialize)]
struct RecordRef<'r, 'a> {
    seq: u64,
    op: &'r Op<'a>,
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

// ANCHOR: encode
/// Appends the frame of record `seq` doing `op` to `out`.
///
/// # Errors
/// [`Error::TooLarge`] if the payload does not fit a `u32` length; `out` is
/// then left as it was.
pub fn encode(seq: u64, op: &Op<'_>, out: &mut Vec<u8>) -> Result<()> {
    let start = out.len();
    // Reserve the header, write the payload after it, then fill the header in.
    out.extend_from_slice(&[0; HEADER_LEN]);
    codec::encode_into(&RecordRef { seq, op }, out);
    let payload_len = out.len() - start - HEADER_LEN;
    if payload_len > MAX_PAYLOAD {
        out.truncate(start);
        return Err(Error::TooLarge {
            len: payload_len as u64,
            max: MAX_PAYLOAD as u64,
        });
    }
    let checksum = crc32fast::hash(&out[start + HEADER_LEN..]);
    out[start..start + 4].copy_from_slice(&(payload_len as u32).to_le_bytes());
    out[start + 4..start + 8].copy_from_slice(&checksum.to_le_bytes());
    Ok(())
}
// ANCHOR_END: encode

// ANCHOR: decode
/// Decodes the frame at the front of `bytes`, borrowing keys and values from them.
pub fn decode(bytes: &[u8]) -> Frame<'_> {
    let Some((header, rest)) = bytes.split_first_chunk::<HEADER_LEN>() else {
        return Frame::Incomplete;
    };
    let payload_len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
    let stored = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    // The length is checked against the bytes present before it is used.
    let Some(payload) = rest.get(..payload_len) else {
        return Frame::Incomplete;
    };
    let computed = crc32fast::hash(payload);
    if computed != stored {
        return Frame::Invalid(format!(
            "checksum mismatch: stored {stored:#010x}, computed {computed:#010x}"
        ));
    }
    match codec::decode_borrowed::<Record<'_>>(payload) {
        Ok((record, used)) if used == payload_len => Frame::Record {
            record,
            len: HEADER_LEN + payload_len,
        },
        Ok((_, used)) => Frame::Invalid(format!("{} bytes follow the payload", payload_len - used)),
        Err(e) => Frame::Invalid(format!("payload does not decode: {e}")),
    }
}
// ANCHOR_END: decode
