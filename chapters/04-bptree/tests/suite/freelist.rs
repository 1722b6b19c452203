//! The freelist: its page read back (with the 0xFFFF count form, and counts
//! a hostile page gets wrong), and what a commit stores. (First-fit
//! allocation, pending pages released only after readers and the page's
//! encoding are plumbing the exercise crate shares, so they are checked in
//! `tests/plumbing.rs`, outside this suite. That a reader's pages are not
//! reused while it runs is checked through real transactions in `concurrency`.)

use super::{assert_consistent, create, key, options, value};
use crate::bptree::freelist::{self, Freelist};
use crate::bptree::meta::NO_FREELIST;
use crate::bptree::page::Page;
use crate::bptree::{DB, Options};

fn round_trip(ids: &[u64]) -> Vec<u64> {
    let len = freelist::encoded_len(ids.len());
    let mut bytes = vec![0; len.next_multiple_of(4096)];
    bytes[0..8].copy_from_slice(&2u64.to_le_bytes());
    freelist::encode_into(ids, &mut bytes);
    freelist::decode(&Page::parse(2, &bytes).unwrap()).unwrap()
}

#[test]
fn freelist_pages_round_trip_including_the_0xffff_form() {
    assert_eq!(round_trip(&[]), Vec::<u64>::new());
    assert_eq!(round_trip(&[4, 5, 9]), [4, 5, 9]);
    let many: Vec<u64> = (2..2 + 0x1_0000).collect();
    assert_eq!(round_trip(&many), many);
    let edge: Vec<u64> = (2..2 + 0xFFFF).collect();
    assert_eq!(
        round_trip(&edge),
        edge,
        "exactly 0xFFFF ids use the long form"
    );
}

#[test]
fn a_hostile_count_is_an_error() {
    let mut bytes = vec![0u8; 4096];
    bytes[8..10].copy_from_slice(&0x10u16.to_le_bytes());
    bytes[10..12].copy_from_slice(&0xFFFFu16.to_le_bytes());
    bytes[16..24].copy_from_slice(&(1u64 << 60).to_le_bytes());
    assert!(freelist::decode(&Page::parse(2, &bytes).unwrap()).is_err());
}

#[test]
fn a_count_larger_than_the_page_is_an_error() {
    let mut bytes = vec![0u8; 64];
    bytes[8..10].copy_from_slice(&0x10u16.to_le_bytes());
    bytes[10..12].copy_from_slice(&6u16.to_le_bytes()); // room for 6 ids
    assert_eq!(
        freelist::decode(&Page::parse(2, &bytes).unwrap())
            .unwrap()
            .len(),
        6
    );
    bytes[10..12].copy_from_slice(&7u16.to_le_bytes());
    assert!(freelist::decode(&Page::parse(2, &bytes).unwrap()).is_err());
    // The long form needs its count: a page that ends first is an error.
    let mut short = vec![0u8; 20];
    short[8..10].copy_from_slice(&0x10u16.to_le_bytes());
    short[10..12].copy_from_slice(&0xFFFFu16.to_le_bytes());
    assert!(freelist::decode(&Page::parse(2, &short).unwrap()).is_err());
}

#[test]
fn a_page_of_unsorted_ids_is_read_as_a_set() {
    let mut bytes = vec![0u8; 64];
    bytes[8..10].copy_from_slice(&0x10u16.to_le_bytes());
    bytes[10..12].copy_from_slice(&3u16.to_le_bytes());
    for (i, id) in [9u64, 4, 5].into_iter().enumerate() {
        bytes[16 + 8 * i..24 + 8 * i].copy_from_slice(&id.to_le_bytes());
    }
    let ids = freelist::decode(&Page::parse(2, &bytes).unwrap()).unwrap();
    let mut list = Freelist::from_ids(ids);
    assert_eq!(list.all_ids(), [4, 5, 9]);
    assert_eq!(list.allocate(2), Some(4));
}

/// The ids on the freelist page of the latest commit.
fn stored_ids(db: &DB) -> Vec<u64> {
    let tx = db.begin_read();
    let page = tx.pages().page(tx.meta().freelist).unwrap();
    assert_eq!(page.flags, 0x10);
    freelist::decode(&page).unwrap()
}

#[test]
fn a_commit_stores_free_and_pending_pages_together() {
    let (_dir, _path, db) = create(options());
    db.update(|tx| {
        let mut b = tx.create_bucket(b"b")?;
        for i in 0..400 {
            b.put(&key(i), &value(i, 0, 40))?;
        }
        Ok(())
    })
    .unwrap();
    let before = db.begin_read();
    let old_pages: Vec<u64> = super::tree_pages(&before, super::bucket_root(&before, &[b"b"]))
        .iter()
        .map(|p| p.id)
        .collect();
    drop(before);
    // Rewriting every leaf frees every old page: they are pending under this
    // transaction, and the freelist page lists them (after a restart no
    // reader can hold them).
    db.update(|tx| {
        let mut b = tx.bucket(b"b")?.unwrap();
        for i in 0..400 {
            b.put(&key(i), &value(i, 1, 40))?;
        }
        Ok(())
    })
    .unwrap();
    let stored = stored_ids(&db);
    for id in &old_pages {
        assert!(stored.contains(id), "page {id} freed but not stored");
    }
    assert!(
        stored.windows(2).all(|w| w[0] < w[1]),
        "sorted, no duplicates"
    );
    assert_consistent(&db.begin_read());
}

#[test]
fn a_file_without_a_freelist_gets_one_rebuilt() {
    let (_dir, path, db) = create(Options {
        no_freelist_sync: true,
        ..options()
    });
    for round in 0..3 {
        db.update(|tx| {
            let mut b = tx.create_bucket_if_not_exists(b"b")?;
            for i in 0..300 {
                b.put(&key(i), &value(i, round, 50))?;
            }
            Ok(())
        })
        .unwrap();
    }
    let expected = super::committed(&db);
    assert_eq!(db.begin_read().meta().freelist, NO_FREELIST);
    // check() has no freelist to compare with; the file still reads back.
    assert_eq!(db.begin_read().check(), Vec::<String>::new());
    drop(db);

    // Reopened with a freelist: it is rebuilt from the unreachable pages and
    // stored at once, and nothing is both free and in use.
    let db = DB::open(&path, options()).unwrap();
    let tx = db.begin_read();
    assert_ne!(tx.meta().freelist, NO_FREELIST);
    assert_consistent(&tx);
    let rebuilt = stored_ids(&db);
    assert!(!rebuilt.is_empty(), "rounds of rewrites left free pages");
    drop(tx);
    assert_eq!(super::committed(&db), expected);
    db.update(|tx| {
        let mut b = tx.bucket(b"b")?.unwrap();
        for i in 0..300 {
            b.put(&key(i), &value(i, 9, 50))?;
        }
        Ok(())
    })
    .unwrap();
    let tx = db.begin_read();
    assert_consistent(&tx);
    let now_used: Vec<u64> = super::tree_pages(&tx, super::bucket_root(&tx, &[b"b"]))
        .iter()
        .map(|p| p.id)
        .collect();
    assert!(
        now_used.iter().any(|id| rebuilt.contains(id)),
        "the rebuilt free pages are reused: {now_used:?} {rebuilt:?}"
    );
}
