//! Framing: `[u32 length][u32 CRC-32 of payload][payload]`, little-endian.

use crate::wal::op::{Change, Op};
use crate::wal::record::{self, Frame, HEADER_LEN, Record};

fn frame(seq: u64, op: &Op<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    record::encode(seq, op, &mut out).unwrap();
    out
}

#[test]
fn a_frame_is_length_checksum_payload() {
    let bytes = frame(
        7,
        &Op::Put {
            key: b"k",
            value: b"v",
        },
    );
    let len = u32::from_le_bytes(bytes[0..4].try_into().unwrap()) as usize;
    assert_eq!(bytes.len(), HEADER_LEN + len);
    let crc = u32::from_le_bytes(bytes[4..8].try_into().unwrap());
    assert_eq!(crc, crc32fast::hash(&bytes[8..]));
}

#[test]
fn encode_appends_and_decode_reads_back() {
    let ops = [
        Op::Put {
            key: b"apple",
            value: b"red",
        },
        Op::Delete { key: b"apple" },
        Op::Batch(vec![
            Change::Put {
                key: b"a",
                value: b"",
            },
            Change::Delete { key: b"b" },
        ]),
        Op::Put {
            key: &[0, 255],
            value: &[7; 1000],
        },
    ];
    let mut log = Vec::new();
    for (seq, op) in (1..).zip(&ops) {
        record::encode(seq, op, &mut log).unwrap();
    }
    let mut rest = &log[..];
    for (seq, op) in (1..).zip(&ops) {
        match record::decode(rest) {
            Frame::Record { record, len } => {
                assert_eq!(
                    record,
                    Record {
                        seq,
                        op: op.clone()
                    }
                );
                rest = &rest[len..];
            }
            other => panic!("record {seq}: {other:?}"),
        }
    }
    assert!(rest.is_empty());
}

#[test]
fn a_cut_frame_is_incomplete() {
    let bytes = frame(
        1,
        &Op::Put {
            key: b"key",
            value: b"value",
        },
    );
    for cut in 0..bytes.len() {
        assert_eq!(
            record::decode(&bytes[..cut]),
            Frame::Incomplete,
            "cut at {cut}"
        );
    }
}

#[test]
fn a_flipped_bit_is_invalid() {
    let bytes = frame(
        1,
        &Op::Put {
            key: b"key",
            value: b"value",
        },
    );
    for bit in 32..bytes.len() * 8 {
        // Bits after the length field: the checksum or payload no longer match.
        let mut damaged = bytes.clone();
        damaged[bit / 8] ^= 1 << (bit % 8);
        assert!(
            matches!(record::decode(&damaged), Frame::Invalid(_)),
            "bit {bit}"
        );
    }
}

#[test]
fn a_hostile_length_is_incomplete_not_an_allocation() {
    let mut bytes = frame(
        1,
        &Op::Put {
            key: b"k",
            value: b"v",
        },
    );
    bytes[0..4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(record::decode(&bytes), Frame::Incomplete);
}

#[test]
fn a_hostile_batch_count_is_invalid_not_an_allocation() {
    // A valid frame whose payload claims 2^60 changes in its batch.
    let mut payload = vec![1]; // seq 1
    payload.push(2); // Op::Batch
    payload.push(253);
    payload.extend_from_slice(&(1u64 << 60).to_le_bytes());
    let mut bytes = (payload.len() as u32).to_le_bytes().to_vec();
    bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    bytes.extend_from_slice(&payload);
    assert!(matches!(record::decode(&bytes), Frame::Invalid(_)));
}
