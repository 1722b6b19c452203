//! [`Store`]: a sorted map in memory, made durable by a write-ahead log.

use std::io;
use std::ops::RangeBounds;
use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::durability::GroupCommit;
use crate::fs::{Dir, LogFile};
use crate::lock::DirLock;
use crate::op::{Batch, Op};
use crate::recovery::{RecoveryMode, RecoveryReport};
use crate::writer::LogWriter;
use crate::{CheckpointStep, Error, Map, Result, SyncPolicy, checkpoint, reader, segment};

/// Options for [`Store::open`].
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

/// Whether [`Store::open`] creates a missing directory.
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

/// Counters that show what the store has done.
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

/// A byte-keyed map held in memory and made durable by a write-ahead log.
///
/// Every write is appended to the log before it changes the map, and is
/// durable as the [`SyncPolicy`] says. Opening replays the log onto the newest
/// snapshot; [`checkpoint`](Store::checkpoint) writes a new snapshot and starts
/// a fresh log.
///
/// A `Store` is `Send + Sync`: share it between threads with an `Arc` (or
/// scoped threads). Writes are serialized; reads run in parallel with each
/// other. One `Store` per directory, enforced by a lock: a second open fails
/// with [`Error::Locked`] until the first is closed or dropped.
///
/// Dropping a store without [`close`](Store::close) is like a crash of the
/// process: nothing acknowledged is lost, but writes not yet fsynced under a
/// relaxed policy are durable only when the OS gets to them.
#[derive(Debug)]
pub struct Store {
    shared: Arc<Shared>,
    flusher: Option<Flusher>,
    /// Every checkpoint starts with this held, so that two never overlap.
    background: Mutex<Background>,
}

/// The background checkpoint, if one has run since it was last reported.
#[derive(Debug, Default)]
struct Background {
    thread: Option<JoinHandle<Result<()>>>,
    /// How a finished one failed, until [`Store::finish_background_checkpoint`] reports it.
    failed: Option<Error>,
}

impl Background {
    /// Waits for the thread, if there is one, and keeps its error.
    fn join(&mut self) {
        if let Some(thread) = self.thread.take() {
            let error = match thread.join() {
                Ok(result) => result.err(),
                Err(_) => Some(Error::Poisoned),
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
    state: RwLock<State>,
    commit: GroupCommit<Box<dyn LogFile>>,
    recovery: RecoveryReport,
    _lock: DirLock,
}

#[derive(Debug)]
struct State {
    /// Empty, and left so, for a store opened with [`Store::open_replaying`].
    map: Map,
    keeps_map: bool,
    log: LogWriter,
    last_seq: u64,
    /// Set when a write or fsync failed: the log's contents are unknown.
    poisoned: bool,
}

impl Store {
    /// Opens (or creates) the store in directory `dir`, recovering from a crash
    /// if there was one: see [`recovery`](Store::recovery) for what was found.
    ///
    /// # Errors
    /// [`Error::Locked`] if another handle has it open; [`Error::Corrupt`] for
    /// damage the recovery mode does not accept; [`Error::Snapshot`] for a
    /// damaged snapshot.
    pub fn open(dir: impl AsRef<Path>, options: Options) -> Result<Store> {
        Store::open_with(Dir::new(dir.as_ref()), options, None)
    }

    /// [`open`](Store::open) for a store in `dir`, on whatever file system
    /// it is on: the tests open stores on a simulated disk that can lose power.
    ///
    /// # Errors
    /// As [`open`](Store::open).
    pub fn open_in(dir: &Dir, options: Options) -> Result<Store> {
        Store::open_with(dir.clone(), options, None)
    }

    /// Opens a store that keeps no map, for a caller that keeps the state
    /// itself (chapter 5 keeps typed tables): recovery hands every change,
    /// the newest snapshot's entries first, then each replayed record, to
    /// `replay`; writes are only appended. Such a store's map stays empty, so
    /// its reads find nothing, and it is checkpointed with
    /// [`checkpoint_from`](Store::checkpoint_from).
    ///
    /// # Errors
    /// As [`open`](Store::open).
    pub fn open_replaying(
        dir: impl AsRef<Path>,
        options: Options,
        mut replay: impl FnMut(&Op<'_>),
    ) -> Result<Store> {
        Store::open_with(Dir::new(dir.as_ref()), options, Some(&mut replay))
    }

    /// [`open_replaying`](Store::open_replaying) for a store in `dir`, on
    /// whatever file system it is on.
    ///
    /// # Errors
    /// As [`open`](Store::open).
    pub fn open_replaying_in(
        dir: &Dir,
        options: Options,
        mut replay: impl FnMut(&Op<'_>),
    ) -> Result<Store> {
        Store::open_with(dir.clone(), options, Some(&mut replay))
    }

    fn open_with(
        dir: Dir,
        options: Options,
        replay: Option<&mut dyn FnMut(&Op<'_>)>,
    ) -> Result<Store> {
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
        let (state, recovery) = recover(&dir, options.recovery, replay)?;
        // Whatever recovery read may still be only in the page cache, and a
        // segment it cut back is cut only there: what the store shows from now
        // on must survive a power cut.
        state.log.sync()?;
        let commit = GroupCommit::new(state.log.sync_handle()?, state.last_seq);
        let shared = Arc::new(Shared {
            dir,
            policy: options.sync,
            state: RwLock::new(state),
            commit,
            recovery,
            _lock: lock,
        });
        let flusher = match options.sync {
            SyncPolicy::Interval(every) => Some(Flusher::start(Arc::downgrade(&shared), every)),
            SyncPolicy::Always | SyncPolicy::Never => None,
        };
        Ok(Store {
            shared,
            flusher,
            background: Mutex::default(),
        })
    }

    /// What recovery found when this store was opened.
    pub fn recovery(&self) -> &RecoveryReport {
        &self.shared.recovery
    }

    /// The store's directory.
    pub fn dir(&self) -> &Path {
        self.shared.dir.path()
    }

    /// Sets `key` to `value`: logged, then applied.
    pub fn put(&self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Result<()> {
        let (key, value) = (key.as_ref(), value.as_ref());
        self.commit(&Op::Put { key, value }, |map| {
            map.insert(key.to_vec(), value.to_vec());
        })
    }

    /// Removes `key`, returning whether it was there. Removing a missing key
    /// writes nothing.
    pub fn delete(&self, key: impl AsRef<[u8]>) -> Result<bool> {
        let key = key.as_ref();
        // Looked for under the write lock that appends: of two threads
        // deleting one key, one finds it and writes, the other neither.
        self.commit_if(
            &Op::Delete { key },
            |map| map.contains_key(key),
            |map| {
                map.remove(key);
            },
        )
    }

    /// Applies every change in `batch` as one record: after a crash, either all
    /// of them are there or none is.
    pub fn write(&self, batch: Batch) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let op = batch.as_op();
        self.commit(&op, |map| op.apply(map))
    }

    /// Logs `op` (a put, a delete or a batch) as one record: the way to write
    /// to a store opened with [`open_replaying`](Store::open_replaying).
    pub fn append(&self, op: &Op<'_>) -> Result<()> {
        self.commit(op, |map| op.apply(map))
    }

    /// Logs `op`, applies it with `apply`, then waits as the sync policy says.
    fn commit(&self, op: &Op<'_>, apply: impl FnOnce(&mut Map)) -> Result<()> {
        self.commit_if(op, |_| true, apply).map(|_| ())
    }

    // ANCHOR: commit
    /// Logs `op` if `wanted` says so of the map, applies it with `apply`,
    /// then waits as the sync policy says; returns whether it wrote. (A
    /// store without a map, replaying to a callback, always writes.)
    fn commit_if(
        &self,
        op: &Op<'_>,
        wanted: impl FnOnce(&Map) -> bool,
        apply: impl FnOnce(&mut Map),
    ) -> Result<bool> {
        let seq = {
            let mut state = self.shared.state.write().map_err(|_| Error::Poisoned)?;
            if state.poisoned {
                return Err(Error::Poisoned);
            }
            if state.keeps_map && !wanted(&state.map) {
                return Ok(false);
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
            if state.keeps_map {
                apply(&mut state.map);
            }
            self.shared.commit.written(seq);
            seq
        };
        // The lock is released: other writers append while we wait for the disk.
        match self.shared.policy {
            SyncPolicy::Always => self.shared.wait_durable(seq)?,
            SyncPolicy::Interval(_) | SyncPolicy::Never => {}
        }
        Ok(true)
    }
    // ANCHOR_END: commit

    /// The value of `key`, copied out. To borrow instead, use [`read`](Store::read).
    pub fn get(&self, key: impl AsRef<[u8]>) -> Option<Vec<u8>> {
        self.read().get(key.as_ref()).map(<[u8]>::to_vec)
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A consistent view of the map for reading, borrowing values without
    /// copying. Writers wait while a view is alive, so keep it short.
    pub fn read(&self) -> ReadView<'_> {
        // A panic while writing cannot leave the map half-changed in a way a
        // reader could misread (each change is one insert or remove), so
        // reading on after one is safe; writes are refused instead.
        let guard = self
            .shared
            .state
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        ReadView { guard }
    }

    /// Makes every write so far durable, whatever the sync policy.
    pub fn sync(&self) -> Result<()> {
        self.shared.sync()
    }

    /// Writes the map as a snapshot, starts a new log segment and removes the
    /// old ones, so the next open replays only what comes after. Writers wait
    /// while it runs.
    pub fn checkpoint(&self) -> Result<()> {
        self.checkpoint_with(|_| Ok(()))
    }

    /// [`checkpoint`](Store::checkpoint), calling `after` after each
    /// [`CheckpointStep`]: an error from `after` stops the checkpoint there, as
    /// a crash would (the tests use this).
    pub fn checkpoint_with(
        &self,
        after: impl FnMut(CheckpointStep) -> io::Result<()>,
    ) -> Result<()> {
        self.checkpoint_map(None, after)
    }

    /// A checkpoint whose snapshot is `state` rather than the store's map:
    /// for a store opened with [`open_replaying`](Store::open_replaying),
    /// whose caller keeps the state. `state` must be everything the log holds
    /// so far: the log before the checkpoint is removed.
    pub fn checkpoint_from(&self, state: &Map) -> Result<()> {
        self.checkpoint_map(Some(state), |_| Ok(()))
    }

    fn checkpoint_map(
        &self,
        from: Option<&Map>,
        mut after: impl FnMut(CheckpointStep) -> io::Result<()>,
    ) -> Result<()> {
        // A background checkpoint finishes first; none starts meanwhile.
        let mut background = self.background();
        background.join();
        self.shared.with_log(|dir, log, map, last_seq| {
            checkpoint::checkpoint(dir, log, from.unwrap_or(map), last_seq, &mut after)
        })
    }

    // ANCHOR: checkpoint_in_background
    /// Starts a checkpoint that runs beside the writers, and returns `true`;
    /// or returns `false` if one is running already. Writers wait only while
    /// the log moves to a new segment; then a thread rebuilds the state as of
    /// that moment from the files alone (the newest snapshot and the
    /// segments before the new one), saves it as the snapshot and removes
    /// the files it replaces. It needs neither the store's map nor the
    /// caller's state, so it suits a store opened with
    /// [`open_replaying`](Store::open_replaying) too. While it runs, it holds
    /// a second copy of the state in memory.
    ///
    /// A failure leaves files that open correctly, as a crash would at that
    /// step; [`finish_background_checkpoint`](Store::finish_background_checkpoint)
    /// reports it.
    pub fn checkpoint_in_background(&self) -> Result<bool> {
        let mut background = self.background();
        if background.is_running() {
            return Ok(false);
        }
        background.join();
        let last_seq = self.shared.with_log(|dir, log, _, last_seq| {
            checkpoint::new_segment(dir, log, last_seq, &mut |_| Ok(()))?;
            Ok(last_seq)
        })?;
        let dir = self.shared.dir.clone();
        background.thread = Some(std::thread::spawn(move || {
            // Every file this reads is closed to writers, and no other
            // checkpoint removes files until this thread is done.
            let map = reader::state_at(&dir, last_seq)?;
            checkpoint::save_snapshot(&dir, &map, last_seq, &mut |_| Ok(()))
        }));
        Ok(true)
    }
    // ANCHOR_END: checkpoint_in_background

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
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        Stats {
            last_seq: state.last_seq,
            durable_seq: self.shared.commit.durable_seq(),
            log_syncs: self.shared.commit.sync_count(),
            log_len: state.log.len(),
        }
    }

    /// Makes every write durable and releases the directory.
    pub fn close(mut self) -> Result<()> {
        if let Some(flusher) = self.flusher.take() {
            flusher.stop();
        }
        self.finish_background_checkpoint()?;
        self.shared.sync()
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Some(flusher) = self.flusher.take() {
            flusher.stop();
        }
        // No thread goes on changing the folder once its lock is released.
        self.background().join();
    }
}

impl Shared {
    /// Runs `change` on the active segment, under the write lock (writers
    /// wait), handing it the directory, the segment, the map and the last
    /// sequence number; then fsyncs follow the segment appends go to.
    fn with_log<T>(
        &self,
        change: impl FnOnce(&Dir, &mut LogWriter, &Map, u64) -> Result<T>,
    ) -> Result<T> {
        let mut state = self.state.write().map_err(|_| Error::Poisoned)?;
        if state.poisoned {
            return Err(Error::Poisoned);
        }
        let state = &mut *state;
        let result = change(&self.dir, &mut state.log, &state.map, state.last_seq);
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
        if self.state.read().map_or(true, |s| s.poisoned) {
            return Err(Error::Poisoned);
        }
        self.commit.sync_all().inspect_err(|_| self.poison())
    }

    /// After a failed fsync the kernel may have dropped the unwritten pages:
    /// retrying could report success for data that is gone. Refuse writes.
    fn poison(&self) {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        state.poisoned = true;
    }
}

/// A read-only view of the map; see [`Store::read`].
#[derive(Debug)]
pub struct ReadView<'s> {
    guard: RwLockReadGuard<'s, State>,
}

impl ReadView<'_> {
    /// The value of `key`, if any.
    pub fn get(&self, key: &[u8]) -> Option<&[u8]> {
        self.guard.map.get(key).map(Vec::as_slice)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.guard.map.contains_key(key)
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.guard.map.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.guard.map.is_empty()
    }

    /// All entries in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&[u8], &[u8])> {
        self.guard
            .map
            .iter()
            .map(|(k, v)| (k.as_slice(), v.as_slice()))
    }

    /// The entries whose keys fall in `range`, in key order:
    /// `view.range("a".."m")`, `view.range(b"k".as_slice()..)`.
    pub fn range<K: AsRef<[u8]> + ?Sized>(
        &self,
        range: impl RangeBounds<K>,
    ) -> impl DoubleEndedIterator<Item = (&[u8], &[u8])> {
        let bounds = strata_flat_file::byte_range(&range);
        self.guard
            .map
            .range::<[u8], _>(bounds)
            .map(|(k, v)| (k.as_slice(), v.as_slice()))
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
/// Opens the store's files for writing: reads them, then repairs what the
/// reading found, and continues the log where it ends.
fn recover(
    dir: &Dir,
    mode: RecoveryMode,
    replay: Option<&mut dyn FnMut(&Op<'_>)>,
) -> Result<(State, RecoveryReport)> {
    let listing = segment::list(dir)?;
    for temp in &listing.temporary {
        // A snapshot save that crashed midway; the snapshot it was replacing is intact.
        segment::remove_durably(dir, temp)?;
    }
    let keeps_map = replay.is_none();

    // 1. Read: the newest snapshot, then every record after it.
    let found = reader::read(reader::pin(dir, &listing)?, mode, replay)?;
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
    Ok((
        State {
            keeps_map,
            map: found.map,
            log,
            last_seq,
            poisoned: false,
        },
        report,
    ))
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
