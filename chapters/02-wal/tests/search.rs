//! The search for an intact frame after damage: correct, and linear in the
//! segment's length. (Reference crate only: the search is given to the learner.)

use std::path::Path;

use strata_wal::record;
use strata_wal::recovery::RecoveryMode;
use strata_wal::replay::{SegmentReplay, replay};
use strata_wal::search::{FrameSearch, RangeCrc};
use strata_wal::{Change, Op};

/// Deterministic bytes that look random.
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_u32;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect()
}

/// Replays `bytes` as the newest segment: the sequence numbers replayed, and
/// what the replay found.
fn replay_all(bytes: &[u8], mode: RecoveryMode) -> (Vec<u64>, SegmentReplay) {
    let mut seen = Vec::new();
    let found = replay(Path::new("wal-1.log"), bytes, mode, true, |record| {
        seen.push(record.seq);
        Ok(())
    })
    .unwrap();
    (seen, found)
}

fn frame(seq: u64, key: &[u8], value: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    record::encode(seq, &Op::Put { key, value }, &mut out).unwrap();
    out
}

#[test]
fn a_range_crc_equals_the_crc_of_the_range() {
    let bytes = noise(70_000);
    let mut crcs = RangeCrc::new(&bytes);
    let mut ranges = vec![(0, 0), (0, 1), (3, 3), (0, 64), (1, 65), (63, 4999)];
    // Lengths that cross each byte of the length: 255/256, 65,535/65,536.
    ranges.extend([(10, 265), (10, 266), (1, 65_536), (2, 65_539), (0, 70_000)]);
    for start in (0..70_000).step_by(4_999) {
        for end in (start..=70_000).step_by(3_001) {
            ranges.push((start, end));
        }
    }
    for (start, end) in ranges {
        assert_eq!(
            crcs.range(start, end),
            crc32fast::hash(&bytes[start..end]),
            "{start}..{end}"
        );
    }
}

#[test]
fn the_search_finds_the_first_frame_that_follows_and_passes_over_old_ones() {
    for value_len in [10, 300, 70_000] {
        let value = noise(value_len);
        let mut bytes = noise(1_000);
        let old = bytes.len();
        bytes.extend(frame(3, b"old", &value));
        let new = bytes.len();
        bytes.extend(frame(9, b"new", &value));
        bytes.extend(noise(100));
        let mut search = FrameSearch::new(&bytes);
        assert_eq!(search.next_valid_frame(0, None), Some(old), "{value_len}");
        assert_eq!(
            search.next_valid_frame(0, Some(3)),
            Some(new),
            "{value_len}"
        );
        assert_eq!(search.next_valid_frame(new + 1, None), None, "{value_len}");
        assert_eq!(search.next_valid_frame(0, Some(9)), None, "{value_len}");
    }
}

/// The damage that made recovery quadratic: a value made of one length
/// (262,144, little-endian) repeated, so that a frame "fits" at every offset
/// of it, and one flipped bit that makes the record fail its checksum.
/// Checking each offset's CRC directly read a quarter of a megabyte per
/// offset (6 s for 4 MiB in a release build, far longer in a test build);
/// the search now takes one pass.
#[test]
fn a_value_of_repeated_lengths_is_searched_in_one_pass() {
    let value: Vec<u8> = (0..(1 << 20) / 4)
        .flat_map(|_| 262_144u32.to_le_bytes())
        .collect();
    let mut bytes = frame(1, b"a", b"first");
    bytes.extend(frame(2, b"b", b"second"));
    let damaged_at = bytes.len();
    bytes.extend(frame(3, b"big", &value));
    let flip = damaged_at + 1_000;
    bytes[flip] ^= 0x10;

    let (seen, found) = replay_all(&bytes, RecoveryMode::TolerateCorruptedTailRecords);
    assert_eq!(seen, [1, 2]);
    assert_eq!(found.valid_len, damaged_at as u64);
    let torn = found.torn_tail.expect("nothing valid follows: a torn tail");
    assert_eq!(torn.offset, damaged_at as u64);

    // The work, in bytes checksummed: one pass over the segment, plus a little
    // per offset tried (where checking each frame directly would checksum
    // 2^18 bytes at most offsets: some 64 GiB in all).
    let mut search = FrameSearch::new(&bytes);
    assert_eq!(search.next_valid_frame(damaged_at + 1, Some(2)), None);
    let hashed = search.bytes_hashed();
    let limit = 64 * bytes.len() as u64;
    assert!(
        hashed < limit,
        "{hashed} bytes checksummed for a {}-byte segment",
        bytes.len()
    );

    // With an intact record after it, the same damage is found to be mid-log.
    bytes.extend(frame(4, b"c", b"after"));
    let (seen, found) = replay_all(&bytes, RecoveryMode::SkipAnyCorruptedRecords);
    assert_eq!(seen, [1, 2, 4]);
    assert_eq!(found.skipped.len(), 1);
    assert!(found.torn_tail.is_none());
}

#[test]
fn a_batch_is_found_too() {
    let changes = [
        Change::Put {
            key: b"k",
            value: &[7; 500],
        },
        Change::Delete { key: b"gone" },
    ];
    let mut bytes = noise(64);
    let at = bytes.len();
    record::encode(5, &Op::Batch(changes.to_vec()), &mut bytes).unwrap();
    assert_eq!(
        FrameSearch::new(&bytes).next_valid_frame(1, Some(4)),
        Some(at)
    );
}
