//! Chapter 2's behavioural suite. It names the crate under test `wal` (see the
//! including file), so it runs unchanged against the reference crate and
//! against the learner's.
//!
//! In the order the book builds things: `record` (framing), `store` (the API),
//! `recovery` (torn tails, damage, every truncation), `checkpoint`,
//! `durability` (sync policies, group commit), `model` (random operations and
//! crashes against a `BTreeMap`), `power_loss` (every moment the power could
//! fail, on a simulated disk), `reader` (reading beside a writer),
//! `snapshot` (the exact bytes).

mod checkpoint;
mod durability;
mod folder;
mod model;
mod power_loss;
mod reader;
mod record;
mod recovery;
mod snapshot;
mod store;

use std::path::Path;

use crate::wal::{Options, Store, SyncPolicy};

pub use folder::{segments, snapshots};

/// A fresh directory for one test.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Opens with `SyncPolicy::Never` (fast) and the default recovery mode.
pub fn open(dir: &Path) -> Store {
    Store::open(dir, Options::new(SyncPolicy::Never)).unwrap()
}

/// The store's contents as owned pairs, in key order.
pub fn contents(store: &Store) -> Vec<(Vec<u8>, Vec<u8>)> {
    store
        .read()
        .iter()
        .map(|(k, v)| (k.to_vec(), v.to_vec()))
        .collect()
}

/// Proptest settings for this suite. Failures found against the reference crate
/// are saved beside the suite as regression seeds; a learner's failures are not,
/// since they would fill the file with cases the reference passes.
pub fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    let mut config = proptest::test_runner::Config::with_cases(cases);
    if !env!("CARGO_PKG_NAME").starts_with("strata") {
        config.failure_persistence = None;
    }
    config
}
