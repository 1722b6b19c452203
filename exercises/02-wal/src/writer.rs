//! Appending records to a segment file. **Yours to write: `LogWriter::append`.**
//!
//! Each record is encoded into a reused buffer and handed to the operating
//! system with one `write` call. Once that returns, the record survives a crash
//! of *this process* (it is in the OS's page cache); it survives a crash of the
//! *machine* only after an fsync, which is the sync policy's business
//! (see [`durability`](crate::durability)), not the writer's.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::durability::SyncData;
use crate::fs::{Dir, LogFile};
use crate::op::Op;
use crate::segment;
use crate::{Error, Result, record};

/// The open, active log segment.
#[derive(Debug)]
pub struct LogWriter {
    file: Box<dyn LogFile>,
    path: PathBuf,
    first_seq: u64,
    len: u64,
    buf: Vec<u8>,
}

impl LogWriter {
    /// Creates the new, empty segment in `dir` for records from `first_seq`
    /// on, and makes its creation durable.
    pub fn create(dir: &Dir, first_seq: u64) -> Result<Self> {
        let path = segment::segment_path(dir.path(), first_seq);
        let file = (dir.fs().create_new(&path)).map_err(|e| Error::io(&path, e))?;
        segment::sync(dir)?;
        Ok(Self::new(file, &path, first_seq, 0))
    }

    /// Opens the existing segment `path` in `dir` to append after its first
    /// `len` bytes, which recovery has found valid (and truncated the file to).
    pub fn open(dir: &Dir, path: &Path, first_seq: u64, len: u64) -> Result<Self> {
        let file = (dir.fs().open_append(path)).map_err(|e| Error::io(path, e))?;
        Ok(Self::new(file, path, first_seq, len))
    }

    fn new(file: Box<dyn LogFile>, path: &Path, first_seq: u64, len: u64) -> Self {
        LogWriter {
            file,
            path: path.to_path_buf(),
            first_seq,
            len,
            buf: Vec::new(),
        }
    }

    /// Appends record `seq` doing `op`. When this returns `Ok`, the record is in
    /// the operating system's hands (not yet necessarily on disk).
    ///
    /// # Errors
    /// [`Error::TooLarge`] leaves the log untouched. An [`Error::Io`] may leave
    /// part of the record in the file: the caller must stop writing (see
    /// [`Error::Poisoned`]), and the next recovery drops the torn tail.
    ///
    /// Hints: one record, one `write` to the operating system, from the
    /// writer's reused buffer `self.buf` (no allocation per record once it
    /// has grown). Encode with `record::encode` before touching the file, so
    /// that [`Error::TooLarge`] leaves it untouched. `self.len` is the
    /// segment's length in bytes: it must grow by exactly what was written.
    /// An I/O error is wrapped with [`Error::io`] and the segment's path.
    /// Checked by `suite::snapshot` (the bytes) and `suite::durability`.
    ///
    /// <details><summary>Stuck?</summary>
    ///
    /// The buffer still holds the previous record: empty it first. Then
    /// encode into it, hand all of it to `self.file` with `write_all`, and
    /// add its length to `self.len`.
    ///
    /// </details>
    pub fn append(&mut self, seq: u64, op: &Op<'_>) -> Result<()> {
        todo!("chapter 2, step 2: encode the record into self.buf and write it")
    }

    /// Forces everything appended so far to disk.
    pub fn sync(&self) -> Result<()> {
        self.file.sync_data().map_err(|e| Error::io(&self.path, e))
    }

    /// A second handle on the segment, so that group commit can fsync it
    /// without holding the lock that appends need.
    pub fn sync_handle(&self) -> Result<Box<dyn LogFile>> {
        self.file.try_clone().map_err(|e| Error::io(&self.path, e))
    }

    /// The segment's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The first sequence number this segment may hold.
    pub fn first_seq(&self) -> u64 {
        self.first_seq
    }

    /// Bytes in the segment.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the segment holds no records.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}
