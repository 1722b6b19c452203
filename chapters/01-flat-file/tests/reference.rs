//! Chapter 1's suite, run against the reference crate. The learner's crate
//! (`chapter-01`) runs the very same suite against their code.

use strata_flat_file as flat_file;

mod suite;
