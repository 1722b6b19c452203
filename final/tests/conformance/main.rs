//! The conformance suite: the same tests, run against every engine this
//! build includes.
//!
//! - `scripts`: readable scenarios in `tests/scripts/`, each a list of
//!   commands and the output they must print;
//! - `model`: a proptest state machine of operations (reopen included)
//!   checked against a `BTreeMap`;
//! - `mirror`: two engines given the same operations must agree after each;
//! - `capabilities`: what each engine says it can do is what it does;
//! - `read_only`: a read-only open reads all and changes nothing on disk;
//! - `tables`: typed tables over every ordered engine.

// A build that leaves engines out leaves the helpers only they use unused.
#![cfg_attr(
    not(all(
        feature = "flat-file",
        feature = "wal",
        feature = "bitcask",
        feature = "bptree"
    )),
    allow(dead_code, unused_imports)
)]

mod capabilities;
mod harness;
mod mirror;
mod model;
mod read_only;
mod scripts;
mod tables;
