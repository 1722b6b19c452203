//! Checkpoints: snapshot, new segment, old files removed; a crash at any step
//! loses nothing.

use std::fs;
use std::io;

use super::{contents, open, segments, snapshots, temp_dir};
use crate::wal::{CheckpointStep, Error};

#[test]
fn a_checkpoint_leaves_one_snapshot_and_one_empty_segment() {
    let dir = temp_dir();
    let db = open(dir.path());
    for i in 0..100 {
        db.put(format!("k{i:03}"), format!("v{i}")).unwrap();
    }
    db.checkpoint().unwrap();
    assert_eq!(snapshots(dir.path()).len(), 1);
    assert!(snapshots(dir.path())[0].ends_with("snapshot-00000000000000000100.strata"));
    let segs = segments(dir.path());
    assert_eq!(segs.len(), 1);
    assert!(segs[0].ends_with("wal-00000000000000000101.log"));
    assert_eq!(fs::metadata(&segs[0]).unwrap().len(), 0);
    assert_eq!(db.stats().log_len, 0);
}

#[test]
fn open_loads_the_snapshot_and_replays_only_newer_records() {
    let dir = temp_dir();
    let db = open(dir.path());
    for i in 0..10 {
        db.put(format!("k{i}"), "before").unwrap();
    }
    db.checkpoint().unwrap();
    db.put("k0", "after").unwrap();
    db.delete("k1").unwrap();
    let expected = contents(&db);
    db.close().unwrap();

    let db = open(dir.path());
    assert_eq!(contents(&db), expected);
    let report = db.recovery();
    assert_eq!(
        (
            report.snapshot_seq,
            report.records_replayed,
            report.last_seq
        ),
        (10, 2, 12)
    );
}

#[test]
fn repeated_checkpoints_keep_the_directory_small() {
    let dir = temp_dir();
    let db = open(dir.path());
    for round in 0..5 {
        db.put(format!("round{round}"), "x").unwrap();
        db.checkpoint().unwrap();
    }
    // A checkpoint with nothing new reuses the empty segment.
    db.checkpoint().unwrap();
    assert_eq!(
        (snapshots(dir.path()).len(), segments(dir.path()).len()),
        (1, 1)
    );
    db.close().unwrap();
    assert_eq!(open(dir.path()).len(), 5);
}

#[test]
fn a_crash_at_every_checkpoint_step_loses_nothing() {
    for step in CheckpointStep::ALL {
        let dir = temp_dir();
        let db = open(dir.path());
        for i in 0..20 {
            db.put(format!("k{i}"), format!("{i}")).unwrap();
        }
        db.checkpoint().unwrap(); // an older snapshot exists too
        db.put("k0", "changed").unwrap();
        db.delete("k1").unwrap();
        let expected = contents(&db);
        let crash = |now| {
            if now == step {
                Err(io::Error::other("crash"))
            } else {
                Ok(())
            }
        };
        assert!(db.checkpoint_with(crash).is_err(), "{step:?}");
        drop(db); // the crash

        let db = open(dir.path());
        assert_eq!(contents(&db), expected, "after a crash at {step:?}");
        // The store carries on: writes, checkpoints and reopens all work.
        db.put("k2", "later").unwrap();
        db.checkpoint().unwrap();
        db.put("k3", "later still").unwrap();
        db.close().unwrap();
        let db = open(dir.path());
        assert_eq!(db.get("k2"), Some(b"later".to_vec()), "{step:?}");
        assert_eq!(db.get("k3"), Some(b"later still".to_vec()), "{step:?}");
        assert_eq!(
            (snapshots(dir.path()).len(), segments(dir.path()).len()),
            (1, 1),
            "{step:?}"
        );
    }
}

#[test]
fn writes_after_a_failed_checkpoint_are_kept() {
    let dir = temp_dir();
    let db = open(dir.path());
    db.put("a", "1").unwrap();
    let crash = |now| {
        if now == CheckpointStep::NewSegment {
            Err(io::Error::other("crash"))
        } else {
            Ok(())
        }
    };
    assert!(db.checkpoint_with(crash).is_err());
    // The store goes on writing into the new segment.
    db.put("b", "2").unwrap();
    db.close().unwrap();
    let db = open(dir.path());
    assert_eq!(contents(&db).len(), 2);
}

#[test]
fn a_damaged_snapshot_is_an_error_not_an_empty_store() {
    let dir = temp_dir();
    let db = open(dir.path());
    db.put("k", "v").unwrap();
    db.checkpoint().unwrap();
    db.close().unwrap();
    let snapshot = snapshots(dir.path()).pop().unwrap();
    let mut bytes = fs::read(&snapshot).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    fs::write(&snapshot, &bytes).unwrap();
    let err = crate::wal::Store::open(dir.path(), crate::wal::Options::default()).unwrap_err();
    assert!(matches!(err, Error::Snapshot(_)), "{err}");
}

#[test]
fn a_missing_segment_is_an_error() {
    let dir = temp_dir();
    let db = open(dir.path());
    db.put("a", "1").unwrap();
    db.checkpoint().unwrap();
    db.put("b", "2").unwrap();
    db.close().unwrap();
    // Lose the snapshot: the records it held are in no segment any more.
    fs::remove_file(snapshots(dir.path()).pop().unwrap()).unwrap();
    let err = crate::wal::Store::open(dir.path(), crate::wal::Options::default()).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
}

/// A `Log` keeps no map: recovery hands the snapshot's entries, then every
/// later record, to the caller, who keeps the state and checkpoints it with
/// `checkpoint_from`.
#[test]
fn a_log_hands_over_the_snapshot_then_the_records() {
    use crate::wal::{Log, Map, Op, Options, Store, SyncPolicy};

    let dir = temp_dir();
    let db = open(dir.path());
    db.put("a", "1").unwrap();
    db.put("b", "2").unwrap();
    db.checkpoint().unwrap();
    db.put("c", "3").unwrap();
    db.delete("a").unwrap();
    drop(db);

    let mut seen = Vec::new();
    let options = Options::new(SyncPolicy::Always);
    let log = Log::open(dir.path(), options.clone(), |op: &Op<'_>| {
        seen.push(match op {
            Op::Put { key, value } => format!("put {}={}", str(key), str(value)),
            Op::Delete { key } => format!("delete {}", str(key)),
            Op::Batch(changes) => format!("batch of {}", changes.len()),
        });
    })
    .unwrap();
    assert_eq!(seen, ["put a=1", "put b=2", "put c=3", "delete a"]);

    // Appends are logged; the caller's state is what a checkpoint writes.
    log.append(&Op::Put {
        key: b"d",
        value: b"4",
    })
    .unwrap();
    let state = Map::from([
        (b"b".to_vec(), b"2".to_vec()),
        (b"c".to_vec(), b"3".to_vec()),
        (b"d".to_vec(), b"4".to_vec()),
    ]);
    log.checkpoint_from(&state).unwrap();
    drop(log);
    let reopened = Store::open(dir.path(), options).unwrap();
    let expected: Vec<_> = state.into_iter().collect();
    assert_eq!(contents(&reopened), expected);
}

#[test]
fn a_background_checkpoint_runs_beside_the_writers() {
    let dir = temp_dir();
    let db = open(dir.path());
    for i in 0..1_000 {
        db.put(format!("k{:03}", i % 300), format!("v{i}")).unwrap();
    }
    let at = db.stats().last_seq;
    assert!(db.checkpoint_in_background().unwrap());
    // The log moved to a new segment before the call returned; writes go on
    // while the thread rebuilds the state and saves it.
    assert_eq!(db.stats().log_len, 0);
    for i in 0..50 {
        db.put(format!("after{i}"), "x").unwrap();
    }
    db.delete("k000").unwrap();
    db.finish_background_checkpoint().unwrap();

    let snapshot = format!("snapshot-{at:020}.strata");
    assert_eq!(snapshots(dir.path()).len(), 1);
    assert!(snapshots(dir.path())[0].ends_with(&snapshot));
    let first = format!("wal-{:020}.log", at + 1);
    assert_eq!(segments(dir.path()).len(), 1);
    assert!(segments(dir.path())[0].ends_with(&first));

    let expected = contents(&db);
    drop(db);
    let db = open(dir.path());
    assert_eq!(contents(&db), expected);
    assert_eq!(db.recovery().snapshot_seq, at);
    assert_eq!(db.recovery().records_replayed, 51, "only what came after");
}

#[test]
fn a_background_checkpoint_needs_no_map() {
    use crate::wal::{Log, Map, Op, Options, Store, SyncPolicy};

    let dir = temp_dir();
    let options = Options::new(SyncPolicy::Never);
    let log = Log::open(dir.path(), options.clone(), |_: &Op<'_>| {}).unwrap();
    let mut model = Map::new();
    for i in 0..200u32 {
        let op = Op::Put {
            key: &(i % 50).to_be_bytes(),
            value: &i.to_be_bytes(),
        };
        log.append(&op).unwrap();
        op.apply(&mut model);
    }
    assert!(log.checkpoint_in_background().unwrap());
    log.finish_background_checkpoint().unwrap();
    drop(log);
    let db = Store::open(dir.path(), options).unwrap();
    assert_eq!(db.recovery().records_replayed, 0, "all in the snapshot");
    assert_eq!(contents(&db), model.into_iter().collect::<Vec<_>>());
}

#[test]
fn a_failed_background_checkpoint_is_reported_and_loses_nothing() {
    let dir = temp_dir();
    let db = open(dir.path());
    for i in 0..100 {
        db.put(format!("k{i}"), "v").unwrap();
    }
    // Something in the way of the snapshot's file: saving it fails.
    let at = db.stats().last_seq;
    fs::create_dir(dir.path().join(format!("snapshot-{at:020}.strata"))).unwrap();
    assert!(db.checkpoint_in_background().unwrap());
    db.put("later", "kept").unwrap();
    assert!(db.finish_background_checkpoint().is_err());
    assert!(db.finish_background_checkpoint().is_ok(), "reported once");

    let expected = contents(&db);
    drop(db);
    fs::remove_dir(dir.path().join(format!("snapshot-{at:020}.strata"))).unwrap();
    let db = open(dir.path());
    assert_eq!(contents(&db), expected);
    assert_eq!(db.stats().last_seq, at + 1);
}

#[test]
fn one_checkpoint_at_a_time() {
    let dir = temp_dir();
    let db = open(dir.path());
    for i in 0..10_000 {
        db.put(format!("k{i:05}"), "a value of some length")
            .unwrap();
    }
    assert!(db.checkpoint_in_background().unwrap());
    // A foreground checkpoint waits for the background one, then runs. Had
    // it not waited, the background one would fail (its files gone) or
    // leave its older snapshot beside the newer one.
    db.put("k", "v").unwrap();
    db.checkpoint().unwrap();
    db.finish_background_checkpoint().unwrap();
    assert_eq!(snapshots(dir.path()).len(), 1);
    let last = db.stats().last_seq;
    assert!(snapshots(dir.path())[0].ends_with(format!("snapshot-{last:020}.strata")));
}

fn str(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap()
}
