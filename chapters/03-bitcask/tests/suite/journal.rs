//! A disk that can lose power, for a store that reads through memory maps.
//!
//! [`Journal`] is a [`Disk`] that makes every call for real, on a real
//! directory (so the cask behaves, and maps its files, exactly as in
//! production), and records each one. [`Journal::cut`] then rebuilds, from the
//! first `k` records, the directory a power cut at that moment would leave:
//!
//! - a file's bytes are durable up to its last fsync; its permission bits at
//!   its last `fsync` (`sync_all`), not at an `fdatasync`;
//! - a change to a name (a creation, rename, link or removal, of a file or a
//!   directory) is durable once its directory has been synced after it;
//! - and, if asked, an arbitrary (but deterministic) part of the rest
//!   survives too, as if the disk had written some of it before the cut: some
//!   unsynced pages of each file, some unsynced changes to names (a rename
//!   always whole), some unsynced permission changes.
//!
//! As in chapter 1's simulated disk, a file keeps its unsynced pages up to the
//! first one lost: a cut never leaves a hole of zeros with later bytes after
//! it. (Bitcask, like Riak, skips a damaged entry and reads on, so a hole
//! could show entries on both sides of a lost one: a state the cask never
//! had, though only in writes a sync never covered.)
//!
//! Lock files are rebuilt too, with the pid of the test process (which is
//! still alive, where every process that held a lock dies in a power cut)
//! replaced by one that cannot exist, so that opening sees the locks a power
//! cut leaves, and must find them stale.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use crate::bitcask::disk::{Disk, StdDisk};

/// Bytes a disk writes whole, or not at all. Smaller than a real page, so that
/// a cut lands inside entries, not only between files.
pub const PAGE: usize = 64;

/// A pid above Linux's largest possible one (2^22): no process has it.
const DEAD_PID: u32 = (1 << 22) + 1;

/// One change made to the disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A directory created.
    CreateDir(PathBuf),
    /// A new, empty file created, with these permission bits.
    Create(PathBuf, u32),
    /// Bytes written to a file at an offset.
    Write(PathBuf, u64, Vec<u8>),
    /// `fdatasync`: a file's bytes are durable.
    SyncData(PathBuf),
    /// `fsync`: a file's bytes and permission bits are durable.
    SyncAll(PathBuf),
    /// A file's permission bits changed.
    SetMode(PathBuf, u32),
    /// A rename.
    Rename(PathBuf, PathBuf),
    /// A second name for a file.
    Link(PathBuf, PathBuf),
    /// A name removed.
    Remove(PathBuf),
    /// A directory's names are durable.
    SyncDir(PathBuf),
}

/// A recording disk (see the module doc). Clones share the record.
#[derive(Debug, Clone, Default)]
pub struct Journal {
    changes: Arc<Mutex<Vec<Change>>>,
}

impl Journal {
    /// A disk with nothing recorded yet.
    pub fn new() -> Journal {
        Journal::default()
    }

    /// As the disk a cask holds.
    pub fn disk(&self) -> Arc<dyn Disk> {
        Arc::new(self.clone())
    }

    /// How many changes have been made: the moments are `0..=len()`.
    pub fn len(&self) -> usize {
        self.changes().len()
    }

    /// The changes made so far.
    pub fn changes(&self) -> Vec<Change> {
        self.changes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn record(&self, change: Change) {
        self.changes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(change);
    }

    /// Writes into `to` what the power cut after the first `moment` changes
    /// leaves of `root` (which existed, durably, before the first change):
    /// only what was synced if `keep` is `None`, else also the unsynced
    /// pages, names and permissions that `keep(what, n)` chooses.
    pub fn cut(&self, moment: usize, root: &Path, to: &Path, keep: Option<&Keep>) {
        let changes = self.changes();
        let mut image = Image::default();
        for change in &changes[..moment] {
            image.apply(change);
        }
        image.write(root, to, keep.unwrap_or(&|_| false));
    }
}

/// What the "keep some" choice is asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept<'a> {
    /// Unsynced page `page` of the file named `file` after the cut.
    Page { file: &'a Path, page: usize },
    /// The `n`th unsynced change to a name.
    Name(usize),
    /// The unsynced permission bits of the file named `file` after the cut.
    Mode { file: &'a Path },
}

/// Which unsynced changes a disk wrote before the power failed.
pub type Keep = dyn Fn(Kept<'_>) -> bool;

/// A file's contents, as programs see them and as a power cut leaves them.
#[derive(Debug, Clone, Default)]
struct Inode {
    data: Vec<u8>,
    durable: Vec<u8>,
    mode: u32,
    durable_mode: u32,
}

/// What a name points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    Dir,
    File(usize),
}

/// A change to names not yet made durable by a directory sync.
#[derive(Debug, Clone)]
enum NameChange {
    Add(PathBuf, Node),
    Remove(PathBuf),
    Rename(PathBuf, PathBuf, Node),
}

impl NameChange {
    fn touches(&self, dir: &Path) -> bool {
        let in_dir = |path: &PathBuf| path.parent() == Some(dir);
        match self {
            NameChange::Add(path, _) | NameChange::Remove(path) => in_dir(path),
            NameChange::Rename(from, to, _) => in_dir(from) || in_dir(to),
        }
    }

    fn apply(&self, names: &mut BTreeMap<PathBuf, Node>) {
        match self {
            NameChange::Add(path, node) => {
                names.insert(path.clone(), *node);
            }
            NameChange::Remove(path) => {
                names.remove(path);
            }
            NameChange::Rename(from, to, node) => {
                names.remove(from);
                names.insert(to.clone(), *node);
            }
        }
    }
}

/// The disk replayed from a journal.
#[derive(Debug, Default)]
struct Image {
    inodes: Vec<Inode>,
    /// The names programs see.
    names: BTreeMap<PathBuf, Node>,
    /// The names a power cut leaves.
    durable_names: BTreeMap<PathBuf, Node>,
    pending: Vec<NameChange>,
}

impl Image {
    fn inode(&mut self, path: &Path) -> &mut Inode {
        match self.names.get(path) {
            Some(&Node::File(inode)) => &mut self.inodes[inode],
            other => panic!("the journal names {path:?}, which is {other:?}"),
        }
    }

    fn change_name(&mut self, change: NameChange) {
        change.apply(&mut self.names);
        self.pending.push(change);
    }

    fn apply(&mut self, change: &Change) {
        match change {
            Change::CreateDir(path) => self.change_name(NameChange::Add(path.clone(), Node::Dir)),
            Change::Create(path, mode) => {
                self.inodes.push(Inode {
                    mode: *mode,
                    durable_mode: *mode,
                    ..Inode::default()
                });
                let node = Node::File(self.inodes.len() - 1);
                self.change_name(NameChange::Add(path.clone(), node));
            }
            Change::Write(path, offset, bytes) => {
                let data = &mut self.inode(path).data;
                let start = usize::try_from(*offset).unwrap();
                let end = start + bytes.len();
                if data.len() < end {
                    data.resize(end, 0);
                }
                data[start..end].copy_from_slice(bytes);
            }
            Change::SyncData(path) => {
                let inode = self.inode(path);
                inode.durable = inode.data.clone();
            }
            Change::SyncAll(path) => {
                let inode = self.inode(path);
                inode.durable = inode.data.clone();
                inode.durable_mode = inode.mode;
            }
            Change::SetMode(path, mode) => self.inode(path).mode = *mode,
            Change::Rename(from, to) => {
                let node = self.names[from];
                self.change_name(NameChange::Rename(from.clone(), to.clone(), node));
            }
            Change::Link(from, to) => {
                let node = self.names[from];
                self.change_name(NameChange::Add(to.clone(), node));
            }
            Change::Remove(path) => self.change_name(NameChange::Remove(path.clone())),
            Change::SyncDir(dir) => {
                let (synced, pending) = std::mem::take(&mut self.pending)
                    .into_iter()
                    .partition(|change| change.touches(dir));
                self.pending = pending;
                for change in synced {
                    change.apply(&mut self.durable_names);
                }
            }
        }
    }

    /// The names that survive the cut.
    fn surviving_names(&self, keep: &Keep) -> BTreeMap<PathBuf, Node> {
        let mut names = self.durable_names.clone();
        for (n, change) in self.pending.iter().enumerate() {
            if keep(Kept::Name(n)) {
                change.apply(&mut names);
            }
        }
        names
    }

    /// A file's bytes after the cut: each page from what programs saw if it
    /// was kept, else from what was durable, up to the first page that
    /// version does not have.
    fn surviving_bytes(&self, path: &Path, inode: usize, keep: &Keep) -> Vec<u8> {
        let file = &self.inodes[inode];
        let mut bytes = Vec::new();
        for page in 0..file.data.len().max(file.durable.len()).div_ceil(PAGE) {
            let kept = keep(Kept::Page { file: path, page });
            let from = if file.data != file.durable && kept {
                &file.data
            } else {
                &file.durable
            };
            let range = page * PAGE..((page + 1) * PAGE).min(from.len());
            if range.start >= from.len() {
                break;
            }
            bytes.extend_from_slice(&from[range]);
        }
        bytes
    }

    /// Writes the surviving files under `root` into `to`, which must exist.
    fn write(&self, root: &Path, to: &Path, keep: &Keep) {
        let names = self.surviving_names(keep);
        // A name survives only if every directory above it, up to the root, did.
        let reachable = |path: &Path| {
            path.ancestors()
                .skip(1)
                .take_while(|dir| *dir != root)
                .all(|dir| names.get(dir) == Some(&Node::Dir))
        };
        // Parents sort before their children.
        for (path, node) in &names {
            if !reachable(path) {
                continue;
            }
            let target = to.join(path.strip_prefix(root).unwrap());
            match *node {
                Node::Dir => fs::create_dir(&target).unwrap(),
                Node::File(inode) => {
                    let mut bytes = self.surviving_bytes(path, inode, keep);
                    if path.extension().is_some_and(|e| e == "lock") {
                        bytes = with_dead_pid(bytes);
                    }
                    fs::write(&target, bytes).unwrap();
                    let file = &self.inodes[inode];
                    let mode = if keep(Kept::Mode { file: path }) {
                        file.mode
                    } else {
                        file.durable_mode
                    };
                    set_mode(&target, mode);
                }
            }
        }
    }
}

/// Lock contents naming this process (alive) rewritten to name a dead one.
fn with_dead_pid(bytes: Vec<u8>) -> Vec<u8> {
    let ours = format!("{} ", std::process::id());
    match bytes.strip_prefix(ours.as_bytes()) {
        Some(rest) => [format!("{DEAD_PID} ").as_bytes(), rest].concat(),
        None => bytes,
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) {}

#[cfg(unix)]
fn mode_of(file: &File) -> io::Result<u32> {
    use std::os::unix::fs::PermissionsExt;
    Ok(file.metadata()?.permissions().mode())
}

#[cfg(not(unix))]
fn mode_of(_file: &File) -> io::Result<u32> {
    Ok(0o644)
}

/// Every call is made for real, then recorded if it succeeded.
impl Disk for Journal {
    fn create_dir(&self, dir: &Path) -> io::Result<()> {
        StdDisk.create_dir(dir)?;
        self.record(Change::CreateDir(dir.to_path_buf()));
        Ok(())
    }

    fn create_new(&self, path: &Path, mode: u32) -> io::Result<File> {
        let file = StdDisk.create_new(path, mode)?;
        self.record(Change::Create(path.to_path_buf(), mode_of(&file)?));
        Ok(file)
    }

    fn append(&self, file: &mut File, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let offset = file.metadata()?.len();
        StdDisk.append(file, path, bytes)?;
        self.record(Change::Write(path.to_path_buf(), offset, bytes.to_vec()));
        Ok(())
    }

    fn sync_data(&self, file: &File, path: &Path) -> io::Result<()> {
        StdDisk.sync_data(file, path)?;
        self.record(Change::SyncData(path.to_path_buf()));
        Ok(())
    }

    fn sync_all(&self, file: &File, path: &Path) -> io::Result<()> {
        StdDisk.sync_all(file, path)?;
        self.record(Change::SyncAll(path.to_path_buf()));
        Ok(())
    }

    fn set_mode(&self, path: &Path, mode: u32) -> io::Result<()> {
        StdDisk.set_mode(path, mode)?;
        self.record(Change::SetMode(path.to_path_buf(), mode));
        Ok(())
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        StdDisk.rename(from, to)?;
        self.record(Change::Rename(from.to_path_buf(), to.to_path_buf()));
        Ok(())
    }

    fn hard_link(&self, from: &Path, to: &Path) -> io::Result<()> {
        StdDisk.hard_link(from, to)?;
        self.record(Change::Link(from.to_path_buf(), to.to_path_buf()));
        Ok(())
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        StdDisk.remove_file(path)?;
        self.record(Change::Remove(path.to_path_buf()));
        Ok(())
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        StdDisk.sync_dir(dir)?;
        self.record(Change::SyncDir(dir.to_path_buf()));
        Ok(())
    }
}
