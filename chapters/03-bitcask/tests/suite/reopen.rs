//! Rebuilding the keydir on open: from valid hints, else by scanning.

use std::fs;

use super::{contents, data_files, hint_of, open, options};
use crate::bitcask::{Bitcask, Error, Options};

fn three_files(dir: &std::path::Path) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut db = open(dir);
    for i in 0..60u32 {
        db.put(format!("key{i:02}").as_bytes(), &[i as u8; 40])
            .unwrap();
    }
    for i in 0..20u32 {
        db.delete(format!("key{i:02}").as_bytes()).unwrap();
        db.put(format!("key{:02}", 59 - i).as_bytes(), b"changed")
            .unwrap();
    }
    let expected = contents(&db);
    db.close().unwrap();
    expected
}

#[test]
fn a_clean_close_lets_every_file_load_from_its_hint() {
    let dir = tempfile::tempdir().unwrap();
    let expected = three_files(dir.path());
    let db = open(dir.path());
    let report = db.open_report();
    assert_eq!(report.scanned, 0);
    assert_eq!(report.from_hints as usize, data_files(dir.path()).len());
    assert_eq!(contents(&db), expected);
}

#[test]
fn without_hints_the_data_files_are_scanned_to_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    let expected = three_files(dir.path());
    for file in data_files(dir.path()) {
        fs::remove_file(hint_of(&file)).unwrap();
    }
    let db = open(dir.path());
    assert_eq!(db.open_report().from_hints, 0);
    assert_eq!(contents(&db), expected);
}

#[test]
fn a_hint_with_a_damaged_trailer_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let expected = three_files(dir.path());
    let first = &data_files(dir.path())[0];
    let mut hint = fs::read(hint_of(first)).unwrap();
    let last = hint.len() - 9; // inside the trailer's CRC
    hint[last] ^= 0xff;
    fs::write(hint_of(first), &hint).unwrap();
    let db = open(dir.path());
    assert_eq!(db.open_report().scanned, 1);
    assert_eq!(contents(&db), expected);
}

#[test]
fn a_dropped_cask_leaves_a_hint_without_trailer_and_the_data_is_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(b"k", b"v").unwrap();
    drop(db); // no close: no hint trailer
    let db = open(dir.path());
    assert_eq!(
        (db.open_report().scanned, db.open_report().from_hints),
        (1, 0)
    );
    assert_eq!(db.get(b"k").unwrap(), Some(b"v".to_vec()));
}

#[test]
fn a_hint_pointing_past_the_data_cuts_that_files_hints_short() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(b"a", b"1").unwrap();
    db.put(b"b", b"2").unwrap();
    db.close().unwrap();
    let data = &data_files(dir.path())[0];
    let len = fs::metadata(data).unwrap().len();
    fs::OpenOptions::new()
        .write(true)
        .open(data)
        .unwrap()
        .set_len(len - 5)
        .unwrap();
    let db = open(dir.path());
    assert_eq!(db.open_report().hints_cut_short, [1]);
    assert_eq!(contents(&db), [(b"a".to_vec(), b"1".to_vec())]);
}

#[test]
fn reopening_writes_to_a_new_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(b"a", b"1").unwrap();
    db.close().unwrap();
    let mut db = open(dir.path());
    db.put(b"b", b"2").unwrap();
    db.close().unwrap();
    assert_eq!(data_files(dir.path()).len(), 2);
    let db = open(dir.path());
    assert_eq!(db.len(), 2);
}

#[test]
fn a_read_only_open_sees_closed_files_beside_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(b"old", b"1").unwrap();
    db.close().unwrap();
    let mut writer = open(dir.path());
    writer.put(b"new", b"2").unwrap();
    writer.sync().unwrap();
    let reader = Bitcask::open_read_only(dir.path(), options()).unwrap();
    assert_eq!(reader.get(b"old").unwrap(), Some(b"1".to_vec()));
    assert_eq!(
        reader.get(b"new").unwrap(),
        None,
        "the writer's active file is left out, as in Riak"
    );
    assert!(matches!(reader.keys().len(), 1));
    writer.close().unwrap();
    let reader = Bitcask::open_read_only(dir.path(), options()).unwrap();
    assert_eq!(reader.len(), 2);
}

#[test]
fn a_read_only_cask_refuses_writes_and_a_missing_one_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(b"k", b"v").unwrap();
    db.close().unwrap();
    let mut reader = Bitcask::open_read_only(dir.path(), options()).unwrap();
    assert!(matches!(reader.put(b"k", b"w"), Err(Error::ReadOnly)));
    assert_eq!(reader.get(b"k").unwrap(), Some(b"v".to_vec()));
    let missing = dir.path().join("nope");
    assert!(matches!(
        Bitcask::open_read_only(&missing, options()),
        Err(Error::NotFound { .. })
    ));
    let no_create = Options {
        create_if_missing: false,
        ..options()
    };
    assert!(matches!(
        Bitcask::open(&missing, no_create),
        Err(Error::NotFound { .. })
    ));
}
