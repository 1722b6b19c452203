//! The synchronization primitives group commit is built from: std's, or loom's
//! when compiled with `--cfg strata_loom`, so that the loom tests (tests/loom.rs) can
//! check every interleaving of concurrent writers.

#[cfg(strata_loom)]
pub(crate) use loom::sync::atomic::{AtomicU64, Ordering};
#[cfg(strata_loom)]
pub(crate) use loom::sync::{Arc, Condvar, Mutex};

#[cfg(not(strata_loom))]
pub(crate) use std::sync::atomic::{AtomicU64, Ordering};
#[cfg(not(strata_loom))]
pub(crate) use std::sync::{Arc, Condvar, Mutex};
