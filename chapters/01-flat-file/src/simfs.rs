//! A simulated disk that can lose power, for tests.
//!
//! [`SimFs`] keeps two views of everything: what programs see (every write,
//! rename and removal at once, as the page cache shows them) and what is
//! *durable* (what a power cut leaves). A file's data becomes durable when the
//! file is fsynced; a name (a creation, a rename, a removal) when its
//! directory is. [`SimFs::lose_power`] throws the rest away; and
//! [`SimFs::lose_power_keeping`] keeps an arbitrary part of each unsynced
//! file's new pages, as a disk that wrote some of them before the cut would.
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
    /// File contents by inode number.
    files: Vec<Contents>,
    /// The names programs see, and the inode each names.
    names: BTreeMap<PathBuf, usize>,
    /// The names a power cut leaves.
    durable_names: BTreeMap<PathBuf, usize>,
    /// Counts of the calls made, by kind (for tests that count syncs).
    fsyncs: u64,
    dir_syncs: u64,
}

#[derive(Debug, Default, Clone)]
struct Contents {
    /// What reads see.
    data: Vec<u8>,
    /// What a power cut leaves.
    durable: Vec<u8>,
}

impl SimFs {
    /// An empty disk.
    pub fn new() -> SimFs {
        SimFs::default()
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

    /// How many file fsyncs and directory fsyncs have been made.
    pub fn sync_counts(&self) -> (u64, u64) {
        let disk = self.disk();
        (disk.fsyncs, disk.dir_syncs)
    }

    /// The power fails: every unsynced name and every unsynced byte is lost.
    pub fn lose_power(&self) {
        self.lose_power_with(|_, _| false);
    }

    /// The power fails, but the disk had written some of the unsynced pages
    /// first: page `p` of the file at inode `i` survives when `keep(i, p)`.
    /// Names are kept or lost by their directory's sync alone.
    pub fn lose_power_keeping(&self, keep: impl FnMut(usize, usize) -> bool) {
        self.lose_power_with(keep);
    }

    fn lose_power_with(&self, mut keep: impl FnMut(usize, usize) -> bool) {
        let mut disk = self.disk();
        disk.names = disk.durable_names.clone();
        for (inode, file) in disk.files.iter_mut().enumerate() {
            let pages = file.data.len().max(file.durable.len()).div_ceil(PAGE);
            let mut survived = Vec::new();
            for page in 0..pages {
                let from = if keep(inode, page) {
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
            None => {
                disk.files.push(Contents::default());
                let inode = disk.files.len() - 1;
                disk.names.insert(path.to_path_buf(), inode);
                inode
            }
        };
        Ok(SimFile {
            disk: Arc::clone(&self.disk),
            inode,
        })
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let mut disk = self.disk();
        let inode = disk.names.remove(from).ok_or_else(|| not_found(from))?;
        disk.names.insert(to.to_path_buf(), inode);
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
        Ok(())
    }
}

/// A file on a [`SimFs`], open for writing at its end.
#[derive(Debug)]
pub struct SimFile {
    disk: Arc<Mutex<Disk>>,
    inode: usize,
}

impl Write for SimFile {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let mut disk = self.disk.lock().unwrap_or_else(PoisonError::into_inner);
        disk.files[self.inode].data.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl SyncAll for SimFile {
    fn sync_all(&mut self) -> io::Result<()> {
        let mut disk = self.disk.lock().unwrap_or_else(PoisonError::into_inner);
        disk.fsyncs += 1;
        let file = &mut disk.files[self.inode];
        file.durable = file.data.clone();
        Ok(())
    }
}

fn not_found(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!("{}: no such file", path.display()),
    )
}
