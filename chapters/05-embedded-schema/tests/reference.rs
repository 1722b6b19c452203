//! Chapter 5's suite, run against the reference crate. The learner's crate
//! (`chapter-05`) runs the very same suite against their code.

use strata_schema as schema;

mod suite;
