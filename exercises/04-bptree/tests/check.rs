//! Chapter 4's suite, run against your crate: `cargo test -p chapter-04`.
//! It is the reference crate's own suite, compiled here with your crate named
//! `bptree`, so passing it means your code behaves like the reference.

use chapter_04 as bptree;

#[path = "../../../chapters/04-bptree/tests/suite/mod.rs"]
mod suite;
