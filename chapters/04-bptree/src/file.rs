//! The write side of the database file, behind a trait.
//!
//! A kill -9 cannot test an fsync: the kernel keeps the page cache, so what
//! the process wrote survives it, synced or not. Only losing power drops
//! unsynced data. Chapters 1 and 2 put every file call behind a simulated
//! disk, but this engine reads its file through a memory map, which only a
//! real file can back. So only the calls that *change* the file go through
//! [`DbFile`]: a test can wrap the real file in a recorder that performs each
//! call and notes it down, then rebuild what a disk would hold had the power
//! failed after any of them. Reads, the map and the file lock use the
//! underlying [`File`] directly.
//!
//! In production the `DbFile` is the `File` itself. The database holds it as a
//! trait object: one indirect call beside each system call, which costs
//! nothing measurable.

use std::fmt::Debug;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;

use strata_flat_file::fs::{Fs, StdFs};

/// The calls the database makes to change its file.
///
/// A wrapper must make each call on the same [`File`] that [`DbFile::file`]
/// returns, as asked and nothing more: the memory map reads what it writes.
///
/// A wrapper that counts syncs, opened with [`DB::open_with`](crate::DB::open_with),
/// shows that a commit costs two:
///
/// ```
/// use std::fs::File;
/// use std::path::Path;
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use strata_bptree::file::DbFile;
/// use strata_bptree::{DB, Options};
///
/// #[derive(Debug)]
/// struct CountSyncs(File, Arc<AtomicUsize>);
///
/// impl DbFile for CountSyncs {
///     fn write_at(&self, bytes: &[u8], offset: u64) -> std::io::Result<()> {
///         self.0.write_at(bytes, offset)
///     }
///     fn sync_data(&self) -> std::io::Result<()> {
///         self.1.fetch_add(1, Ordering::Relaxed);
///         DbFile::sync_data(&self.0)
///     }
///     fn sync_all(&self) -> std::io::Result<()> {
///         self.1.fetch_add(1, Ordering::Relaxed);
///         DbFile::sync_all(&self.0)
///     }
///     fn set_len(&self, len: u64) -> std::io::Result<()> {
///         DbFile::set_len(&self.0, len)
///     }
///     fn size(&self) -> std::io::Result<u64> {
///         self.0.size()
///     }
///     fn sync_dir(&self, dir: &Path) -> std::io::Result<()> {
///         self.0.sync_dir(dir)
///     }
///     fn file(&self) -> &File {
///         &self.0
///     }
/// }
///
/// # let dir = tempfile::tempdir().unwrap();
/// let syncs = Arc::new(AtomicUsize::new(0));
/// let counter = Arc::clone(&syncs);
/// let db = DB::open_with(dir.path().join("my.db"), Options::default(), |file| {
///     Arc::new(CountSyncs(file, counter))
/// })?;
/// let before = syncs.load(Ordering::Relaxed);
/// db.update(|tx| tx.create_bucket(b"fruit")?.put(b"apple", b"red"))?;
/// assert_eq!(syncs.load(Ordering::Relaxed) - before, 2);
/// # Ok::<(), strata_bptree::Error>(())
/// ```
pub trait DbFile: Debug + Send + Sync {
    /// Writes all of `bytes` at `offset`, growing the file if they pass its end.
    fn write_at(&self, bytes: &[u8], offset: u64) -> io::Result<()>;
    /// Returns once the file's data, and its length, are on disk (`fdatasync`).
    fn sync_data(&self) -> io::Result<()>;
    /// Returns once the file's data and all its metadata are on disk (`fsync`).
    fn sync_all(&self) -> io::Result<()>;
    /// Sets the file's length, filling any growth with zeros.
    fn set_len(&self, len: u64) -> io::Result<()>;
    /// The file's size in bytes.
    fn size(&self) -> io::Result<u64>;
    /// Flushes the entries of `dir`, the file's directory, to disk: until
    /// then a newly created file may vanish in a power cut.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
    /// The file itself, to map it and lock it.
    fn file(&self) -> &File;
}

impl DbFile for File {
    fn write_at(&self, bytes: &[u8], offset: u64) -> io::Result<()> {
        self.write_all_at(bytes, offset)
    }

    fn sync_data(&self) -> io::Result<()> {
        File::sync_data(self)
    }

    fn sync_all(&self) -> io::Result<()> {
        File::sync_all(self)
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        File::set_len(self, len)
    }

    fn size(&self) -> io::Result<u64> {
        Ok(self.metadata()?.len())
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        StdFs.sync_dir(dir)
    }

    fn file(&self) -> &File {
        self
    }
}
