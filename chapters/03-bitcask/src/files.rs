//! The files in a bitcask directory: their names, and reading entries back.
//!
//! `N.bitcask.data` holds entries; `N.bitcask.hint` its hints. `N` is a decimal
//! file id, not zero-padded, so files sort by their numeric id. Ids only grow,
//! and may have gaps.

use std::fs::{self, File};
use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};

use crate::disk::Disk;
use crate::{Error, Result};

/// The data file with id `id`.
pub fn data_path(dir: &Path, id: u32) -> PathBuf {
    dir.join(format!("{id}.bitcask.data"))
}

/// The hint file of data file `id`.
pub fn hint_path(dir: &Path, id: u32) -> PathBuf {
    dir.join(format!("{id}.bitcask.hint"))
}

/// The id in a data file's name, as Riak recognises it: exactly three
/// dot-separated pieces, the last `data`, the first a number.
pub fn data_file_id(name: &str) -> Option<u32> {
    let pieces: Vec<&str> = name.split('.').filter(|p| !p.is_empty()).collect();
    match pieces.as_slice() {
        [id, "bitcask", "data"] => id.parse().ok(),
        _ => None,
    }
}

/// The id in a hint file's name, by the same rule as [`data_file_id`].
pub fn hint_file_id(name: &str) -> Option<u32> {
    let pieces: Vec<&str> = name.split('.').filter(|p| !p.is_empty()).collect();
    match pieces.as_slice() {
        [id, "bitcask", "hint"] => id.parse().ok(),
        _ => None,
    }
}

/// The largest id a data or hint file in `dir` is named with (0 if none).
/// A hint file can outlive its data file (a power cut may keep one name of
/// a pair and not the other), and a new file must not take its id.
pub fn largest_id(dir: &Path) -> Result<u32> {
    let mut largest = 0;
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        let id = name
            .to_str()
            .and_then(|name| data_file_id(name).or_else(|| hint_file_id(name)));
        largest = largest.max(id.unwrap_or(0));
    }
    Ok(largest)
}

/// The data files in `dir`, by ascending id.
pub fn list_data_files(dir: &Path) -> Result<Vec<u32>> {
    let mut ids = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if let Some(id) = entry.file_name().to_str().and_then(data_file_id) {
            ids.push(id);
        }
    }
    ids.sort_unstable();
    Ok(ids)
}

/// Whether a file carries Riak's pending-delete mark: the setuid or
/// other-execute permission bit, set on a merge's inputs before deletion.
pub fn is_pending_delete(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| has_pending_delete_mark(&m))
}

/// Whether `metadata` shows the pending-delete mark.
fn has_pending_delete_mark(metadata: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        metadata.permissions().mode() & 0o4001 != 0
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        false
    }
}

// ANCHOR: pinned
/// A data file (and its hint file) held open while a cask opens. A merge
/// beside us may remove the files by name; these handles still read them.
#[derive(Debug)]
pub struct PinnedFile {
    /// The file id.
    pub id: u32,
    /// The data file's path.
    pub path: PathBuf,
    /// The data file.
    pub data: File,
    /// Its size when it was opened.
    pub size: u64,
    /// Whether it carried the pending-delete mark when it was opened.
    pub pending_delete: bool,
    /// The hint file, if there was one.
    pub hint: Option<File>,
}
// ANCHOR_END: pinned

impl PinnedFile {
    /// Opens data file `id` in `dir` and its hint file; `None` if the data
    /// file is gone (a merge removed it since it was listed).
    pub fn open(dir: &Path, id: u32) -> Result<Option<PinnedFile>> {
        let path = data_path(dir, id);
        let data = match File::open(&path) {
            Ok(data) => data,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(path, e)),
        };
        let metadata = data.metadata().map_err(|e| Error::io(&path, e))?;
        // A hint that cannot be opened is no hint: the data file is scanned.
        let hint = File::open(hint_path(dir, id)).ok();
        Ok(Some(PinnedFile {
            id,
            size: metadata.len(),
            pending_delete: has_pending_delete_mark(&metadata),
            path,
            data,
            hint,
        }))
    }

    /// Whether the data file carries the pending-delete mark now.
    pub fn is_pending_delete_now(&self) -> Result<bool> {
        let metadata = self.data.metadata().map_err(|e| Error::io(&self.path, e))?;
        Ok(has_pending_delete_mark(&metadata))
    }

    /// The hint file's bytes; empty if there is none or it cannot be read.
    pub fn hint_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        if let Some(mut hint) = self.hint.as_ref() {
            let read = hint.rewind().and_then(|()| hint.read_to_end(&mut bytes));
            if read.is_err() {
                bytes.clear();
            }
        }
        bytes
    }
}

/// Marks a file pending-delete, as Riak's merge does (other-execute bit), and
/// syncs the file so that the mark survives a power cut.
pub fn mark_pending_delete(disk: &dyn Disk, path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mode = file
            .metadata()
            .map_err(|e| Error::io(path, e))?
            .permissions()
            .mode();
        disk.set_mode(path, mode | 0o001)
            .and_then(|()| disk.sync_all(&file, path))
            .map_err(|e| Error::io(path, e))?;
    }
    #[cfg(not(unix))]
    let _ = (disk, path);
    Ok(())
}

/// Removes data file `id` and its hint, if present.
pub fn remove_pair(disk: &dyn Disk, dir: &Path, id: u32) -> Result<()> {
    for path in [hint_path(dir, id), data_path(dir, id)] {
        match disk.remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    Ok(())
}

/// Syncs a directory so that file creations and removals in it are durable.
pub fn sync_dir(disk: &dyn Disk, dir: &Path) -> Result<()> {
    disk.sync_dir(dir).map_err(|e| Error::io(dir, e))
}

/// Creates `dir` and any missing parents, each durably: after creating a
/// directory, its parent is synced, or a power cut could take the new
/// directory, and every file written into it, away.
pub fn create_dir_durably(disk: &dyn Disk, dir: &Path) -> Result<()> {
    let mut missing = Vec::new();
    let mut next = Some(dir);
    while let Some(path) = next.filter(|p| !p.as_os_str().is_empty() && !p.is_dir()) {
        missing.push(path);
        next = path.parent();
    }
    for path in missing.into_iter().rev() {
        match disk.create_dir(path) {
            Ok(()) => {}
            // Created meanwhile by another process: synced all the same.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => {}
            Err(e) => return Err(Error::io(path, e)),
        }
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        sync_dir(disk, parent.unwrap_or(Path::new(".")))?;
    }
    Ok(())
}

/// Reads exactly `buf.len()` bytes at `offset` without moving a file cursor,
/// so many readers can share one handle.
pub fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        let mut done = 0;
        while done < buf.len() {
            let n = std::os::windows::fs::FileExt::seek_read(
                file,
                &mut buf[done..],
                offset + done as u64,
            )?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            done += n;
        }
        Ok(())
    }
}
