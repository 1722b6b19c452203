//! Group commit for engines whose writes take `&mut`: one sync shared by every
//! write made while the previous sync ran.
//!
//! A write happens in two steps. First, under the engine's own lock, the
//! writer changes the engine in memory (a flat file's map, a Bitcask's write
//! buffer) and takes a sequence number with [`GroupCommit::written`]. Then,
//! with that lock released, it waits for its number to be durable
//! ([`GroupCommit::wait_durable`]). One waiter at a time is the *leader*: it
//! runs the engine's sync, which covers every write numbered so far, while
//! the others wait; when it ends, every waiter it covered returns, and one of
//! the rest leads the next sync. So a sync costs the same whether it carries
//! one write or fifty, and N writers share it N ways. Before it syncs, a
//! leader waits a moment for as many writes as the last sync carried (the
//! writers it released are about to write again), up to as long as that sync
//! took: chapter 2's *pace*.
//!
//! This is chapter 2's group commit, made generic over what a sync is.
//! The loom tests (`tests/loom.rs`) check it under every interleaving.

use std::time::{Duration, Instant};

use crate::sync::{self, Condvar, Mutex, MutexGuard};
use crate::{Error, Result};

/// Numbers writes and shares syncs between them (see the module docs).
///
/// ```
/// use std::sync::Mutex;
/// use strata::group_commit::GroupCommit;
///
/// let log = Mutex::new(Vec::<&str>::new()); // the engine: changed under its lock
/// let commit = GroupCommit::new();
/// let seq = {
///     let mut log = log.lock().unwrap();
///     log.push("hello");
///     commit.written()? // numbered under the same lock
/// };
/// // Without the lock: wait for a sync that covers `seq` (here, run our own).
/// commit.wait_durable(seq, || Ok(()))?;
/// assert!(commit.is_durable()?);
/// assert_eq!(commit.syncs()?, 1);
/// # Ok::<(), strata::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct GroupCommit {
    state: Mutex<State>,
    /// Signalled when a sync ends.
    synced: Condvar,
}

#[derive(Debug, Default)]
struct State {
    /// The number of the last write made.
    written: u64,
    /// Every write up to this number is durable.
    durable: u64,
    /// Whether a leader is syncing now.
    syncing: bool,
    /// A sync failed: what was written is in an unknown state on disk.
    failed: bool,
    /// Syncs that succeeded.
    syncs: u64,
    /// How many writes the last sync carried: what a leader waits for.
    expect: u64,
    /// How long the last sync took: the longest a leader waits.
    patience: Duration,
}

/// The longest a leader waits for company, however slow the sync.
const MAX_PATIENCE: Duration = Duration::from_millis(1);

impl GroupCommit {
    /// A group commit with nothing written.
    ///
    /// ```
    /// let commit = strata::group_commit::GroupCommit::new();
    /// assert_eq!((commit.last_written()?, commit.syncs()?), (0, 0));
    /// assert!(commit.is_durable()?);
    /// # Ok::<(), strata::Error>(())
    /// ```
    pub fn new() -> GroupCommit {
        GroupCommit::default()
    }

    fn lock(&self) -> Result<MutexGuard<'_, State>> {
        self.state.lock().map_err(|_| Error::Poisoned)
    }

    // ANCHOR: written
    /// Numbers a write just made. Call it under the lock that orders the
    /// engine's writes, so that numbers follow the order of the changes.
    ///
    /// # Errors
    /// [`Error::Poisoned`] after a failed sync: the caller must not
    /// acknowledge the write, and should refuse new ones.
    pub fn written(&self) -> Result<u64> {
        let mut state = self.lock()?;
        if state.failed {
            return Err(Error::Poisoned);
        }
        state.written += 1;
        Ok(state.written)
    }
    // ANCHOR_END: written

    /// The number of the last write made.
    ///
    /// ```
    /// let commit = strata::group_commit::GroupCommit::new();
    /// let seq = commit.written()?;
    /// assert_eq!(commit.last_written()?, seq);
    /// # Ok::<(), strata::Error>(())
    /// ```
    pub fn last_written(&self) -> Result<u64> {
        Ok(self.lock()?.written)
    }

    /// Whether every write so far is durable.
    ///
    /// ```
    /// let commit = strata::group_commit::GroupCommit::new();
    /// commit.written()?;
    /// assert!(!commit.is_durable()?); // numbered, not yet synced
    /// commit.sync_all(|| Ok(()))?;
    /// assert!(commit.is_durable()?);
    /// # Ok::<(), strata::Error>(())
    /// ```
    pub fn is_durable(&self) -> Result<bool> {
        let state = self.lock()?;
        Ok(state.durable >= state.written)
    }

    /// How many syncs have succeeded.
    ///
    /// ```
    /// let commit = strata::group_commit::GroupCommit::new();
    /// let seq = commit.written()?;
    /// commit.wait_durable(seq, || Ok(()))?;
    /// commit.wait_durable(seq, || unreachable!("already durable: no second sync"))?;
    /// assert_eq!(commit.syncs()?, 1);
    /// # Ok::<(), strata::Error>(())
    /// ```
    pub fn syncs(&self) -> Result<u64> {
        Ok(self.lock()?.syncs)
    }

    // ANCHOR: wait_durable
    /// Returns once write `seq` is durable, running `sync` if no sync under
    /// way will cover it. `sync` must make durable every write numbered
    /// before it was called.
    ///
    /// # Errors
    /// The error of the sync this thread ran; [`Error::Poisoned`] if another
    /// thread's sync failed (nothing written since is known durable).
    pub fn wait_durable(&self, seq: u64, sync: impl FnOnce() -> Result<()>) -> Result<()> {
        self.wait(seq, true, sync)
    }

    fn wait(&self, seq: u64, gather: bool, sync: impl FnOnce() -> Result<()>) -> Result<()> {
        let mut state = self.lock()?;
        loop {
            if state.failed {
                return Err(Error::Poisoned);
            }
            if state.durable >= seq {
                return Ok(());
            }
            if !state.syncing {
                break;
            }
            // A sync is running; it may cover us. Wait for it, then look again.
            state = self.synced.wait(state).map_err(|_| Error::Poisoned)?;
        }
        // We lead: this sync covers every write numbered before it starts,
        // including those of the threads that arrive while we gather.
        state.syncing = true;
        let mut timed_out = false;
        if gather {
            (state, timed_out) = self.gather(state)?;
        }
        let durable = state.durable;
        let target = state.written;
        drop(state);

        let started = Instant::now();
        let result = sync();
        let took = started.elapsed();

        let mut state = self.lock()?;
        state.syncing = false;
        match result {
            Ok(()) => {
                state.durable = state.durable.max(target);
                state.syncs += 1;
                // What this sync teaches the next leader.
                let carried = target - durable;
                state.expect = if timed_out {
                    carried.max(1)
                } else {
                    state.expect.max(carried)
                };
                state.patience = took.min(MAX_PATIENCE);
            }
            // A failed fsync may have dropped dirty pages: never trust a retry.
            Err(_) => state.failed = true,
        }
        drop(state);
        self.synced.notify_all();
        result
    }
    // ANCHOR_END: wait_durable

    /// As leader, waits (spinning, yielding the processor) until as many
    /// writes are pending as the last sync carried, or for as long as it
    /// took; says whether the time ran out.
    fn gather<'a>(&'a self, state: MutexGuard<'a, State>) -> Result<(MutexGuard<'a, State>, bool)> {
        let deadline = Instant::now() + state.patience;
        let enough = state.durable + state.expect.max(1);
        // Writers need the lock to number their writes.
        drop(state);
        let came = sync::spin_until(deadline, || {
            self.state
                .lock()
                .map_or(true, |state| state.written >= enough)
        });
        Ok((self.lock()?, !came))
    }

    /// Makes every write so far durable (running `sync` if needed).
    ///
    /// ```
    /// use strata::{Error, group_commit::GroupCommit};
    /// let commit = GroupCommit::new();
    /// commit.written()?;
    /// commit.sync_all(|| Ok(()))?;
    /// commit.sync_all(|| unreachable!("nothing new to sync"))?;
    /// commit.written()?;
    /// assert!(commit.sync_all(|| Err(Error::Poisoned)).is_err());
    /// assert!(matches!(commit.written(), Err(Error::Poisoned))); // a failed sync is never retried
    /// # Ok::<(), strata::Error>(())
    /// ```
    pub fn sync_all(&self, sync: impl FnOnce() -> Result<()>) -> Result<()> {
        let last = self.last_written()?;
        // No writer is waiting on this one: sync at once.
        self.wait(last, false, sync)
    }
}
