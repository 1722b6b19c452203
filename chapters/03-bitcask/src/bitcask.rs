//! [`Bitcask`]: the store. The data files are the database; the keydir says
//! where each key's latest entry is.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

// Maps keyed by file id, touched on every write: hashbrown's default hasher is
// faster than std's for such small keys.
use hashbrown::HashMap;

use crate::disk::{self, Disk};
use crate::files::{self, PinnedFile, data_path};
use crate::keydir::{Keydir, Location, MAX_OFFSET};
use crate::lock::{Lock, LockKind};
use crate::options::{Options, SyncStrategy};
use crate::reader::Reader;
use crate::writer::{FileWriter, PendingSync};
use crate::{Error, Result};

/// Live and total entries of one data file: what the merge triggers look at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileStats {
    /// Entries the keydir points at.
    pub live_keys: u64,
    /// Their bytes.
    pub live_bytes: u64,
    /// All entries, tombstones included.
    pub total_keys: u64,
    /// Their bytes.
    pub total_bytes: u64,
}

impl FileStats {
    /// Counts one more entry of `entry_len` bytes, `live` or not. (Saturating:
    /// the counts come from files, and are only ever used as ratios.)
    pub(crate) fn count(&mut self, entry_len: u32, live: bool) {
        let len = u64::from(entry_len);
        self.total_keys = self.total_keys.saturating_add(1);
        self.total_bytes = self.total_bytes.saturating_add(len);
        if live {
            self.live_keys = self.live_keys.saturating_add(1);
            self.live_bytes = self.live_bytes.saturating_add(len);
        }
    }
}

/// What opening found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenReport {
    /// Data files loaded from a valid hint file.
    pub from_hints: u32,
    /// Data files scanned (no valid hint).
    pub scanned: u32,
    /// Files whose scan ended in an incomplete entry: (file id, bytes ignored).
    pub torn_tails: Vec<(u32, u64)>,
    /// Entries skipped for a bad CRC while scanning.
    pub bad_entries: u32,
    /// Hint files whose records stopped making sense partway (the rest of
    /// that file was skipped, as Riak does).
    pub hints_cut_short: Vec<u32>,
    /// Files left over from an interrupted merge, removed.
    pub purged: Vec<u32>,
}

/// A Bitcask: a log-structured hash table whose directories Riak's bitcask
/// 2.1.0 can read and write.
///
/// Writes append to the active data file (and its hint file); the keydir, in
/// memory, maps each key to its latest entry; a read is one lookup and one
/// positioned read, with the entry's CRC checked every time.
///
/// One writer per directory, through Riak's lock file protocol; read-only
/// opens ([`Bitcask::open_read_only`]) can run beside it and see the files
/// that existed when they opened, except the one being written.
#[derive(Debug)]
pub struct Bitcask {
    /// Every change to the files goes through it.
    pub(crate) disk: Arc<dyn Disk>,
    pub(crate) dir: PathBuf,
    pub(crate) options: Options,
    pub(crate) keydir: Keydir,
    /// A read handle on every data file the keydir can point into.
    pub(crate) readers: HashMap<u32, Reader>,
    pub(crate) stats: HashMap<u32, FileStats>,
    /// The file being written, created by the first write after open.
    pub(crate) active: Option<FileWriter>,
    /// The largest file id seen or created: the next file gets one more.
    pub(crate) max_id: u32,
    pub(crate) write_lock: Option<Lock>,
    pub(crate) last_sync: Instant,
    pub(crate) report: OpenReport,
}

impl Bitcask {
    /// Opens the cask in `dir` for reading and writing, taking the write lock
    /// (a stale lock left by a dead process is removed first).
    ///
    /// # Errors
    /// [`Error::Locked`] if a live process has it open for writing.
    pub fn open(dir: impl AsRef<Path>, options: Options) -> Result<Bitcask> {
        Bitcask::open_on(disk::std_disk(), dir, options)
    }

    /// [`open`](Bitcask::open), making every change to the files through
    /// `disk` (for tests: a disk that records them; see the [`disk`] module).
    pub fn open_on(
        disk: Arc<dyn Disk>,
        dir: impl AsRef<Path>,
        options: Options,
    ) -> Result<Bitcask> {
        let dir = dir.as_ref().to_path_buf();
        if !dir.is_dir() {
            if !options.create_if_missing {
                return Err(Error::NotFound { path: dir });
            }
            files::create_dir_durably(&*disk, &dir)?;
        }
        let lock = Lock::acquire(&disk, &dir, LockKind::Write)?;
        let mut cask = Bitcask::load(disk, dir, options, true, &mut |_| {})?;
        cask.write_lock = Some(lock);
        Ok(cask)
    }

    /// Opens the cask in `dir` for reading only, beside a writer if there is
    /// one. As in Riak, the files named in the write and merge locks (being
    /// written) are left out.
    ///
    /// A merge may run beside the open: the reader still sees one moment of
    /// the directory (see [`Bitcask::open_read_only_with`]), and keeps reading
    /// every key after the merge has removed the files it opened.
    ///
    /// # Errors
    /// [`Error::KeptChanging`] if merges changed the files during every one of
    /// [`MAX_LISTINGS`] tries.
    pub fn open_read_only(dir: impl AsRef<Path>, options: Options) -> Result<Bitcask> {
        Bitcask::open_read_only_with(dir, options, |_| {})
    }

    /// [`open_read_only`](Bitcask::open_read_only), calling `hook` at each
    /// [`OpenStep`] (for tests: the hook can change the directory there, as a
    /// merge running beside the open would).
    pub fn open_read_only_with(
        dir: impl AsRef<Path>,
        options: Options,
        mut hook: impl FnMut(OpenStep),
    ) -> Result<Bitcask> {
        let dir = dir.as_ref().to_path_buf();
        if !dir.is_dir() {
            return Err(Error::NotFound { path: dir });
        }
        Bitcask::load(disk::std_disk(), dir, options, false, &mut hook)
    }

    // ANCHOR: load
    /// Opens every data file, then rebuilds the keydir from them, oldest first.
    fn load(
        disk: Arc<dyn Disk>,
        dir: PathBuf,
        options: Options,
        writable: bool,
        hook: &mut dyn FnMut(OpenStep),
    ) -> Result<Bitcask> {
        let pinned = pin_files(&dir, writable, hook)?;
        let mut cask = Bitcask {
            // Every id named in the directory is taken, a hint's too.
            max_id: files::largest_id(&dir)?.max(pinned.last().map_or(0, |f| f.id)),
            disk,
            dir,
            options,
            keydir: Keydir::new(),
            readers: HashMap::new(),
            stats: HashMap::new(),
            active: None,
            write_lock: None,
            last_sync: Instant::now(),
            report: OpenReport::default(),
        };
        let mut report = OpenReport::default();
        for file in pinned {
            if file.pending_delete {
                // A merge finished with this file; a writer removes it.
                if writable {
                    files::remove_pair(&*cask.disk, &cask.dir, file.id)?;
                    report.purged.push(file.id);
                }
                continue;
            }
            let scanned = report.scanned;
            cask.load_file(&file, &mut report)?;
            if writable && report.scanned > scanned {
                // A file without a valid hint was never closed: its writer
                // crashed, and may have left entries unsynced. They are in the
                // keydir now, and later writes will be synced: so must they be.
                cask.disk
                    .sync_data(&file.data, &file.path)
                    .map_err(|e| Error::io(&file.path, e))?;
            }
            // Every file found on open is closed (a writer starts a new one),
            // and is read through the handle opened above.
            let reader = Reader::of_file(file.data, file.size);
            cask.readers
                .insert(file.id, reader.map_err(|e| Error::io(&file.path, e))?);
        }
        cask.report = report;
        Ok(cask)
    }
    // ANCHOR_END: load

    /// Counts `location` as dead in its file's stats.
    pub(crate) fn forget(&mut self, location: Location) {
        if let Some(stats) = self.stats.get_mut(&location.file_id) {
            stats.live_keys = stats.live_keys.saturating_sub(1);
            stats.live_bytes = stats
                .live_bytes
                .saturating_sub(u64::from(location.entry_len));
        }
    }

    /// What opening found.
    pub fn open_report(&self) -> &OpenReport {
        &self.report
    }

    /// The cask's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The bytes of the entry at `location`: borrowed from the write buffer
    /// or a mapped file, or read from the active file.
    pub(crate) fn entry_bytes(&self, location: Location) -> Result<Cow<'_, [u8]>> {
        if let Some(active) = &self.active
            && active.id() == location.file_id
            && let Some(bytes) = active.buffered(location.offset, location.entry_len)
        {
            return Ok(Cow::Borrowed(bytes));
        }
        let path = || data_path(&self.dir, location.file_id);
        let reader = self
            .readers
            .get(&location.file_id)
            .ok_or_else(|| Error::Corrupt {
                path: path(),
                offset: location.offset,
                reason: "the keydir points into a file that is not open".into(),
            })?;
        reader
            .bytes(location.offset, location.entry_len as usize)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::UnexpectedEof => Error::Corrupt {
                    path: path(),
                    offset: location.offset,
                    reason: "the entry runs past the end of the file".into(),
                },
                _ => Error::io(path(), e),
            })
    }

    pub(crate) fn is_expired(&self, tstamp: u32) -> bool {
        let expiry = self.options.expiry_secs;
        expiry > 0 && u64::from(tstamp) + u64::from(expiry) < u64::from(self.options.clock.now())
    }

    /// Counts a written entry in its file's stats.
    pub(crate) fn count_written(&mut self, location: Location, live: bool) {
        let stats = self.stats.entry(location.file_id).or_default();
        stats.count(location.entry_len, live);
    }

    /// The id for a new data file: one more than any id seen.
    ///
    /// # Errors
    /// [`Error::OutOfFileIds`] if a file already has the largest id (only a
    /// directory someone put such a name in can get there).
    pub(crate) fn next_file_id(&mut self) -> Result<u32> {
        let next = self
            .max_id
            .checked_add(1)
            .ok_or_else(|| Error::OutOfFileIds {
                path: data_path(&self.dir, self.max_id),
            })?;
        self.max_id = next;
        Ok(next)
    }

    pub(crate) fn active_id(&self) -> u32 {
        self.active.as_ref().map_or(0, FileWriter::id)
    }

    pub(crate) fn active_mut(&mut self) -> Result<&mut FileWriter> {
        self.active.as_mut().ok_or(Error::ReadOnly)
    }

    // ANCHOR: prepare_write
    /// Makes sure the active file can take `needed` more bytes, rolling over
    /// to a new file when it cannot, or when a newer file than the active one
    /// exists (a merge's output, even from a merge that failed): the newest
    /// entry for a key must always be the one with the highest (file id, offset).
    pub(crate) fn prepare_write(&mut self, needed: u64) -> Result<()> {
        if self.write_lock.is_none() {
            return Err(Error::ReadOnly);
        }
        let roll = match &self.active {
            None => true,
            Some(active) => {
                let full = !active.is_empty() && active.len() + needed > self.options.max_file_size;
                let too_far = active.len() + needed > MAX_OFFSET;
                let outdated = active.id() < self.max_id;
                full || too_far || outdated
            }
        };
        if roll {
            self.roll_over()?;
        }
        Ok(())
    }

    /// Closes the active file (if any) and starts the next one.
    fn roll_over(&mut self) -> Result<()> {
        let id = self.next_file_id()?;
        let had_active = self.active.is_some();
        if let Some(active) = self.active.take() {
            let (id, path) = (active.id(), active.data_path().to_path_buf());
            active.close()?;
            // Closed for good: map it.
            self.readers
                .insert(id, Reader::map(&path).map_err(|e| Error::io(&path, e))?);
        }
        let writer = FileWriter::create(&self.disk, &self.dir, id)?;
        let path = writer.data_path().to_path_buf();
        self.readers.insert(
            writer.id(),
            Reader::growing(&path).map_err(|e| Error::io(&path, e))?,
        );
        if let Some(lock) = self.write_lock.as_mut() {
            lock.set_active(&path)?;
        }
        self.active = Some(writer);
        if had_active && self.options.auto_merge && self.needs_merge() {
            self.merge()?;
        }
        Ok(())
    }
    // ANCHOR_END: prepare_write

    // ANCHOR: after_write
    pub(crate) fn after_write(&mut self) -> Result<()> {
        match self.options.sync {
            SyncStrategy::None => Ok(()),
            SyncStrategy::Always => self.sync(),
            SyncStrategy::Interval(every) if self.last_sync.elapsed() >= every => self.sync(),
            SyncStrategy::Interval(_) => Ok(()),
        }
    }
    // ANCHOR_END: after_write

    /// Makes every write so far durable (the data file; the hint file is
    /// synced when its trailer is written, at close).
    pub fn sync(&mut self) -> Result<()> {
        if let Some(active) = self.active.as_mut() {
            active.sync()?;
        }
        self.last_sync = Instant::now();
        Ok(())
    }

    /// Starts the data file writes go to, if none is open yet. Opening
    /// creates no file until the first write; a new cask that calls this
    /// holds an (empty) data file at once, so its directory shows what it is
    /// before anything is written.
    pub fn start_active_file(&mut self) -> Result<()> {
        if self.active.is_none() {
            self.prepare_write(0)?;
        }
        Ok(())
    }

    /// The first half of [`sync`](Bitcask::sync), for group commit: hands
    /// every buffered write to the operating system and returns what
    /// [`PendingSync::finish`] forces to disk. Finishing needs no access to
    /// the cask, so other threads read and write while the disk works, and
    /// one fsync covers every write made before this call. `None` when
    /// nothing has been written since opening.
    pub fn start_sync(&mut self) -> Result<Option<PendingSync>> {
        let pending = match self.active.as_mut() {
            Some(active) => Some(active.start_sync()?),
            None => None,
        };
        self.last_sync = Instant::now();
        Ok(pending)
    }

    /// The number of live keys.
    pub fn len(&self) -> usize {
        self.keydir.len()
    }

    /// Whether there are no live keys.
    pub fn is_empty(&self) -> bool {
        self.keydir.is_empty()
    }

    /// Every live key, in no particular order.
    pub fn keys(&self) -> Vec<Vec<u8>> {
        self.keydir
            .iter()
            .filter(|(_, l)| !self.is_expired(l.tstamp))
            .map(|(k, _)| k.to_vec())
            .collect()
    }

    /// Calls `f` with every live key and its value, in no particular order.
    /// Stops at the first error (a damaged entry, or one `f` returns).
    pub fn fold<E: From<Error>>(
        &self,
        mut f: impl FnMut(&[u8], &[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        for (key, location) in self.keydir.iter() {
            if self.is_expired(location.tstamp) {
                continue;
            }
            if let Some(value) = self.get(key)? {
                f(key, &value)?;
            }
        }
        Ok(())
    }

    /// The file being written and its length (buffered bytes included), if a
    /// write since opening has created one.
    pub fn active_file(&self) -> Option<(u32, u64)> {
        self.active.as_ref().map(|a| (a.id(), a.len()))
    }

    /// Per-file entry counts, for the merge triggers and for curiosity.
    pub fn file_stats(&self) -> impl Iterator<Item = (u32, FileStats)> + '_ {
        self.stats.iter().map(|(&id, &stats)| (id, stats))
    }

    /// Bytes of memory the keydir uses, and how many of them are keys.
    pub fn keydir_bytes(&self) -> (usize, usize) {
        (self.keydir.heap_bytes(), self.keydir.key_bytes())
    }

    /// Whether some file other than the active one has reached a merge trigger.
    pub fn needs_merge(&self) -> bool {
        let triggers = self.options.merge_triggers;
        self.stats.iter().any(|(&id, s)| {
            let dead_keys = s.total_keys - s.live_keys.min(s.total_keys);
            let dead_bytes = s.total_bytes - s.live_bytes.min(s.total_bytes);
            Some(id) != self.active.as_ref().map(FileWriter::id)
                && s.total_keys > 0
                && (dead_keys.saturating_mul(100)
                    >= u64::from(triggers.frag_merge_trigger).saturating_mul(s.total_keys)
                    || dead_bytes >= triggers.dead_bytes_merge_trigger)
        })
    }

    /// Closes the active file (writing its hint trailer), syncs, and releases
    /// the write lock.
    pub fn close(mut self) -> Result<()> {
        if let Some(active) = self.active.take() {
            active.close()?;
        }
        self.write_lock.take();
        Ok(())
    }
}

impl Drop for Bitcask {
    /// Dropping without [`close`](Bitcask::close) is like a crash: buffered
    /// writes are handed to the OS (best effort), but the active file's hint
    /// gets no trailer, so the next open scans that data file.
    fn drop(&mut self) {
        if let Some(active) = self.active.as_mut() {
            let _ = active.flush();
        }
    }
}

/// Points in opening a cask where [`Bitcask::open_read_only_with`] calls its hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenStep {
    /// The data files have been listed.
    Listed,
    /// Data file `id` (and its hint) has been opened.
    Pinned(u32),
}

/// How many times opening lists the directory before giving up on finding it
/// the same twice in a row.
pub const MAX_LISTINGS: u32 = 10;

// ANCHOR: pin_files
/// Opens every data file in `dir` (oldest first) as one moment of the
/// directory, leaving out, for a reader, the files the locks name.
///
/// A merge may work beside us: create outputs, mark its inputs pending-delete,
/// remove them. So: list the files, open each, then check that nothing moved
/// meanwhile (the same files, the same marks, the same files locked). Files
/// only ever appear with new ids, and marks are only ever added, so if nothing
/// differs, nothing changed in between. If something did, try again.
fn pin_files(
    dir: &Path,
    writable: bool,
    hook: &mut dyn FnMut(OpenStep),
) -> Result<Vec<PinnedFile>> {
    for _ in 0..MAX_LISTINGS {
        let locked = locked_files(dir);
        let ids = files::list_data_files(dir)?;
        hook(OpenStep::Listed);
        let mut pinned = Vec::with_capacity(ids.len());
        for &id in &ids {
            let Some(file) = PinnedFile::open(dir, id)? else {
                break; // removed since listed
            };
            hook(OpenStep::Pinned(id));
            pinned.push(file);
        }
        if pinned.len() == ids.len() && unchanged(dir, &ids, &locked, &pinned)? {
            if !writable {
                // Being written by another process.
                pinned.retain(|f| !locked.iter().any(|l| l.file_name() == f.path.file_name()));
            }
            return Ok(pinned);
        }
    }
    Err(Error::KeptChanging {
        path: dir.to_path_buf(),
        tries: MAX_LISTINGS,
    })
}
// ANCHOR_END: pin_files

/// The files the write and merge locks name.
fn locked_files(dir: &Path) -> Vec<PathBuf> {
    [LockKind::Write, LockKind::Merge]
        .into_iter()
        .filter_map(|kind| crate::lock::named_file(dir, kind))
        .collect()
}

/// Whether `dir` still holds the data files `ids`, with the marks and locks
/// found when they were opened.
fn unchanged(dir: &Path, ids: &[u32], locked: &[PathBuf], pinned: &[PinnedFile]) -> Result<bool> {
    if files::list_data_files(dir)? != ids || locked_files(dir) != locked {
        return Ok(false);
    }
    for file in pinned {
        if file.is_pending_delete_now()? != file.pending_delete {
            return Ok(false);
        }
    }
    Ok(true)
}
