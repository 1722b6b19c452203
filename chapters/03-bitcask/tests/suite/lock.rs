//! One writer at a time, through Riak's lock file protocol.

use std::fs;

use super::{open, options};
use crate::bitcask::{Bitcask, Error};

#[test]
fn a_second_writer_is_locked_out_until_the_first_closes() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(b"k", b"v").unwrap();
    match Bitcask::open(dir.path(), options()) {
        Err(Error::Locked { path, holder }) => {
            assert!(path.ends_with("bitcask.write.lock"));
            assert!(
                holder.starts_with(&std::process::id().to_string()),
                "{holder}"
            );
            assert!(
                holder.ends_with("1.bitcask.data"),
                "the lock names the active file: {holder}"
            );
        }
        other => panic!("expected Locked, got {other:?}"),
    }
    db.close().unwrap();
    assert!(
        !dir.path().join("bitcask.write.lock").exists(),
        "close releases the lock"
    );
    assert_eq!(open(dir.path()).get(b"k").unwrap(), Some(b"v".to_vec()));
}

#[test]
fn a_stale_lock_from_a_dead_process_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(b"k", b"v").unwrap();
    db.close().unwrap();
    let lock = dir.path().join("bitcask.write.lock");
    fs::write(
        &lock,
        format!(
            "4000000000 {}\n",
            dir.path().join("1.bitcask.data").display()
        ),
    )
    .unwrap();
    let mut db = open(dir.path());
    db.put(b"k2", b"v2").unwrap();
    assert_eq!(db.get(b"k").unwrap(), Some(b"v".to_vec()));
}

#[test]
fn a_lock_riak_would_not_call_stale_keeps_writers_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(b"k", b"v").unwrap();
    db.close().unwrap();
    fs::write(dir.path().join("bitcask.write.lock"), "not a pid").unwrap();
    assert!(matches!(
        Bitcask::open(dir.path(), options()),
        Err(Error::Locked { .. })
    ));
    // Readers are not stopped by the write lock.
    let reader = Bitcask::open_read_only(dir.path(), options()).unwrap();
    assert_eq!(reader.get(b"k").unwrap(), Some(b"v".to_vec()));
}
