//! Opening a bbolt file, and the database's shared state.
//!
//! One writer and many readers run at once. The writer slot is a mutex that a
//! [`WriteTx`] holds until it commits or rolls back. A read transaction takes
//! the current map and meta (an `Arc`, so a later remap never invalidates it)
//! and registers its txid, so that pages it can still see are not reused.
//! A whole-file lock keeps other processes out: a writer holds it
//! exclusively, read-only opens share it, as Go's bbolt does.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use memmap2::Mmap;

use crate::batch::Batcher;
use crate::file::DbFile;
use crate::freelist::{self, Freelist};
use crate::meta::{Meta, NO_FREELIST};
use crate::tx::{Pages, ReadTx};
use crate::write::WriteTx;
use crate::{Error, Result};

/// Options for [`DB::open`].
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Open for reading only, beside other readers (a shared file lock).
    pub read_only: bool,
    /// The page size of a new file (an existing file keeps its own). A
    /// power of two from 1 KiB to 64 KiB; default 4096.
    pub page_size: u32,
    /// Skip the syncs at commit: fast, and a crash may lose or (if the disk
    /// reorders writes) corrupt recent commits. For bulk loads and tests.
    pub no_sync: bool,
    /// Store no freelist: commits are cheaper, and opening for writing
    /// rebuilds it by walking the whole tree. As bbolt's option.
    pub no_freelist_sync: bool,
    /// Map at least this many bytes up front, so growth remaps less often.
    pub initial_mmap_size: usize,
    /// How long to wait for another process's lock before [`Error::Locked`].
    pub lock_timeout: Duration,
    /// [`DB::batch`]: the most calls one transaction runs.
    pub max_batch_size: usize,
    /// [`DB::batch`]: how long the first call waits for others to join.
    pub max_batch_delay: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            read_only: false,
            page_size: 4096,
            no_sync: false,
            no_freelist_sync: false,
            initial_mmap_size: 0,
            lock_timeout: Duration::from_millis(100),
            max_batch_size: 1000,
            max_batch_delay: Duration::from_millis(10),
        }
    }
}

impl Options {
    /// The default options, read-only.
    pub fn read_only() -> Options {
        Options {
            read_only: true,
            ..Options::default()
        }
    }
}

/// A map of the file and how many of its bytes are file (the map may be
/// larger than the file; bytes past the end must never be touched).
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    map: Arc<Mmap>,
    len: usize,
}

impl Snapshot {
    pub fn pages(&self, meta: &Meta) -> Pages<'_> {
        Pages::new(&self.map[..self.len], meta.page_size as usize, meta.pgid)
    }
}

/// The latest committed state, which new transactions start from.
#[derive(Debug)]
struct Current {
    snapshot: Snapshot,
    meta: Meta,
}

/// The writer's state: held by one write transaction at a time.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    pub freelist: Freelist,
    /// The file's length in bytes.
    pub file_len: u64,
}

/// The txids of open read transactions, with counts.
#[derive(Debug)]
pub(crate) struct Readers {
    open: Mutex<BTreeMap<u64, usize>>,
    /// The file, and so its lock: a read transaction that outlives its `DB`
    /// keeps the lock, so no writer (in this process or another) can reuse
    /// the pages it reads until it ends.
    _file: Arc<dyn DbFile>,
}

impl Readers {
    fn enter(&self, txid: u64) {
        *lock(&self.open).entry(txid).or_default() += 1;
    }

    pub fn leave(&self, txid: u64) {
        let mut readers = lock(&self.open);
        if let Some(n) = readers.get_mut(&txid) {
            *n -= 1;
            if *n == 0 {
                readers.remove(&txid);
            }
        }
    }

    fn oldest(&self) -> Option<u64> {
        lock(&self.open).keys().next().copied()
    }
}

/// Locks a mutex, ignoring poisoning: every critical section here leaves
/// its data consistent before anything that can panic.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An open bbolt file.
#[derive(Debug)]
pub struct DB {
    path: PathBuf,
    file: Arc<dyn DbFile>,
    options: Options,
    current: Mutex<Current>,
    writer: Mutex<Writer>,
    readers: Arc<Readers>,
    /// Set when a meta write failed: the file's state is unknown.
    poisoned: AtomicBool,
    pub(crate) batcher: Batcher,
}

impl DB {
    /// Opens the file at `path`, creating it if it does not exist (unless
    /// read-only).
    ///
    /// # Errors
    /// [`Error::Locked`] if another process holds a conflicting lock;
    /// [`Error::Invalid`] if neither meta page is valid; [`Error::Corrupt`]
    /// if the freelist is damaged.
    pub fn open(path: impl AsRef<Path>, options: Options) -> Result<DB> {
        DB::open_with(path, options, |file| Arc::new(file))
    }

    /// Opens the file at `path` as [`DB::open`] does, then hands it to `wrap`
    /// and makes every change to it through what `wrap` returns. For tests:
    /// a wrapper can note down each write and sync, to rebuild what a disk
    /// would hold had the power failed after any of them (see [`DbFile`]).
    ///
    /// # Errors
    /// As [`DB::open`].
    pub fn open_with(
        path: impl AsRef<Path>,
        options: Options,
        wrap: impl FnOnce(File) -> Arc<dyn DbFile>,
    ) -> Result<DB> {
        let path = path.as_ref().to_path_buf();
        let io_err = |e| Error::io(&path, e);
        let file = if options.read_only {
            File::open(&path).map_err(io_err)?
        } else {
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io_err)?
        };
        lock_file(&file, &path, options.read_only, options.lock_timeout)?;
        let file = wrap(file);
        let mut file_len = file.size().map_err(io_err)?;
        if file_len == 0 && !options.read_only {
            let page_size = options.page_size;
            if !page_size.is_power_of_two() || !(1024..=65536).contains(&page_size) {
                return Err(Error::InvalidOptions {
                    reason: format!(
                        "page size {page_size} is not a power of two from 1024 to 65536"
                    ),
                });
            }
            // The first pages, then the file's name: a new file must not
            // survive a power cut without its contents.
            let initial = initial_file(page_size);
            file.write_at(&initial, 0).map_err(io_err)?;
            file.sync_all().map_err(io_err)?;
            let dir = strata_flat_file::atomic::parent_dir(&path);
            file.sync_dir(&dir).map_err(io_err)?;
            file_len = initial.len() as u64;
        }
        let len = usize::try_from(file_len)
            .map_err(|_| io_err(io::Error::other("file too large to map")))?;
        let map =
            crate::mmap::map(file.file(), len.max(options.initial_mmap_size)).map_err(io_err)?;
        let snapshot = Snapshot {
            map: Arc::new(map),
            len,
        };
        let meta = choose_meta(&snapshot.map[..len]).map_err(|reason| Error::Invalid {
            path: path.clone(),
            reason,
        })?;
        let mut writer = Writer {
            freelist: Freelist::default(),
            file_len,
        };
        if !options.read_only {
            writer.freelist = load_freelist(&snapshot, &meta)?;
        }
        let persist_freelist =
            !options.read_only && !options.no_freelist_sync && meta.freelist == NO_FREELIST;
        let db = DB {
            path,
            file: Arc::clone(&file),
            options,
            current: Mutex::new(Current { snapshot, meta }),
            writer: Mutex::new(writer),
            readers: Arc::new(Readers {
                open: Mutex::default(),
                _file: Arc::clone(&file),
            }),
            poisoned: AtomicBool::new(false),
            batcher: Batcher::default(),
        };
        if persist_freelist {
            // A file written without a freelist, opened by a writer that
            // keeps one: store it now, as bbolt does.
            db.begin_write()?.commit()?;
        }
        Ok(db)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The options it was opened with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    pub(crate) fn file(&self) -> &dyn DbFile {
        &*self.file
    }

    /// The page size.
    pub fn page_size(&self) -> u32 {
        lock(&self.current).meta.page_size
    }

    /// Starts a read transaction on the latest committed state. It never
    /// waits for the writer.
    pub fn begin_read(&self) -> ReadTx {
        // Registering under the `current` lock: a writer can then never miss
        // a reader of the meta it is about to replace.
        let current = lock(&self.current);
        self.readers.enter(current.meta.txid);
        ReadTx::new(
            current.snapshot.clone(),
            current.meta,
            Some(Arc::clone(&self.readers)),
        )
    }

    /// Runs `f` in a read transaction.
    pub fn view<T>(&self, f: impl FnOnce(&ReadTx) -> Result<T>) -> Result<T> {
        f(&self.begin_read())
    }

    // ANCHOR: begin_write
    /// Starts the write transaction, waiting while another one runs.
    ///
    /// # Errors
    /// [`Error::ReadOnly`] on a read-only open; [`Error::Poisoned`] after a
    /// failed meta write; [`Error::Corrupt`] if the file's txid is the
    /// largest there is.
    pub fn begin_write(&self) -> Result<WriteTx<'_>> {
        if self.options.read_only {
            return Err(Error::ReadOnly);
        }
        let mut writer = lock(&self.writer);
        if self.poisoned.load(Ordering::Acquire) {
            return Err(Error::Poisoned);
        }
        let (snapshot, meta) = {
            let current = lock(&self.current);
            (current.snapshot.clone(), current.meta)
        };
        // Pages freed by transactions up to the oldest open reader's are
        // invisible to every reader now: they can be reused.
        writer
            .freelist
            .release(self.readers.oldest().unwrap_or(meta.txid));
        WriteTx::new(self, writer, snapshot, meta)
    }
    // ANCHOR_END: begin_write

    /// Runs `f` in a write transaction and commits it if `f` succeeds; an
    /// error (or a panic) rolls everything back.
    pub fn update<T>(&self, f: impl FnOnce(&mut WriteTx<'_>) -> Result<T>) -> Result<T> {
        let mut tx = self.begin_write()?;
        let value = f(&mut tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Forces every committed transaction to disk, as bbolt's `DB.Sync`: the
    /// durability point of a file opened with [`Options::no_sync`]. It waits
    /// for a running write transaction, so it never syncs half a commit (and
    /// must not be called by the thread holding one).
    ///
    /// # Errors
    /// [`Error::Io`] if the sync fails; [`Error::ReadOnly`] on a read-only open.
    pub fn sync(&self) -> Result<()> {
        if self.options.read_only {
            return Err(Error::ReadOnly);
        }
        let _writer = lock(&self.writer);
        self.file.sync_data().map_err(|e| Error::io(&self.path, e))
    }

    pub(crate) fn poison(&self) {
        self.poisoned.store(true, Ordering::Release);
    }

    /// Makes a commit current: new transactions see `meta`. Remaps first if
    /// the file grew past the map; open readers keep the old map.
    pub(crate) fn publish(&self, meta: Meta, file_len: u64) -> io::Result<()> {
        let len =
            usize::try_from(file_len).map_err(|_| io::Error::other("file too large to map"))?;
        let mut current = lock(&self.current);
        if len > current.snapshot.map.len() {
            let map = crate::mmap::map(self.file.file(), len.max(self.options.initial_mmap_size))?;
            current.snapshot.map = Arc::new(map);
        }
        current.snapshot.len = len;
        current.meta = meta;
        Ok(())
    }
}

/// Takes the whole-file lock bbolt takes: shared to read, exclusive to
/// write. Waits up to `timeout` (a child process forked elsewhere in this
/// program can hold a copy of a just-closed descriptor for a moment).
fn lock_file(file: &File, path: &Path, shared: bool, timeout: Duration) -> Result<()> {
    let start = Instant::now();
    loop {
        let attempt = if shared {
            file.try_lock_shared()
        } else {
            file.try_lock()
        };
        match attempt {
            Ok(()) => return Ok(()),
            Err(TryLockError::WouldBlock) if start.elapsed() < timeout => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(TryLockError::WouldBlock) => {
                return Err(Error::Locked {
                    path: path.to_path_buf(),
                });
            }
            Err(TryLockError::Error(e)) => return Err(Error::io(path, e)),
        }
    }
}

/// The free pages of the file at `meta`: the freelist page's ids, or, when
/// the file stores none, every page the trees do not reach.
fn load_freelist(snapshot: &Snapshot, meta: &Meta) -> Result<Freelist> {
    let pages = snapshot.pages(meta);
    if meta.freelist == NO_FREELIST {
        let tx = ReadTx::new(snapshot.clone(), *meta, None);
        return Ok(Freelist::from_ids(crate::check::unreachable(&tx)?));
    }
    let page = pages.page(meta.freelist)?;
    if page.flags != crate::page::FREELIST {
        return Err(Error::corrupt(
            page.id,
            "the meta's freelist page is not a freelist",
        ));
    }
    let ids = freelist::decode(&page)?;
    let in_freelist = meta.freelist..=meta.freelist + u64::from(page.overflow);
    if let Some(bad) = ids
        .iter()
        .find(|&&id| id < 2 || id >= meta.pgid || in_freelist.contains(&id))
    {
        return Err(Error::corrupt(
            page.id,
            format!("the freelist holds page {bad}, which cannot be free"),
        ));
    }
    let count = ids.len();
    let freelist = Freelist::from_ids(ids);
    if freelist.free_count() != count {
        return Err(Error::corrupt(page.id, "the freelist holds a page twice"));
    }
    Ok(freelist)
}

// ANCHOR: initial_file
/// The bytes bbolt writes to start an empty file: meta 0 (txid 0) and meta 1
/// (txid 1), an empty freelist at page 2, and the root bucket's empty leaf at
/// page 3; the root is page 3, the freelist page 2, and four pages are in use.
pub fn initial_file(page_size: u32) -> Vec<u8> {
    let size = page_size as usize;
    let mut file = Vec::with_capacity(4 * size);
    for txid in 0..2 {
        let meta = Meta {
            page_size,
            flags: 0,
            root: 3,
            sequence: 0,
            freelist: 2,
            pgid: 4,
            txid,
        };
        file.extend_from_slice(&meta.encode());
    }
    for (id, flags) in [(2u64, crate::page::FREELIST), (3, crate::page::LEAF)] {
        let mut page = vec![0; size];
        let header = crate::page::Header {
            id,
            flags,
            ..crate::page::Header::default()
        };
        header.write(&mut page);
        file.extend_from_slice(&page);
    }
    file
}
// ANCHOR_END: initial_file

// ANCHOR: choose_meta
/// The newer of the two valid metas (meta 0 when their txids are equal).
///
/// Meta 0 says the page size, and so where meta 1 is. If meta 0 is damaged,
/// meta 1 is looked for at every power-of-two page size from 512 bytes to
/// 64 KiB.
pub fn choose_meta(file: &[u8]) -> Result<Meta, String> {
    let sane = |m: Meta| -> Result<Meta, String> {
        let size = u64::from(m.page_size);
        if !m.page_size.is_power_of_two() || !(512..=65536).contains(&m.page_size) {
            return Err(format!("implausible page size {}", m.page_size));
        }
        if m.pgid < 4
            || m.root < 2
            || m.root >= m.pgid
            || (m.freelist != NO_FREELIST && (m.freelist < 2 || m.freelist >= m.pgid))
        {
            return Err(format!(
                "root {} or freelist {} outside the {} pages in use",
                m.root, m.freelist, m.pgid
            ));
        }
        if m.pgid.saturating_mul(size) > file.len() as u64 {
            return Err(format!(
                "{} pages of {size} bytes do not fit in the {}-byte file",
                m.pgid,
                file.len()
            ));
        }
        Ok(m)
    };
    let meta0 = Meta::decode(file).and_then(sane);
    let meta1 = match &meta0 {
        Ok(m) => file
            .get(m.page_size as usize..)
            .ok_or("file too short for meta 1".to_string())
            .and_then(Meta::decode)
            .and_then(sane),
        Err(_) => (9..=16)
            .filter_map(|shift| file.get(1usize << shift..))
            .map(|bytes| Meta::decode(bytes).and_then(sane))
            .find(Result::is_ok)
            .unwrap_or_else(|| Err("no valid meta 1 at any page size".into())),
    };
    match (meta0, meta1) {
        (Ok(a), Ok(b)) => Ok(if b.txid > a.txid { b } else { a }),
        (Ok(a), Err(_)) => Ok(a),
        (Err(_), Ok(b)) => Ok(b),
        (Err(a), Err(b)) => Err(format!("meta 0: {a}; meta 1: {b}")),
    }
}
// ANCHOR_END: choose_meta
