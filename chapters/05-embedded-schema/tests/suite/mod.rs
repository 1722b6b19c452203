//! Chapter 5's behavioural suite. It names the crate under test `schema` (see
//! the including file), so it runs unchanged against the reference crate and
//! against the learner's. Its schemas say `#[schema(crate = "crate::schema")]`
//! for the same reason: the derive's code then reaches the crate by that name.
//!
//! In the order the book builds things: `tables` (every table type, and what a
//! reopen shows), `transaction` (one record, or nothing at all), `crash` (every
//! truncation of a small log), `compaction`, `evolution` (the schema changes
//! under an existing log), `disk` (a table kept in a B+tree file of its own),
//! `config` (memory, read-only, the lock, a missing folder), `model` (random operations against std's collections),
//! `power_loss` (every moment the power could fail, on a simulated disk), `snapshot`
//! (the exact bytes of a tiny log).

mod compaction;
mod config;
mod crash;
mod disk;
mod evolution;
// Chapter 2's helpers for a log folder's files: a database is such a folder.
#[path = "../../../02-wal/tests/suite/folder.rs"]
mod folder;
mod model;
mod power_loss;
mod snapshot;
mod tables;
mod transaction;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::schema::{
    Config, List, LookupList, LookupSet, LookupTable, OrderedTable, Single, SyncPolicy,
};
pub use folder::{segments, snapshots};

/// A settings record, as a `Single` holds one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub owner: String,
    pub quota: u32,
}

/// One table of every type.
#[derive(crate::schema::Schema)]
#[schema(crate = "crate::schema")]
pub struct Db {
    pub settings: Single<Settings>,
    pub files: LookupTable<u64, String>,
    pub paths: OrderedTable<String, u64>,
    pub events: List<String>,
    pub by_owner: LookupList<String, u64>,
    pub shares: LookupSet<u64, String>,
}

/// Everything a [`Db`] holds, in std's collections, in a fixed order: what a
/// test compares, and the model the random tests keep by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    pub settings: Option<Settings>,
    pub files: BTreeMap<u64, String>,
    pub paths: BTreeMap<String, u64>,
    pub events: Vec<String>,
    /// A key is here only while it has values.
    pub by_owner: BTreeMap<String, Vec<u64>>,
    /// A key is here only while its set is not empty.
    pub shares: BTreeMap<u64, BTreeSet<String>>,
}

impl State {
    /// What `db` holds, read through each table's public API.
    pub fn of(db: &Db) -> State {
        State {
            settings: db.settings.get().cloned(),
            files: db.files.iter().map(|(k, v)| (*k, v.clone())).collect(),
            paths: db.paths.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            events: db.events.iter().cloned().collect(),
            by_owner: db
                .by_owner
                .iter()
                .map(|(k, v)| (k.clone(), v.to_vec()))
                .collect(),
            shares: db
                .shares
                .iter()
                .map(|(k, set)| (*k, set.iter().cloned().collect()))
                .collect(),
        }
    }
}

/// A fresh folder for one test.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// The configuration most tests use: `dir`, every write fsynced.
pub fn config(dir: &Path) -> Config {
    Config::in_folder(dir).sync(SyncPolicy::Always)
}

/// Opens a [`Db`] in `dir`.
pub fn open(dir: &Path) -> Db {
    Db::open(config(dir)).unwrap()
}

/// Reopens: drops `db` (releasing the folder), then opens `dir` again.
pub fn reopen(db: Db, dir: &Path) -> Db {
    drop(db);
    open(dir)
}

/// The newest log segment's bytes.
pub fn log_bytes(dir: &Path) -> Vec<u8> {
    let segment = segments(dir).pop().expect("a log segment");
    std::fs::read(segment).unwrap()
}

/// The records in the newest log segment, as the number of changes each
/// holds: 1 for a put or a delete, the batch's length for a batch. Panics on
/// bytes that are not whole records.
pub fn records(dir: &Path) -> Vec<usize> {
    use strata_wal::Op;
    use strata_wal::record::{Frame, decode};
    let bytes = log_bytes(dir);
    let mut rest = &bytes[..];
    let mut found = Vec::new();
    while !rest.is_empty() {
        match decode(rest) {
            Frame::Record { record, len } => {
                found.push(match record.op {
                    Op::Put { .. } | Op::Delete { .. } => 1,
                    Op::Batch(changes) => changes.len(),
                });
                rest = &rest[len..];
            }
            other => panic!("not a whole record at the log's end: {other:?}"),
        }
    }
    found
}

/// Proptest settings for this suite. Failures found against the reference crate
/// are saved beside the suite as regression seeds (in `file`); a learner's
/// failures are not, since they would fill the file with cases the reference
/// passes.
pub fn proptest_config(cases: u32, file: &'static str) -> proptest::test_runner::Config {
    use proptest::test_runner::{Config, FileFailurePersistence};
    let mut config = Config::with_cases(cases);
    config.failure_persistence = if env!("CARGO_PKG_NAME").starts_with("strata") {
        Some(Box::new(FileFailurePersistence::Direct(file)))
    } else {
        None
    };
    config
}
