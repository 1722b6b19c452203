//! Chapter 5's suite, run against your crate: `cargo test -p chapter-05`.
//! It is the reference crate's own suite, compiled here with your crate named
//! `schema`, so passing it means your code behaves like the reference. Its
//! schemas say `#[schema(crate = "crate::schema")]`, so the code the derive
//! writes for them calls your crate too.

use chapter_05 as schema;

#[path = "../../../chapters/05-embedded-schema/tests/suite/mod.rs"]
mod suite;
