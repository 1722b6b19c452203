//! Numbers a hostile directory can claim, in file names and in records:
//! each is a clear error, never an overflow. (Reference crate only: the
//! store's recovery is given to the learner.)

use std::fs;
use std::path::Path;

use strata_wal::record;
use strata_wal::segment::{segment_path, snapshot_path};
use strata_wal::{Error, Map, Op, Options, RecoveryMode, Store};

fn open(dir: &Path, mode: RecoveryMode) -> Result<Store, Error> {
    Store::open(dir, Options::default().recovery(mode))
}

fn write_records(path: &Path, seqs: &[u64]) {
    let mut bytes = Vec::new();
    for &seq in seqs {
        let op = Op::Put {
            key: b"k",
            value: b"v",
        };
        record::encode(seq, &op, &mut bytes).unwrap();
    }
    fs::write(path, bytes).unwrap();
}

#[test]
fn a_snapshot_named_for_the_last_sequence_number_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    strata_flat_file::write_map(&snapshot_path(dir.path(), u64::MAX), &Map::new()).unwrap();
    match open(dir.path(), RecoveryMode::default()) {
        Err(Error::SequenceExhausted { path }) => assert_eq!(path, dir.path()),
        other => panic!("expected SequenceExhausted, got {:?}", other.err()),
    }
}

#[test]
fn a_record_numbered_u64_max_is_an_error_in_every_mode() {
    for mode in [
        RecoveryMode::TolerateCorruptedTailRecords,
        RecoveryMode::AbsoluteConsistency,
        RecoveryMode::PointInTime,
        RecoveryMode::SkipAnyCorruptedRecords,
    ] {
        let dir = tempfile::tempdir().unwrap();
        write_records(&segment_path(dir.path(), 1), &[1, u64::MAX]);
        let result = open(dir.path(), mode);
        assert!(
            matches!(
                result,
                Err(Error::SequenceExhausted { .. } | Error::Corrupt { .. })
            ),
            "{mode:?}: {:?}",
            result.err()
        );
    }
}

#[test]
fn a_later_segment_going_back_after_u64_max_is_an_error_not_an_overflow() {
    let dir = tempfile::tempdir().unwrap();
    write_records(&segment_path(dir.path(), 1), &[1, u64::MAX]);
    write_records(&segment_path(dir.path(), 5), &[5]);
    let mut replayed = 0;
    let result =
        strata_wal::read_replaying(dir.path(), RecoveryMode::SkipAnyCorruptedRecords, |_| {
            replayed += 1
        });
    match result {
        Err(Error::Corrupt { reason, .. }) => assert!(reason.contains("follows"), "{reason}"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn a_store_a_step_from_the_last_number_refuses_the_write_that_would_take_it() {
    let dir = tempfile::tempdir().unwrap();
    // A snapshot two short of the end: one more record fits, the last number is kept.
    let mut map = Map::new();
    map.insert(b"k".to_vec(), b"v".to_vec());
    strata_flat_file::write_map(&snapshot_path(dir.path(), u64::MAX - 2), &map).unwrap();
    let db = open(dir.path(), RecoveryMode::default()).unwrap();
    db.put("a", "1").unwrap();
    assert!(matches!(
        db.put("b", "2"),
        Err(Error::SequenceExhausted { .. })
    ));
    db.checkpoint().unwrap();
    drop(db);
    let db = open(dir.path(), RecoveryMode::default()).unwrap();
    assert_eq!(db.get("a").as_deref(), Some(&b"1"[..]));
    assert_eq!(db.get("k").as_deref(), Some(&b"v"[..]));
}
