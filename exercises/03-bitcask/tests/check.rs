//! Chapter 3's suite, run against your crate: `cargo test -p chapter-03`.
//! It is the reference crate's own suite, compiled here with your crate named
//! `bitcask`, so passing it means your code behaves like the reference.

use chapter_03 as bitcask;

#[path = "../../../chapters/03-bitcask/tests/suite/mod.rs"]
mod suite;
