//! The annotated pages of a fresh file, as the book shows them: any change
//! to the bytes bbolt starts a file with shows up here in review.

use crate::bptree::db::initial_file;
use crate::bptree::{DB, Options, inspect};

#[test]
fn a_fresh_files_pages_annotated() {
    let (_dir, path) = super::temp_file();
    std::fs::write(&path, initial_file(4096)).unwrap();
    let db = DB::open(&path, Options::read_only()).unwrap();
    let tx = db.begin_read();
    let mut text = inspect::pages_table(&tx).unwrap();
    for id in 0..4 {
        text.push_str(&format!("\npage {id}\n"));
        text.push_str(&inspect::page_dump(&tx, id).unwrap());
    }
    insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("bptree_fresh_file", text);
    });
}
