//! The synchronization primitives group commit is built from: std's, or loom's
//! when compiled with `--cfg strata_loom`, so that the loom tests (tests/loom.rs) can
//! check every interleaving of concurrent writers.

#[cfg(strata_loom)]
pub(crate) use loom::sync::atomic::{AtomicU64, Ordering};
#[cfg(strata_loom)]
pub(crate) use loom::sync::{Arc, Condvar, Mutex, MutexGuard};

#[cfg(not(strata_loom))]
pub(crate) use std::sync::atomic::{AtomicU64, Ordering};
#[cfg(not(strata_loom))]
pub(crate) use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Spins until `done` holds or `deadline` passes, yielding the processor
/// between looks; returns whether `done` held. loom has no clock (and a long
/// spin would exhaust its branch budget), so under loom it yields once and
/// looks once: other threads may run meanwhile, and then the time is up, one
/// of the schedules the real deadline allows.
pub(crate) fn spin_until(deadline: std::time::Instant, done: impl Fn() -> bool) -> bool {
    #[cfg(not(strata_loom))]
    while !done() {
        if std::time::Instant::now() >= deadline {
            return false;
        }
        std::thread::yield_now();
    }
    #[cfg(strata_loom)]
    {
        let _ = deadline;
        loom::thread::yield_now();
    }
    done()
}
