//! Put, get and delete; files rolling over; Riak's write rules.

use std::fs;

use super::{contents, data_files, open, options};
use crate::bitcask::entry::{self, Tombstone};
use crate::bitcask::scan;
use crate::bitcask::{Bitcask, Error, Options};

#[test]
fn put_get_delete() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(b"apple", b"red").unwrap();
    db.put(b"fig", b"purple").unwrap();
    db.put(b"apple", b"green").unwrap();
    db.delete(b"fig").unwrap();
    assert_eq!(db.get(b"apple").unwrap(), Some(b"green".to_vec()));
    assert_eq!(db.get(b"fig").unwrap(), None);
    assert_eq!(db.get(b"never").unwrap(), None);
    assert_eq!(db.len(), 1);
}

/// `get_with` lends the value to a closure, from the write buffer, the active
/// file or a closed (mapped) file alike, and calls it only for a live key.
#[test]
fn get_with_lends_the_value_wherever_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(b"closed", b"in a mapped file").unwrap();
    db.put(b"gone", b"deleted").unwrap();
    db.delete(b"gone").unwrap();
    drop(db);
    let mut db = open(dir.path());
    db.put(b"active", b"in the active file").unwrap();
    let lent = |db: &Bitcask, key: &[u8]| db.get_with(key, |v| v.to_vec()).unwrap();
    assert_eq!(lent(&db, b"closed"), Some(b"in a mapped file".to_vec()));
    assert_eq!(lent(&db, b"active"), Some(b"in the active file".to_vec()));
    let mut called = false;
    assert_eq!(db.get_with(b"gone", |_| called = true).unwrap(), None);
    assert_eq!(db.get_with(b"never", |_| called = true).unwrap(), None);
    assert!(!called, "no value to lend");
    assert_eq!(db.get_with(b"closed", <[u8]>::len).unwrap(), Some(16));
}

#[test]
fn empty_and_binary_keys_and_values() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(b"", b"empty key").unwrap();
    db.put(&[0, 255, 0], b"").unwrap();
    assert_eq!(db.get(b"").unwrap(), Some(b"empty key".to_vec()));
    assert_eq!(db.get(&[0, 255, 0]).unwrap(), Some(Vec::new()));
}

#[test]
fn writes_survive_close_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    for i in 0..300u32 {
        db.put(format!("key{i}").as_bytes(), &i.to_be_bytes())
            .unwrap();
    }
    for i in (0..300u32).step_by(3) {
        db.delete(format!("key{i}").as_bytes()).unwrap();
    }
    let before = contents(&db);
    db.close().unwrap();
    let db = open(dir.path());
    assert_eq!(contents(&db), before);
    assert_eq!(db.len(), 200);
}

#[test]
fn files_roll_over_at_max_file_size() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path()); // 1 KiB files
    for i in 0..100u32 {
        db.put(format!("key{i:03}").as_bytes(), &[7; 50]).unwrap();
    }
    db.close().unwrap();
    let files = data_files(dir.path());
    assert!(files.len() >= 6, "{} files", files.len());
    for file in &files[..files.len() - 1] {
        let len = fs::metadata(file).unwrap().len();
        assert!(len <= 1024, "{file:?} is {len} bytes");
        assert!(super::hint_of(file).exists(), "every data file has a hint");
    }
    assert_eq!(open(dir.path()).len(), 100);
}

#[test]
fn an_entry_larger_than_a_file_gets_a_file_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(b"small", b"x").unwrap();
    db.put(b"big", &vec![1; 5000]).unwrap();
    db.put(b"after", b"y").unwrap();
    assert_eq!(db.get(b"big").unwrap().map(|v| v.len()), Some(5000));
    db.close().unwrap();
    assert_eq!(data_files(dir.path()).len(), 3);
    assert_eq!(
        open(dir.path()).get(b"big").unwrap().map(|v| v.len()),
        Some(5000)
    );
}

#[test]
fn an_overwrite_across_files_writes_a_tombstone_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(b"k", b"first").unwrap();
    db.close().unwrap();
    let mut db = open(dir.path()); // a reopened cask writes to a new file
    db.put(b"k", b"second").unwrap();
    db.close().unwrap();
    let files = data_files(dir.path());
    assert_eq!(files.len(), 2);
    let mut values = Vec::new();
    scan::scan(&files[1], |e| {
        values.push(e.value);
        Ok(())
    })
    .unwrap();
    assert_eq!(values.len(), 2);
    assert_eq!(
        Tombstone::parse(&values[0]),
        Some(Tombstone::V2(1)),
        "names the file of the old value"
    );
    assert_eq!(values[1], b"second");
}

#[test]
fn a_delete_writes_a_v2_tombstone_and_a_missing_key_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(b"k", b"v").unwrap();
    db.delete(b"missing").unwrap();
    db.delete(b"k").unwrap();
    db.close().unwrap();
    let mut entries = Vec::new();
    scan::scan(&data_files(dir.path())[0], |e| {
        entries.push((e.key, e.value));
        Ok(())
    })
    .unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].0, b"k");
    assert_eq!(entries[1].1, entry::tombstone_v2(1));
}

#[test]
fn limits_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(&vec![1; 65_535], b"the longest key").unwrap();
    assert!(matches!(
        db.put(&vec![1; 65_536], b"v"),
        Err(Error::KeyTooLarge { .. })
    ));
    assert!(matches!(
        db.put(b"k", b"bitcask_tombstone2\0\0\0\x01"),
        Err(Error::ReservedValue)
    ));
    assert_eq!(
        db.get(&vec![1; 65_535]).unwrap(),
        Some(b"the longest key".to_vec())
    );
    assert_eq!(db.len(), 1);
}

#[test]
fn expired_entries_read_as_absent() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(b"old", b"v").unwrap();
    db.close().unwrap();
    let later = Options {
        expiry_secs: 60,
        clock: crate::bitcask::Clock::Fixed(super::T0 + 61),
        ..options()
    };
    let mut db = Bitcask::open(dir.path(), later.clone()).unwrap();
    assert_eq!(db.get(b"old").unwrap(), None);
    assert!(db.keys().is_empty());
    db.put(b"new", b"v").unwrap();
    assert_eq!(db.get(b"new").unwrap(), Some(b"v".to_vec()));
}

#[test]
fn sync_strategies_all_keep_the_data() {
    use crate::bitcask::SyncStrategy;
    use std::time::Duration;
    for sync in [
        SyncStrategy::None,
        SyncStrategy::Always,
        SyncStrategy::Interval(Duration::from_millis(1)),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Bitcask::open(dir.path(), Options { sync, ..options() }).unwrap();
        for i in 0..50u8 {
            db.put(&[i], &[i; 30]).unwrap();
        }
        db.close().unwrap();
        assert_eq!(open(dir.path()).len(), 50, "{sync:?}");
    }
}

/// Renames the only data file (and its hint) of a closed cask to id `id`.
pub fn renumber_only_file(dir: &std::path::Path, id: u32) {
    for ext in ["data", "hint"] {
        fs::rename(
            dir.join(format!("1.bitcask.{ext}")),
            dir.join(format!("{id}.bitcask.{ext}")),
        )
        .unwrap();
    }
}

#[test]
fn a_file_with_the_largest_id_makes_writes_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(b"k", b"v").unwrap();
    db.close().unwrap();
    renumber_only_file(dir.path(), u32::MAX);
    let mut db = open(dir.path());
    assert_eq!(db.get(b"k").unwrap(), Some(b"v".to_vec()));
    for attempt in 0..2 {
        match db.put(b"k2", b"v2") {
            Err(Error::OutOfFileIds { path }) => {
                assert!(path.ends_with("4294967295.bitcask.data"), "{path:?}")
            }
            other => panic!("attempt {attempt}: want OutOfFileIds, got {other:?}"),
        }
    }
    assert_eq!(db.get(b"k").unwrap(), Some(b"v".to_vec()));
}
