//! Riak-compatible lock files: `bitcask.write.lock` and `bitcask.merge.lock`.
//!
//! A lock is a file created exclusively (so only one process can create it)
//! holding `<os pid> \n`, and later `<os pid> <path of the active file>\n`.
//! It is released by deleting it. A lock whose process is gone is *stale* and
//! is removed by the next writer, exactly as Riak does, so a crashed writer
//! never blocks the cask for good. Riak and this crate share the protocol, so
//! each keeps the other out.
//!
//! Two things make our side of the protocol safe against crashes and races:
//!
//! - **A lock file is never partial.** Riak creates the file, then writes it,
//!   so a crash in between leaves an empty lock. We write the full contents
//!   into a temporary file, sync it, and *hard-link* it to the lock's name:
//!   the link appears with its contents, and fails if the lock exists. New
//!   contents replace the lock by `rename`, which is atomic too. A temporary
//!   file left by a crash is removed by the next acquirer.
//! - **Taking over a stale lock is serialised.** Every acquire (and every
//!   rewrite, so that an acquirer may remove temporary files) holds an
//!   operating-system lock on the cask's directory meanwhile. Without it, two
//!   processes could both find the lock stale, and the second would delete
//!   the lock the first had just taken. Riak takes no such lock, so between
//!   Riak and us that race remains, as it does between two Riaks.
//!
//! A lock whose contents do not parse (an empty file left by a crashed Riak,
//! or by an older build of this crate) cannot name a live owner. It counts as
//! stale once it is [`UNPARSED_GRACE`] old, judged by its modification time.
//!
//! Readers skip the file a lock names: it is being written.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::disk::Disk;
use crate::{Error, Result};

/// How long a lock file whose contents do not parse is taken to belong to a
/// live process. A live Riak writes its contents microseconds after creating
/// the file, so a lock still unparsed after this long was left by a crash; ten
/// seconds leaves a wide margin for a machine that is badly overloaded.
pub const UNPARSED_GRACE: Duration = Duration::from_secs(10);

/// Which lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockKind {
    /// Held by the one writer for as long as the cask is open read-write.
    Write,
    /// Held while a merge runs.
    Merge,
}

impl LockKind {
    /// The lock file's name, as Riak spells it.
    pub fn file_name(self) -> &'static str {
        match self {
            LockKind::Write => "bitcask.write.lock",
            LockKind::Merge => "bitcask.merge.lock",
        }
    }

    /// The temporary file a lock's contents are written to first.
    pub fn temp_name(self) -> &'static str {
        match self {
            LockKind::Write => "bitcask.write.lock.tmp",
            LockKind::Merge => "bitcask.merge.lock.tmp",
        }
    }
}

/// A held lock; dropping it releases it.
#[derive(Debug)]
pub struct Lock {
    disk: Arc<dyn Disk>,
    dir: PathBuf,
    kind: LockKind,
    path: PathBuf,
}

impl Lock {
    // ANCHOR: acquire
    /// Takes the lock, removing a stale one first.
    ///
    /// # Errors
    /// [`Error::Locked`] if a live process holds it.
    pub fn acquire(disk: &Arc<dyn Disk>, dir: &Path, kind: LockKind) -> Result<Lock> {
        let _serialised = DirGuard::lock(dir)?;
        let path = dir.join(kind.file_name());
        // Whoever wrote this temporary file crashed: nobody else can be
        // writing one while we hold the directory.
        remove_if_present(&**disk, &dir.join(kind.temp_name()))?;
        // Two tries: the second after removing a stale lock.
        for _ in 0..2 {
            match create_with(&**disk, dir, kind, &contents(None)) {
                Ok(()) => {
                    return Ok(Lock {
                        disk: Arc::clone(disk),
                        dir: dir.to_path_buf(),
                        kind,
                        path,
                    });
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    let holder = fs::read_to_string(&path).unwrap_or_default();
                    if !is_abandoned(&path, &holder) {
                        return Err(Error::Locked {
                            path,
                            holder: holder.trim_end().to_string(),
                        });
                    }
                    remove_if_present(&**disk, &path)?;
                }
                Err(e) => return Err(Error::io(path, e)),
            }
        }
        let holder = fs::read_to_string(&path).unwrap_or_default();
        Err(Error::Locked {
            path,
            holder: holder.trim_end().to_string(),
        })
    }
    // ANCHOR_END: acquire

    /// Records `active` as the file this lock's holder is writing: the new
    /// contents replace the old ones at once, by a rename.
    pub fn set_active(&mut self, active: &Path) -> Result<()> {
        self.rewrite(Some(active))
    }

    /// Records that the holder is writing no file (readers may read them all).
    pub fn clear_active(&mut self) -> Result<()> {
        self.rewrite(None)
    }

    fn rewrite(&mut self, active: Option<&Path>) -> Result<()> {
        let _serialised = DirGuard::lock(&self.dir)?;
        let temp = self.dir.join(self.kind.temp_name());
        write_temp(&*self.disk, &temp, &contents(active)).map_err(|e| Error::io(&temp, e))?;
        // A rename replaces the old contents whole: no reader sees a partial lock.
        self.disk
            .rename(&temp, &self.path)
            .map_err(|e| Error::io(&self.path, e))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = self.disk.remove_file(&self.path);
    }
}

/// A lock's contents, in Riak's format.
fn contents(active: Option<&Path>) -> String {
    match active {
        Some(active) => format!("{} {}\n", std::process::id(), active.display()),
        None => format!("{} \n", std::process::id()),
    }
}

/// Creates the lock file of `kind` holding `text`, or fails with
/// `AlreadyExists`: the contents are complete before the name appears.
fn create_with(disk: &dyn Disk, dir: &Path, kind: LockKind, text: &str) -> std::io::Result<()> {
    let temp = dir.join(kind.temp_name());
    write_temp(disk, &temp, text)?;
    let linked = disk.hard_link(&temp, &dir.join(kind.file_name()));
    // The lock (if linked) keeps the contents. Should removing the temporary
    // name fail, the next acquirer removes it. (The directory is not synced:
    // a lock need not outlive the machine, whose processes all die with it.)
    let _ = disk.remove_file(&temp);
    linked
}

/// Writes `text` into a new file at `temp` (mode 0600, as Riak's locks) and
/// syncs it. The holder needs no sync (a power cut kills it), but the next
/// opener does: a name made durable by a later directory sync, over contents
/// that were not, is an empty lock, which keeps every writer out for
/// [`UNPARSED_GRACE`].
fn write_temp(disk: &dyn Disk, temp: &Path, text: &str) -> std::io::Result<()> {
    // Never reuse an old file: it could be a second name of a lock.
    match disk.remove_file(temp) {
        Err(e) if e.kind() != ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut file = disk.create_new(temp, 0o600)?;
    disk.append(&mut file, temp, text.as_bytes())?;
    disk.sync_all(&file, temp)
}

fn remove_if_present(disk: &dyn Disk, path: &Path) -> Result<()> {
    match disk.remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// An operating-system lock on a cask's directory, held while a lock file is
/// taken or rewritten, and released when dropped. It adds no file.
struct DirGuard {
    /// Holds the lock until dropped.
    #[cfg(unix)]
    _handle: std::fs::File,
}

impl DirGuard {
    #[cfg(unix)]
    fn lock(dir: &Path) -> Result<DirGuard> {
        let handle = std::fs::File::open(dir).map_err(|e| Error::io(dir, e))?;
        handle.lock().map_err(|e| Error::io(dir, e))?;
        Ok(DirGuard { _handle: handle })
    }

    /// Elsewhere a directory cannot be opened as a file, and the lock file
    /// protocol is left with its race.
    #[cfg(not(unix))]
    fn lock(_dir: &Path) -> Result<DirGuard> {
        Ok(DirGuard {})
    }
}

/// The file a lock names as its holder's active file, if the lock exists and names one.
pub fn named_file(dir: &Path, kind: LockKind) -> Option<PathBuf> {
    let text = fs::read_to_string(dir.join(kind.file_name())).ok()?;
    let (_, rest) = text.split_once(' ')?;
    let name = rest.strip_suffix('\n')?;
    (!name.is_empty()).then(|| PathBuf::from(name))
}

// ANCHOR: is_stale
/// Whether a lock's contents show a process that no longer exists. As in Riak,
/// contents that do not match `<pid> <anything>\n` are never stale.
pub fn is_stale(contents: &str) -> bool {
    holder_pid(contents).is_some_and(|pid| !process_exists(pid))
}
// ANCHOR_END: is_stale

/// The pid in contents of Riak's shape `<pid> <anything>\n`.
fn holder_pid(contents: &str) -> Option<u32> {
    let (pid, rest) = contents.split_once(' ')?;
    if !rest.ends_with('\n') || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Whether the lock file at `path`, holding `contents`, may be removed: its
/// process is gone, or its contents name no process and are older than
/// [`UNPARSED_GRACE`]. A lock whose age cannot be told is kept.
fn is_abandoned(path: &Path, contents: &str) -> bool {
    if holder_pid(contents).is_some() {
        return is_stale(contents);
    }
    let age = fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|modified| SystemTime::now().duration_since(modified).ok());
    age.is_some_and(|age| age >= UNPARSED_GRACE)
}

/// Whether process `pid` exists. Linux answers through /proc; elsewhere we
/// cannot tell, and say it does (a lock is then never removed as stale).
fn process_exists(pid: u32) -> bool {
    let proc = Path::new("/proc");
    if proc.join("self").exists() {
        proc.join(pid.to_string()).exists()
    } else {
        true
    }
}
