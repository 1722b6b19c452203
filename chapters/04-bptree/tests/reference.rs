//! Chapter 4's suite, run against the reference crate. The learner's crate
//! (`chapter-04`) runs the very same suite against their code.

use strata_bptree as bptree;

mod suite;
