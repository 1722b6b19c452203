//! Chapter 1's behavioural suite. It names the crate under test `flat_file`
//! (see the including file), so it runs unchanged against the reference crate
//! and against the learner's.
//!
//! In the order the book builds things: `format` (encode and decode),
//! `corruption` (damaged and hostile files), `atomic` (crash at every save step),
//! `power_loss` (a save on a simulated disk that loses what was not fsynced),
//! `store` (the map API), `snapshot` (the exact bytes).

mod atomic;
mod corruption;
mod format;
mod power_loss;
mod snapshot;
mod store;

use crate::flat_file::Map;

/// A small map with a few shapes of keys and values.
pub fn sample() -> Map {
    let mut map = Map::new();
    map.insert(b"apple".to_vec(), b"red".to_vec());
    map.insert(b"banana".to_vec(), b"yellow".to_vec());
    map.insert(b"cherry".to_vec(), Vec::new());
    map.insert(vec![0, 255, 7], vec![1; 300]);
    map
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
