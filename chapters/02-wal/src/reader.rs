//! Reading a log's files: the newest snapshot, then every record after
//! it. Opening a log for writing does this, then repairs what it found
//! (see `recover` in the log module); [`read_replaying`] does only this,
//! without the lock, for a reader beside a live writer.
//!
//! Every file is opened before any is read. On Unix a file that is open
//! stays readable after it is deleted, so once the files are open, a writer
//! that checkpoints and removes them cannot pull them from under the
//! reading: it sees the store as it was when they were opened, plus
//! whatever records the writer appended to the newest segment meanwhile.

use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use crate::fs::Dir;
use crate::op::Op;
use crate::recovery::{RecoveryMode, RecoveryReport};
use crate::replay::replay as replay_segment;
use crate::segment::{self, Listing};
use crate::{Error, Map, Result};

/// The files one reading uses, open: the newest snapshot (its last sequence
/// number, path and file) and every segment (first sequence number, path
/// and file), oldest first.
pub(crate) struct Pinned {
    snapshot: Option<(u64, PathBuf, File)>,
    segments: Vec<(u64, PathBuf, File)>,
}

/// A file open for reading.
type File = Box<dyn Read + Send>;

/// Opens the newest snapshot and every segment of `listing`. A file that
/// is gone (a checkpoint removed it since the listing) is
/// [`Error::NotFound`].
pub(crate) fn pin(dir: &Dir, listing: &Listing) -> Result<Pinned> {
    let open = |path: &PathBuf| match dir.fs().open_read(path) {
        Ok(file) => Ok(file),
        Err(e) if e.kind() == ErrorKind::NotFound => Err(Error::NotFound { path: path.clone() }),
        Err(e) => Err(Error::io(path, e)),
    };
    let snapshot = match listing.snapshots.last() {
        Some((seq, path)) => Some((*seq, path.clone(), open(path)?)),
        None => None,
    };
    let segments = (listing.segments.iter())
        .map(|(first, path)| Ok((*first, path.clone(), open(path)?)))
        .collect::<Result<_>>()?;
    Ok(Pinned { snapshot, segments })
}

/// Where reading puts the state it recovers.
pub(crate) enum Recovered<'a> {
    /// Into a map (a store's): the snapshot decoded straight into it, then
    /// each record applied.
    Map(&'a mut Map),
    /// To a caller that keeps its own state: every change, the snapshot's
    /// entries first (as puts), then each record.
    Each(&'a mut dyn FnMut(&Op<'_>)),
}

/// What reading found: the report, and what opening for writing must then
/// repair.
#[derive(Debug)]
pub(crate) struct Found {
    pub report: RecoveryReport,
    /// The segment appends continue in: first sequence number, path, and
    /// the length of its intact records.
    pub active: Option<(u64, PathBuf, u64)>,
    /// A segment to cut back to its intact records: path and length.
    pub cut: Option<(PathBuf, u64)>,
    /// Later segments that a point-in-time stop discards.
    pub discard: Vec<PathBuf>,
}

// ANCHOR: read
/// Rebuilds the state from the newest snapshot and the segments after it,
/// into a map or change by change to a callback. Reads only.
pub(crate) fn read(files: Pinned, mode: RecoveryMode, mut into: Recovered<'_>) -> Result<Found> {
    // 1. The newest snapshot, if any, is the starting point.
    let mut report = RecoveryReport::default();
    if let Some((seq, path, mut file)) = files.snapshot {
        let bytes = read_all(&path, &mut file)?;
        let snapshot = strata_flat_file::format::decode(&path, &bytes)?;
        report.snapshot_seq = seq;
        match &mut into {
            Recovered::Map(map) => **map = snapshot,
            Recovered::Each(replay) => {
                for (key, value) in &snapshot {
                    replay(&Op::Put { key, value });
                }
            }
        }
    }
    let mut last_seq = report.snapshot_seq;

    // 2. Replay every record after the snapshot, segment by segment, in order.
    let (mut active, mut cut, mut discard) = (None, None, Vec::new());
    let count = files.segments.len();
    let mut segments = files.segments.into_iter();
    for (i, (first_seq, path, mut file)) in segments.by_ref().enumerate() {
        let bytes = read_all(&path, &mut file)?;
        let is_newest = i + 1 == count;
        let replayed = replay_segment(&path, &bytes, mode, is_newest, |record| {
            if record.seq <= report.snapshot_seq {
                return Ok(()); // already in the snapshot
            }
            // Sequence numbers only go up, and have no gaps unless damage
            // was skipped on purpose. (A hostile file may hold any number:
            // no arithmetic here can overflow.)
            let gap = record.seq > last_seq.saturating_add(1);
            if record.seq <= last_seq || (gap && mode != RecoveryMode::SkipAnyCorruptedRecords) {
                let reason = if gap {
                    format!("records {} to {} are missing", last_seq + 1, record.seq - 1)
                } else {
                    format!("record {} follows record {last_seq}", record.seq)
                };
                return Err(Error::Corrupt {
                    path: path.clone(),
                    offset: 0,
                    reason,
                });
            }
            match &mut into {
                Recovered::Map(map) => record.op.apply(map),
                Recovered::Each(replay) => replay(&record.op),
            }
            last_seq = record.seq;
            report.records_replayed += 1;
            Ok(())
        })?;
        report.skipped.extend(replayed.skipped);
        if replayed.torn_tail.is_some() || replayed.stopped.is_some() {
            cut = Some((path.clone(), replayed.valid_len));
        }
        report.torn_tail = replayed.torn_tail.or(report.torn_tail);
        active = Some((first_seq, path, replayed.valid_len));
        if let Some(stopped) = replayed.stopped {
            // Point-in-time recovery: nothing after the first damage counts.
            report.discarded = Some(stopped);
            discard = segments.by_ref().map(|(_, path, _)| path).collect();
            break;
        }
    }
    report.last_seq = last_seq;
    Ok(Found {
        report,
        active,
        cut,
        discard,
    })
}
// ANCHOR_END: read

/// The whole of a file, from its start.
fn read_all(path: &Path, file: &mut File) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    Ok(bytes)
}

/// The state after record `last_seq`, rebuilt from the files alone: the
/// newest snapshot up to it and the segments that start up to it, which must
/// end exactly there (a background checkpoint has just moved the log past
/// it, so they are complete and no longer written).
pub(crate) fn state_at(dir: &Dir, last_seq: u64) -> Result<Map> {
    let mut listing = segment::list(dir)?;
    listing.snapshots.retain(|(seq, _)| *seq <= last_seq);
    listing.segments.retain(|(first, _)| *first <= last_seq);
    let mut map = Map::new();
    let found = read(
        pin(dir, &listing)?,
        RecoveryMode::AbsoluteConsistency,
        Recovered::Map(&mut map),
    )?;
    if found.report.last_seq != last_seq {
        return Err(Error::Corrupt {
            path: dir.path().to_path_buf(),
            offset: 0,
            reason: format!(
                "the log ends at record {}, not {last_seq}",
                found.report.last_seq
            ),
        });
    }
    Ok(map)
}

/// How many times [`read_replaying`] lists the directory again when a
/// checkpoint removed a listed file before it could be opened.
const ATTEMPTS: usize = 10;

// ANCHOR: read_replaying
/// Reads the log in `dir` without opening it: no lock, no file created,
/// changed or removed, so it works beside a live writer (and on a
/// read-only disk). Hands every change to `replay` as
/// [`Log::open`](crate::Log::open) does: the newest
/// snapshot's entries, then every intact record after it. What a writer
/// appends while this reads may be seen or not; a record it has half
/// written looks like a torn tail, and is left out (and left alone).
///
/// # Errors
/// [`Error::NotFound`] if `dir` is missing; [`Error::Corrupt`] for damage
/// `mode` does not accept; [`Error::Snapshot`] for a damaged snapshot.
pub fn read_replaying(
    dir: impl AsRef<Path>,
    mode: RecoveryMode,
    replay: impl FnMut(&Op<'_>),
) -> Result<RecoveryReport> {
    read_replaying_in(&Dir::new(dir.as_ref()), mode, replay)
}

/// [`read_replaying`] for a store in `dir`, on whatever file system it is on.
///
/// # Errors
/// As [`read_replaying`].
pub fn read_replaying_in(
    dir: &Dir,
    mode: RecoveryMode,
    mut replay: impl FnMut(&Op<'_>),
) -> Result<RecoveryReport> {
    if !dir.fs().is_dir(dir.path()) {
        return Err(Error::NotFound {
            path: dir.path().to_path_buf(),
        });
    }
    let mut attempt = 1;
    let files = loop {
        // Nothing has been read yet, so listing again is safe.
        match pin(dir, &segment::list(dir)?) {
            Err(Error::NotFound { .. }) if attempt < ATTEMPTS => attempt += 1,
            pinned => break pinned?,
        }
    };
    Ok(read(files, mode, Recovered::Each(&mut replay))?.report)
}
// ANCHOR_END: read_replaying
