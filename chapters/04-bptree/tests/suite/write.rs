//! Write transactions: puts and deletes, the splits and merges a commit
//! makes (a node of exactly a page, huge values, fill percents, trees that
//! shrink back to a leaf, keys before the first), rollback, and the errors
//! a write returns.

use std::collections::BTreeMap;

use super::{
    Rng, assert_consistent, bucket_root, committed, create, key, options, small_pages, tree_pages,
    value,
};
use crate::bptree::{DB, Error, Options};

#[test]
fn smoke() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let db = DB::open(&path, Options::default()).unwrap();
    db.update(|tx| {
        let mut b = tx.create_bucket(b"widgets")?;
        for i in 0..20_000u32 {
            b.put(&i.to_be_bytes(), format!("value {i}").as_bytes())?;
        }
        Ok(())
    })
    .unwrap();
    db.view(|tx| {
        assert!(tx.check().is_empty(), "{:?}", tx.check());
        let b = tx.bucket(b"widgets")?.unwrap();
        for i in 0..20_000u32 {
            assert_eq!(
                b.get(&i.to_be_bytes())?.unwrap(),
                format!("value {i}").as_bytes()
            );
        }
        Ok(())
    })
    .unwrap();
    db.update(|tx| {
        let mut b = tx.bucket(b"widgets")?.unwrap();
        for i in (0..20_000u32).filter(|i| i % 3 != 0) {
            b.delete(&i.to_be_bytes())?;
        }
        Ok(())
    })
    .unwrap();
    drop(db);
    let db = DB::open(&path, Options::default()).unwrap();
    db.view(|tx| {
        assert!(tx.check().is_empty(), "{:?}", tx.check());
        let b = tx.bucket(b"widgets")?.unwrap();
        let mut n = 0;
        b.for_each(|_, _| {
            n += 1;
            Ok(())
        })?;
        assert_eq!(n, 6667);
        Ok(())
    })
    .unwrap();
}

#[test]
fn keys_must_be_non_empty_and_at_most_32768_bytes() {
    let (_dir, _path, db) = create(options());
    db.update(|tx| {
        let mut b = tx.create_bucket(b"b")?;
        assert!(matches!(b.put(b"", b"v"), Err(Error::KeyRequired)));
        let longest = vec![b'k'; 32768];
        b.put(&longest, b"fits")?;
        let too_long = vec![b'k'; 32769];
        assert!(matches!(
            b.put(&too_long, b"v"),
            Err(Error::KeyTooLarge { len: 32769 })
        ));
        assert!(matches!(
            b.create_bucket(&too_long),
            Err(Error::KeyTooLarge { .. })
        ));
        assert!(matches!(
            b.create_bucket(b""),
            Err(Error::BucketNameRequired)
        ));
        b.put(b"empty value", b"")?;
        Ok(())
    })
    .unwrap();
    let tx = db.begin_read();
    assert_consistent(&tx);
    let b = tx.bucket(b"b").unwrap().unwrap();
    assert_eq!(b.get(&vec![b'k'; 32768]).unwrap(), Some(&b"fits"[..]));
    assert_eq!(b.get(b"empty value").unwrap(), Some(&b""[..]));
    assert_eq!(b.get(b"").unwrap(), None);
}

#[test]
fn a_key_holds_a_value_or_a_bucket_never_both() {
    let (_dir, _path, db) = create(options());
    db.update(|tx| {
        let mut b = tx.create_bucket(b"b")?;
        b.put(b"value", b"v")?;
        b.create_bucket(b"bucket")?;
        assert!(matches!(
            b.put(b"bucket", b"v"),
            Err(Error::IncompatibleValue)
        ));
        assert!(matches!(b.delete(b"bucket"), Err(Error::IncompatibleValue)));
        assert!(matches!(
            b.create_bucket(b"value"),
            Err(Error::IncompatibleValue)
        ));
        assert!(matches!(
            b.create_bucket_if_not_exists(b"value"),
            Err(Error::IncompatibleValue)
        ));
        assert!(matches!(
            b.delete_bucket(b"value"),
            Err(Error::IncompatibleValue)
        ));
        assert!(b.bucket(b"value")?.is_none());
        assert!(b.get(b"bucket")?.is_none());
        Ok(())
    })
    .unwrap();
    db.update(|tx| {
        // The same once committed, when the answers come from pages.
        let mut b = tx.bucket(b"b")?.unwrap();
        assert!(matches!(
            b.put(b"bucket", b"v"),
            Err(Error::IncompatibleValue)
        ));
        assert!(matches!(b.delete(b"bucket"), Err(Error::IncompatibleValue)));
        assert!(matches!(
            b.create_bucket(b"value"),
            Err(Error::IncompatibleValue)
        ));
        assert!(matches!(
            b.create_bucket(b"bucket"),
            Err(Error::BucketExists)
        ));
        b.delete(b"missing")?; // deleting a missing key is no error
        Ok(())
    })
    .unwrap();
    let tx = db.begin_read();
    let b = tx.bucket(b"b").unwrap().unwrap();
    assert_eq!(b.get(b"value").unwrap(), Some(&b"v"[..]));
    assert!(b.bucket(b"bucket").unwrap().is_some());
}

#[test]
fn a_write_transaction_reads_its_own_writes() {
    let (_dir, _path, db) = create(options());
    db.update(|tx| tx.create_bucket(b"b")?.put(b"k", b"old"))
        .unwrap();
    let answer = db
        .update(|tx| {
            let mut b = tx.bucket(b"b")?.unwrap();
            assert_eq!(b.get(b"k")?, Some(&b"old"[..]));
            b.put(b"k", b"new")?;
            assert_eq!(b.get(b"k")?, Some(&b"new"[..]));
            b.delete(b"k")?;
            assert_eq!(b.get(b"k")?, None);
            b.put(b"k", b"newer")?;
            Ok(42)
        })
        .unwrap();
    assert_eq!(answer, 42, "update returns the closure's value");
    let tx = db.begin_read();
    assert_eq!(
        tx.bucket(b"b").unwrap().unwrap().get(b"k").unwrap(),
        Some(&b"newer"[..])
    );
}

#[test]
fn rollback_discards_everything_and_leaks_nothing() {
    let (_dir, path, db) = create(small_pages());
    db.update(|tx| {
        let mut b = tx.create_bucket(b"b")?;
        for i in 0..500 {
            b.put(&key(i), &value(i, 0, 30))?;
        }
        Ok(())
    })
    .unwrap();
    let before = committed(&db);
    let pgid = super::pgid(&db);
    let change = |tx: &mut crate::bptree::WriteTx<'_>| -> crate::bptree::Result<()> {
        let mut b = tx.bucket(b"b")?.unwrap();
        for i in (0..500).step_by(3) {
            b.delete(&key(i))?;
        }
        for i in 500..800 {
            b.put(&key(i), &value(i, 1, 30))?;
        }
        b.set_sequence(99)?;
        b.create_bucket(b"nested")?.put(b"x", b"y")?;
        tx.create_bucket(b"other")?;
        tx.delete_bucket(b"b")?;
        Ok(())
    };
    // Explicitly, by dropping, and by an error from `update`'s closure.
    let mut tx = db.begin_write().unwrap();
    change(&mut tx).unwrap();
    tx.rollback();
    let mut tx = db.begin_write().unwrap();
    change(&mut tx).unwrap();
    drop(tx);
    let result: crate::bptree::Result<()> = db.update(|tx| {
        change(tx)?;
        Err(Error::BucketNotFound)
    });
    assert!(matches!(result, Err(Error::BucketNotFound)));
    assert_eq!(committed(&db), before);
    assert_eq!(super::pgid(&db), pgid, "a rollback commits nothing");
    // The pages the rolled-back transactions touched are still the tree's,
    // and the next commit neither leaks nor double-uses any.
    db.update(|tx| tx.bucket(b"b")?.unwrap().put(&key(1), b"after"))
        .unwrap();
    assert_consistent(&db.begin_read());
    drop(db);
    let db = DB::open(&path, small_pages()).unwrap();
    assert_consistent(&db.begin_read());
}

/// The leaf pages of bucket `name`: (elements, overflow) of each, in order.
fn leaves(db: &DB, name: &[u8]) -> Vec<(usize, u32)> {
    let tx = db.begin_read();
    tree_pages(&tx, bucket_root(&tx, &[name]))
        .into_iter()
        .filter(|p| p.is_leaf)
        .map(|p| (p.count, p.overflow))
        .collect()
}

/// `n` keys of 4 bytes ("k000"…) with values of `len` bytes, in bucket `name`.
fn put_sized(db: &DB, name: &[u8], lens: &[usize]) {
    db.update(|tx| {
        let mut b = tx.create_bucket_if_not_exists(name)?;
        for (i, &len) in lens.iter().enumerate() {
            b.put(format!("k{i:03}").as_bytes(), &vec![i as u8; len])?;
        }
        Ok(())
    })
    .unwrap();
}

#[test]
fn a_leaf_of_exactly_a_page_is_split_at_commit() {
    // 8 elements of 16 + 4 + 490 bytes: with the header, exactly 4096.
    let (_dir, _path, db) = create(options());
    put_sized(&db, b"exact", &[490; 8]);
    // Half a page holds three; the other five are under a page.
    assert_eq!(leaves(&db, b"exact"), [(3, 0), (5, 0)]);
    put_sized(&db, b"under", &[490, 490, 490, 490, 490, 490, 490, 489]);
    assert_eq!(leaves(&db, b"under"), [(8, 0)], "4095 bytes stay one page");
    assert_consistent(&db.begin_read());
}

#[test]
fn huge_values_span_several_pages() {
    let (_dir, path, db) = create(options());
    let mut model = BTreeMap::new();
    // Four elements or fewer are never split: four huge values make one
    // leaf of 16 + 4 × (16 + 4 + 10000) bytes, ten pages.
    put_sized(&db, b"four", &[10_000; 4]);
    assert_eq!(leaves(&db, b"four"), [(4, 9)]);
    // Five are split two and three; each piece spans pages.
    put_sized(&db, b"five", &[10_000; 5]);
    assert_eq!(leaves(&db, b"five"), [(2, 4), (3, 7)]);
    // One value of a megabyte, among small ones; and one of exactly a page.
    db.update(|tx| {
        let mut b = tx.create_bucket(b"mixed")?;
        for i in 0..300 {
            let len = match i {
                150 => 1 << 20,
                200 => 4096,
                _ => 50,
            };
            let v = value(i, 0, len);
            b.put(&key(i), &v)?;
            model.insert(key(i), v);
        }
        Ok(())
    })
    .unwrap();
    let big = leaves(&db, b"mixed");
    assert!(big.iter().any(|&(_, overflow)| overflow >= 256), "{big:?}");
    assert_consistent(&db.begin_read());
    let check_mixed = |db: &DB| {
        let tx = db.begin_read();
        let b = tx.bucket(b"mixed").unwrap().unwrap();
        for (k, v) in &model {
            assert_eq!(b.get(k).unwrap(), Some(v.as_slice()));
        }
    };
    check_mixed(&db);
    drop(db);
    let db = DB::open(&path, options()).unwrap();
    check_mixed(&db);

    // Shrinking and deleting huge values frees their pages.
    let pgid = super::pgid(&db);
    db.update(|tx| {
        tx.bucket(b"mixed")?.unwrap().put(&key(150), b"small now")?;
        tx.delete_bucket(b"four")?;
        tx.bucket(b"five")?.unwrap().delete(b"k002")?;
        Ok(())
    })
    .unwrap();
    assert_consistent(&db.begin_read());
    // The megabyte's 257 pages are free again: writing another megabyte
    // reuses them instead of growing the file by as much.
    db.update(|tx| {
        tx.bucket(b"mixed")?
            .unwrap()
            .put(&key(151), &vec![1; 1 << 20])
    })
    .unwrap();
    let grown = super::pgid(&db) - pgid;
    assert!(
        grown < 256,
        "the freed run is reused, yet {grown} pages were added"
    );
    assert_consistent(&db.begin_read());
}

#[test]
fn huge_keys_make_branch_pages_span_pages() {
    let (_dir, path, db) = create(options());
    // Keys of 30,010 bytes: each leaf and branch element is over seven pages.
    let big_key = |i: u32| {
        let mut k = vec![b'k'; 30_000];
        k.extend_from_slice(&key(i));
        k
    };
    let mut model = BTreeMap::new();
    db.update(|tx| {
        let mut b = tx.create_bucket(b"keys")?;
        for i in 0..20 {
            b.put(&big_key(i), &value(i, 0, 10))?;
            model.insert(big_key(i), value(i, 0, 10));
        }
        Ok(())
    })
    .unwrap();
    let tx = db.begin_read();
    let pages = tree_pages(&tx, bucket_root(&tx, &[b"keys"]));
    assert!(
        pages.iter().any(|p| !p.is_leaf && p.overflow > 0),
        "a branch spans pages: {pages:?}"
    );
    assert_consistent(&tx);
    drop(tx);
    db.update(|tx| {
        let mut b = tx.bucket(b"keys")?.unwrap();
        for i in (0..20).step_by(2) {
            b.delete(&big_key(i))?;
            model.remove(&big_key(i));
        }
        Ok(())
    })
    .unwrap();
    drop(db);
    let db = DB::open(&path, options()).unwrap();
    assert_consistent(&db.begin_read());
    assert_eq!(committed(&db).buckets[b"keys".as_slice()].values, model);
}

/// 240 elements of 16 + 10 + 294 = 320 bytes, inserted in key order with
/// `fill`: every leaf but the last holds `per_leaf` (the most that stay
/// under `4096 × fill`, and never fewer than two).
fn assert_fill(fill: f64, per_leaf: usize) {
    let (_dir, _path, db) = create(options());
    db.update(|tx| {
        let mut b = tx.create_bucket(b"b")?;
        b.set_fill_percent(fill);
        for i in 0..240 {
            b.put(&key(i), &value(i, 0, 294))?;
        }
        Ok(())
    })
    .unwrap();
    let counts: Vec<usize> = leaves(&db, b"b").iter().map(|l| l.0).collect();
    assert_eq!(counts.iter().sum::<usize>(), 240);
    let (last, full) = counts.split_last().unwrap();
    assert!(
        full.iter().all(|&n| n == per_leaf),
        "fill {fill}: {counts:?}"
    );
    assert!(*last <= 12, "fill {fill}: the last leaf fits a page");
    assert_consistent(&db.begin_read());
}

#[test]
fn a_fill_percent_of_one_fills_pages() {
    // 16 + 12 × 320 = 3856; a 13th would pass 4096.
    assert_fill(1.0, 12);
}

#[test]
fn the_default_fill_percent_fills_pages_half() {
    // 16 + 6 × 320 = 1936; a 7th would pass 2048.
    assert_fill(0.5, 6);
}

#[test]
fn a_fill_percent_of_a_tenth_leaves_two_per_page() {
    // 409 bytes hold one element, but a piece takes at least two.
    assert_fill(0.1, 2);
}

/// Keys 0..2000 in 1 KiB pages: a tree of three levels.
fn three_levels() -> (tempfile::TempDir, std::path::PathBuf, DB) {
    let (dir, path, db) = create(small_pages());
    db.update(|tx| {
        let mut b = tx.create_bucket(b"b")?;
        for i in 0..2000 {
            b.put(&key(i), &value(i, 0, 20))?;
        }
        Ok(())
    })
    .unwrap();
    let tx = db.begin_read();
    let depth = tree_pages(&tx, bucket_root(&tx, &[b"b"]))
        .iter()
        .map(|p| p.depth)
        .max();
    assert_eq!(depth, Some(2), "three levels");
    drop(tx);
    (dir, path, db)
}

#[test]
fn deleting_collapses_a_tree_back_to_one_leaf() {
    let (_dir, path, db) = three_levels();
    // Delete all but ten keys, in slices over several transactions, so that
    // merges meet clean siblings as well as dirty ones.
    let keep: Vec<u32> = (0..2000).step_by(200).collect();
    for slice in 0..8 {
        db.update(|tx| {
            let mut b = tx.bucket(b"b")?.unwrap();
            for i in (slice..2000).step_by(8).filter(|i| !keep.contains(i)) {
                b.delete(&key(i))?;
            }
            Ok(())
        })
        .unwrap();
        assert_consistent(&db.begin_read());
    }
    // Ten elements of 16 + 10 + 20: over a quarter page (so not inline),
    // under a page: one leaf.
    let tx = db.begin_read();
    let pages = tree_pages(&tx, bucket_root(&tx, &[b"b"]));
    assert_eq!(pages.len(), 1, "{pages:?}");
    assert!(pages[0].is_leaf);
    assert_eq!(pages[0].count, 10);
    let expected: BTreeMap<_, _> = keep.iter().map(|&i| (key(i), value(i, 0, 20))).collect();
    assert_eq!(committed(&db).buckets[b"b".as_slice()].values, expected);
    // Everything the tree gave up is free: besides the metas, the freelist,
    // the root bucket's leaf and this leaf, every page is on the freelist.
    let freelist = tx.pages().page(tx.meta().freelist).unwrap();
    let freelist_pages = 1 + u64::from(freelist.overflow);
    let free = crate::bptree::freelist::decode(&freelist).unwrap().len() as u64;
    assert_eq!(free, tx.meta().pgid - 2 - freelist_pages - 2);
    drop(tx);
    drop(db);
    assert_consistent(&DB::open(&path, small_pages()).unwrap().begin_read());
}

#[test]
fn deleting_everything_leaves_an_empty_inline_bucket() {
    let (_dir, _path, db) = three_levels();
    db.update(|tx| {
        let mut b = tx.bucket(b"b")?.unwrap();
        for i in 0..2000 {
            b.delete(&key(i))?;
        }
        Ok(())
    })
    .unwrap();
    let tx = db.begin_read();
    assert_consistent(&tx);
    assert_eq!(
        bucket_root(&tx, &[b"b"]),
        0,
        "an empty bucket is stored inline"
    );
    let b = tx.bucket(b"b").unwrap().unwrap();
    assert!(b.cursor().first().unwrap().is_none());
    // Only the metas, the freelist and the root bucket's leaf are in use.
    let ids =
        crate::bptree::freelist::decode(&tx.pages().page(tx.meta().freelist).unwrap()).unwrap();
    let freelist_pages = 1 + u64::from(tx.pages().page(tx.meta().freelist).unwrap().overflow);
    assert_eq!(ids.len() as u64, tx.meta().pgid - 2 - freelist_pages - 1);
}

#[test]
fn keys_before_the_first_key_update_every_branch_key() {
    let (_dir, _path, db) = three_levels();
    // One key before everything: the first key of every level changes.
    db.update(|tx| tx.bucket(b"b")?.unwrap().put(b"a", b"first"))
        .unwrap();
    assert_consistent(&db.begin_read());
    // Many, enough to split the first leaf several times.
    db.update(|tx| {
        let mut b = tx.bucket(b"b")?.unwrap();
        for i in 0..300 {
            b.put(format!("a-{i:04}").as_bytes(), &value(i, 2, 20))?;
        }
        Ok(())
    })
    .unwrap();
    assert_consistent(&db.begin_read());
    // And deleting first keys raises them again.
    db.update(|tx| {
        let mut b = tx.bucket(b"b")?.unwrap();
        b.delete(b"a")?;
        for i in 0..150 {
            b.delete(format!("a-{i:04}").as_bytes())?;
        }
        Ok(())
    })
    .unwrap();
    let tx = db.begin_read();
    assert_consistent(&tx);
    let b = tx.bucket(b"b").unwrap().unwrap();
    assert_eq!(b.cursor().first().unwrap().unwrap().key, b"a-0150");
    let root = tx.pages().page(bucket_root(&tx, &[b"b"])).unwrap();
    assert_eq!(root.key(0).unwrap(), b"a-0150", "the root's first key");
}

#[test]
fn random_puts_and_deletes_match_a_btreemap() {
    let (_dir, path, db) = create(small_pages());
    let mut rng = Rng::new(0x5eed);
    let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    for round in 0..25u32 {
        db.update(|tx| {
            let mut b = tx.create_bucket_if_not_exists(b"r")?;
            // Some rounds mostly insert, some mostly delete.
            let delete_share = [2, 5, 8][round as usize % 3];
            for _ in 0..300 {
                let i = rng.below(1500) as u32;
                if rng.below(10) < delete_share {
                    b.delete(&key(i))?;
                    model.remove(&key(i));
                } else {
                    let len = match rng.below(50) {
                        0 => 1500 + rng.below(3000) as usize,
                        n => n as usize * 3,
                    };
                    let v = value(i, round, len);
                    b.put(&key(i), &v)?;
                    model.insert(key(i), v);
                }
            }
            Ok(())
        })
        .unwrap();
        let tx = db.begin_read();
        assert_consistent(&tx);
        drop(tx);
        assert_eq!(
            committed(&db).buckets[b"r".as_slice()].values,
            model,
            "round {round}"
        );
    }
    drop(db);
    let db = DB::open(&path, Options::default()).unwrap();
    assert_eq!(committed(&db).buckets[b"r".as_slice()].values, model);
}
