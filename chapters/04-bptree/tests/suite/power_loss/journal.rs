//! A recorder for the database's file, and the file a disk would hold had the
//! power failed after any change.
//!
//! The database reads through a memory map, so its file must be real. The
//! recorder wraps the real file and makes every change to it for real (the
//! database behaves exactly as in production), and appends each change to a
//! journal: a write, a new length, a sync, a directory sync. Replaying the
//! journal then rebuilds the disk at any moment:
//!
//! - everything up to the last sync is on the disk;
//! - of what came after it, nothing, or (`keep_some`) an arbitrary part: any
//!   of the 4 KiB pages those writes touched, each as it is now, and each new
//!   length applied or not, as a disk writing back its cache when the power
//!   went;
//! - until a directory sync, a newly created file may not exist at all.

use std::collections::BTreeSet;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::bptree::file::DbFile;

/// The disk writes back its cache in pages of this size.
pub const DISK_PAGE: u64 = 4096;

/// One change to the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Bytes written at an offset.
    Write {
        /// Where they start.
        offset: u64,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// The file's length set.
    SetLen(u64),
    /// The file's data and length made durable (`sync_data` or `sync_all`).
    Sync,
    /// The file's directory synced: its name is durable.
    DirSync,
}

#[derive(Debug, Default)]
struct Record {
    /// The file's bytes when it was wrapped, if it already had some: they
    /// are taken to be durable, name and all.
    start: Option<Vec<u8>>,
    changes: Vec<Change>,
}

/// The changes made through every file a [`Journal::wrap`] wrapped; clones
/// share one journal.
#[derive(Debug, Clone, Default)]
pub struct Journal(Arc<Mutex<Record>>);

impl Journal {
    /// A wrapper for [`DB::open_with`](crate::bptree::DB::open_with) that
    /// records into this journal.
    pub fn wrap(&self) -> impl FnOnce(File) -> Arc<dyn DbFile> + use<> {
        let journal = self.clone();
        move |file| {
            let start = read_all(&file).expect("reading the file being wrapped");
            journal.lock().start = (!start.is_empty()).then_some(start);
            Arc::new(Recorder { file, journal })
        }
    }

    fn lock(&self) -> MutexGuard<'_, Record> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, change: Change) {
        self.lock().changes.push(change);
    }

    /// How many changes were recorded: the moments are `0..=count()`,
    /// moment `n` being just after the first `n` changes.
    pub fn count(&self) -> usize {
        self.lock().changes.len()
    }

    /// The changes recorded so far.
    pub fn changes(&self) -> Vec<Change> {
        self.lock().changes.clone()
    }

    /// The file the disk holds if the power fails at moment `n`: `None` if it
    /// does not exist. Without `keep_some`, everything unsynced is lost; with
    /// it, a part chosen deterministically from the seed.
    pub fn power_cut(&self, n: usize, keep_some: Option<u64>) -> Option<Vec<u8>> {
        let record = self.lock();
        let changes = &record.changes[..n];
        let named = record.start.is_some() || changes.contains(&Change::DirSync);
        if !named {
            return None;
        }
        let synced = changes
            .iter()
            .rposition(|c| *c == Change::Sync)
            .map_or(0, |i| i + 1);
        let (durable, unsynced) = changes.split_at(synced);
        let mut disk = record.start.clone().unwrap_or_default();
        replay(&mut disk, durable);
        if let Some(seed) = keep_some {
            keep_part(&mut disk, unsynced, seed);
        }
        Some(disk)
    }
}

/// Applies `changes` to the bytes of a file.
fn replay(file: &mut Vec<u8>, changes: &[Change]) {
    for change in changes {
        match change {
            Change::Write { offset, bytes } => {
                let start = usize::try_from(*offset).unwrap();
                let end = start + bytes.len();
                if file.len() < end {
                    file.resize(end, 0);
                }
                file[start..end].copy_from_slice(bytes);
            }
            Change::SetLen(len) => file.resize(usize::try_from(*len).unwrap(), 0),
            Change::Sync | Change::DirSync => {}
        }
    }
}

/// Adds to `disk` an arbitrary part of the `unsynced` changes: some of the
/// new lengths, and some of the disk pages the writes touched, as they are
/// after all of them.
fn keep_part(disk: &mut Vec<u8>, unsynced: &[Change], seed: u64) {
    let mut latest = disk.clone();
    replay(&mut latest, unsynced);
    let mut touched = BTreeSet::new();
    for (i, change) in unsynced.iter().enumerate() {
        match change {
            Change::SetLen(len) if coin(seed, 1, i as u64) => {
                disk.resize(usize::try_from(*len).unwrap(), 0);
            }
            Change::Write { offset, bytes } if !bytes.is_empty() => {
                let last = offset + bytes.len() as u64 - 1;
                touched.extend(offset / DISK_PAGE..=last / DISK_PAGE);
            }
            _ => {}
        }
    }
    for page in touched.into_iter().filter(|&p| coin(seed, 2, p)) {
        let start = usize::try_from(page * DISK_PAGE).unwrap();
        let end = (start + DISK_PAGE as usize).min(latest.len());
        if start >= end {
            continue; // the page was cut off by a later new length
        }
        if disk.len() < end {
            disk.resize(end, 0);
        }
        disk[start..end].copy_from_slice(&latest[start..end]);
    }
}

/// A deterministic coin toss for (`seed`, `kind`, `x`): heads about half the
/// time, with no pattern across neighbouring pages (splitmix64's mixer).
fn coin(seed: u64, kind: u64, x: u64) -> bool {
    let mut z = seed
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .wrapping_add(kind.wrapping_mul(0xbf58_476d_1ce4_e5b9))
        .wrapping_add(x.wrapping_mul(0x94d0_49bb_1331_11eb));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)) & 1 == 1
}

fn read_all(file: &File) -> io::Result<Vec<u8>> {
    let len = usize::try_from(file.metadata()?.len()).map_err(io::Error::other)?;
    let mut bytes = vec![0; len];
    file.read_exact_at(&mut bytes, 0)?;
    Ok(bytes)
}

/// The real file, with every change it makes noted in a journal.
#[derive(Debug)]
struct Recorder {
    file: File,
    journal: Journal,
}

impl DbFile for Recorder {
    fn write_at(&self, bytes: &[u8], offset: u64) -> io::Result<()> {
        self.file.write_all_at(bytes, offset)?;
        self.journal.push(Change::Write {
            offset,
            bytes: bytes.to_vec(),
        });
        Ok(())
    }

    fn sync_data(&self) -> io::Result<()> {
        self.file.sync_data()?;
        self.journal.push(Change::Sync);
        Ok(())
    }

    fn sync_all(&self) -> io::Result<()> {
        self.file.sync_all()?;
        self.journal.push(Change::Sync);
        Ok(())
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        self.file.set_len(len)?;
        self.journal.push(Change::SetLen(len));
        Ok(())
    }

    fn size(&self) -> io::Result<u64> {
        Ok(self.file.metadata()?.len())
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()?;
        self.journal.push(Change::DirSync);
        Ok(())
    }

    fn file(&self) -> &File {
        &self.file
    }
}
