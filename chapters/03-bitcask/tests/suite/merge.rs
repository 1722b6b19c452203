//! Merging: only live entries survive, nothing acknowledged is lost, and a
//! crash at any step leaves a cask that opens to the same contents.

use std::io;

use super::{contents, data_files, open, options};
use crate::bitcask::{Bitcask, Error, MergeStep, Options};

/// A cask with several files, overwrites and deletes; returns its contents.
fn fragmented(db: &mut Bitcask) -> Vec<(Vec<u8>, Vec<u8>)> {
    for round in 0..4u8 {
        for i in 0..40u32 {
            db.put(format!("key{i:02}").as_bytes(), &[round; 30])
                .unwrap();
        }
    }
    for i in 0..10u32 {
        db.delete(format!("key{i:02}").as_bytes()).unwrap();
    }
    contents(db)
}

#[test]
fn merge_keeps_the_contents_and_drops_the_dead() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    let expected = fragmented(&mut db);
    let before: u64 = data_files(dir.path())
        .iter()
        .map(|f| f.metadata().unwrap().len())
        .sum();
    let report = db.merge().unwrap();
    assert!(!report.inputs.is_empty());
    assert_eq!(
        report.entries_copied, 30,
        "only the latest version of each live key"
    );
    assert_eq!(contents(&db), expected);
    let after: u64 = data_files(dir.path())
        .iter()
        .map(|f| f.metadata().unwrap().len())
        .sum();
    assert!(after < before / 2, "{before} bytes before, {after} after");
    for input in &report.inputs {
        assert!(!dir.path().join(format!("{input}.bitcask.data")).exists());
        assert!(!dir.path().join(format!("{input}.bitcask.hint")).exists());
    }
    db.close().unwrap();
    let db = open(dir.path());
    assert_eq!(contents(&db), expected);
    assert_eq!(db.open_report().scanned, 0, "merge output has valid hints");
}

#[test]
fn writes_after_a_merge_win_over_the_merged_copies() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    fragmented(&mut db);
    db.merge().unwrap();
    db.put(b"key20", b"after merge").unwrap();
    db.delete(b"key21").unwrap();
    let expected = contents(&db);
    db.close().unwrap();
    let db = open(dir.path());
    assert_eq!(contents(&db), expected);
    assert_eq!(db.get(b"key20").unwrap(), Some(b"after merge".to_vec()));
    assert_eq!(db.get(b"key21").unwrap(), None);
}

#[test]
fn deleted_keys_stay_deleted_through_merges_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(b"doomed", b"v").unwrap();
    for i in 0..50u32 {
        db.put(format!("filler{i}").as_bytes(), &[1; 40]).unwrap();
    }
    db.delete(b"doomed").unwrap();
    for i in 0..50u32 {
        db.put(format!("more{i}").as_bytes(), &[2; 40]).unwrap();
    }
    db.merge().unwrap();
    db.close().unwrap();
    let mut db = open(dir.path());
    assert_eq!(db.get(b"doomed").unwrap(), None);
    db.merge().unwrap();
    db.close().unwrap();
    assert_eq!(open(dir.path()).get(b"doomed").unwrap(), None);
}

#[test]
fn a_crash_at_every_merge_step_loses_nothing() {
    for step in MergeStep::ALL {
        let dir = tempfile::tempdir().unwrap();
        let mut db = open(dir.path());
        let expected = fragmented(&mut db);
        let crash = |now| {
            if now == step {
                Err(io::Error::other("crash"))
            } else {
                Ok(())
            }
        };
        assert!(db.merge_with(crash).is_err(), "{step:?}");
        drop(db); // the crash

        let mut db = open(dir.path());
        assert_eq!(contents(&db), expected, "after a crash at {step:?}");
        // The cask carries on: merging again and reopening keep the contents.
        db.merge().unwrap();
        db.close().unwrap();
        assert_eq!(contents(&open(dir.path())), expected, "{step:?}");
    }
}

#[test]
fn needs_merge_follows_the_fragmentation_trigger() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    for i in 0..40u32 {
        db.put(format!("key{i:02}").as_bytes(), &[0; 30]).unwrap();
    }
    assert!(!db.needs_merge(), "nothing is dead yet");
    for i in 0..40u32 {
        db.put(format!("key{i:02}").as_bytes(), &[1; 30]).unwrap();
    }
    assert!(db.needs_merge(), "the first files are now all dead");
    db.merge().unwrap();
    assert!(!db.needs_merge());
}

#[test]
fn auto_merge_merges_when_a_file_fills() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = Bitcask::open(
        dir.path(),
        Options {
            auto_merge: true,
            ..options()
        },
    )
    .unwrap();
    for round in 0..10u8 {
        for i in 0..20u32 {
            db.put(format!("key{i:02}").as_bytes(), &[round; 30])
                .unwrap();
        }
    }
    let files = data_files(dir.path()).len();
    assert!(files < 8, "{files} files: auto merge should keep few files");
    assert_eq!(db.len(), 20);
    assert_eq!(db.get(b"key05").unwrap(), Some(vec![9; 30]));
}

#[test]
fn merge_drops_expired_entries() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    for i in 0..40u32 {
        db.put(format!("old{i}").as_bytes(), &[0; 30]).unwrap();
    }
    db.close().unwrap();
    let later = Options {
        expiry_secs: 10,
        clock: crate::bitcask::Clock::Fixed(super::T0 + 100),
        ..options()
    };
    let mut db = Bitcask::open(dir.path(), later).unwrap();
    db.put(b"fresh", b"v").unwrap();
    let report = db.merge().unwrap();
    assert_eq!(report.entries_copied, 0);
    db.close().unwrap();
    let db = open(dir.path());
    assert_eq!(contents(&db), [(b"fresh".to_vec(), b"v".to_vec())]);
}

#[test]
fn writes_after_a_failed_merge_win_over_its_finished_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    fragmented(&mut db);
    // The merge's first output file can be written; its second cannot.
    let files = data_files(dir.path()).len() as u32;
    let blocker = dir.path().join(format!("{}.bitcask.data", files + 2));
    std::fs::create_dir(&blocker).unwrap();
    assert!(db.merge().is_err());
    assert!(
        dir.path()
            .join(format!("{}.bitcask.data", files + 1))
            .exists()
    );
    // The keydir never moved to that output, but its copies are on disk.
    db.put(b"key20", b"after the failed merge").unwrap();
    db.delete(b"key21").unwrap();
    let expected = contents(&db);
    db.close().unwrap();
    std::fs::remove_dir(&blocker).unwrap();
    let db = open(dir.path());
    assert_eq!(contents(&db), expected);
    assert_eq!(
        db.get(b"key20").unwrap(),
        Some(b"after the failed merge".to_vec())
    );
}

#[test]
fn merging_after_a_file_with_the_largest_id_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(b"k", b"v").unwrap();
    db.close().unwrap();
    super::store::renumber_only_file(dir.path(), u32::MAX);
    let mut db = open(dir.path());
    assert!(matches!(db.merge(), Err(Error::OutOfFileIds { .. })));
    drop(db);
    assert_eq!(open(dir.path()).get(b"k").unwrap(), Some(b"v".to_vec()));
}
