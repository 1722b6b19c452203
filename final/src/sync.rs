//! The synchronisation primitives `strata`'s own protocols are built from:
//! std's, or loom's when compiled with `--cfg strata_loom`, so that the loom
//! tests (`tests/loom.rs`) can check every interleaving of them.
//!
//! The cfg is `strata_loom`, not the usual `loom`: `--cfg loom` would also
//! switch every dependency that knows loom into its own loom mode.

// ANCHOR: primitives
#[cfg(strata_loom)]
pub(crate) use loom::sync::{Condvar, Mutex, MutexGuard};

#[cfg(not(strata_loom))]
pub(crate) use std::sync::{Condvar, Mutex, MutexGuard};
// ANCHOR_END: primitives
