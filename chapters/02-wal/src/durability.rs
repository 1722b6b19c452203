//! When a write becomes durable: the sync policy, and group commit.
//!
//! An fsync costs from tens of microseconds to tens of milliseconds, far more
//! than the write it makes durable. Two ideas make that affordable:
//!
//! - a relaxed [`SyncPolicy`] trades a window of possible loss for speed;
//! - *group commit*: under [`SyncPolicy::Always`], threads that write at the
//!   same time share fsyncs. While one thread (the leader) fsyncs, others
//!   append their records and wait; the next fsync then covers all of them.
//!   Before it fsyncs, a leader waits a moment for the writers the last fsync
//!   released, so that they ride this one rather than the next.

use std::fs::File;
use std::io;
use std::sync::PoisonError;
use std::time::{Duration, Instant};

use crate::sync::{self, Arc, AtomicU64, Condvar, Mutex, MutexGuard, Ordering};

use crate::{Error, Result};

/// When the store fsyncs the log. Every policy survives a crash of the
/// *process*: a write has reached the operating system when the call returns.
/// They differ in what survives a crash of the *machine* (power loss, kernel
/// panic).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SyncPolicy {
    /// Every write is on disk before the call that made it returns. Concurrent
    /// writers share fsyncs (group commit), so their throughput grows with
    /// their number. The safest policy, and the default.
    #[default]
    Always,
    /// A background thread fsyncs the log every interval when there are new
    /// writes: a machine crash loses at most about the last interval of
    /// acknowledged writes. [`Store::sync`](crate::Store::sync) makes
    /// everything durable at once.
    Interval(Duration),
    /// The store never fsyncs on its own; the operating system writes the log
    /// back when it chooses (typically within 30 seconds on Linux). Only
    /// [`Store::sync`](crate::Store::sync), a checkpoint and
    /// [`Store::close`](crate::Store::close) make writes durable.
    Never,
}

/// Something that can be made durable: a log segment's file (or, in the loom
/// tests, a model of one).
pub trait SyncData {
    /// Forces everything written so far to disk.
    fn sync_data(&self) -> io::Result<()>;
}

impl SyncData for File {
    fn sync_data(&self) -> io::Result<()> {
        File::sync_data(self)
    }
}

/// Tracks what is written and what is durable, and runs group commit.
///
/// One thread at a time is the *leader*: it fsyncs, outside any lock, while the
/// others wait on a condition variable. When the fsync ends, every waiter wakes
/// at once; those it covered return, and one of the rest leads the next fsync,
/// which covers every record appended in the meantime. (Queueing the waiters on
/// a mutex instead would wake them one by one, a convoy in which each fsync
/// covers only a record or two.)
#[derive(Debug)]
pub struct GroupCommit<F = File> {
    leader: Mutex<Leader<F>>,
    /// Signalled when an fsync ends.
    synced: Condvar,
    /// The highest sequence number handed to the operating system.
    written: AtomicU64,
    /// The highest sequence number known to be on disk.
    durable: AtomicU64,
    /// How many fsyncs of the log have run (for tests and benchmarks).
    syncs: AtomicU64,
}

#[derive(Debug)]
struct Leader<F> {
    /// The segment fsyncs go to.
    file: Arc<F>,
    /// Whether a leader is fsyncing now.
    syncing: bool,
    /// Set when an fsync failed: after that, nothing written is known durable.
    failed: bool,
    /// What the fsyncs so far teach the next leader.
    pace: Pace,
}

// ANCHOR: pace
/// How long a leader waits for company before it fsyncs.
///
/// Under [`SyncPolicy::Always`] each writer has one record in flight, so the
/// number of records the last fsync carried is a fair guess at how many
/// writers there are. When an fsync ends, the writers it covered return and
/// append again a few microseconds later; the first of them to lead would
/// otherwise fsync at once, with only its own record and those of the
/// writers that missed the last fsync, and the groups would settle at about
/// half the writers each. So the leader waits until as many records are
/// pending as the last fsync carried, or for at most as long as that fsync
/// took. If they don't come, the guess falls to what did: a lone writer
/// never waits, and one that is left alone waits once.
#[derive(Debug, Clone, Copy)]
struct Pace {
    /// How many records the leader waits for.
    expect: u64,
    /// The longest it waits for them.
    patience: Duration,
}

/// The longest a leader waits, however slow the disk: a writer that was
/// coming arrives within microseconds.
const MAX_PATIENCE: Duration = Duration::from_millis(1);

impl Pace {
    const START: Pace = Pace {
        expect: 1,
        patience: Duration::ZERO,
    };

    /// Learns from an fsync that carried `carried` records and took `took`,
    /// after a gathering that did or did not time out.
    fn learn(&mut self, carried: u64, took: Duration, timed_out: bool) {
        self.expect = if timed_out {
            carried.max(1)
        } else {
            self.expect.max(carried)
        };
        self.patience = took.min(MAX_PATIENCE);
    }
}
// ANCHOR_END: pace

impl<F: SyncData> GroupCommit<F> {
    /// Starts tracking `file`, whose records up to `durable` are on disk.
    pub fn new(file: F, durable: u64) -> Self {
        GroupCommit {
            leader: Mutex::new(Leader {
                file: Arc::new(file),
                syncing: false,
                failed: false,
                pace: Pace::START,
            }),
            synced: Condvar::new(),
            written: AtomicU64::new(durable),
            durable: AtomicU64::new(durable),
            syncs: AtomicU64::new(0),
        }
    }

    /// Records that `seq` has been handed to the operating system. Writers
    /// call it in sequence order, under the lock that orders their appends,
    /// so a plain store (no read-modify-write) keeps it from going down.
    pub fn written(&self, seq: u64) {
        self.written.store(seq, Ordering::Release);
    }

    /// The highest sequence number known to be on disk.
    pub fn durable_seq(&self) -> u64 {
        self.durable.load(Ordering::Acquire)
    }

    /// How many fsyncs have run.
    pub fn sync_count(&self) -> u64 {
        self.syncs.load(Ordering::Relaxed)
    }

    /// Whether some written record is not yet known to be durable.
    pub fn has_unsynced(&self) -> bool {
        self.written.load(Ordering::Acquire) > self.durable_seq()
    }

    /// Returns once record `seq` is on disk, fsyncing if no one else will.
    /// A writer calls it after announcing `seq` with [`written`](Self::written).
    pub fn wait_durable(&self, seq: u64) -> Result<()> {
        self.wait(seq, true)
    }

    /// Makes everything written so far durable. A leader here has no writers
    /// to wait for: it fsyncs at once.
    pub fn sync_all(&self) -> Result<()> {
        self.wait(self.written.load(Ordering::Acquire), false)
    }

    // ANCHOR: wait_durable
    fn wait(&self, seq: u64, gather: bool) -> Result<()> {
        let mut leader = self.leader.lock().map_err(|_| Error::Panicked)?;
        loop {
            if leader.failed {
                return Err(Error::Poisoned);
            }
            if self.durable_seq() >= seq {
                return Ok(());
            }
            if !leader.syncing {
                break;
            }
            // Someone leads; its fsync may cover us. Wait for it and look again.
            leader = self.synced.wait(leader).map_err(|_| Error::Panicked)?;
        }
        // We lead. Our fsync covers every record written before it starts,
        // including those of the threads that arrive while we gather.
        leader.syncing = true;
        let mut timed_out = false;
        if gather {
            (leader, timed_out) = self.gather(leader)?;
        }
        let durable = self.durable_seq();
        let target = self.written.load(Ordering::Acquire);
        let file = Arc::clone(&leader.file);
        drop(leader);

        let started = Instant::now();
        let result = file.sync_data();
        let took = started.elapsed();

        let mut leader = self.leader.lock().unwrap_or_else(PoisonError::into_inner);
        leader.syncing = false;
        match &result {
            Ok(()) => {
                self.syncs.fetch_add(1, Ordering::Relaxed);
                self.durable.fetch_max(target, Ordering::Release);
                leader
                    .pace
                    .learn(target.saturating_sub(durable), took, timed_out);
            }
            // A failed fsync may have dropped dirty pages: never retry it.
            Err(_) => leader.failed = true,
        }
        drop(leader);
        self.synced.notify_all();
        result.map_err(|e| Error::io("log segment", e))
    }
    // ANCHOR_END: wait_durable

    // ANCHOR: gather
    /// As leader, waits until as many records are pending as [`Pace`]
    /// expects, or until its patience runs out; says whether it did. The
    /// wait is a spin that yields the processor: the writers it waits for
    /// are a few microseconds away, less than it takes to wake a sleeping
    /// thread, and while it yields they run.
    fn gather<'a>(
        &'a self,
        leader: MutexGuard<'a, Leader<F>>,
    ) -> Result<(MutexGuard<'a, Leader<F>>, bool)> {
        let deadline = Instant::now() + leader.pace.patience;
        let expect = leader.pace.expect;
        // Others only need the lock to see that we lead and wait for us.
        drop(leader);
        let came = sync::spin_until(deadline, || {
            self.written
                .load(Ordering::Acquire)
                .saturating_sub(self.durable_seq())
                >= expect
        });
        let leader = self.leader.lock().map_err(|_| Error::Panicked)?;
        Ok((leader, !came))
    }
    // ANCHOR_END: gather

    /// Switches to a new segment after a checkpoint. Every record up to
    /// `durable` must already be on disk (the checkpoint synced the old segment).
    pub fn switch_file(&self, file: F, durable: u64) {
        let mut leader = self.leader.lock().unwrap_or_else(PoisonError::into_inner);
        // A leader already fsyncing the old segment keeps its handle: its
        // target counts only records in that segment.
        leader.file = Arc::new(file);
        self.durable.fetch_max(durable, Ordering::Release);
    }
}
