//! The two meta pages as transactions use them: the fresh file's, the slot
//! each commit writes, the fallback to the older one when the newer is
//! damaged, and the page size a file keeps. (Their bytes, their checksum and
//! the choice between two metas are plumbing the exercise crate shares, so
//! they are checked in `tests/plumbing.rs`, outside this suite.)

use std::fs;

use super::{committed, key, options, temp_file};
use crate::bptree::db::initial_file;
use crate::bptree::meta::Meta;
use crate::bptree::{DB, Options};

fn read_only() -> Options {
    Options::read_only()
}

fn write_file(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, path) = temp_file();
    fs::write(&path, bytes).unwrap();
    (dir, path)
}

#[test]
fn the_initial_file_is_empty_and_uses_meta_1() {
    let (_dir, path) = write_file(&initial_file(4096));
    let db = DB::open(&path, read_only()).unwrap();
    assert_eq!(db.page_size(), 4096);
    db.view(|tx| {
        assert_eq!(tx.id(), 1, "the larger txid wins");
        assert_eq!(tx.meta().root, 3);
        assert_eq!(tx.meta().freelist, 2);
        assert_eq!(tx.meta().pgid, 4);
        assert!(tx.root().cursor().first()?.is_none());
        assert!(tx.root().cursor().last()?.is_none());
        assert!(tx.bucket(b"missing")?.is_none());
        Ok(())
    })
    .unwrap();
}

#[test]
fn commits_alternate_between_the_two_metas() {
    let (_dir, path) = temp_file();
    let db = DB::open(&path, options()).unwrap();
    let mut seen = Vec::new();
    for round in 0..4u32 {
        db.update(|tx| tx.create_bucket_if_not_exists(b"b")?.put(&key(round), b"x"))
            .unwrap();
        let bytes = fs::read(&path).unwrap();
        let meta0 = Meta::decode(&bytes[..4096]).unwrap();
        let meta1 = Meta::decode(&bytes[4096..8192]).unwrap();
        seen.push((meta0.txid, meta1.txid));
        assert_eq!(db.begin_read().id(), 2 + u64::from(round));
    }
    // Transaction n is written to slot n % 2; the other slot keeps n - 1.
    assert_eq!(seen, [(2, 1), (2, 3), (4, 3), (4, 5)]);
}

#[test]
fn a_reopened_file_continues_from_the_newer_meta_or_falls_back() {
    let (_dir, path) = temp_file();
    let db = DB::open(&path, options()).unwrap();
    db.update(|tx| tx.create_bucket(b"b")?.put(b"k", b"first"))
        .unwrap();
    let first = committed(&db);
    db.update(|tx| tx.bucket(b"b")?.unwrap().put(b"k", b"second"))
        .unwrap();
    let second = committed(&db);
    drop(db);

    let db = DB::open(&path, options()).unwrap();
    assert_eq!(db.begin_read().id(), 3);
    assert_eq!(committed(&db), second);
    drop(db);

    // Transaction 3 is in slot 1: damage it, and transaction 2 is what is left.
    let mut bytes = fs::read(&path).unwrap();
    bytes[4096 + 40] ^= 0x01;
    fs::write(&path, &bytes).unwrap();
    let db = DB::open(&path, options()).unwrap();
    assert_eq!(db.begin_read().id(), 2);
    assert_eq!(committed(&db), first);
    super::assert_consistent(&db.begin_read());
}

#[test]
fn an_existing_file_keeps_its_own_page_size() {
    let (_dir, path) = temp_file();
    let db = DB::open(&path, super::small_pages()).unwrap();
    db.update(|tx| tx.create_bucket(b"b")?.put(b"k", &[1; 3000]))
        .unwrap();
    let expected = committed(&db);
    drop(db);
    let db = DB::open(&path, options()).unwrap();
    assert_eq!(
        db.page_size(),
        1024,
        "the file's page size, not the option's"
    );
    assert_eq!(committed(&db), expected);
    db.update(|tx| tx.bucket(b"b")?.unwrap().put(b"k2", &[2; 3000]))
        .unwrap();
    super::assert_consistent(&db.begin_read());
}
