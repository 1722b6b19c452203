//! Chapter 1's suite, run against your crate: `cargo test -p chapter-01`.
//! It is the reference crate's own suite, compiled here with your crate named
//! `flat_file`, so passing it means your code behaves like the reference.

use chapter_01 as flat_file;

#[path = "../../../chapters/01-flat-file/tests/suite/mod.rs"]
mod suite;
