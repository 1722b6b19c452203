//! Chapter 1's behavioural suite. It names the crate under test `flat_file`
//! (see the including file), so it runs unchanged against the reference crate
//! and against the learner's.
//!
//! In the order the book builds things: `format` (encode and decode),
//! `corruption` (damaged and hostile files), `atomic` (crash at every save step),
//! `store` (the map API), `snapshot` (the exact bytes).

mod atomic;
mod corruption;
mod format;
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
