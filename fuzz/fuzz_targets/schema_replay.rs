//! Chapter 5's open: a schema of every table type loaded from a fuzzed log.
//!
//! The input is a chapter 2 log segment. Its frames' checksums are fixed
//! before it is written (`wal_replay` fuzzes the framing), so the fuzzer's
//! mutations reach the schema's own decoding: table names, keys and values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::{Deserialize, Serialize};
use strata_fuzz::fix_wal_checksums;
use strata_schema::{
    Config, List, LookupList, LookupSet, LookupTable, OrderedTable, Schema, Single,
};
use strata_wal::segment::segment_path;

/// A settings record, as a `Single` holds one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Settings {
    owner: String,
    quota: u32,
}

/// One table of every type (the seed generator writes the same schema).
#[derive(Schema)]
#[schema(crate = "strata_schema")]
struct Db {
    settings: Single<Settings>,
    files: LookupTable<u64, String>,
    paths: OrderedTable<String, u64>,
    events: List<String>,
    by_owner: LookupList<String, u64>,
    shares: LookupSet<u64, String>,
}

fuzz_target!(|bytes: &[u8]| {
    let mut segment = bytes.to_vec();
    fix_wal_checksums(&mut segment);
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(segment_path(dir.path(), 1), &segment).expect("writing the segment");

    // Any error is fine; a panic, a hang or an abort is a bug. Read-only
    // first, which changes no file, then for writing, which may cut a tail.
    if let Ok(db) = Db::open(Config::in_folder(dir.path()).read_only()) {
        read_all(&db);
    }
    if let Ok(db) = Db::open(Config::in_folder(dir.path())) {
        read_all(&db);
    }
});

/// Reads every table through its public API.
fn read_all(db: &Db) {
    let _ = db.settings.get();
    let _ = db.files.iter().count();
    let _ = db.paths.iter().count();
    let _ = db.events.iter().count();
    let _ = db
        .by_owner
        .iter()
        .map(|(_, values)| values.len())
        .sum::<usize>();
    let _ = db.shares.iter().map(|(_, set)| set.len()).sum::<usize>();
}
