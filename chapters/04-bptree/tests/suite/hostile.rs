//! Damaged files: truncated, bit-flipped, or with pages that contradict
//! each other. Nothing read from disk is trusted: opening, reading, checking
//! and writing such a file returns errors (or, where the damage is in bytes
//! nobody uses, works), and never panics, hangs or allocates wildly.

use std::collections::BTreeMap;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use super::{
    Contents, Rng, assert_consistent, committed, key, options, small_pages, temp_file, value,
};
use crate::bptree::db::initial_file;
use crate::bptree::meta::Meta;
use crate::bptree::{Bucket, DB, Error, Options, Result};

fn read_only() -> Options {
    Options::read_only()
}

fn write_file(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, path) = temp_file();
    fs::write(&path, bytes).unwrap();
    (dir, path)
}

#[test]
fn bit_flips_in_a_fresh_file_never_panic() {
    // A flip may leave a readable file (in unused bytes, or in one meta);
    // either way reading it returns a result, never a panic or a wild read.
    let bytes = initial_file(1024);
    for bit in (0..bytes.len() * 8).step_by(7) {
        let mut damaged = bytes.clone();
        damaged[bit / 8] ^= 1 << (bit % 8);
        let (_dir, path) = write_file(&damaged);
        if let Ok(db) = DB::open(&path, read_only()) {
            let _ = db.view(|tx| tx.root().cursor().first().map(|_| ()));
        }
    }
}

#[test]
fn a_root_page_that_is_not_a_tree_page_is_corrupt() {
    let mut bytes = initial_file(4096);
    bytes[3 * 4096 + 8] = 0x10; // the root leaf now claims to be a freelist
    let (_dir, path) = write_file(&bytes);
    let db = DB::open(&path, read_only()).unwrap();
    let result = db.view(|tx| tx.root().cursor().first().map(|_| ()));
    assert!(
        matches!(result, Err(Error::Corrupt { page: 3, .. })),
        "{result:?}"
    );
}

/// Rewrites both metas of `bytes` with `change` applied, checksums and all.
fn edit_metas(bytes: &mut [u8], page_size: usize, change: impl Fn(&mut Meta)) {
    for slot in 0..2 {
        let at = slot * page_size;
        let mut meta = Meta::decode(&bytes[at..]).unwrap();
        change(&mut meta);
        bytes[at..at + page_size].copy_from_slice(&meta.encode());
    }
}

#[test]
fn check_passes_the_initial_file() {
    let (_dir, path) = write_file(&initial_file(4096));
    let db = DB::open(&path, read_only()).unwrap();
    assert_eq!(db.begin_read().check(), Vec::<String>::new());
}

#[test]
fn check_finds_a_page_both_free_and_in_the_tree() {
    let mut bytes = initial_file(4096);
    // The freelist (page 2) now lists page 3, the root bucket's leaf.
    bytes[2 * 4096 + 10] = 1;
    bytes[2 * 4096 + 16..2 * 4096 + 24].copy_from_slice(&3u64.to_le_bytes());
    let (_dir, path) = write_file(&bytes);
    let problems = DB::open(&path, read_only()).unwrap().begin_read().check();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("page 3") && p.contains("free")),
        "{problems:?}"
    );
}

#[test]
fn check_finds_pages_neither_reachable_nor_free() {
    let mut bytes = initial_file(4096);
    bytes.extend_from_slice(&[0; 2 * 4096]);
    edit_metas(&mut bytes, 4096, |m| m.pgid = 6);
    let (_dir, path) = write_file(&bytes);
    let problems = DB::open(&path, read_only()).unwrap().begin_read().check();
    assert_eq!(
        problems,
        [
            "page 4: unreachable and not free",
            "page 5: unreachable and not free"
        ]
    );
}

/// A small file of several levels, in 1 KiB pages: a bucket whose tree has
/// three levels with a page-backed and an inline bucket inside, and a
/// bucket with a value spanning pages. Returns its bytes (cut at the high-
/// water mark), and the states of its last two transactions, oldest first.
fn multi_level_file() -> (Vec<u8>, [Contents; 2]) {
    let (_dir, path) = temp_file();
    let db = DB::open(&path, small_pages()).unwrap();
    db.update(|tx| {
        let mut a = tx.create_bucket(b"a")?;
        for i in 0..400 {
            a.put(&key(i), &value(i, 0, 24))?;
        }
        let mut nested = a.create_bucket(b"nested")?;
        for i in 0..60 {
            nested.put(&key(i), &value(i, 1, 20))?;
        }
        a.create_bucket(b"inline")?.put(b"x", b"y")?;
        let mut b = tx.create_bucket(b"b")?;
        b.put(b"big", &value(0, 2, 3000))?;
        b.put(b"small", b"s")?;
        b.set_sequence(12)
    })
    .unwrap();
    let previous = committed(&db);
    db.update(|tx| {
        let mut a = tx.bucket(b"a")?.unwrap();
        for i in (0..400).step_by(3) {
            a.put(&key(i), &value(i, 3, 24))?;
        }
        for i in (1..400).step_by(7) {
            a.delete(&key(i))?;
        }
        tx.bucket(b"b")?.unwrap().put(b"more", b"m")
    })
    .unwrap();
    let last = committed(&db);
    let used = db.begin_read().meta().pgid as usize * 1024;
    drop(db);
    let bytes = fs::read(&path).unwrap()[..used].to_vec();
    (bytes, [previous, last])
}

/// Everything in a bucket, read both ways, every error returned.
fn try_contents(bucket: &Bucket<'_>, depth: usize) -> Result<Contents> {
    let mut contents = Contents {
        sequence: bucket.sequence(),
        ..Contents::default()
    };
    let mut forward = Vec::new();
    let mut cursor = bucket.cursor();
    let mut entry = cursor.first()?;
    while let Some(e) = entry {
        forward.push((e.key.to_vec(), e.is_bucket()));
        if forward.len() > 100_000 {
            return Err(Error::corrupt(0, "more keys than the file can hold"));
        }
        entry = cursor.next()?;
    }
    // Backwards too. A damaged tree may read differently each way: no panic
    // (and no endless walk) is what counts.
    let mut backward = 0;
    let mut entry = cursor.last()?;
    while entry.is_some() && backward <= forward.len() {
        backward += 1;
        entry = cursor.prev()?;
    }
    for (k, is_bucket) in forward {
        if is_bucket {
            if depth < 8
                && let Some(child) = bucket.bucket(&k)?
            {
                contents.buckets.insert(k, try_contents(&child, depth + 1)?);
            }
        } else if let Some(v) = bucket.get(&k)? {
            contents.values.insert(k, v.to_vec());
        }
    }
    Ok(contents)
}

/// Opens `path` read-only and reads everything; the contents, or the error.
fn read_everything(path: &Path) -> Result<(Contents, Vec<String>)> {
    let db = DB::open(path, read_only())?;
    let tx = db.begin_read();
    let contents = try_contents(&tx.root(), 0)?;
    Ok((contents, tx.check()))
}

/// Opens `path` read-write, reads, writes and commits; any error ends it.
fn write_something(path: &Path) -> Result<()> {
    let db = DB::open(path, small_pages())?;
    let tx = db.begin_read();
    try_contents(&tx.root(), 0)?;
    let _ = tx.check();
    drop(tx);
    db.update(|tx| {
        let mut a = tx.create_bucket_if_not_exists(b"a")?;
        for i in (0..400).step_by(5) {
            a.put(&key(i), b"rewritten")?;
        }
        for i in (2..400).step_by(11) {
            a.delete(&key(i))?;
        }
        if tx.bucket(b"b")?.is_some() {
            tx.delete_bucket(b"b")?;
        }
        tx.create_bucket_if_not_exists(b"c")?.put(b"k", &[5; 1500])
    })?;
    let tx = db.begin_read();
    try_contents(&tx.root(), 0)?;
    let _ = tx.check();
    Ok(())
}

#[test]
fn truncating_a_multi_level_file_at_any_page_leaves_a_whole_state_or_an_error() {
    let (bytes, states) = multi_level_file();
    let pages = bytes.len() / 1024;
    assert!(pages > 30);
    let mut opened = BTreeMap::new();
    for cut in (0..=pages).flat_map(|p| [p * 1024, p * 1024 + 600]) {
        let cut = cut.min(bytes.len());
        let (_dir, path) = write_file(&bytes[..cut]);
        match read_everything(&path) {
            Err(Error::Invalid { .. }) => {}
            Err(e) => panic!("cut at {cut}: {e}"),
            Ok((contents, problems)) => {
                // The newest state whose pages are all in the file.
                let which = states.iter().position(|s| *s == contents);
                assert!(which.is_some(), "cut at {cut}: neither committed state");
                assert!(problems.is_empty(), "cut at {cut}: {problems:?}");
                opened.insert(cut, which.unwrap());
                // It can be written to, and stays consistent.
                write_something(&path).unwrap();
                assert_consistent(&DB::open(&path, read_only()).unwrap().begin_read());
            }
        }
    }
    assert_eq!(
        opened.get(&bytes.len()),
        Some(&1),
        "the whole file is the last state"
    );
    assert!(
        opened.values().any(|&w| w == 0),
        "some cut leaves only the previous state: {opened:?}"
    );
}

#[test]
fn random_bit_flips_in_a_multi_level_file_never_panic() {
    let (bytes, _) = multi_level_file();
    let pages = (bytes.len() / 1024) as u64;
    let mut rng = Rng::new(0xb17f_11b5);
    let mut panicked = Vec::new();
    for _ in 0..300 {
        // Half the flips land in page headers and element arrays, where
        // they do the most harm; the rest anywhere.
        let at = if rng.below(2) == 0 {
            (rng.below(pages) * 1024 + rng.below(80)) as usize
        } else {
            rng.below(bytes.len() as u64) as usize
        };
        let bit = rng.below(8);
        let mut damaged = bytes.clone();
        damaged[at] ^= 1 << bit;
        let (_dir, path) = write_file(&damaged);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let _ = read_everything(&path);
            let _ = write_something(&path);
            let _ = read_everything(&path);
        }));
        if outcome.is_err() {
            panicked.push((at, bit));
        }
    }
    assert!(panicked.is_empty(), "panics at (byte, bit): {panicked:?}");
}

/// Runs `f` in its own thread and fails if it takes longer than `secs`: a
/// hang must fail the test rather than stall the suite.
fn within<T: Send + 'static>(secs: u64, what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(f());
    });
    receive
        .recv_timeout(std::time::Duration::from_secs(secs))
        .unwrap_or_else(|e| panic!("{what}: no answer within {secs} s ({e})"))
}

#[test]
fn a_page_cycle_is_an_error_not_a_hang() {
    let (mut bytes, _) = multi_level_file();
    // Point every child of the first branch below bucket a's root back at
    // the root: a cycle with a fan-out, which a naive walk takes forever on.
    let (_dir, path) = write_file(&bytes);
    let (root, branch, count) = {
        let db = DB::open(&path, read_only()).unwrap();
        let tx = db.begin_read();
        let root = super::bucket_root(&tx, &[b"a"]);
        let page = tx.pages().page(root).unwrap();
        assert!(page.is_branch(), "bucket a has a branch root");
        let branch = page.branch(0).unwrap().child;
        let child = tx.pages().page(branch).unwrap();
        assert!(child.is_branch(), "and a second level of branches");
        (root, branch as usize, usize::from(child.count))
    };
    for i in 0..count {
        let at = branch * 1024 + 16 + 16 * i + 8;
        bytes[at..at + 8].copy_from_slice(&root.to_le_bytes());
    }
    fs::write(&path, &bytes).unwrap();
    let read = path.clone();
    let result = within(20, "reading", move || {
        let db = DB::open(&read, read_only()).unwrap();
        let tx = db.begin_read();
        let a = tx.bucket(b"a").unwrap().unwrap();
        let walked = try_contents(&a, 0).map(|_| ());
        let got = a.get(&key(0)).map(|_| ());
        (walked.is_err(), got.is_err(), tx.check().is_empty())
    });
    assert_eq!(
        result,
        (true, true, false),
        "(walk failed, get failed, check clean)"
    );
    let write = path.clone();
    let written = within(20, "writing", move || {
        let db = DB::open(&write, small_pages()).unwrap();
        db.update(|tx| tx.bucket(b"a")?.unwrap().put(&key(0), b"x"))
            .is_err()
    });
    assert!(written, "a write through the cycle fails");
    let deleted = within(20, "deleting", move || {
        let db = DB::open(&path, small_pages()).unwrap();
        db.update(|tx| tx.delete_bucket(b"a")).is_err()
    });
    assert!(deleted, "deleting the bucket meets a page twice");
}

/// Page size of [`dag_file`].
const DAG_PAGE: usize = 4096;
/// Branch pages in [`dag_file`]'s chain.
const DAG_LEVELS: u64 = 40;

/// The keys of [`dag_file`]'s leaf: both before the branches' second key,
/// "b". A write cursor that seeks "ab" again goes down the left path, and
/// its next step crosses to the right one, back to "a".
const BEFORE_B: [&[u8]; 2] = [b"a", b"ab"];
/// Leaf keys from the branches' second key on: seeking "b" again takes the
/// right path, and a step back crosses to the left one, on to "c".
const FROM_B: [&[u8]; 2] = [b"b", b"c"];

/// A file whose bucket `dag` has a tree of 40 branch pages (4 to 43), each
/// with two children, keys "a" and "b", that are both the next page, down to
/// one leaf (44) holding `keys`: 2^40 paths through 41 pages, which a walk
/// that never asks whether it has been somewhere before takes forever on.
/// Page 2 is an empty freelist, which the metas name only `with_freelist`;
/// without it, opening the file for writing walks the trees to find the
/// free pages.
fn dag_file(with_freelist: bool, keys: [&[u8]; 2]) -> Vec<u8> {
    use super::page::{branch_element, hand_made, leaf_element};
    let leaf_id = 4 + DAG_LEVELS;
    let mut file = Vec::new();
    for txid in 0..2 {
        let meta = Meta {
            page_size: DAG_PAGE as u32,
            flags: 0,
            root: 3,
            sequence: 0,
            freelist: if with_freelist { 2 } else { u64::MAX },
            pgid: leaf_id + 1,
            txid,
        };
        file.extend_from_slice(&meta.encode());
    }
    let mut freelist = vec![0; DAG_PAGE];
    freelist[0..8].copy_from_slice(&2u64.to_le_bytes());
    freelist[8..10].copy_from_slice(&0x10u16.to_le_bytes());
    file.extend_from_slice(&freelist);
    let mut bucket = [0; 16];
    bucket[0..8].copy_from_slice(&4u64.to_le_bytes());
    let root = [leaf_element(1, b"dag", &bucket)];
    file.extend_from_slice(&hand_made(3, true, &root, DAG_PAGE));
    for id in 4..leaf_id {
        let children = [branch_element(b"a", id + 1), branch_element(b"b", id + 1)];
        file.extend_from_slice(&hand_made(id, false, &children, DAG_PAGE));
    }
    let values = [
        leaf_element(0, keys[0], b"1"),
        leaf_element(0, keys[1], b"2"),
    ];
    file.extend_from_slice(&hand_made(leaf_id, true, &values, DAG_PAGE));
    file
}

/// Moves `cursor` from one end of its bucket to the other; the entries seen,
/// or the first error.
fn walk_to_the_end(mut cursor: crate::bptree::Cursor<'_>, backwards: bool) -> Result<u64> {
    let mut entry = if backwards {
        cursor.last()?
    } else {
        cursor.first()?
    };
    let mut seen = 0;
    while entry.is_some() {
        seen += 1;
        entry = if backwards {
            cursor.prev()?
        } else {
            cursor.next()?
        };
    }
    Ok(seen)
}

/// Whether `result` is a corruption error.
fn is_corrupt<T>(result: &Result<T>) -> bool {
    matches!(result, Err(Error::Corrupt { .. }))
}

#[test]
fn a_cursor_over_pages_reachable_along_many_paths_ends_in_an_error() {
    let (_dir, path) = write_file(&dag_file(true, BEFORE_B));
    let walks = within(60, "walking", move || {
        let db = DB::open(&path, read_only()).unwrap();
        let tx = db.begin_read();
        let dag = tx.bucket(b"dag").unwrap().unwrap();
        let forward = walk_to_the_end(dag.cursor(), false);
        let backward = walk_to_the_end(dag.cursor(), true);
        let each = dag.for_each(|_, _| Ok(()));
        [
            is_corrupt(&forward),
            is_corrupt(&backward),
            is_corrupt(&each),
        ]
    });
    assert_eq!(walks, [true; 3], "forward, backward, for_each");
}

#[test]
fn check_reports_a_page_reachable_twice_and_walks_it_once() {
    let (_dir, path) = write_file(&dag_file(true, BEFORE_B));
    let problems = within(60, "checking", move || {
        DB::open(&path, read_only()).unwrap().begin_read().check()
    });
    // Each branch's second child is the page its first child already reached.
    for id in 5..5 + DAG_LEVELS {
        let twice = format!("page {id}: reachable twice");
        assert!(problems.contains(&twice), "{twice:?} in {problems:#?}");
    }
    // Linear in the pages: a few problems per page at most.
    assert!(problems.len() < 200, "{} problems", problems.len());
}

#[test]
fn stats_of_pages_reachable_twice_are_an_error() {
    let (_dir, path) = write_file(&dag_file(true, BEFORE_B));
    let stats = within(60, "counting", move || {
        let db = DB::open(&path, read_only()).unwrap();
        let tx = db.begin_read();
        let stats = tx.bucket(b"dag").unwrap().unwrap().stats();
        is_corrupt(&stats)
    });
    assert!(stats, "stats fail");
}

#[test]
fn opening_for_writing_a_file_whose_pages_are_reachable_twice_is_an_error() {
    // No freelist stored: the writer finds the free pages by walking the trees.
    let (_dir, path) = write_file(&dag_file(false, BEFORE_B));
    let opened = within(60, "opening", move || {
        DB::open(&path, small_pages()).map(|_| ())
    });
    assert!(is_corrupt(&opened), "{opened:?}");
}

/// [`walk_to_the_end`] for a cursor that can delete.
fn walk_mut_to_the_end(cursor: &mut crate::bptree::CursorMut<'_>, backwards: bool) -> Result<u64> {
    let mut more = if backwards {
        cursor.last()?.is_some()
    } else {
        cursor.first()?.is_some()
    };
    let mut seen = 0;
    while more {
        seen += 1;
        more = if backwards {
            cursor.prev()?.is_some()
        } else {
            cursor.next()?.is_some()
        };
    }
    Ok(seen)
}

#[test]
fn write_cursors_over_pages_reachable_twice_end_in_an_error() {
    let walk = |keys, backwards| {
        let (dir, path) = write_file(&dag_file(true, keys));
        within(60, "walking", move || {
            let _dir = dir;
            let db = DB::open(&path, small_pages()).unwrap();
            let mut tx = db.begin_write().unwrap();
            let mut dag = tx.bucket(b"dag").unwrap().unwrap();
            let read = walk_to_the_end(dag.cursor(), backwards);
            let deleting = walk_mut_to_the_end(&mut dag.cursor_mut(), backwards);
            [is_corrupt(&read), is_corrupt(&deleting)]
        })
    };
    assert_eq!(
        walk(BEFORE_B, false),
        [true; 2],
        "forwards: cursor, cursor_mut"
    );
    assert_eq!(
        walk(FROM_B, true),
        [true; 2],
        "backwards: cursor, cursor_mut"
    );
}

#[test]
fn a_txid_with_no_successor_is_an_error_for_writers_only() {
    let mut bytes = initial_file(4096);
    edit_metas(&mut bytes, 4096, |m| m.txid = u64::MAX);
    let (_dir, path) = write_file(&bytes);
    let db = DB::open(&path, options()).unwrap();
    db.view(|tx| {
        assert_eq!(tx.id(), u64::MAX);
        assert_eq!(tx.check(), Vec::<String>::new());
        Ok(())
    })
    .unwrap();
    let begun = db.begin_write().map(|_| ());
    assert!(is_corrupt(&begun), "{begun:?}");
    let updated = db.update(|tx| tx.create_bucket(b"a").map(|_| ()));
    assert!(is_corrupt(&updated), "{updated:?}");
    drop(db);
    // Without a stored freelist, opening for writing commits one at once.
    edit_metas(&mut bytes, 4096, |m| m.freelist = u64::MAX);
    fs::write(&path, &bytes).unwrap();
    let opened = DB::open(&path, options()).map(|_| ());
    assert!(is_corrupt(&opened), "{opened:?}");
}
