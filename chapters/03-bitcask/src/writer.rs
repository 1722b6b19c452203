//! The file pair being written: a data file and its hint file.
//!
//! Entries and hint records are gathered in buffers and handed to the
//! operating system in blocks (when a buffer fills, and on sync, rollover and
//! close), so a put costs no system call. Reads of entries still in the buffer
//! are served from it. Closing syncs the data file, then writes the hint
//! file's CRC trailer and syncs the hint: until then, the hint has no trailer
//! and opening would ignore it. Every change goes through the cask's [`Disk`].

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::disk::Disk;
use crate::entry;
use crate::files::{data_path, hint_path};
use crate::hint::{self, HintRecord};
use crate::{Error, Result};

/// Buffered bytes handed to the operating system at once.
const BLOCK: usize = 64 * 1024;

/// A data file and its hint file, open for appending.
#[derive(Debug)]
pub struct FileWriter {
    disk: Arc<dyn Disk>,
    id: u32,
    data_path: PathBuf,
    hint_path: PathBuf,
    data: File,
    hint: File,
    data_buf: Vec<u8>,
    hint_buf: Vec<u8>,
    hint_crc: crc32fast::Hasher,
    /// Bytes of the data file, including those still buffered.
    len: u64,
    /// Bytes of the data file already handed to the operating system.
    flushed: u64,
}

impl FileWriter {
    /// Creates data file `id` and its hint file in `dir` (both must be new),
    /// and syncs the directory: entries in a file whose name a power cut
    /// could take would go with it.
    pub fn create(disk: &Arc<dyn Disk>, dir: &Path, id: u32) -> Result<FileWriter> {
        // Read and write for everyone, less the umask: std's default, and Riak's.
        let create = |path: &Path| disk.create_new(path, 0o666).map_err(|e| Error::io(path, e));
        let (data_path, hint_path) = (data_path(dir, id), hint_path(dir, id));
        let data = create(&data_path)?;
        let hint = create(&hint_path)?;
        disk.sync_dir(dir).map_err(|e| Error::io(dir, e))?;
        Ok(FileWriter {
            disk: Arc::clone(disk),
            id,
            data_path,
            hint_path,
            data,
            hint,
            data_buf: Vec::with_capacity(BLOCK),
            hint_buf: Vec::with_capacity(BLOCK),
            hint_crc: crc32fast::Hasher::new(),
            len: 0,
            flushed: 0,
        })
    }

    /// The file id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The data file's path.
    pub fn data_path(&self) -> &Path {
        &self.data_path
    }

    /// Bytes in the data file, buffered ones included.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    // ANCHOR: append
    /// Appends an entry and its hint record; returns the entry's offset.
    /// The caller has checked the sizes with [`entry::entry_len`].
    pub fn append(&mut self, tstamp: u32, key: &[u8], value: &[u8]) -> Result<u64> {
        let offset = self.len;
        let before = self.data_buf.len();
        entry::encode(tstamp, key, value, &mut self.data_buf);
        let entry_len = (self.data_buf.len() - before) as u32;
        self.len += u64::from(entry_len);

        let before = self.hint_buf.len();
        let tombstone = entry::is_tombstone(value);
        hint::encode(
            &HintRecord {
                tstamp,
                key,
                entry_len,
                offset,
                tombstone,
            },
            &mut self.hint_buf,
        );
        self.hint_crc.update(&self.hint_buf[before..]);

        if self.data_buf.len() >= BLOCK || self.hint_buf.len() >= BLOCK {
            self.flush()?;
        }
        Ok(offset)
    }
    // ANCHOR_END: append

    /// The bytes at `offset..offset + len` if they are still in the buffer.
    pub fn buffered(&self, offset: u64, len: u32) -> Option<&[u8]> {
        let start = usize::try_from(offset.checked_sub(self.flushed)?).ok()?;
        self.data_buf.get(start..start.checked_add(len as usize)?)
    }

    /// Hands the buffers to the operating system.
    pub fn flush(&mut self) -> Result<()> {
        if !self.data_buf.is_empty() {
            self.disk
                .append(&mut self.data, &self.data_path, &self.data_buf)
                .map_err(|e| Error::io(&self.data_path, e))?;
            self.data_buf.clear();
        }
        self.flushed = self.len;
        if !self.hint_buf.is_empty() {
            self.disk
                .append(&mut self.hint, &self.hint_path, &self.hint_buf)
                .map_err(|e| Error::io(&self.hint_path, e))?;
            self.hint_buf.clear();
        }
        Ok(())
    }

    /// Flushes both buffers, then forces the data file to disk. The hint
    /// file is not synced here: opening trusts a hint only once its trailer
    /// is written, at [`close`](FileWriter::close), which syncs it then.
    /// Until then a power cut that loses some of it costs a scan of the data
    /// file, never a write.
    pub fn sync(&mut self) -> Result<()> {
        self.flush()?;
        self.sync_data_file()
    }

    /// Flushes, and returns a handle to the data file that
    /// [`PendingSync::finish`] forces to disk, as [`sync`](FileWriter::sync)
    /// would: group commit's way to sync without holding the writer.
    pub fn start_sync(&mut self) -> Result<PendingSync> {
        self.flush()?;
        let data = self
            .data
            .try_clone()
            .map_err(|e| Error::io(&self.data_path, e))?;
        Ok(PendingSync {
            disk: Arc::clone(&self.disk),
            data,
            data_path: self.data_path.clone(),
        })
    }

    /// Finishes the pair: the data file synced, then the hint file's CRC
    /// trailer written and the hint synced. In that order, a power cut never
    /// leaves a valid hint beside a data file that lost some of its entries.
    pub fn close(mut self) -> Result<()> {
        self.flush()?;
        self.sync_data_file()?;
        let crc = self.hint_crc.clone().finalize();
        hint::encode_trailer(crc, &mut self.hint_buf);
        self.flush()?;
        self.sync_hint_file()
    }

    fn sync_data_file(&self) -> Result<()> {
        self.disk
            .sync_data(&self.data, &self.data_path)
            .map_err(|e| Error::io(&self.data_path, e))
    }

    fn sync_hint_file(&self) -> Result<()> {
        self.disk
            .sync_data(&self.hint, &self.hint_path)
            .map_err(|e| Error::io(&self.hint_path, e))
    }
}

/// A data file's writes, handed to the operating system and waiting to be
/// forced to disk (see [`FileWriter::start_sync`]). Any thread may finish it,
/// while the cask goes on reading and writing; if the file has been closed
/// (rolled over) meanwhile, closing synced it already and this is cheap.
#[derive(Debug)]
pub struct PendingSync {
    disk: Arc<dyn Disk>,
    data: File,
    data_path: PathBuf,
}

impl PendingSync {
    /// Forces the data file to disk.
    pub fn finish(&self) -> Result<()> {
        self.disk
            .sync_data(&self.data, &self.data_path)
            .map_err(|e| Error::io(&self.data_path, e))
    }
}
