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

/// Spins until `done` holds or `deadline` passes, yielding the processor
/// between looks; returns whether `done` held. loom has no clock (and a long
/// spin would use up its branch budget), so under loom it yields once and
/// looks once: others may run meanwhile, then the time is up, one of the
/// schedules the real deadline allows.
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
