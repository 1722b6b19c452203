//! Reading bbolt files: the empty file bbolt starts with, meta selection and
//! damaged files. (Files written by Go itself are read in `interop.rs`.)

use std::fs;

use strata_bptree::db::initial_file;
use strata_bptree::meta::{Meta, fnv1a64};
use strata_bptree::{DB, Error, Options};

fn read_only() -> Options {
    Options::read_only()
}

fn write_file(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.bolt");
    fs::write(&path, bytes).unwrap();
    (dir, path)
}

#[test]
fn fnv1a_matches_the_published_test_vectors() {
    assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
    assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
    assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
}

#[test]
fn the_initial_file_is_empty_and_uses_meta_1() {
    let (_dir, path) = write_file(&initial_file(4096));
    let db = DB::open(&path, read_only()).unwrap();
    assert_eq!(db.page_size(), 4096);
    db.view(|tx| {
        assert_eq!(tx.id(), 1, "the larger txid wins");
        assert_eq!(tx.meta().root, 3);
        assert!(tx.root().cursor().first()?.is_none());
        assert!(tx.root().cursor().last()?.is_none());
        assert!(tx.bucket(b"missing")?.is_none());
        Ok(())
    })
    .unwrap();
}

#[test]
fn a_damaged_meta_falls_back_to_the_other() {
    for page_size in [1024u32, 4096, 16384] {
        let mut bytes = initial_file(page_size);
        let meta1 = page_size as usize;
        bytes[meta1 + 70] ^= 0xff; // meta 1's txid: its checksum no longer matches
        let (_dir, path) = write_file(&bytes);
        let db = DB::open(&path, read_only()).unwrap();
        assert_eq!(db.begin_read().id(), 0, "page size {page_size}");

        let mut bytes = initial_file(page_size);
        bytes[20] ^= 0xff; // meta 0's version
        let (_dir, path) = write_file(&bytes);
        let db = DB::open(&path, read_only()).unwrap();
        assert_eq!(
            db.begin_read().id(),
            1,
            "meta 1 found without meta 0's page size"
        );
    }
}

#[test]
fn a_zero_checksum_is_accepted_as_bbolt_accepts_it() {
    let mut bytes = initial_file(4096);
    bytes[4096 + 72..4096 + 80].fill(0);
    assert!(Meta::decode(&bytes[4096..]).is_ok());
}

#[test]
fn both_metas_damaged_is_a_clear_error() {
    let mut bytes = initial_file(4096);
    bytes[16] ^= 1;
    bytes[4096 + 16] ^= 1;
    let (_dir, path) = write_file(&bytes);
    match DB::open(&path, read_only()) {
        Err(Error::Invalid { reason, .. }) => assert!(reason.contains("magic"), "{reason}"),
        other => panic!("expected Invalid, got {other:?}"),
    }
    let (_dir, path) = write_file(b"not a database at all");
    assert!(matches!(
        DB::open(&path, read_only()),
        Err(Error::Invalid { .. })
    ));
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

#[test]
fn every_truncation_is_invalid() {
    // Both metas say four pages are in use; a shorter file cannot hold them.
    let bytes = initial_file(1024);
    for len in 0..bytes.len() {
        let (_dir, path) = write_file(&bytes[..len]);
        assert!(
            matches!(DB::open(&path, read_only()), Err(Error::Invalid { .. })),
            "cut at {len}"
        );
    }
}

#[test]
fn bit_flips_never_panic() {
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
fn a_writer_excludes_other_writers_and_readers() {
    let (_dir, path) = write_file(&initial_file(4096));
    let writer = DB::open(&path, Options::default()).unwrap();
    assert!(matches!(
        DB::open(&path, Options::default()),
        Err(strata_bptree::Error::Locked { .. })
    ));
    assert!(matches!(
        DB::open(&path, read_only()),
        Err(strata_bptree::Error::Locked { .. })
    ));
    drop(writer);
    let reader = DB::open(&path, read_only()).unwrap();
    let second_reader = DB::open(&path, read_only()).unwrap();
    assert!(matches!(
        DB::open(&path, Options::default()),
        Err(strata_bptree::Error::Locked { .. })
    ));
    assert!(matches!(
        reader.begin_write(),
        Err(strata_bptree::Error::ReadOnly)
    ));
    drop((reader, second_reader));
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

#[test]
fn a_fresh_files_pages_annotated() {
    let (_dir, path) = write_file(&initial_file(4096));
    let db = DB::open(&path, read_only()).unwrap();
    let tx = db.begin_read();
    let mut text = strata_bptree::inspect::pages_table(&tx).unwrap();
    for id in 0..4 {
        text.push_str(&format!("\npage {id}\n"));
        text.push_str(&strata_bptree::inspect::page_dump(&tx, id).unwrap());
    }
    insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("bptree_fresh_file", text);
    });
}
