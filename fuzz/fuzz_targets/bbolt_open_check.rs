//! Chapter 4's read-only open of a fuzzed file, its consistency check, and a
//! cursor walk over every bucket.
//!
//! The input is the whole file. Its two metas' checksums are fixed before it
//! is written (`bbolt_meta` fuzzes the checksums themselves), so mutations of
//! the metas' fields reach the open, and mutations of the pages the check.
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use strata_bptree::tx::Root;
use strata_bptree::{Bucket, DB, Options};
use strata_fuzz::fix_meta_checksums;

/// The most entries the walk visits: a file can nest inline buckets that
/// share their bytes, which a walk would visit exponentially often.
const WALK_BUDGET: usize = 100_000;

fuzz_target!(|bytes: &[u8]| {
    let mut file = bytes.to_vec();
    fix_meta_checksums(&mut file);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("fuzz.db");
    std::fs::write(&path, &file).expect("writing the file");

    // Any error is fine; a panic, a hang or an abort is a bug.
    let Ok(db) = DB::open(&path, Options::read_only()) else {
        return;
    };
    let tx = db.begin_read();
    let _problems = tx.check();
    let mut budget = WALK_BUDGET;
    walk(tx.root(), &mut HashSet::new(), &mut budget);
});

/// Reads every key of `bucket` forwards and backwards, and walks the buckets
/// nested in it; each tree of pages once (`seen` holds their roots).
fn walk(bucket: Bucket<'_>, seen: &mut HashSet<u64>, budget: &mut usize) {
    if let Root::Page(id) = bucket.root_ref()
        && !seen.insert(id)
    {
        return;
    }
    let mut cursor = bucket.cursor();
    let mut entry = cursor.first();
    while let Ok(Some(e)) = entry {
        let Some(left) = budget.checked_sub(1) else {
            return;
        };
        *budget = left;
        if e.is_bucket() {
            if let Ok(child) = bucket.open_child(e.value) {
                walk(child, seen, budget);
            }
        } else {
            let _ = bucket.get(e.key);
        }
        entry = cursor.next();
    }
    let mut entry = cursor.last();
    while let Ok(Some(_)) = entry {
        let Some(left) = budget.checked_sub(1) else {
            return;
        };
        *budget = left;
        entry = cursor.prev();
    }
}
