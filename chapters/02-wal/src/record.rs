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
use crate::op::{Change, Op};
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
    encode_payload(seq, op, out);
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

/// Appends the payload of record `seq` doing `op`: the same bytes as the
/// codec's encoding of the record, written by hand. A big transaction is a
/// batch of thousands of small changes, and the codec's overhead per value
/// was a seventh of the time a batch of a thousand puts took to commit
/// (chapter 5's benchmark). Decoding still goes through the codec, and a
/// test checks that both agree.
fn encode_payload(seq: u64, op: &Op<'_>, out: &mut Vec<u8>) {
    // The fields in declaration order; an enum variant is its index.
    codec::varint(seq, out);
    match op {
        Op::Put { key, value } => encode_put(key, value, out),
        Op::Delete { key } => encode_delete(key, out),
        Op::Batch(changes) => {
            codec::varint(BATCH, out);
            codec::varint(changes.len() as u64, out);
            for change in changes {
                match change {
                    Change::Put { key, value } => encode_put(key, value, out),
                    Change::Delete { key } => encode_delete(key, out),
                }
            }
        }
    }
}

/// A put, as an `Op` or as a `Change` in a batch: the two encode alike.
fn encode_put(key: &[u8], value: &[u8], out: &mut Vec<u8>) {
    codec::varint(PUT, out);
    codec::byte_string(key, out);
    codec::byte_string(value, out);
}

/// A delete, as an `Op` or as a `Change` in a batch.
fn encode_delete(key: &[u8], out: &mut Vec<u8>) {
    codec::varint(DELETE, out);
    codec::byte_string(key, out);
}

/// The variant indices [`encode_payload`] writes, the same in `Op` and
/// `Change`: Put first, then Delete, then (in `Op`) Batch.
const PUT: u64 = 0;
const DELETE: u64 = 1;
const BATCH: u64 = 2;

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

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch of puts and deletes whose sizes cross every varint width.
    fn batch(bytes: &[u8]) -> Vec<Change<'_>> {
        let mut changes = Vec::new();
        for len in [0, 1, 250, 251, 300, 65_535, 65_536, 70_000] {
            let key = &bytes[..len.min(300)];
            changes.push(Change::Put {
                key,
                value: &bytes[..len],
            });
            changes.push(Change::Delete { key });
        }
        changes
    }

    #[test]
    fn varints_are_the_codecs_integers() {
        let edges = [0, 1, 250, 251, 252, 255, 256, 65_535, 65_536, 1 << 31];
        let more = [u32::MAX as u64, u32::MAX as u64 + 1, u64::MAX - 1, u64::MAX];
        for n in edges.into_iter().chain(more) {
            let (mut ours, mut codecs) = (Vec::new(), Vec::new());
            codec::varint(n, &mut ours);
            codec::encode_into(&n, &mut codecs);
            assert_eq!(ours, codecs, "{n}");
        }
    }

    #[test]
    fn a_hand_encoded_record_is_the_codecs_encoding() {
        let bytes: Vec<u8> = (0..70_000u32).map(|i| (i * 7) as u8).collect();
        let changes = batch(&bytes);
        let mut ops: Vec<Op<'_>> = (0..changes.len())
            .map(|n| Op::Batch(changes[..n].to_vec()))
            .collect();
        for change in &changes {
            ops.push(match *change {
                Change::Put { key, value } => Op::Put { key, value },
                Change::Delete { key } => Op::Delete { key },
            });
        }
        for (i, op) in ops.iter().enumerate() {
            for seq in [0, 1, 251, u64::MAX] {
                let (mut ours, mut codecs) = (Vec::new(), Vec::new());
                encode_payload(seq, op, &mut ours);
                codec::encode_into(
                    &Record {
                        seq,
                        op: op.clone(),
                    },
                    &mut codecs,
                );
                assert!(ours == codecs, "operation {i}, seq {seq}");
            }
        }
    }
}
