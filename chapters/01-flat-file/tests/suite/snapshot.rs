//! The exact bytes of a tiny file, annotated. The book includes this snapshot,
//! and any change to the format shows up here first.

use crate::flat_file::{Map, format, inspect};

#[test]
fn tiny_file_bytes() {
    let mut map = Map::new();
    map.insert(b"apple".to_vec(), b"red".to_vec());
    map.insert(b"fig".to_vec(), b"purple".to_vec());
    let bytes = format::encode(&map);
    insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("flat_file_tiny", inspect::annotate(&bytes));
    });
}
