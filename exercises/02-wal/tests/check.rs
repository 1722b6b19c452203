//! Chapter 2's suite, run against your crate: `cargo test -p chapter-02`.
//! It is the reference crate's own suite, compiled here with your crate named
//! `wal`, so passing it means your code behaves like the reference.

use chapter_02 as wal;

#[path = "../../../chapters/02-wal/tests/suite/mod.rs"]
mod suite;
