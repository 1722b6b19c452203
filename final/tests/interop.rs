//! `Store::open` on what the real programs wrote: a file Go's bbolt 1.3.6 wrote, and a
//! directory Riak's bitcask 2.1.0 wrote, recognised by what is on disk alone, read through the
//! one API as the programs themselves read them, and written to in a way they read back.
//!
//! The programs are driven by chapter 3's and chapter 4's own interop helpers. Without them
//! the tests print a skip message and pass, unless `STRATA_INTEROP=require` (set by CI).

#![cfg(all(feature = "bitcask", feature = "bptree"))]

use std::collections::BTreeMap;

use strata::{Engine, Entry, Options, Store};

#[allow(dead_code)]
#[path = "../../chapters/04-bptree/tests/support/boltdriver.rs"]
mod boltdriver;
#[allow(dead_code)]
#[path = "../../chapters/03-bitcask/tests/support/riak.rs"]
mod riak;

fn scratch_dir() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("a scratch directory")
}

/// Each top-level bucket's own keys and values in Go's logical dump (`B <depth> <name> <seq>`,
/// `K <depth> <key> <value>`); nested buckets' contents are left out, as a store of the outer
/// bucket does not show them.
fn top_level_buckets(dump: &str) -> BTreeMap<Vec<u8>, Vec<Entry>> {
    let mut buckets = BTreeMap::new();
    let mut current = None;
    for line in dump.lines() {
        match line.split(' ').collect::<Vec<_>>().as_slice() {
            ["B", "0", name, _] => {
                let name = riak::unhex(name);
                buckets.insert(name.clone(), Vec::new());
                current = Some(name);
            }
            ["K", "1", key, value] => {
                let bucket = current.as_ref().expect("a key inside a bucket");
                let entries: &mut Vec<_> = buckets.get_mut(bucket).expect("the bucket");
                entries.push((riak::unhex(key), riak::unhex(value)));
            }
            _ => {}
        }
    }
    buckets
}

fn go_wrote_store_reads(scenario: &str) {
    let Some(driver) = boltdriver::driver() else {
        return;
    };
    let dir = scratch_dir();
    let path = dir.path().join(format!("{scenario}.bolt"));
    let file = path.to_str().expect("a UTF-8 path");
    boltdriver::go(driver, &["scenario", file, scenario]);

    assert_eq!(strata::detect(&path).unwrap(), Some(Engine::Bptree));
    let buckets = top_level_buckets(&boltdriver::go(driver, &["dump", file]));
    assert!(!buckets.is_empty(), "{scenario}: Go wrote no bucket");
    for (name, expected) in &buckets {
        let store = Store::open_with(&path, Options::new().bucket(name.clone())).unwrap();
        let found: Vec<_> = store.range(..).unwrap().map(Result::unwrap).collect();
        assert!(
            found == *expected,
            "{scenario}: bucket {name:x?} reads differently"
        );
        assert_eq!(
            store.len().unwrap() as usize,
            expected.len() + nested(&store)
        );
        store.close().unwrap();
    }

    // Written through the store, read back by Go, whose check passes.
    let store = Store::open_with(&path, Options::new().bucket("from-strata")).unwrap();
    store.put("greeting", "hello, Go").unwrap();
    store.close().unwrap();
    assert_eq!(boltdriver::go(driver, &["check", file]), "ok\n");
    let after = top_level_buckets(&boltdriver::go(driver, &["dump", file]));
    assert_eq!(
        after[&b"from-strata"[..]],
        [(b"greeting".to_vec(), b"hello, Go".to_vec())]
    );
    assert_eq!(
        after.len(),
        buckets.len() + 1,
        "{scenario}: Go's buckets changed"
    );
}

/// The nested buckets in a store's bucket: they count as keys in bbolt's statistics, which
/// `len` reports, but are not values a scan returns.
fn nested(store: &Store) -> usize {
    let total = store.len().unwrap() as usize;
    let values = store.range(..).unwrap().count();
    total - values
}

#[test]
fn go_random_opens_as_a_bptree_store() {
    go_wrote_store_reads("random");
}

#[test]
fn go_nested_opens_as_a_bptree_store() {
    go_wrote_store_reads("nested");
}

#[test]
fn riak_many_opens_as_a_bitcask_store() {
    if !riak::riak_available() {
        return;
    }
    let tmp = scratch_dir();
    let dir = tmp.path().join("many");
    riak::riak(&["scenario", riak::path_str(&dir), "many"]);

    assert_eq!(strata::detect(&dir).unwrap(), Some(Engine::Bitcask));
    let expected = riak::riak_dump(&dir);
    assert!(!expected.is_empty(), "Riak wrote nothing");
    let store = Store::open(&dir).unwrap();
    assert_eq!(store.engine(), Engine::Bitcask);
    assert_eq!(store.len().unwrap() as usize, expected.len());
    for (key, value) in &expected {
        assert_eq!(
            store.get(key).unwrap().as_ref(),
            Some(value),
            "key {key:x?}"
        );
    }

    // Written through the store, read back by Riak.
    store.put("from-strata", "hello, Riak").unwrap();
    store.delete(&expected[0].0).unwrap();
    store.close().unwrap();
    let mut after = expected.clone();
    after.remove(0);
    after.push((b"from-strata".to_vec(), b"hello, Riak".to_vec()));
    after.sort();
    assert!(riak::riak_dump(&dir) == after, "Riak reads something else");
}
