//! The `FlatFile` map: changes live in memory until `save`.

use crate::flat_file::{Error, FlatFile, IfMissing, OpenOptions};

fn temp() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.strata");
    (dir, path)
}

#[test]
fn saved_changes_survive_reopen() {
    let (_dir, path) = temp();
    let mut db = FlatFile::open(&path).unwrap();
    db.put("a", "1");
    db.put("b", "2");
    db.put("a", "3");
    db.delete(b"b");
    db.save().unwrap();

    let db = FlatFile::open(&path).unwrap();
    assert_eq!(db.get(b"a"), Some(&b"3"[..]));
    assert_eq!(db.get(b"b"), None);
    assert_eq!(db.len(), 1);
}

#[test]
fn unsaved_changes_are_lost() {
    let (_dir, path) = temp();
    let mut db = FlatFile::open(&path).unwrap();
    db.put("kept", "yes");
    db.save().unwrap();
    db.put("lost", "yes");
    assert!(db.has_unsaved_changes());
    drop(db);
    let db = FlatFile::open(&path).unwrap();
    assert_eq!(db.get(b"lost"), None);
    assert_eq!(db.get(b"kept"), Some(&b"yes"[..]));
    assert!(!db.has_unsaved_changes());
}

#[test]
fn a_missing_file_can_be_an_error() {
    let (_dir, path) = temp();
    let options = OpenOptions {
        if_missing: IfMissing::Error,
    };
    assert!(matches!(
        FlatFile::open_with(&path, options),
        Err(Error::NotFound { .. })
    ));
    let mut db = FlatFile::open(&path).unwrap();
    db.save().unwrap();
    let options = OpenOptions {
        if_missing: IfMissing::Error,
    };
    assert!(FlatFile::open_with(&path, options).unwrap().is_empty());
}

#[test]
fn a_damaged_file_fails_to_open_and_is_left_alone() {
    let (_dir, path) = temp();
    let mut db = FlatFile::open(&path).unwrap();
    db.put("a", "1");
    db.save().unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    assert!(matches!(
        FlatFile::open(&path),
        Err(Error::ChecksumMismatch { .. })
    ));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "opening must not repair or erase"
    );
}

#[test]
fn iteration_and_ranges_are_in_key_order() {
    let (_dir, path) = temp();
    let mut db = FlatFile::open(&path).unwrap();
    for key in ["pear", "apple", "fig", "kiwi", "date"] {
        db.put(key, key.to_uppercase());
    }
    db.save().unwrap();
    let db = FlatFile::open(&path).unwrap();
    let keys: Vec<&[u8]> = db.iter().map(|(k, _)| k).collect();
    assert_eq!(keys, [&b"apple"[..], b"date", b"fig", b"kiwi", b"pear"]);
    let middle: Vec<&[u8]> = db.range("date".."kiwi").map(|(k, _)| k).collect();
    assert_eq!(middle, [&b"date"[..], b"fig"]);
    let tail: Vec<&[u8]> = db.range("g"..).rev().map(|(k, _)| k).collect();
    assert_eq!(tail, [&b"pear"[..], b"kiwi"]);
}

#[test]
fn typed_values_round_trip_through_the_file() {
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Account {
        name: String,
        balance: i64,
        tags: Vec<String>,
    }
    let (_dir, path) = temp();
    let mut db = FlatFile::open(&path).unwrap();
    let account = Account {
        name: "ada".into(),
        balance: -5,
        tags: vec!["vip".into()],
    };
    db.put_as("acct:1", &account).unwrap();
    db.save().unwrap();

    let db = FlatFile::open(&path).unwrap();
    assert_eq!(db.get_as::<Account>(b"acct:1").unwrap(), Some(account));
    assert_eq!(db.get_as::<Account>(b"acct:2").unwrap(), None);
    assert!(matches!(
        db.get_as::<Vec<u64>>(b"acct:1"),
        Err(Error::Value { .. })
    ));
}
