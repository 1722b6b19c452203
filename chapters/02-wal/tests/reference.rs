//! Chapter 2's suite, run against the reference crate. The learner's crate
//! (`chapter-02`) runs the very same suite against their code.

use strata_wal as wal;

mod suite;
