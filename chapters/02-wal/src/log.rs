//! [`Log`]: the write-ahead log on its own, without a map: appends made
//! durable as the sync policy says (with group commit), checkpoints of a state
//! its caller keeps, and recovery that hands every logged change back.
//!
//! Chapter 2's [`Store`](crate::Store) is this log plus a map; chapter 5 keeps
//! typed tables instead of a map, on the same log.

use std::io;
use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::durability::GroupCommit;
use crate::fs::{Dir, LogFile};
use crate::lock::DirLock;
use crate::op::Op;
use crate::reader::{self, Recovered};
use crate::recovery::{RecoveryMode, RecoveryReport};
use crate::writer::LogWriter;
use crate::{CheckpointStep, Error, Map, Result, SyncPolicy, checkpoint, segment};

/// Options for [`Log::open`] and [`Store::open`](crate::Store::open).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Options {
    /// When writes are fsynced. Default: [`SyncPolicy::Always`].
    pub sync: SyncPolicy,
    /// What recovery does with damage. Default: tolerate a torn tail.
    pub recovery: RecoveryMode,
    /// Create the directory if it is missing. Default: `true`.
    pub create_if_missing: Create,
}

/// Whether opening creates a missing directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Create {
    /// Create the directory (and its parents) if missing.
    #[default]
    IfMissing,
    /// Fail with [`Error::NotFound`] if the directory is missing.
    Never,
}

impl Options {
    /// Default options with the given sync policy.
    pub fn new(sync: SyncPolicy) -> Self {
        Options {
            sync,
            ..Options::default()
        }
    }

    /// These options with another recovery mode.
    pub fn recovery(mut self, mode: RecoveryMode) -> Self {
        self.recovery = mode;
        self
    }

    /// These options with another behaviour for a missing directory.
    pub fn create(mut self, create: Create) -> Self {
        self.create_if_missing = create;
        self
    }
}

/// Counters that show what the log has done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// The last sequence number written.
    pub last_seq: u64,
    /// The highest sequence number known to be on disk.
    pub durable_seq: u64,
    /// fsyncs of the log since open (group commit makes this smaller than the
    /// number of writes when threads write concurrently).
    pub log_syncs: u64,
    /// Bytes in the active log segment.
    pub log_len: u64,
}

/// A write-ahead log in a directory, without a map.
///
/// Every change is appended as one record (a put, a delete or a batch) and is
/// durable as the [`SyncPolicy`] says; threads that write at once share
/// fsyncs. Opening recovers the directory and hands every change it holds to
/// the caller, oldest first. [`checkpoint_from`](Log::checkpoint_from) saves
/// the caller's state as a snapshot and drops the records it covers.
///
/// One `Log` per directory, enforced by a lock: a second open fails with
/// [`Error::Locked`]. Dropping a log without [`close`](Log::close) is like a
/// crash of the process: nothing acknowledged is lost.
#[derive(Debug)]
pub struct Log {
    shared: Arc<Shared>,
    flusher: Option<Flusher>,
    /// Every checkpoint starts with this held, so that two never overlap.
    background: Mutex<Background>,
}

/// The background checkpoint, if one has run since it was last reported.
#[derive(Debug, Default)]
struct Background {
    thread: Option<JoinHandle<Result<()>>>,
    /// How a finished one failed, until [`Log::finish_background_checkpoint`] reports it.
    failed: Option<Error>,
}

impl Background {
    /// Waits for the thread, if there is one, and keeps its error.
    fn join(&mut self) {
        if let Some(thread) = self.thread.take() {
            let error = match thread.join() {
                Ok(result) => result.err(),
                Err(_) => Some(Error::Panicked),
            };
            self.failed = error.or(self.failed.take());
        }
    }

    fn is_running(&self) -> bool {
        self.thread
            .as_ref()
            .is_some_and(|thread| !thread.is_finished())
    }
}

#[derive(Debug)]
struct Shared {
    dir: Dir,
    policy: SyncPolicy,
    state: Mutex<State>,
    commit: GroupCommit<Box<dyn LogFile>>,
    recovery: RecoveryReport,
    _lock: DirLock,
}

/// What appends change, under one lock.
#[derive(Debug)]
struct State {
    log: LogWriter,
    last_seq: u64,
    /// Set when a write or fsync failed: the log's contents are unknown.
    poisoned: bool,
}

impl Log {
    /// Opens (or creates) the log in directory `dir`, recovering from a crash
    /// if there was one, and hands every change it holds to `replay`: the
    /// newest snapshot's entries first (as puts), then each record after it,
    /// in order. [`recovery`](Log::recovery) says what was found.
    ///
    /// # Errors
    /// [`Error::Locked`] if another handle has it open; [`Error::Corrupt`] for
    /// damage the recovery mode does not accept; [`Error::Snapshot`] for a
    /// damaged snapshot.
    pub fn open(
        dir: impl AsRef<Path>,
        options: Options,
        mut replay: impl FnMut(&Op<'_>),
    ) -> Result<Log> {
        Log::open_with(
            Dir::new(dir.as_ref()),
            options,
            Recovered::Each(&mut replay),
        )
    }

    /// [`open`](Log::open) for a log in `dir`, on whatever file system it is
    /// on: the tests open logs on a simulated disk that can lose power.
    ///
    /// # Errors
    /// As [`open`](Log::open).
    pub fn open_in(dir: &Dir, options: Options, mut replay: impl FnMut(&Op<'_>)) -> Result<Log> {
        Log::open_with(dir.clone(), options, Recovered::Each(&mut replay))
    }

    /// Opens the log, recovering into `into` (a map, or a callback).
    pub(crate) fn open_with(dir: Dir, options: Options, into: Recovered<'_>) -> Result<Log> {
        let (fs, path) = (dir.fs(), dir.path());
        match options.create_if_missing {
            Create::IfMissing => fs.create_dir_all(path).map_err(|e| Error::io(path, e))?,
            Create::Never if !fs.is_dir(path) => {
                return Err(Error::NotFound {
                    path: path.to_path_buf(),
                });
            }
            Create::Never => {}
        }
        let lock = DirLock::acquire(&dir)?;
        let (state, recovery) = recover(&dir, options.recovery, into)?;
        // Whatever recovery read may still be only in the page cache, and a
        // segment it cut back is cut only there: what the log shows from now
        // on must survive a power cut.
        state.log.sync()?;
        let commit = GroupCommit::new(state.log.sync_handle()?, state.last_seq);
        let shared = Arc::new(Shared {
            dir,
            policy: options.sync,
            state: Mutex::new(state),
            commit,
            recovery,
            _lock: lock,
        });
        let flusher = match options.sync {
            SyncPolicy::Interval(every) => Some(Flusher::start(Arc::downgrade(&shared), every)),
            SyncPolicy::Always | SyncPolicy::Never => None,
        };
        Ok(Log {
            shared,
            flusher,
            background: Mutex::default(),
        })
    }

    /// What recovery found when this log was opened.
    pub fn recovery(&self) -> &RecoveryReport {
        &self.shared.recovery
    }

    /// The log's directory.
    pub fn dir(&self) -> &Path {
        self.shared.dir.path()
    }

    /// Appends `op` (a put, a delete or a batch) as one record, then waits as
    /// the sync policy says.
    pub fn append(&self, op: &Op<'_>) -> Result<()> {
        let seq = self.write(op)?;
        self.wait(seq)
    }

    // ANCHOR: write
    /// Appends `op` as the next record and returns its sequence number,
    /// without waiting for the disk: [`wait`](Log::wait) does that, after the
    /// caller has released whatever lock orders its writes.
    pub(crate) fn write(&self, op: &Op<'_>) -> Result<u64> {
        let mut state = self.shared.state.lock().map_err(|_| Error::Panicked)?;
        if state.poisoned {
            return Err(Error::Poisoned);
        }
        // Recovery leaves `last_seq` below u64::MAX; the last number is
        // never used, so that a checkpoint can always name the next one.
        let seq = match state.last_seq.checked_add(1) {
            Some(seq) if seq < u64::MAX => seq,
            _ => {
                return Err(Error::SequenceExhausted {
                    path: self.shared.dir.path().to_path_buf(),
                });
            }
        };
        match state.log.append(seq, op) {
            Ok(()) => {}
            Err(e @ Error::TooLarge { .. }) => return Err(e),
            Err(e) => {
                state.poisoned = true;
                return Err(e);
            }
        }
        state.last_seq = seq;
        self.shared.commit.written(seq);
        Ok(seq)
    }

    /// Waits until record `seq` is as durable as the sync policy asks.
    pub(crate) fn wait(&self, seq: u64) -> Result<()> {
        match self.shared.policy {
            SyncPolicy::Always => self.shared.wait_durable(seq),
            SyncPolicy::Interval(_) | SyncPolicy::Never => Ok(()),
        }
    }
    // ANCHOR_END: write

    /// Makes every append so far durable, whatever the sync policy.
    pub fn sync(&self) -> Result<()> {
        self.shared.sync()
    }

    /// Writes `state` as a snapshot, starts a new log segment and removes the
    /// old ones, so the next open replays only what comes after. `state` must
    /// be everything the log holds so far (the caller keeps it): the records
    /// before the checkpoint are removed. Appends wait while it runs.
    pub fn checkpoint_from(&self, state: &Map) -> Result<()> {
        self.checkpoint_from_with(state, |_| Ok(()))
    }

    /// [`checkpoint_from`](Log::checkpoint_from), calling `after` after each
    /// [`CheckpointStep`]: an error from `after` stops the checkpoint there,
    /// as a crash would (the tests use this).
    pub fn checkpoint_from_with(
        &self,
        state: &Map,
        mut after: impl FnMut(CheckpointStep) -> io::Result<()>,
    ) -> Result<()> {
        // A background checkpoint finishes first; none starts meanwhile.
        let mut background = self.background();
        background.join();
        self.shared.with_log(|dir, log, last_seq| {
            checkpoint::checkpoint(dir, log, state, last_seq, &mut after)
        })
    }

    // ANCHOR: checkpoint_in_background
    /// Starts a checkpoint that runs beside the writers, and returns `true`;
    /// or returns `false` if one is running already. Appends wait only while
    /// the log moves to a new segment; then a thread rebuilds the state as of
    /// that moment from the files alone (the newest snapshot and the
    /// segments before the new one), saves it as the snapshot and removes
    /// the files it replaces. It needs none of the caller's state, so a log
    /// whose caller keeps typed tables can use it too. While it runs, it
    /// holds a second copy of the state in memory.
    ///
    /// A failure leaves files that open correctly, as a crash would at that
    /// step; [`finish_background_checkpoint`](Log::finish_background_checkpoint)
    /// reports it.
    pub fn checkpoint_in_background(&self) -> Result<bool> {
        self.checkpoint_in_background_keeping(|_| true)
    }

    /// [`checkpoint_in_background`](Log::checkpoint_in_background), whose
    /// snapshot keeps only the entries whose keys `keep` accepts: for a caller
    /// that has stored the others elsewhere, durably, up to this moment
    /// (chapter 5's tables on disk).
    pub fn checkpoint_in_background_keeping(
        &self,
        keep: impl Fn(&[u8]) -> bool + Send + 'static,
    ) -> Result<bool> {
        let mut background = self.background();
        if background.is_running() {
            return Ok(false);
        }
        background.join();
        let last_seq = self.shared.with_log(|dir, log, last_seq| {
            checkpoint::new_segment(dir, log, last_seq, &mut |_| Ok(()))?;
            Ok(last_seq)
        })?;
        let dir = self.shared.dir.clone();
        background.thread = Some(std::thread::spawn(move || {
            // Every file this reads is closed to writers, and no other
            // checkpoint removes files until this thread is done.
            let mut map = reader::state_at(&dir, last_seq)?;
            map.retain(|key, _| keep(key));
            checkpoint::save_snapshot(&dir, &map, last_seq, &mut |_| Ok(()))
        }));
        Ok(true)
    }
    // ANCHOR_END: checkpoint_in_background

    /// Whether a background checkpoint is running.
    pub fn is_checkpointing(&self) -> bool {
        self.background().is_running()
    }

    /// Waits for the background checkpoint, if one is running, and reports
    /// whether the last one failed (once).
    pub fn finish_background_checkpoint(&self) -> Result<()> {
        let mut background = self.background();
        background.join();
        background.failed.take().map_or(Ok(()), Err)
    }

    fn background(&self) -> MutexGuard<'_, Background> {
        // Its state is a thread handle and an error: valid at every point.
        self.background
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Counters: sequence numbers, fsyncs, log size.
    pub fn stats(&self) -> Stats {
        let state = self
            .shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Stats {
            last_seq: state.last_seq,
            durable_seq: self.shared.commit.durable_seq(),
            log_syncs: self.shared.commit.sync_count(),
            log_len: state.log.len(),
        }
    }

    /// Makes every append durable and releases the directory.
    pub fn close(mut self) -> Result<()> {
        if let Some(flusher) = self.flusher.take() {
            flusher.stop();
        }
        self.finish_background_checkpoint()?;
        self.shared.sync()
    }
}

impl Drop for Log {
    fn drop(&mut self) {
        if let Some(flusher) = self.flusher.take() {
            flusher.stop();
        }
        // No thread goes on changing the folder once its lock is released.
        self.background().join();
    }
}

impl Shared {
    /// Runs `change` on the active segment, under the lock appends take
    /// (they wait), handing it the directory, the segment and the last
    /// sequence number; then fsyncs follow the segment appends go to.
    fn with_log<T>(
        &self,
        change: impl FnOnce(&Dir, &mut LogWriter, u64) -> Result<T>,
    ) -> Result<T> {
        let mut state = self.state.lock().map_err(|_| Error::Panicked)?;
        if state.poisoned {
            return Err(Error::Poisoned);
        }
        let state = &mut *state;
        let result = change(&self.dir, &mut state.log, state.last_seq);
        // Whatever happened, fsyncs must follow the segment appends now go to.
        // A checkpoint syncs the old segment first, so all records so far are durable.
        match state.log.sync_handle() {
            Ok(file) => self.commit.switch_file(file, state.last_seq),
            Err(e) => {
                state.poisoned = true;
                return Err(e);
            }
        }
        result
    }

    fn wait_durable(&self, seq: u64) -> Result<()> {
        self.commit.wait_durable(seq).inspect_err(|_| self.poison())
    }

    fn sync(&self) -> Result<()> {
        if self.state.lock().map_or(true, |s| s.poisoned) {
            return Err(Error::Poisoned);
        }
        self.commit.sync_all().inspect_err(|_| self.poison())
    }

    /// After a failed fsync the kernel may have dropped the unwritten pages:
    /// retrying could report success for data that is gone. Refuse writes.
    fn poison(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.poisoned = true;
    }
}

/// The background thread of [`SyncPolicy::Interval`].
#[derive(Debug)]
struct Flusher {
    stop: mpsc::Sender<()>,
    thread: JoinHandle<()>,
}

impl Flusher {
    fn start(shared: Weak<Shared>, every: Duration) -> Flusher {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            // Wakes every interval until told to stop (or the store is gone).
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(every) {
                let Some(shared) = shared.upgrade() else {
                    break;
                };
                if shared.commit.has_unsynced() {
                    // A failure poisons the store; the next write reports it.
                    let _ = shared.sync();
                }
            }
        });
        Flusher { stop, thread }
    }

    fn stop(self) {
        drop(self.stop);
        let _ = self.thread.join();
    }
}

// ANCHOR: recover
/// Opens the log's files for writing: reads them, then repairs what the
/// reading found, and continues the log where it ends.
fn recover(dir: &Dir, mode: RecoveryMode, into: Recovered<'_>) -> Result<(State, RecoveryReport)> {
    let listing = segment::list(dir)?;
    for temp in &listing.temporary {
        // A snapshot save that crashed midway; the snapshot it was replacing is intact.
        segment::remove_durably(dir, temp)?;
    }

    // 1. Read: the newest snapshot, then every record after it.
    let found = reader::read(reader::pin(dir, &listing)?, mode, into)?;
    let mut report = found.report;
    if report.last_seq == u64::MAX {
        // Only a hostile file gets here (2^64 records cannot be written), and
        // the next record would need a number beyond the last.
        return Err(Error::SequenceExhausted {
            path: dir.path().to_path_buf(),
        });
    }

    // 2. Now that the mode accepted the log: cut a torn tail (or the damage
    //    a point-in-time recovery stopped at) and drop the later segments.
    if let Some((path, len)) = &found.cut {
        truncate(dir, path, *len)?;
    }
    for later in found.discard {
        segment::remove_durably(dir, &later)?;
        report.discarded_segments.push(later);
    }

    // 3. Files a crash during a checkpoint left behind are now redundant.
    remove_obsolete(
        dir,
        &listing,
        report.snapshot_seq,
        found.active.as_ref().map(|(first, _, _)| *first),
    )?;

    // 4. Appends continue at the end of the newest segment, or in a new one.
    let last_seq = report.last_seq;
    let log = match found.active {
        Some((first_seq, path, len)) if first_seq <= last_seq + 1 => {
            LogWriter::open(dir, &path, first_seq, len)?
        }
        Some((first_seq, path, _)) => {
            return Err(Error::Corrupt {
                path,
                offset: 0,
                reason: format!(
                    "segment starts at record {first_seq} but the log ends at {last_seq}"
                ),
            });
        }
        None => LogWriter::create(dir, last_seq + 1)?,
    };
    let state = State {
        log,
        last_seq,
        poisoned: false,
    };
    Ok((state, report))
}
// ANCHOR_END: recover

/// Removes snapshots older than the one loaded, and segments before the active
/// one whose records are all in that snapshot.
fn remove_obsolete(
    dir: &Dir,
    listing: &segment::Listing,
    snapshot_seq: u64,
    active: Option<u64>,
) -> Result<()> {
    for (seq, path) in &listing.snapshots {
        if *seq < snapshot_seq {
            segment::remove_durably(dir, path)?;
        }
    }
    // A segment is covered when the segment after it starts no later than the
    // first record after the snapshot.
    let Some(active) = active else { return Ok(()) };
    for pair in listing.segments.windows(2) {
        let ((_, path), (next_first, _)) = (&pair[0], &pair[1]);
        if *next_first <= active && *next_first <= snapshot_seq + 1 {
            segment::remove_durably(dir, path)?;
        }
    }
    Ok(())
}

/// Cuts a segment back to its intact records. The cut segment is always the
/// one appends continue in, which is synced before the store is used: that
/// makes the cut durable too (a power cut must not bring back the damage).
fn truncate(dir: &Dir, path: &Path, len: u64) -> Result<()> {
    dir.fs().set_len(path, len).map_err(|e| Error::io(path, e))
}
