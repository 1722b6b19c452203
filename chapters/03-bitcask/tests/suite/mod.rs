//! Chapter 3's behavioural suite. It names the crate under test `bitcask` (see
//! the including file), so it runs unchanged against the reference crate and
//! against the learner's.
//!
//! In the order the book builds things: `entry` (the bytes of an entry, down
//! to Riak's own), `store` (put, get, delete, rollover), `reopen` (rebuilding
//! the keydir from hints and scans), `crash` (every truncation, every bit
//! flip), `lock`, `merge`, `readers` (read-only opens beside a merge), `model`
//! (random operations against a `BTreeMap`), `power_loss` (a power cut at
//! every moment, on a disk that records every change: `journal`), `snapshot`
//! (the exact bytes of a tiny directory).

mod crash;
mod entry;
mod journal;
mod lock;
mod merge;
mod model;
mod power_loss;
mod readers;
mod reopen;
mod snapshot;
mod store;

use std::path::{Path, PathBuf};

use crate::bitcask::{Bitcask, Clock, Options};

/// 1700000000: the tstamp of the fact sheet's worked example.
pub const T0: u32 = 1_700_000_000;

/// Small files (so tests roll over) and a fixed clock (so bytes repeat).
pub fn options() -> Options {
    Options {
        max_file_size: 1024,
        clock: Clock::Fixed(T0),
        ..Options::default()
    }
}

/// Opens `dir` read-write with [`options`].
pub fn open(dir: &Path) -> Bitcask {
    Bitcask::open(dir, options()).unwrap()
}

/// Every live key and value, sorted by key.
pub fn contents(db: &Bitcask) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut all: Vec<_> = db
        .keys()
        .into_iter()
        .map(|k| {
            let v = db.get(&k).unwrap().unwrap();
            (k, v)
        })
        .collect();
    all.sort();
    all
}

/// The data files in `dir`, by ascending id.
pub fn data_files(dir: &Path) -> Vec<PathBuf> {
    let mut ids: Vec<u32> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            e.unwrap()
                .file_name()
                .to_str()?
                .strip_suffix(".bitcask.data")?
                .parse()
                .ok()
        })
        .collect();
    ids.sort();
    ids.into_iter()
        .map(|id| dir.join(format!("{id}.bitcask.data")))
        .collect()
}

/// The hint file beside a data file.
pub fn hint_of(data: &Path) -> PathBuf {
    data.with_extension("hint")
}

/// Proptest settings for this suite. Failures found against the reference crate
/// are saved beside the suite as regression seeds; a learner's failures are not.
pub fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    let mut config = proptest::test_runner::Config::with_cases(cases);
    if !env!("CARGO_PKG_NAME").starts_with("strata") {
        config.failure_persistence = None;
    }
    config
}
