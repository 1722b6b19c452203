//! Riak-compatible lock files: `bitcask.write.lock` and `bitcask.merge.lock`.
//!
//! A lock is a file created exclusively (so only one process can create it)
//! holding `<os pid> \n`, and later `<os pid> <path of the active file>\n`.
//! It is released by deleting it. A lock whose process is gone is *stale* and
//! is removed by the next writer, exactly as Riak does, so a crashed writer
//! never blocks the cask for good. Riak and this crate share the protocol, so
//! each keeps the other out.
//!
//! Readers skip the file a lock names: it is being written.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Which lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockKind {
    /// Held by the one writer for as long as the cask is open read-write.
    Write,
    /// Held while a merge runs.
    Merge,
}

impl LockKind {
    fn file_name(self) -> &'static str {
        match self {
            LockKind::Write => "bitcask.write.lock",
            LockKind::Merge => "bitcask.merge.lock",
        }
    }
}

/// A held lock; dropping it releases it.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    file: Option<File>,
}

impl Lock {
    // ANCHOR: acquire
    /// Takes the lock, removing a stale one first.
    ///
    /// # Errors
    /// [`Error::Locked`] if a live process holds it.
    pub fn acquire(dir: &Path, kind: LockKind) -> Result<Lock> {
        let path = dir.join(kind.file_name());
        // Two tries: the second after removing a stale lock.
        for _ in 0..2 {
            let mut options = OpenOptions::new();
            options.read(true).write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(&path) {
                Ok(file) => {
                    let mut lock = Lock {
                        path,
                        file: Some(file),
                    };
                    lock.write_contents(None)?;
                    return Ok(lock);
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    let holder = fs::read_to_string(&path).unwrap_or_default();
                    if !is_stale(&holder) {
                        return Err(Error::Locked {
                            path,
                            holder: holder.trim_end().to_string(),
                        });
                    }
                    match fs::remove_file(&path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == ErrorKind::NotFound => {}
                        Err(e) => return Err(Error::io(path, e)),
                    }
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

    /// Records `active` as the file this lock's holder is writing.
    pub fn set_active(&mut self, active: &Path) -> Result<()> {
        self.write_contents(Some(active))
    }

    fn write_contents(&mut self, active: Option<&Path>) -> Result<()> {
        let text = match active {
            Some(active) => format!("{} {}\n", std::process::id(), active.display()),
            None => format!("{} \n", std::process::id()),
        };
        let Some(file) = self.file.as_mut() else {
            return Ok(());
        };
        let result = file
            .set_len(0)
            .and_then(|()| std::io::Seek::rewind(file))
            .and_then(|()| file.write_all(text.as_bytes()))
            .and_then(|()| file.sync_all());
        result.map_err(|e| Error::io(&self.path, e))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Unlink, then close, as Riak does.
        let _ = fs::remove_file(&self.path);
        self.file.take();
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
    let Some((pid, rest)) = contents.split_once(' ') else {
        return false;
    };
    if !rest.ends_with('\n') || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    pid.parse::<u32>().is_ok_and(|pid| !process_exists(pid))
}
// ANCHOR_END: is_stale

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
