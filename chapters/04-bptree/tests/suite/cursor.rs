//! Cursors: every key in order both ways across page boundaries, seeks to
//! present and missing keys, empty buckets, trees a write transaction has
//! half changed, and deleting under a cursor.

use std::collections::BTreeMap;

use super::{assert_consistent, bucket_root, create, key, small_pages, tree_pages, value};
use crate::bptree::{Cursor, DB, Error};

/// Even keys 0, 2, … 1998 (1000 keys) with 20-byte values, in 1 KiB pages:
/// a tree of three levels.
fn evens() -> (tempfile::TempDir, DB, BTreeMap<Vec<u8>, Vec<u8>>) {
    let (dir, _path, db) = create(small_pages());
    let mut model = BTreeMap::new();
    db.update(|tx| {
        let mut b = tx.create_bucket(b"c")?;
        for i in (0..2000).step_by(2) {
            b.put(&key(i), &value(i, 0, 20))?;
            model.insert(key(i), value(i, 0, 20));
        }
        Ok(())
    })
    .unwrap();
    (dir, db, model)
}

type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

fn forward(cursor: &mut Cursor<'_>) -> Pairs {
    let mut out = Vec::new();
    let mut entry = cursor.first().unwrap();
    while let Some(e) = entry {
        out.push((e.key.to_vec(), e.value.to_vec()));
        entry = cursor.next().unwrap();
    }
    out
}

fn backward(cursor: &mut Cursor<'_>) -> Pairs {
    let mut out = Vec::new();
    let mut entry = cursor.last().unwrap();
    while let Some(e) = entry {
        out.push((e.key.to_vec(), e.value.to_vec()));
        entry = cursor.prev().unwrap();
    }
    out
}

fn pairs(model: &BTreeMap<Vec<u8>, Vec<u8>>) -> Pairs {
    model.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// For every key in `0..=limit` (present or not): seek lands on the first
/// key not below it, and next and prev from there step to its neighbours.
fn assert_seeks<'t>(make: &dyn Fn() -> Cursor<'t>, model: &BTreeMap<Vec<u8>, Vec<u8>>, limit: u32) {
    for i in 0..=limit {
        let target = key(i);
        let mut after = model.range(target.clone()..);
        let expected = after.next().map(|(k, _)| k.clone());
        let following = after.next().map(|(k, _)| k.clone());
        let mut cursor = make();
        let found = cursor.seek(&target).unwrap().map(|e| e.key.to_vec());
        assert_eq!(found, expected, "seek {i}");
        let Some(found) = found else { continue };
        assert_eq!(
            cursor.next().unwrap().map(|e| e.key.to_vec()),
            following,
            "next after seek {i}"
        );
        let mut cursor = make();
        cursor.seek(&target).unwrap();
        let preceding = model.range(..found).next_back().map(|(k, _)| k.clone());
        assert_eq!(
            cursor.prev().unwrap().map(|e| e.key.to_vec()),
            preceding,
            "prev after seek {i}"
        );
    }
}

#[test]
fn a_read_cursor_walks_every_key_both_ways() {
    let (_dir, db, model) = evens();
    let tx = db.begin_read();
    let depth = tree_pages(&tx, bucket_root(&tx, &[b"c"]))
        .iter()
        .map(|p| p.depth)
        .max()
        .unwrap();
    assert!(depth >= 2, "the tree has three levels");
    let bucket = tx.bucket(b"c").unwrap().unwrap();
    assert_eq!(forward(&mut bucket.cursor()), pairs(&model));
    let mut reversed = pairs(&model);
    reversed.reverse();
    assert_eq!(backward(&mut bucket.cursor()), reversed);
}

#[test]
fn a_cursor_turns_around_at_every_position() {
    let (_dir, db, model) = evens();
    let tx = db.begin_read();
    let bucket = tx.bucket(b"c").unwrap().unwrap();
    let keys: Vec<&Vec<u8>> = model.keys().collect();
    let mut cursor = bucket.cursor();
    assert_eq!(cursor.first().unwrap().unwrap().key, keys[0].as_slice());
    for i in 1..keys.len() {
        // Two steps forward, one back: every leaf boundary is crossed both ways.
        assert_eq!(cursor.next().unwrap().unwrap().key, keys[i].as_slice());
        if i + 1 < keys.len() {
            assert_eq!(cursor.next().unwrap().unwrap().key, keys[i + 1].as_slice());
            assert_eq!(cursor.prev().unwrap().unwrap().key, keys[i].as_slice());
        }
    }
    assert!(cursor.next().unwrap().is_none(), "past the last key");
    assert_eq!(
        cursor.last().unwrap().unwrap().key,
        keys[keys.len() - 1].as_slice()
    );
    assert!(cursor.first().unwrap().is_some());
    assert!(cursor.prev().unwrap().is_none(), "before the first key");
}

#[test]
fn a_cursor_may_turn_round_at_a_leaf_boundary_any_number_of_times() {
    // Each turn steps onto pages again: many more steps than the file has
    // pages, which in a sound tree is never mistaken for damage.
    let (_dir, db, model) = evens();
    let tx = db.begin_read();
    let first_leaf = tree_pages(&tx, bucket_root(&tx, &[b"c"]))
        .into_iter()
        .find(|p| p.is_leaf)
        .unwrap();
    let keys: Vec<&Vec<u8>> = model.keys().collect();
    let (last_of_one, first_of_next) = (keys[first_leaf.count - 1], keys[first_leaf.count]);
    let bucket = tx.bucket(b"c").unwrap().unwrap();
    let mut cursor = bucket.cursor();
    cursor.seek(last_of_one).unwrap();
    for _ in 0..10 * tx.meta().pgid {
        assert_eq!(
            cursor.next().unwrap().unwrap().key,
            first_of_next.as_slice()
        );
        assert_eq!(cursor.prev().unwrap().unwrap().key, last_of_one.as_slice());
    }
}

#[test]
fn a_read_cursor_seeks_present_and_missing_keys() {
    let (_dir, db, model) = evens();
    let tx = db.begin_read();
    let bucket = tx.bucket(b"c").unwrap().unwrap();
    assert_seeks(&|| bucket.cursor(), &model, 2001);
    let mut cursor = bucket.cursor();
    assert_eq!(cursor.seek(b"").unwrap().unwrap().key, key(0));
    assert_eq!(cursor.seek(b"key-").unwrap().unwrap().key, key(0));
    assert!(
        cursor.seek(b"key-999999").unwrap().is_none(),
        "past the end"
    );
    assert!(cursor.seek(b"\xff").unwrap().is_none());
    let e = cursor.seek(&key(1000)).unwrap().unwrap();
    assert_eq!((e.key, e.value), (&key(1000)[..], &value(1000, 0, 20)[..]));
    assert!(!e.is_bucket());
}

#[test]
fn a_write_cursor_sees_a_half_changed_tree() {
    let (_dir, db, mut model) = evens();
    let mut tx = db.begin_write().unwrap();
    {
        let mut b = tx.bucket(b"c").unwrap().unwrap();
        // Empty a run of leaves entirely, thin another, add keys before the
        // first, between, and after the last: the tree then mixes clean
        // pages, dirty nodes and empty dirty leaves.
        for i in (400..800).step_by(2) {
            b.delete(&key(i)).unwrap();
            model.remove(&key(i));
        }
        for i in (1000..1400).step_by(6) {
            b.delete(&key(i)).unwrap();
            model.remove(&key(i));
        }
        for i in (1501..1700).step_by(2).chain(2001..2300) {
            b.put(&key(i), b"new").unwrap();
            model.insert(key(i), b"new".to_vec());
        }
        b.put(b"a", b"before everything").unwrap();
        model.insert(b"a".to_vec(), b"before everything".to_vec());

        assert_eq!(forward(&mut b.cursor()), pairs(&model));
        let mut reversed = pairs(&model);
        reversed.reverse();
        assert_eq!(backward(&mut b.cursor()), reversed);
        assert_seeks(&|| b.cursor(), &model, 2400);
        assert!(b.cursor().seek(&key(500)).unwrap().unwrap().key == key(800));
    }
    tx.commit().unwrap();
    let tx = db.begin_read();
    assert_consistent(&tx);
    let bucket = tx.bucket(b"c").unwrap().unwrap();
    assert_eq!(forward(&mut bucket.cursor()), pairs(&model));
    assert_seeks(&|| bucket.cursor(), &model, 2400);
}

#[test]
fn empty_buckets_have_no_first_last_or_seek() {
    let (_dir, db, _) = evens();
    let assert_empty = |cursor: &mut Cursor<'_>| {
        assert!(cursor.first().unwrap().is_none());
        assert!(cursor.next().unwrap().is_none());
        assert!(cursor.last().unwrap().is_none());
        assert!(cursor.prev().unwrap().is_none());
        assert!(cursor.seek(b"").unwrap().is_none());
        assert!(cursor.seek(&key(7)).unwrap().is_none());
    };
    let mut tx = db.begin_write().unwrap();
    {
        let b = tx.create_bucket(b"new").unwrap();
        assert_empty(&mut b.cursor());
    }
    {
        // A tree of three levels emptied by this transaction: every leaf is
        // an empty node until the commit rebalances them away.
        let mut b = tx.bucket(b"c").unwrap().unwrap();
        for i in (0..2000).step_by(2) {
            b.delete(&key(i)).unwrap();
        }
        assert_empty(&mut b.cursor());
        assert!(b.get(&key(0)).unwrap().is_none());
    }
    tx.commit().unwrap();
    let tx = db.begin_read();
    assert_consistent(&tx);
    assert_empty(&mut tx.bucket(b"new").unwrap().unwrap().cursor());
    assert_empty(&mut tx.bucket(b"c").unwrap().unwrap().cursor());
}

#[test]
fn a_write_cursor_skips_leaves_emptied_at_either_end() {
    let (_dir, db, mut model) = evens();
    let mut tx = db.begin_write().unwrap();
    let mut b = tx.bucket(b"c").unwrap().unwrap();
    // The first and last leaves (and more) are empty nodes until the commit.
    for i in (0..600).step_by(2).chain((1400..2000).step_by(2)) {
        b.delete(&key(i)).unwrap();
        model.remove(&key(i));
    }
    let mut cursor = b.cursor();
    assert_eq!(cursor.first().unwrap().unwrap().key, key(600));
    assert_eq!(cursor.prev().unwrap(), None);
    assert_eq!(cursor.last().unwrap().unwrap().key, key(1398));
    assert_eq!(cursor.next().unwrap(), None);
    assert_eq!(cursor.seek(&key(0)).unwrap().unwrap().key, key(600));
    assert_eq!(cursor.seek(&key(1399)).unwrap(), None);
    assert_eq!(forward(&mut b.cursor()), pairs(&model));
    let mut reversed = pairs(&model);
    reversed.reverse();
    assert_eq!(backward(&mut b.cursor()), reversed);
    let mut cursor_mut = b.cursor_mut();
    assert_eq!(cursor_mut.first().unwrap().unwrap().key, key(600));
    assert_eq!(cursor_mut.last().unwrap().unwrap().key, key(1398));
}

#[test]
fn a_cursor_walks_an_inline_bucket() {
    let (_dir, _path, db) = create(small_pages());
    let mut model = BTreeMap::new();
    db.update(|tx| {
        let mut b = tx.create_bucket(b"inline")?;
        for i in (0..14).step_by(2) {
            b.put(&key(i), &value(i, 0, 3))?;
            model.insert(key(i), value(i, 0, 3));
        }
        Ok(())
    })
    .unwrap();
    let tx = db.begin_read();
    assert_eq!(bucket_root(&tx, &[b"inline"]), 0, "stored inline");
    let bucket = tx.bucket(b"inline").unwrap().unwrap();
    assert_eq!(forward(&mut bucket.cursor()), pairs(&model));
    let mut reversed = pairs(&model);
    reversed.reverse();
    assert_eq!(backward(&mut bucket.cursor()), reversed);
    assert_seeks(&|| bucket.cursor(), &model, 15);
}

#[test]
fn a_cursor_shows_nested_buckets_as_bucket_entries() {
    let (_dir, _path, db) = create(small_pages());
    db.update(|tx| {
        let mut b = tx.create_bucket(b"top")?;
        b.put(b"a", b"1")?;
        b.create_bucket(b"b")?.put(b"inner", b"2")?;
        b.put(b"c", b"3")?;
        tx.create_bucket(b"second")?;
        Ok(())
    })
    .unwrap();
    let tx = db.begin_read();
    let top_level: Vec<_> = forward(&mut tx.root().cursor())
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(top_level, [b"second".to_vec(), b"top".to_vec()]);
    let top = tx.bucket(b"top").unwrap().unwrap();
    let mut cursor = top.cursor();
    let flags: Vec<(Vec<u8>, bool)> = [cursor.first(), cursor.next(), cursor.next()]
        .into_iter()
        .map(|e| {
            let e = e.unwrap().unwrap();
            (e.key.to_vec(), e.is_bucket())
        })
        .collect();
    assert_eq!(
        flags,
        [
            (b"a".to_vec(), false),
            (b"b".to_vec(), true),
            (b"c".to_vec(), false)
        ]
    );
    assert!(top.get(b"b").unwrap().is_none(), "a bucket is not a value");
    let mut seen = Vec::new();
    top.for_each(|k, v| {
        seen.push((k.to_vec(), v.map(<[u8]>::to_vec)));
        Ok(())
    })
    .unwrap();
    assert_eq!(seen[1], (b"b".to_vec(), None));
}

#[test]
fn deleting_under_a_cursor_visits_every_key_once() {
    let (_dir, db, mut model) = evens();
    let mut visited = Vec::new();
    db.update(|tx| {
        let mut b = tx.bucket(b"c")?.unwrap();
        let mut cursor = b.cursor_mut();
        let mut at = cursor.first()?.map(|e| e.key.to_vec());
        while let Some(k) = at {
            visited.push(k.clone());
            if visited.len() % 3 != 0 {
                cursor.delete()?;
                model.remove(&k);
            }
            at = cursor.next()?.map(|e| e.key.to_vec());
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(visited.len(), 1000, "no key skipped or repeated");
    assert!(visited.windows(2).all(|w| w[0] < w[1]));
    let tx = db.begin_read();
    assert_consistent(&tx);
    assert_eq!(
        forward(&mut tx.bucket(b"c").unwrap().unwrap().cursor()),
        pairs(&model)
    );
}

#[test]
fn deleting_everything_backwards_under_a_cursor() {
    let (_dir, db, _) = evens();
    let mut visited = 0;
    db.update(|tx| {
        let mut b = tx.bucket(b"c")?.unwrap();
        let mut cursor = b.cursor_mut();
        let mut at = cursor.last()?.map(|e| e.key.to_vec());
        while let Some(k) = at {
            visited += 1;
            cursor.delete()?;
            cursor.delete()?; // a second delete of the same entry does nothing
            at = cursor.prev()?.map(|e| e.key.to_vec());
            assert!(at.as_ref().is_none_or(|p| *p < k));
        }
        assert!(cursor.first()?.is_none());
        Ok(())
    })
    .unwrap();
    assert_eq!(visited, 1000);
    let tx = db.begin_read();
    assert_consistent(&tx);
    assert!(
        tx.bucket(b"c")
            .unwrap()
            .unwrap()
            .cursor()
            .first()
            .unwrap()
            .is_none()
    );
}

#[test]
fn a_cursor_cannot_delete_a_bucket() {
    let (_dir, _path, db) = create(small_pages());
    db.update(|tx| {
        let mut b = tx.create_bucket(b"top")?;
        b.create_bucket(b"child")?;
        b.put(b"d", b"v")?;
        Ok(())
    })
    .unwrap();
    db.update(|tx| {
        let mut b = tx.bucket(b"top")?.unwrap();
        let mut cursor = b.cursor_mut();
        assert_eq!(cursor.seek(b"child")?.unwrap().key, b"child");
        assert!(matches!(cursor.delete(), Err(Error::IncompatibleValue)));
        assert_eq!(
            cursor.next()?.unwrap().key,
            b"d",
            "the cursor still stands there"
        );
        cursor.delete()?;
        Ok(())
    })
    .unwrap();
    let tx = db.begin_read();
    let top = tx.bucket(b"top").unwrap().unwrap();
    assert!(top.bucket(b"child").unwrap().is_some());
    assert!(top.get(b"d").unwrap().is_none());
}

#[test]
fn seek_then_delete_a_range() {
    let (_dir, db, mut model) = evens();
    db.update(|tx| {
        let mut b = tx.bucket(b"c")?.unwrap();
        let mut cursor = b.cursor_mut();
        let mut at = cursor.seek(&key(501))?.map(|e| e.key.to_vec());
        while let Some(k) = at.filter(|k| *k < key(1501)) {
            cursor.delete()?;
            model.remove(&k);
            at = cursor.next()?.map(|e| e.key.to_vec());
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(model.len(), 500);
    let tx = db.begin_read();
    assert_consistent(&tx);
    let bucket = tx.bucket(b"c").unwrap().unwrap();
    assert_eq!(forward(&mut bucket.cursor()), pairs(&model));
    assert_seeks(&|| bucket.cursor(), &model, 2001);
}
