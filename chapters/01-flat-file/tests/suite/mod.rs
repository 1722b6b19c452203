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

/// Where two byte strings first differ, as a short hex view of both sides
/// around that offset, or `None` if they are equal. A failing save is easier
/// to read this way than as two lists of several hundred decimal bytes.
pub fn difference(found: &[u8], expected: &[u8]) -> Option<String> {
    if found == expected {
        return None;
    }
    let at = found
        .iter()
        .zip(expected)
        .position(|(a, b)| a != b)
        .unwrap_or(found.len().min(expected.len()));
    let from = at.saturating_sub(8);
    let hex = |bytes: &[u8]| {
        let window = &bytes[from.min(bytes.len())..(at + 8).min(bytes.len())];
        let shown: Vec<String> = window.iter().map(|b| format!("{b:02x}")).collect();
        if shown.is_empty() {
            "(nothing)".to_string()
        } else {
            shown.join(" ")
        }
    };
    Some(format!(
        "{} bytes found, {} expected; they first differ at offset {at} \
         (showing from offset {from}):\n  found:    {}\n  expected: {}",
        found.len(),
        expected.len(),
        hex(found),
        hex(expected),
    ))
}

/// Panics with [`difference`] and `context` unless the bytes are equal.
#[track_caller]
pub fn assert_bytes(found: &[u8], expected: &[u8], context: impl std::fmt::Display) {
    if let Some(difference) = difference(found, expected) {
        panic!("{context}: {difference}");
    }
}
