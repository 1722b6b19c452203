//! Buckets: nesting, the inline rule (a leaf without buckets of at most a
//! quarter page lives in its parent's value), moving between inline and
//! pages both ways, deleting buckets with everything inside, sequences.

use super::{
    Contents, assert_consistent, bucket_at, bucket_root, committed, create, file_len, key, options,
    pages_with_nested, pgid, small_pages, tree_pages, value, with_bucket, write_contents,
};
use crate::bptree::{DB, Error};

/// The value stored for the bucket at `path`, header and inline page.
fn bucket_value(db: &DB, path: &[&[u8]]) -> Vec<u8> {
    let tx = db.begin_read();
    let (name, parent) = path.split_last().unwrap();
    let parent = bucket_at(&tx, parent).unwrap();
    let e = parent.cursor().seek(name).unwrap().unwrap();
    assert!(e.key == *name && e.is_bucket());
    e.value.to_vec()
}

/// The free page ids on the latest commit's freelist page, and how many
/// pages that freelist page spans.
fn free_pages(db: &DB) -> (Vec<u64>, u64) {
    let tx = db.begin_read();
    let page = tx.pages().page(tx.meta().freelist).unwrap();
    (
        crate::bptree::freelist::decode(&page).unwrap(),
        1 + u64::from(page.overflow),
    )
}

#[test]
fn nested_buckets_are_created_reopened_and_read_back() {
    let (_dir, path, db) = create(options());
    let mut expected = Contents::default();
    db.update(|tx| {
        let mut a = tx.create_bucket(b"a")?;
        a.put(b"in a", b"1")?;
        let mut b = a.create_bucket(b"b")?;
        b.put(b"in b", b"2")?;
        let mut c = b.create_bucket(b"c")?;
        c.put(b"in c", b"3")?;
        c.create_bucket(b"\x00 any bytes \xff")?;
        tx.create_bucket(b"z")?;
        Ok(())
    })
    .unwrap();
    let a = expected.create_path(&[b"a"]);
    a.values.insert(b"in a".to_vec(), b"1".to_vec());
    let b = a.create_path(&[b"b"]);
    b.values.insert(b"in b".to_vec(), b"2".to_vec());
    let c = b.create_path(&[b"c"]);
    c.values.insert(b"in c".to_vec(), b"3".to_vec());
    c.create_path(&[b"\x00 any bytes \xff"]);
    expected.create_path(&[b"z"]);
    assert_eq!(committed(&db), expected);
    drop(db);

    let db = DB::open(&path, options()).unwrap();
    assert_eq!(committed(&db), expected);
    assert_consistent(&db.begin_read());
    db.update(|tx| {
        // An existing bucket is returned as it is, contents and all.
        let mut a = tx.create_bucket_if_not_exists(b"a")?;
        assert_eq!(a.get(b"in a")?, Some(&b"1"[..]));
        let b = a.create_bucket_if_not_exists(b"b")?;
        assert_eq!(b.get(b"in b")?, Some(&b"2"[..]));
        assert_eq!(write_contents(tx), expected);
        Ok(())
    })
    .unwrap();
    assert_eq!(committed(&db), expected);
}

#[test]
fn bucket_errors() {
    let (_dir, _path, db) = create(options());
    db.update(|tx| {
        tx.create_bucket(b"a")?.create_bucket(b"child")?;
        assert!(matches!(tx.create_bucket(b"a"), Err(Error::BucketExists)));
        assert!(matches!(
            tx.create_bucket(b""),
            Err(Error::BucketNameRequired)
        ));
        assert!(matches!(
            tx.delete_bucket(b"nope"),
            Err(Error::BucketNotFound)
        ));
        let mut a = tx.bucket(b"a")?.unwrap();
        assert!(matches!(
            a.create_bucket(b"child"),
            Err(Error::BucketExists)
        ));
        assert!(matches!(
            a.delete_bucket(b"nope"),
            Err(Error::BucketNotFound)
        ));
        assert!(a.bucket(b"nope")?.is_none());
        assert!(tx.bucket(b"nope")?.is_none());
        Ok(())
    })
    .unwrap();
    db.update(|tx| {
        // Once committed too.
        assert!(matches!(tx.create_bucket(b"a"), Err(Error::BucketExists)));
        let mut a = tx.bucket(b"a")?.unwrap();
        assert!(matches!(
            a.create_bucket(b"child"),
            Err(Error::BucketExists)
        ));
        a.delete_bucket(b"child")?;
        assert!(matches!(
            a.delete_bucket(b"child"),
            Err(Error::BucketNotFound)
        ));
        tx.delete_bucket(b"a")?;
        assert!(matches!(tx.delete_bucket(b"a"), Err(Error::BucketNotFound)));
        assert!(tx.bucket(b"a")?.is_none());
        Ok(())
    })
    .unwrap();
    assert_eq!(committed(&db), Contents::default());
}

#[test]
fn a_new_bucket_is_stored_inline_as_32_bytes() {
    let (_dir, _path, db) = create(options());
    db.update(|tx| tx.create_bucket(b"empty").map(|_| ()))
        .unwrap();
    let v = bucket_value(&db, &[b"empty"]);
    // Root 0 (inline), sequence 0, then an empty leaf page's header.
    let mut expected = vec![0u8; 32];
    expected[16 + 8] = 0x02;
    assert_eq!(v, expected);
}

#[test]
fn a_bucket_is_inline_up_to_exactly_a_quarter_page() {
    let (_dir, _path, db) = create(options());
    // One element of 16 + 1 + 991 bytes: with the header, 1024 = 4096 / 4.
    db.update(|tx| tx.create_bucket(b"q")?.put(b"k", &[7; 991]))
        .unwrap();
    let v = bucket_value(&db, &[b"q"]);
    assert_eq!(&v[..16], &[0; 16], "root 0: inline, sequence 0");
    assert_eq!(v.len(), 16 + 1024, "the header, then the leaf page image");
    assert_eq!(u16::from_le_bytes([v[24], v[25]]), 0x02, "a leaf");
    assert_eq!(u16::from_le_bytes([v[26], v[27]]), 1, "one element");
    let pos = u32::from_le_bytes(v[36..40].try_into().unwrap());
    assert_eq!(pos, 16, "pos counts from the element");
    assert_eq!(&v[48..49], b"k");
    assert_eq!(&v[49..], &[7; 991]);
    assert_consistent(&db.begin_read());

    // One byte more, and it needs a page of its own.
    db.update(|tx| tx.bucket(b"q")?.unwrap().put(b"k", &[8; 992]))
        .unwrap();
    let tx = db.begin_read();
    let root = bucket_root(&tx, &[b"q"]);
    assert_ne!(root, 0, "page-backed");
    assert_eq!(bucket_value(&db, &[b"q"]).len(), 16);
    let pages = tree_pages(&tx, root);
    assert_eq!((pages.len(), pages[0].count), (1, 1));
    assert_consistent(&tx);
    drop(tx);

    // And back: the page is freed.
    db.update(|tx| tx.bucket(b"q")?.unwrap().put(b"k", &[9; 991]))
        .unwrap();
    let tx = db.begin_read();
    assert_eq!(bucket_root(&tx, &[b"q"]), 0);
    assert_consistent(&tx);
    let q = tx.bucket(b"q").unwrap().unwrap();
    assert_eq!(q.get(b"k").unwrap(), Some(&[9; 991][..]));
}

#[test]
fn a_bucket_moves_to_pages_and_back_inline() {
    let (_dir, path, db) = create(small_pages());
    db.update(|tx| {
        tx.create_bucket(b"other")?.put(b"x", b"y")?;
        tx.create_bucket(b"grow")?.put(b"first", b"value")
    })
    .unwrap();
    assert_eq!(bucket_root(&db.begin_read(), &[b"grow"]), 0);
    let in_use_small = |db: &DB| {
        let (free, freelist_pages) = free_pages(db);
        pgid(db) - free.len() as u64 - freelist_pages
    };
    let small = in_use_small(&db);
    // Past a quarter page: a tree of pages, several levels deep.
    db.update(|tx| {
        let mut b = tx.bucket(b"grow")?.unwrap();
        for i in 0..800 {
            b.put(&key(i), &value(i, 0, 30))?;
        }
        Ok(())
    })
    .unwrap();
    let tx = db.begin_read();
    let root = bucket_root(&tx, &[b"grow"]);
    assert_ne!(root, 0);
    assert!(tree_pages(&tx, root).len() > 20);
    assert_consistent(&tx);
    drop(tx);
    // Emptied again, down to the one key it had: inline, and every page it
    // used is free.
    db.update(|tx| {
        let mut b = tx.bucket(b"grow")?.unwrap();
        for i in 0..800 {
            b.delete(&key(i))?;
        }
        Ok(())
    })
    .unwrap();
    let tx = db.begin_read();
    assert_eq!(bucket_root(&tx, &[b"grow"]), 0);
    assert_consistent(&tx);
    drop(tx);
    assert_eq!(in_use_small(&db), small, "the same pages in use as before");
    let v = bucket_value(&db, &[b"grow"]);
    assert_eq!(v.len(), 16 + 16 + 16 + 5 + 5, "one element inline");
    drop(db);
    let db = DB::open(&path, small_pages()).unwrap();
    let mut expected = Contents::default();
    expected
        .create_path(&[b"grow"])
        .values
        .insert(b"first".to_vec(), b"value".to_vec());
    expected
        .create_path(&[b"other"])
        .values
        .insert(b"x".to_vec(), b"y".to_vec());
    assert_eq!(committed(&db), expected);
}

#[test]
fn a_bucket_holding_a_bucket_is_never_inline() {
    let (_dir, _path, db) = create(options());
    db.update(|tx| {
        let mut parent = tx.create_bucket(b"parent")?;
        parent.put(b"k", b"v")?;
        parent.create_bucket(b"child")?.put(b"a", b"b")
    })
    .unwrap();
    let tx = db.begin_read();
    assert_ne!(
        bucket_root(&tx, &[b"parent"]),
        0,
        "small, but it holds a bucket"
    );
    assert_eq!(bucket_root(&tx, &[b"parent", b"child"]), 0);
    assert_consistent(&tx);
    drop(tx);
    // Without the child it can be inline again.
    db.update(|tx| tx.bucket(b"parent")?.unwrap().delete_bucket(b"child"))
        .unwrap();
    let tx = db.begin_read();
    assert_eq!(bucket_root(&tx, &[b"parent"]), 0);
    assert_consistent(&tx);
}

/// A bucket `name` holding page-backed and inline buckets four levels
/// deep, with enough data for trees of several levels, and no value larger
/// than a page.
fn fill_family(tx: &mut crate::bptree::WriteTx<'_>, name: &[u8]) -> crate::bptree::Result<()> {
    let mut top = tx.create_bucket(name)?;
    for i in 0..300 {
        top.put(&key(i), &value(i, 1, 100))?;
    }
    for child in 0..4u32 {
        let child_name = format!("child-{child}");
        let mut c = top.create_bucket(child_name.as_bytes())?;
        for i in 0..child * 130 {
            c.put(&key(i), &value(i, child, 60))?;
        }
        let mut tiny = c.create_bucket(b"tiny")?; // inline
        tiny.put(b"a", b"1")?;
        tiny.put(b"b", b"2")?;
        for grandchild in 0..3u32 {
            let mut g = c.create_bucket(format!("grandchild-{grandchild}").as_bytes())?;
            for i in 0..grandchild * 150 {
                g.put(&key(i), &value(i, grandchild, 80))?;
            }
            let mut deepest = g.create_bucket(b"deepest")?;
            for i in 0..200 {
                deepest.put(&key(i), &value(i, 7, 50))?;
            }
        }
    }
    Ok(())
}

#[test]
fn deleting_a_bucket_frees_every_page_inside_it() {
    // Twice: once deleting the bucket untouched, once after opening and
    // changing buckets inside it in the same transaction.
    for touch_first in [false, true] {
        let (_dir, path, db) = create(options());
        db.update(|tx| {
            tx.create_bucket(b"keep")?.put(b"k", &[1; 2000])?;
            fill_family(tx, b"family")
        })
        .unwrap();
        let family_pages = {
            let tx = db.begin_read();
            pages_with_nested(&tx, bucket_root(&tx, &[b"family"])).len()
        };
        assert!(family_pages > 100, "{family_pages} pages");
        let (pgid_full, len_full) = (pgid(&db), file_len(&path));
        let mut expected = committed(&db);

        db.update(|tx| {
            if touch_first {
                let mut family = tx.bucket(b"family")?.unwrap();
                family.put(b"new", b"value")?;
                let mut c = family.bucket(b"child-2")?.unwrap();
                c.delete(&key(5))?;
                let mut g = c.bucket(b"grandchild-2")?.unwrap();
                g.put(b"more", &[3; 50])?;
                g.bucket(b"deepest")?.unwrap().delete(&key(0))?;
                family.bucket(b"child-0")?.unwrap().put(b"z", b"z")?;
                family.create_bucket(b"made now")?.put(b"k", b"v")?;
            }
            tx.delete_bucket(b"family")
        })
        .unwrap();
        expected.buckets.remove(b"family".as_slice());
        assert_eq!(committed(&db), expected);
        let tx = db.begin_read();
        assert_consistent(&tx);
        // In use: the metas, the freelist, the root bucket's leaf and the
        // kept bucket's leaf. Every other page is free.
        drop(tx);
        let (free, freelist_pages) = free_pages(&db);
        assert_eq!(
            free.len() as u64,
            pgid(&db) - 2 - freelist_pages - 2,
            "touched first: {touch_first}"
        );

        // Refilled, it fits in the pages it gave back: the file does not grow.
        db.update(|tx| fill_family(tx, b"family")).unwrap();
        assert_consistent(&db.begin_read());
        assert!(
            pgid(&db) <= pgid_full,
            "{} pages in use, {pgid_full} before the delete",
            pgid(&db)
        );
        assert_eq!(file_len(&path), len_full, "touched first: {touch_first}");
    }
}

#[test]
fn buckets_deleted_and_created_again_in_one_transaction() {
    let (_dir, _path, db) = create(small_pages());
    db.update(|tx| fill_family(tx, b"f")).unwrap();
    db.update(|tx| {
        tx.delete_bucket(b"f")?;
        assert!(tx.bucket(b"f")?.is_none());
        let mut f = tx.create_bucket(b"f")?;
        assert!(f.cursor().first()?.is_none(), "the new bucket is empty");
        assert!(f.bucket(b"child-1")?.is_none());
        f.put(b"only", b"this")?;
        // A bucket made and dropped within the transaction leaves nothing.
        let mut brief = tx.create_bucket(b"brief")?;
        for i in 0..500 {
            brief.put(&key(i), &value(i, 0, 40))?;
        }
        brief.create_bucket(b"inner")?.put(b"a", b"b")?;
        tx.delete_bucket(b"brief")
    })
    .unwrap();
    let mut expected = Contents::default();
    expected
        .create_path(&[b"f"])
        .values
        .insert(b"only".to_vec(), b"this".to_vec());
    assert_eq!(committed(&db), expected);
    assert_consistent(&db.begin_read());
}

#[test]
fn sequences_count_persist_and_roll_back() {
    let (_dir, path, db) = create(small_pages());
    db.update(|tx| {
        let mut a = tx.create_bucket(b"a")?;
        assert_eq!(a.sequence(), 0);
        assert_eq!(a.next_sequence()?, 1);
        assert_eq!(a.next_sequence()?, 2);
        let mut nested = a.create_bucket(b"nested")?;
        nested.set_sequence(1000)?;
        assert_eq!(nested.next_sequence()?, 1001);
        let mut big = tx.create_bucket(b"big")?;
        for i in 0..300 {
            big.put(&key(i), &value(i, 0, 30))?;
        }
        big.set_sequence(u64::MAX - 1)?;
        Ok(())
    })
    .unwrap();
    let check = |db: &DB, a: u64, nested: u64, big: u64| {
        let tx = db.begin_read();
        assert_eq!(bucket_at(&tx, &[b"a"]).unwrap().sequence(), a);
        assert_eq!(
            bucket_at(&tx, &[b"a", b"nested"]).unwrap().sequence(),
            nested
        );
        assert_eq!(bucket_at(&tx, &[b"big"]).unwrap().sequence(), big);
        assert_eq!(bucket_at(&tx, &[]).unwrap().sequence(), 0, "the root's");
    };
    check(&db, 2, 1001, u64::MAX - 1);

    // A sequence change alone is committed; the data is kept.
    let before = committed(&db);
    db.update(|tx| {
        let mut big = tx.bucket(b"big")?.unwrap();
        assert_eq!(big.next_sequence()?, u64::MAX);
        assert_eq!(big.next_sequence()?, 0, "it wraps, as bbolt's does");
        big.next_sequence().map(|_| ())
    })
    .unwrap();
    check(&db, 2, 1001, 1);
    let mut after = committed(&db);
    after.buckets.get_mut(b"big".as_slice()).unwrap().sequence = u64::MAX - 1;
    assert_eq!(after, before);
    assert_consistent(&db.begin_read());

    // Rolled back: unchanged.
    let mut tx = db.begin_write().unwrap();
    with_bucket(&mut tx, &[b"a", b"nested"], false, |b| b.set_sequence(5)).unwrap();
    tx.rollback();
    check(&db, 2, 1001, 1);

    drop(db);
    let db = DB::open(&path, small_pages()).unwrap();
    check(&db, 2, 1001, 1);
    db.update(|tx| {
        with_bucket(tx, &[b"a", b"nested"], false, |b| b.next_sequence())?;
        Ok(())
    })
    .unwrap();
    check(&db, 2, 1002, 1);
    assert_consistent(&db.begin_read());
}

#[test]
fn the_top_level_cursor_of_a_write_transaction_lists_its_buckets() {
    let (_dir, _path, db) = create(options());
    db.update(|tx| {
        tx.create_bucket(b"b")?;
        tx.create_bucket(b"d")?;
        Ok(())
    })
    .unwrap();
    db.update(|tx| {
        tx.create_bucket(b"a")?;
        tx.create_bucket(b"c")?;
        tx.delete_bucket(b"d")?;
        let mut names = Vec::new();
        let mut cursor = tx.cursor();
        let mut e = cursor.first()?;
        while let Some(entry) = e {
            assert!(entry.is_bucket());
            names.push(entry.key.to_vec());
            e = cursor.next()?;
        }
        assert_eq!(names, [b"a", b"b", b"c"]);
        Ok(())
    })
    .unwrap();
}

#[test]
fn many_top_level_buckets_give_the_root_bucket_a_tree() {
    let (_dir, path, db) = create(small_pages());
    db.update(|tx| {
        for i in 0..1500u32 {
            tx.create_bucket(&key(i))?.put(b"n", &i.to_le_bytes())?;
        }
        Ok(())
    })
    .unwrap();
    let tx = db.begin_read();
    let depth = tree_pages(&tx, tx.meta().root)
        .iter()
        .map(|p| p.depth)
        .max();
    assert_eq!(depth, Some(2), "the root bucket's tree has three levels");
    assert_consistent(&tx);
    drop(tx);
    db.update(|tx| {
        for i in (0..1500).filter(|i| i % 3 != 0) {
            tx.delete_bucket(&key(i))?;
        }
        Ok(())
    })
    .unwrap();
    drop(db);
    let db = DB::open(&path, small_pages()).unwrap();
    let tx = db.begin_read();
    assert_consistent(&tx);
    let mut names = Vec::new();
    tx.root()
        .for_each(|name, v| {
            assert!(v.is_none(), "the root bucket holds buckets only");
            names.push(name.to_vec());
            Ok(())
        })
        .unwrap();
    let expected: Vec<Vec<u8>> = (0..1500).filter(|i| i % 3 == 0).map(key).collect();
    assert_eq!(names, expected);
    for i in (0..1500u32).step_by(3) {
        let b = tx.bucket(&key(i)).unwrap().unwrap();
        assert_eq!(b.get(b"n").unwrap(), Some(&i.to_le_bytes()[..]));
    }
}
