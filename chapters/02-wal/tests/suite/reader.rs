//! `read_replaying`: reading a store beside its writer, without the lock,
//! without changing a file.

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::wal::{Error, Map, Op, RecoveryMode, read_replaying};

use super::{contents, open, segments, snapshots, temp_dir};

/// Reads `dir` as a reader beside the writer does, into a map.
fn read(dir: &Path) -> Map {
    let mut map = Map::new();
    read_replaying(dir, RecoveryMode::default(), |op| op.apply(&mut map)).unwrap();
    map
}

fn pairs(map: &Map) -> Vec<(Vec<u8>, Vec<u8>)> {
    map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// Every file in `dir` and its bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    (fs::read_dir(dir).unwrap())
        .map(|e| e.unwrap().path())
        .map(|path| {
            let bytes = fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect()
}

#[test]
fn a_reader_beside_the_writer_sees_everything_written() {
    let dir = temp_dir();
    let store = open(dir.path());
    store.put("a", "1").unwrap();
    store.put("b", "2").unwrap();
    store.delete("a").unwrap();
    // The writer holds the lock; the reader does not need it.
    assert_eq!(pairs(&read(dir.path())), contents(&store));

    store.checkpoint().unwrap();
    store.put("c", "3").unwrap();
    assert_eq!(pairs(&read(dir.path())), contents(&store));
    assert_eq!(contents(&store).len(), 2);
}

#[test]
fn reading_changes_no_file_not_even_a_torn_tail() {
    let dir = temp_dir();
    {
        let store = open(dir.path());
        store.put("a", "1").unwrap();
        store.put("b", "2").unwrap();
    }
    // A record the writer has only begun: a torn tail, to a reader.
    let newest = segments(dir.path()).pop().unwrap();
    let mut segment = OpenOptions::new().append(true).open(&newest).unwrap();
    segment.write_all(&[40, 0, 0, 0, 1, 2]).unwrap();
    let before = files(dir.path());

    let mut map = Map::new();
    let report =
        read_replaying(dir.path(), RecoveryMode::default(), |op| op.apply(&mut map)).unwrap();
    assert_eq!(map.len(), 2, "both intact records read");
    assert!(report.torn_tail.is_some(), "the torn tail is reported");
    assert_eq!(files(dir.path()), before, "and left as it was");

    // Opening for writing is what repairs it.
    let store = open(dir.path());
    assert!(store.recovery().torn_tail.is_some());
    assert_ne!(files(dir.path()), before);
}

#[test]
fn a_checkpoint_during_the_reading_does_not_pull_files_away() {
    let dir = temp_dir();
    let store = open(dir.path());
    for i in 0..100u32 {
        store.put(i.to_be_bytes(), "in the snapshot").unwrap();
    }
    store.checkpoint().unwrap();
    for i in 50..150u32 {
        store.put(i.to_be_bytes(), "in the log").unwrap();
    }
    let mut old_files = segments(dir.path());
    old_files.extend(snapshots(dir.path()));
    let expected = contents(&store);

    // The writer checkpoints (and deletes the snapshot and the segment the
    // reader is about to read) while the reader is handed the snapshot's
    // first entry.
    let mut map = Map::new();
    let mut checkpointed = false;
    read_replaying(dir.path(), RecoveryMode::default(), |op| {
        if !checkpointed {
            store.put("new", "after the reading began").unwrap();
            store.checkpoint().unwrap();
            checkpointed = true;
        }
        op.apply(&mut map);
    })
    .unwrap();
    assert!(checkpointed);
    assert!(
        old_files.iter().all(|s| !s.exists()),
        "the checkpoint removed the files the reader had open"
    );
    // The reader saw the store as it was when it opened the files, maybe
    // with the record appended meanwhile.
    let mut seen = pairs(&map);
    seen.retain(|(k, _)| k.as_slice() != b"new");
    assert_eq!(seen, expected);
}

#[test]
fn a_missing_folder_is_not_found_and_is_not_created() {
    let dir = temp_dir();
    let missing = dir.path().join("nothing-here");
    let err = read_replaying(&missing, RecoveryMode::default(), |_: &Op<'_>| {}).unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert!(!missing.exists());

    // And a real store beside it reads as it should.
    let store = open(dir.path());
    store.put("k", "v").unwrap();
    assert_eq!(pairs(&read(dir.path())), contents(&store));
}
