//! The exact bytes of a tiny log, annotated. The book includes this snapshot,
//! and any change to the format shows up here first.

use std::fs;

use super::{open, segments, temp_dir};
use crate::wal::{Batch, inspect};

#[test]
fn tiny_log_bytes() {
    let dir = temp_dir();
    let db = open(dir.path());
    db.put("apple", "red").unwrap();
    db.write(Batch::new().put("fig", "purple").delete("apple"))
        .unwrap();
    db.delete("fig").unwrap();
    db.close().unwrap();
    let bytes = fs::read(segments(dir.path()).pop().unwrap()).unwrap();
    insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("wal_tiny", inspect::annotate(&bytes));
    });
}
