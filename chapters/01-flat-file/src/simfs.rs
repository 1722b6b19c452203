//! A simulated disk that can lose power, for tests.
//!
//! [`SimFs`] keeps two views of everything: what programs see (every write,
//! rename and removal at once, as the page cache shows them) and what is
//! *durable* (what a power cut leaves). A file's data becomes durable when the
//! file is fsynced; a name (a creation, a rename, a removal) when its
//! directory is. [`SimFs::lose_power`] throws the rest away; and
//! [`SimFs::lose_power_keeping`] keeps an arbitrary part of it (some of each
//! file's unsynced pages, some of the unsynced changes to names, a rename
//! always whole), as a disk that wrote some of them before the cut would.
//!
//! It models the rules a careful program relies on (POSIX promises little
//! more), not any one file system: some, like ext4 with its default options,
//! are kinder after a rename, and a program that is correct here is correct
//! there.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::fs::{Fs, SyncAll};

/// Pages are what a disk writes whole, or not at all.
pub const PAGE: usize = 4096;

/// A simulated disk (see the module doc). Clones share the disk.
#[derive(Debug, Clone, Default)]
pub struct SimFs {
    disk: Arc<Mutex<Disk>>,
}

#[derive(Debug, Default)]
struct Disk {
    /// Whether every change is recorded as a moment the power could fail.
    recording: bool,
    /// The disk as it was after each change, while recording.
    moments: Vec<Disk>,
    /// File contents by inode number.
    files: Vec<Contents>,
    /// The names programs see, and the inode each names.
    names: BTreeMap<PathBuf, usize>,
    /// The names a power cut leaves.
    durable_names: BTreeMap<PathBuf, usize>,
    /// The changes to names since their directories were last synced, in
    /// order: a power cut may have written any of them.
    pending: Vec<NameChange>,
    /// Counts of the calls made, by kind (for tests that count syncs).
    fsyncs: u64,
    dir_syncs: u64,
    /// Paths locked by a live holder; a power cut ends every holder.
    locks: std::collections::BTreeSet<PathBuf>,
    /// Power cuts so far: a lock taken before the last one is no longer held.
    boots: u64,
}

/// A change to a directory's entries. A rename is one change: atomic.
#[derive(Debug, Clone)]
enum NameChange {
    Create(PathBuf, usize),
    Remove(PathBuf),
    Rename(PathBuf, PathBuf, usize),
}

impl NameChange {
    /// Whether it changes an entry of `dir`.
    fn touches(&self, dir: &Path) -> bool {
        let in_dir = |path: &PathBuf| path.parent() == Some(dir);
        match self {
            NameChange::Create(path, _) | NameChange::Remove(path) => in_dir(path),
            NameChange::Rename(from, to, _) => in_dir(from) || in_dir(to),
        }
    }

    /// Applies it to a set of names.
    fn apply(&self, names: &mut BTreeMap<PathBuf, usize>) {
        match self {
            NameChange::Create(path, inode) => {
                names.insert(path.clone(), *inode);
            }
            NameChange::Remove(path) => {
                names.remove(path);
            }
            NameChange::Rename(from, to, inode) => {
                names.remove(from);
                names.insert(to.clone(), *inode);
            }
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq)]
struct Contents {
    /// What reads see.
    data: Vec<u8>,
    /// What a power cut leaves.
    durable: Vec<u8>,
}

impl Disk {
    /// A copy of the disk as it is, without its recording.
    fn copy(&self) -> Disk {
        Disk {
            recording: false,
            moments: Vec::new(),
            files: self.files.clone(),
            names: self.names.clone(),
            durable_names: self.durable_names.clone(),
            pending: self.pending.clone(),
            fsyncs: self.fsyncs,
            dir_syncs: self.dir_syncs,
            locks: self.locks.clone(),
            boots: self.boots,
        }
    }

    /// A new, empty file named `path`.
    fn new_file(&mut self, path: &Path) -> usize {
        self.files.push(Contents::default());
        let inode = self.files.len() - 1;
        self.names.insert(path.to_path_buf(), inode);
        self.pending
            .push(NameChange::Create(path.to_path_buf(), inode));
        inode
    }

    /// Called after every change: keeps a copy while recording.
    fn changed(&mut self) {
        if self.recording {
            let copy = self.copy();
            self.moments.push(copy);
        }
    }
}

impl SimFs {
    /// An empty disk.
    pub fn new() -> SimFs {
        SimFs::default()
    }

    /// An independent copy of the disk as it is now: what a test cuts the
    /// power under, while the original goes on.
    pub fn fork(&self) -> SimFs {
        SimFs {
            disk: Arc::new(Mutex::new(self.disk().copy())),
        }
    }

    /// From now on, keeps a copy of the disk after every change (write,
    /// fsync, create, rename, removal, directory sync): every moment at
    /// which the power could fail. [`SimFs::take_moments`] hands them over.
    pub fn record_moments(&self) {
        self.disk().recording = true;
    }

    /// The moments recorded since the last call, oldest first, each an
    /// independent disk on which the power has not failed yet.
    pub fn take_moments(&self) -> Vec<SimFs> {
        let moments = std::mem::take(&mut self.disk().moments);
        (moments.into_iter())
            .map(|disk| SimFs {
                disk: Arc::new(Mutex::new(disk)),
            })
            .collect()
    }

    fn disk(&self) -> MutexGuard<'_, Disk> {
        // A panicking test thread leaves the disk as consistent as any moment.
        self.disk.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The bytes of the file at `path`, as a program would read them now.
    ///
    /// # Errors
    /// `NotFound` if no file has that name.
    pub fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let disk = self.disk();
        let inode = *disk.names.get(path).ok_or_else(|| not_found(path))?;
        Ok(disk.files[inode].data.clone())
    }

    /// Whether a file is named `path` now.
    pub fn exists(&self, path: &Path) -> bool {
        self.disk().names.contains_key(path)
    }

    /// Every name on the disk now, in order.
    pub fn names(&self) -> Vec<PathBuf> {
        self.disk().names.keys().cloned().collect()
    }

    /// Writes `bytes` as the whole, durable file at `path`: a disk's state
    /// before a test begins.
    pub fn put_durable(&self, path: &Path, bytes: &[u8]) {
        let mut disk = self.disk();
        let inode = disk.files.len();
        disk.files.push(Contents {
            data: bytes.to_vec(),
            durable: bytes.to_vec(),
        });
        disk.names.insert(path.to_path_buf(), inode);
        disk.durable_names.insert(path.to_path_buf(), inode);
    }

    /// Opens the file at `path` for appending: a new one when `create_new`
    /// (`AlreadyExists` if it exists), else an existing one.
    ///
    /// # Errors
    /// `AlreadyExists` or `NotFound`, as std's `OpenOptions` would say.
    pub fn open_append(&self, path: &Path, create_new: bool) -> io::Result<SimFile> {
        let mut disk = self.disk();
        let inode = match (disk.names.get(path), create_new) {
            (Some(_), true) => {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{}: exists", path.display()),
                ));
            }
            (Some(&inode), false) => inode,
            (None, true) => disk.new_file(path),
            (None, false) => return Err(not_found(path)),
        };
        disk.changed();
        Ok(SimFile {
            boot: disk.boots,
            disk: Arc::clone(&self.disk),
            inode,
        })
    }

    /// The names directly inside `dir`, in order.
    pub fn list(&self, dir: &Path) -> Vec<PathBuf> {
        (self.disk().names.keys())
            .filter(|path| path.parent() == Some(dir))
            .cloned()
            .collect()
    }

    /// Removes the name `path` (durable once its directory is synced).
    ///
    /// # Errors
    /// `NotFound` if no file has that name.
    pub fn remove(&self, path: &Path) -> io::Result<()> {
        let mut disk = self.disk();
        disk.names.remove(path).ok_or_else(|| not_found(path))?;
        disk.pending.push(NameChange::Remove(path.to_path_buf()));
        disk.changed();
        Ok(())
    }

    /// Cuts or extends the file at `path` to `len` bytes (durable once fsynced).
    ///
    /// # Errors
    /// `NotFound` if no file has that name.
    pub fn set_len(&self, path: &Path, len: u64) -> io::Result<()> {
        let mut disk = self.disk();
        let inode = *disk.names.get(path).ok_or_else(|| not_found(path))?;
        let len = usize::try_from(len).map_err(io::Error::other)?;
        disk.files[inode].data.resize(len, 0);
        disk.changed();
        Ok(())
    }

    /// Takes the lock named `path` (like an `flock` held until dropped), or
    /// `WouldBlock` if a live holder has it.
    ///
    /// # Errors
    /// `WouldBlock` if it is held.
    pub fn try_lock(&self, path: &Path) -> io::Result<SimLock> {
        let mut disk = self.disk();
        if !disk.locks.insert(path.to_path_buf()) {
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                format!("{}: locked", path.display()),
            ));
        }
        Ok(SimLock {
            disk: Arc::clone(&self.disk),
            path: path.to_path_buf(),
            boot: disk.boots,
        })
    }

    /// How many file fsyncs and directory fsyncs have been made.
    pub fn sync_counts(&self) -> (u64, u64) {
        let disk = self.disk();
        (disk.fsyncs, disk.dir_syncs)
    }

    /// The power fails: every unsynced name and every unsynced byte is lost.
    pub fn lose_power(&self) {
        self.lose_power_keeping(|_, _| false, |_| false);
    }

    /// The power fails, but the disk had written some of what was not synced
    /// first, in any order: page `p` of the file at inode `i` survives when
    /// `pages(i, p)`, and the `n`th change to a name since its directory was
    /// synced (a creation, a removal, or a whole rename) when `names(n)`.
    pub fn lose_power_keeping(
        &self,
        mut pages: impl FnMut(usize, usize) -> bool,
        mut names: impl FnMut(usize) -> bool,
    ) {
        let mut disk = self.disk();
        let mut survived = disk.durable_names.clone();
        for (n, change) in disk.pending.iter().enumerate() {
            if names(n) {
                change.apply(&mut survived);
            }
        }
        disk.names = survived.clone();
        disk.durable_names = survived;
        disk.pending.clear();
        disk.locks.clear();
        disk.boots += 1;
        for (inode, file) in disk.files.iter_mut().enumerate() {
            let page_count = file.data.len().max(file.durable.len()).div_ceil(PAGE);
            let mut survived = Vec::new();
            for page in 0..page_count {
                let from = if pages(inode, page) {
                    &file.data
                } else {
                    &file.durable
                };
                let range = page * PAGE..((page + 1) * PAGE).min(from.len());
                if range.start < from.len() {
                    survived.extend_from_slice(&from[range]);
                } else {
                    // That version of the file ends before this page.
                    break;
                }
            }
            file.data = survived.clone();
            file.durable = survived;
        }
    }
}

impl Fs for SimFs {
    type File = SimFile;

    fn create(&self, path: &Path) -> io::Result<SimFile> {
        let mut disk = self.disk();
        let inode = match disk.names.get(path) {
            Some(&inode) => {
                // Emptied now; durable as empty only once fsynced.
                disk.files[inode].data.clear();
                inode
            }
            None => disk.new_file(path),
        };
        disk.changed();
        Ok(SimFile {
            boot: disk.boots,
            disk: Arc::clone(&self.disk),
            inode,
        })
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let mut disk = self.disk();
        let inode = disk.names.remove(from).ok_or_else(|| not_found(from))?;
        disk.names.insert(to.to_path_buf(), inode);
        let change = NameChange::Rename(from.to_path_buf(), to.to_path_buf(), inode);
        disk.pending.push(change);
        disk.changed();
        Ok(())
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        let mut disk = self.disk();
        disk.dir_syncs += 1;
        let in_dir = |path: &PathBuf| path.parent() == Some(dir);
        disk.durable_names.retain(|path, _| !in_dir(path));
        let entries: Vec<(PathBuf, usize)> = (disk.names.iter())
            .filter(|(path, _)| in_dir(path))
            .map(|(path, &inode)| (path.clone(), inode))
            .collect();
        disk.durable_names.extend(entries);
        disk.pending.retain(|change| !change.touches(dir));
        disk.changed();
        Ok(())
    }
}

/// A file on a [`SimFs`], open for writing at its end.
#[derive(Debug)]
pub struct SimFile {
    disk: Arc<Mutex<Disk>>,
    inode: usize,
    /// The power cuts before it was opened: a handle from before the last
    /// one belongs to a process that is gone, and can change nothing.
    boot: u64,
}

impl Write for SimFile {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let mut disk = self.live_disk()?;
        disk.files[self.inode].data.extend_from_slice(bytes);
        disk.changed();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl SimFile {
    /// Makes the file's data durable (`fsync`; the simulation does not tell
    /// data from metadata, so `fdatasync` is the same).
    pub fn sync(&self) -> io::Result<()> {
        let mut disk = self.live_disk()?;
        disk.fsyncs += 1;
        let file = &mut disk.files[self.inode];
        file.durable = file.data.clone();
        disk.changed();
        Ok(())
    }

    /// A second handle on the same file.
    pub fn handle(&self) -> SimFile {
        SimFile {
            disk: Arc::clone(&self.disk),
            inode: self.inode,
            boot: self.boot,
        }
    }

    /// The disk, if this handle's process is still running.
    fn live_disk(&self) -> io::Result<MutexGuard<'_, Disk>> {
        let disk = self.disk.lock().unwrap_or_else(PoisonError::into_inner);
        if disk.boots != self.boot {
            return Err(io::Error::other(
                "the power was cut since this file was opened",
            ));
        }
        Ok(disk)
    }
}

impl SyncAll for SimFile {
    fn sync_all(&mut self) -> io::Result<()> {
        self.sync()
    }
}

/// A lock taken with [`SimFs::try_lock`], released when dropped.
#[derive(Debug)]
pub struct SimLock {
    disk: Arc<Mutex<Disk>>,
    path: PathBuf,
    boot: u64,
}

impl Drop for SimLock {
    fn drop(&mut self) {
        let mut disk = self.disk.lock().unwrap_or_else(PoisonError::into_inner);
        // A holder from before a power cut holds nothing now.
        if disk.boots == self.boot {
            disk.locks.remove(&self.path);
        }
    }
}

fn not_found(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!("{}: no such file", path.display()),
    )
}
