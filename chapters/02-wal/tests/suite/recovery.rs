//! Recovery: a torn tail is cut off and reported; damage elsewhere is an error
//! (or, by choice, a point-in-time recovery or a skip).

use std::fs;
use std::path::{Path, PathBuf};

use super::{contents, open, segments, temp_dir};
use crate::wal::{Error, Options, RecoveryMode, Store, SyncPolicy};

type Entries = Vec<(Vec<u8>, Vec<u8>)>;

/// Writes five operations and returns the segment's bytes, the offset where
/// each record ends, and the contents after each operation.
fn five_operations(dir: &Path) -> (PathBuf, Vec<u8>, Vec<usize>, Vec<Entries>) {
    let db = open(dir);
    let mut ends = Vec::new();
    let mut states = vec![contents(&db)];
    let ops: [&dyn Fn(&Store); 5] = [
        &|db| db.put("apple", "red").unwrap(),
        &|db| db.put("fig", "purple").unwrap(),
        &|db| {
            db.write(
                crate::wal::Batch::new()
                    .put("kiwi", "green")
                    .delete("apple"),
            )
            .unwrap()
        },
        &|db| assert!(db.delete("fig").unwrap()),
        &|db| db.put("apple", "gold").unwrap(),
    ];
    for op in ops {
        op(&db);
        ends.push(db.stats().log_len as usize);
        states.push(contents(&db));
    }
    db.close().unwrap();
    let segment = segments(dir).pop().unwrap();
    let bytes = fs::read(&segment).unwrap();
    assert_eq!(*ends.last().unwrap(), bytes.len());
    (segment, bytes, ends, states)
}

fn open_with(dir: &Path, mode: RecoveryMode) -> Result<Store, Error> {
    Store::open(dir, Options::new(SyncPolicy::Never).recovery(mode))
}

#[test]
fn truncation_at_every_byte_recovers_exactly_a_prefix() {
    let source = temp_dir();
    let (segment, bytes, ends, states) = five_operations(source.path());
    let name = segment.file_name().unwrap();
    for cut in 0..=bytes.len() {
        let dir = temp_dir();
        fs::write(dir.path().join(name), &bytes[..cut]).unwrap();
        let db = open(dir.path());
        let complete = ends.iter().filter(|&&end| end <= cut).count();
        assert_eq!(contents(&db), states[complete], "cut at {cut}");
        let boundary = if complete == 0 { 0 } else { ends[complete - 1] };
        match &db.recovery().torn_tail {
            None => assert_eq!(cut, boundary, "cut at {cut}: a torn tail went unreported"),
            Some(torn) => {
                assert_eq!(torn.offset as usize, boundary, "cut at {cut}");
                assert_eq!(torn.bytes_dropped as usize, cut - boundary, "cut at {cut}");
            }
        }
        // The torn tail is gone from the file, and new writes follow the prefix.
        assert_eq!(
            fs::metadata(dir.path().join(name)).unwrap().len() as usize,
            boundary
        );
        db.put("after", "crash").unwrap();
        drop(db);
        let db = open(dir.path());
        assert_eq!(db.get("after"), Some(b"crash".to_vec()), "cut at {cut}");
        assert_eq!(db.len(), states[complete].len() + 1, "cut at {cut}");
    }
}

#[test]
fn a_flipped_bit_in_the_last_record_is_a_torn_tail() {
    let dir = temp_dir();
    let (segment, mut bytes, ends, states) = five_operations(dir.path());
    bytes[ends[3] + 9] ^= 0x10; // inside the last record's payload
    fs::write(&segment, &bytes).unwrap();
    let db = open(dir.path());
    assert_eq!(contents(&db), states[4]);
    assert_eq!(
        db.recovery().torn_tail.as_ref().unwrap().offset as usize,
        ends[3]
    );
}

#[test]
fn every_flipped_bit_is_detected() {
    let dir = temp_dir();
    let (segment, bytes, ends, states) = five_operations(dir.path());
    for bit in 0..bytes.len() * 8 {
        let mut damaged = bytes.clone();
        damaged[bit / 8] ^= 1 << (bit % 8);
        fs::write(&segment, &damaged).unwrap();
        // Never wrong data: either an error, or a prefix with the damage reported.
        match open_with(dir.path(), RecoveryMode::TolerateCorruptedTailRecords) {
            Err(Error::Corrupt { offset, .. }) => {
                assert!(
                    ends.contains(&(offset as usize)) || offset == 0,
                    "bit {bit}: offset {offset}"
                )
            }
            Err(other) => panic!("bit {bit}: unexpected {other}"),
            Ok(db) => {
                let torn = db
                    .recovery()
                    .torn_tail
                    .clone()
                    .expect("damage must be reported");
                let kept = ends.iter().filter(|&&e| e <= torn.offset as usize).count();
                assert_eq!(contents(&db), states[kept], "bit {bit}");
            }
        }
    }
}

/// Damages the third record's payload and returns what `five_operations` did.
fn damage_third_record(dir: &Path) -> (Vec<u8>, Vec<usize>, Vec<Entries>) {
    let (segment, mut bytes, ends, states) = five_operations(dir);
    bytes[ends[1] + 12] ^= 0xff;
    fs::write(&segment, &bytes).unwrap();
    (bytes, ends, states)
}

#[test]
fn damage_before_the_tail_is_an_error_naming_the_offset() {
    let dir = temp_dir();
    let (bytes, ends, _) = damage_third_record(dir.path());
    match open_with(dir.path(), RecoveryMode::TolerateCorruptedTailRecords) {
        Err(Error::Corrupt { path, offset, .. }) => {
            assert_eq!(offset as usize, ends[1]);
            assert!(path.to_string_lossy().contains("wal-"), "{path:?}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    // Refusing to open must not change the log.
    assert_eq!(fs::read(&segments(dir.path())[0]).unwrap(), bytes);
}

#[test]
fn absolute_consistency_refuses_even_a_torn_tail() {
    let dir = temp_dir();
    let (segment, bytes, ends, states) = five_operations(dir.path());
    fs::write(&segment, &bytes[..ends[4] - 3]).unwrap();
    match open_with(dir.path(), RecoveryMode::AbsoluteConsistency) {
        Err(Error::Corrupt { offset, .. }) => assert_eq!(offset as usize, ends[3]),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    // An intact log opens fine in this mode.
    fs::write(&segment, &bytes).unwrap();
    let db = open_with(dir.path(), RecoveryMode::AbsoluteConsistency).unwrap();
    assert_eq!(contents(&db), states[5]);
}

#[test]
fn point_in_time_keeps_what_precedes_the_damage() {
    let dir = temp_dir();
    let (bytes, ends, states) = damage_third_record(dir.path());
    let db = open_with(dir.path(), RecoveryMode::PointInTime).unwrap();
    assert_eq!(contents(&db), states[2]);
    let discarded = db.recovery().discarded.clone().unwrap();
    assert_eq!(discarded.offset as usize, ends[1]);
    assert_eq!(discarded.len as usize, bytes.len() - ends[1]);
    // The log now ends where the damage began, so new writes follow record 2.
    db.put("new", "write").unwrap();
    drop(db);
    let db = open(dir.path());
    assert_eq!(db.len(), states[2].len() + 1);
    assert!(db.recovery().is_clean());
}

#[test]
fn skip_mode_keeps_every_intact_record() {
    let dir = temp_dir();
    let (_, ends, _) = damage_third_record(dir.path());
    let db = open_with(dir.path(), RecoveryMode::SkipAnyCorruptedRecords).unwrap();
    // Records 1, 2, 4, 5 applied; the batch (record 3) is lost whole.
    assert_eq!(contents(&db), [(b"apple".to_vec(), b"gold".to_vec())]);
    let skipped = &db.recovery().skipped;
    assert_eq!(skipped.len(), 1);
    assert_eq!(
        (skipped[0].offset as usize, skipped[0].len as usize),
        (ends[1], ends[2] - ends[1])
    );
    assert_eq!(db.recovery().records_replayed, 4);
}

#[test]
fn a_zeroed_tail_is_a_torn_tail() {
    // Some file systems extend a file with zeros when a crash interrupts a write.
    let dir = temp_dir();
    let (segment, mut bytes, ends, states) = five_operations(dir.path());
    bytes.extend_from_slice(&[0; 4096]);
    fs::write(&segment, &bytes).unwrap();
    let db = open(dir.path());
    assert_eq!(contents(&db), states[5]);
    let torn = db.recovery().torn_tail.clone().unwrap();
    assert_eq!((torn.offset as usize, torn.bytes_dropped), (ends[4], 4096));
}

#[test]
fn a_hostile_length_at_the_tail_is_cut_off() {
    let dir = temp_dir();
    let (segment, mut bytes, ends, states) = five_operations(dir.path());
    bytes.extend_from_slice(&u32::MAX.to_le_bytes());
    bytes.extend_from_slice(&[0xAB; 12]);
    fs::write(&segment, &bytes).unwrap();
    let db = open(dir.path());
    assert_eq!(contents(&db), states[5]);
    assert_eq!(
        db.recovery().torn_tail.as_ref().unwrap().offset as usize,
        ends[4]
    );
}
