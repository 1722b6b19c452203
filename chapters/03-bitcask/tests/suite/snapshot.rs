//! The exact bytes of a tiny directory, annotated. They are the bytes of the
//! reference sheet's worked example, which Riak's bitcask wrote; the book
//! includes this snapshot.

use std::fs;

use super::{data_files, hint_of, open};
use crate::bitcask::inspect;

#[test]
fn tiny_directory_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(b"k1", b"v1").unwrap();
    db.put(b"k2", b"value2").unwrap();
    db.delete(b"k1").unwrap();
    db.close().unwrap();
    let data = &data_files(dir.path())[0];
    let data_bytes = fs::read(data).unwrap();
    let hint_bytes = fs::read(hint_of(data)).unwrap();
    assert_eq!(
        data_bytes,
        super::entry::RIAK_DATA,
        "byte for byte what Riak writes"
    );
    assert_eq!(hint_bytes, super::entry::RIAK_HINT);
    let text = format!(
        "1.bitcask.data\n{}\n1.bitcask.hint\n{}",
        inspect::annotate_data(&data_bytes),
        inspect::annotate_hint(&hint_bytes)
    );
    insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("bitcask_tiny", text);
    });
}
