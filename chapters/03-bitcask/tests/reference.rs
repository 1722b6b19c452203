//! Chapter 3's suite, run against the reference crate. The learner's crate
//! (`chapter-03`) runs the very same suite against their code.

use strata_bitcask as bitcask;

mod suite;
