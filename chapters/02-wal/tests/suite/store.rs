//! The store's API: writes are logged, reads come from memory, reopen replays.

use super::{contents, open, temp_dir};
use crate::wal::{Batch, Create, Error, Options, Store, SyncPolicy};

#[test]
fn writes_survive_close_and_reopen() {
    let dir = temp_dir();
    let db = open(dir.path());
    db.put("a", "1").unwrap();
    db.put("b", "2").unwrap();
    db.put("a", "3").unwrap();
    assert!(db.delete("b").unwrap());
    assert!(!db.delete("missing").unwrap());
    db.close().unwrap();

    let db = open(dir.path());
    assert_eq!(db.get("a"), Some(b"3".to_vec()));
    assert_eq!(db.get("b"), None);
    assert_eq!(db.len(), 1);
    assert_eq!(db.recovery().records_replayed, 4);
    assert!(db.recovery().is_clean());
}

/// Two threads deleting the same keys: each key is found, and its delete
/// logged, once. (The lookup and the append happen under one lock.)
#[test]
fn racing_deletes_of_one_key_find_it_once() {
    const KEYS: u32 = 300;
    let dir = temp_dir();
    let db = open(dir.path());
    for i in 0..KEYS {
        db.put(i.to_be_bytes(), "v").unwrap();
    }
    let found: u32 = std::thread::scope(|s| {
        let deleters: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    (0..KEYS)
                        .map(|i| u32::from(db.delete(i.to_be_bytes()).unwrap()))
                        .sum::<u32>()
                })
            })
            .collect();
        deleters.into_iter().map(|d| d.join().unwrap()).sum()
    });
    assert_eq!(found, KEYS);
    assert!(db.is_empty());
    db.close().unwrap();
    let db = open(dir.path());
    assert_eq!(db.recovery().records_replayed, u64::from(2 * KEYS));
}

#[test]
fn writes_survive_a_drop_without_close() {
    // Dropping is a crash of the process: the log is in the OS's hands.
    let dir = temp_dir();
    let db = open(dir.path());
    db.put("k", "v").unwrap();
    drop(db);
    assert_eq!(open(dir.path()).get("k"), Some(b"v".to_vec()));
}

#[test]
fn a_batch_is_one_record_applied_whole() {
    let dir = temp_dir();
    let db = open(dir.path());
    db.put("c", "old").unwrap();
    db.write(Batch::new().put("a", "1").put("b", "2").delete("c"))
        .unwrap();
    assert_eq!(db.stats().last_seq, 2, "one record for the whole batch");
    db.close().unwrap();

    let db = open(dir.path());
    assert_eq!(
        contents(&db),
        [
            (b"a".to_vec(), b"1".to_vec()),
            (b"b".to_vec(), b"2".to_vec())
        ]
    );
}

#[test]
fn iteration_and_ranges_are_in_key_order() {
    let dir = temp_dir();
    let db = open(dir.path());
    for key in ["pear", "apple", "fig", "kiwi", "date"] {
        db.put(key, key.to_uppercase()).unwrap();
    }
    db.close().unwrap();
    let db = open(dir.path());
    let view = db.read();
    let keys: Vec<&[u8]> = view.iter().map(|(k, _)| k).collect();
    assert_eq!(keys, [&b"apple"[..], b"date", b"fig", b"kiwi", b"pear"]);
    let middle: Vec<&[u8]> = view.range("date".."kiwi").map(|(k, _)| k).collect();
    assert_eq!(middle, [&b"date"[..], b"fig"]);
    let tail: Vec<&[u8]> = view.range("g"..).rev().map(|(k, _)| k).collect();
    assert_eq!(tail, [&b"pear"[..], b"kiwi"]);
    assert_eq!(view.get(b"fig"), Some(&b"FIG"[..]));
}

#[test]
fn a_second_writer_gets_a_locked_error() {
    let dir = temp_dir();
    let db = open(dir.path());
    db.put("k", "v").unwrap();
    match Store::open(dir.path(), Options::default()) {
        Err(Error::Locked { path }) => assert!(path.ends_with("LOCK")),
        other => panic!("expected Locked, got {other:?}"),
    }
    db.close().unwrap();
    // Closing releases the lock.
    assert_eq!(open(dir.path()).get("k"), Some(b"v".to_vec()));
}

#[test]
fn a_missing_directory_can_be_an_error() {
    let dir = temp_dir();
    let missing = dir.path().join("nope");
    let options = Options::new(SyncPolicy::Never).create(Create::Never);
    assert!(matches!(
        Store::open(&missing, options),
        Err(Error::NotFound { .. })
    ));
    let db = open(&missing);
    db.put("k", "v").unwrap();
    db.close().unwrap();
    let options = Options::new(SyncPolicy::Never).create(Create::Never);
    assert_eq!(
        Store::open(&missing, options).unwrap().get("k"),
        Some(b"v".to_vec())
    );
}

#[test]
fn many_writers_on_a_shared_store_all_land() {
    let dir = temp_dir();
    let db = Store::open(dir.path(), Options::new(SyncPolicy::Always)).unwrap();
    std::thread::scope(|s| {
        for t in 0..4 {
            let db = &db;
            s.spawn(move || {
                for i in 0..50 {
                    db.put(format!("{t}-{i:03}"), format!("{i}")).unwrap();
                }
            });
        }
    });
    db.close().unwrap();
    let db = open(dir.path());
    assert_eq!(db.len(), 200);
    assert_eq!(db.get("3-049"), Some(b"49".to_vec()));
    assert_eq!(db.recovery().last_seq, 200);
}
