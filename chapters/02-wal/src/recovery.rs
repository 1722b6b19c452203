//! What recovery does with damage, and what it reports.
//!
//! After a crash, the last record of the log may be half written: a *torn
//! tail*. That is normal and expected, since the record was never acknowledged
//! as durable (or, under a relaxed sync policy, was acknowledged knowing it could
//! be lost). Damage anywhere else means the disk or something else broke the
//! log, and the right response depends on the application: the modes are the
//! ones RocksDB offers for its write-ahead log.

use std::path::PathBuf;

// ANCHOR: recovery_mode
/// How recovery treats damaged records. See the module docs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum RecoveryMode {
    /// A damaged or incomplete record with nothing valid after it, at the end
    /// of the newest segment, is a torn write: it is cut off and reported.
    /// Damage anywhere else is an [`Error::Corrupt`](crate::Error::Corrupt)
    /// naming the segment and offset. The default.
    #[default]
    TolerateCorruptedTailRecords,
    /// Any damaged or incomplete record, even a torn tail, is an error. For
    /// stores whose writes are all fsynced (`SyncPolicy::Always`) and that would
    /// rather stop than lose an acknowledged write to a bug.
    AbsoluteConsistency,
    /// Recover to the last intact record before the first damage, and discard
    /// everything after it (later records and later segments too). The store
    /// is consistent as of a point in time, but may lose acknowledged writes.
    PointInTime,
    /// Skip damaged records and keep every intact record, even after damage.
    /// The store may then reflect a batch of writes with some missing from the
    /// middle: for salvage, not for normal operation.
    SkipAnyCorruptedRecords,
}
// ANCHOR_END: recovery_mode

/// A torn tail that recovery cut off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornTail {
    /// The segment.
    pub path: PathBuf,
    /// Where the torn record starts (the segment's new length).
    pub offset: u64,
    /// How many bytes were dropped.
    pub bytes_dropped: u64,
}

/// A damaged region that recovery skipped or discarded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// The segment.
    pub path: PathBuf,
    /// Where the damage starts.
    pub offset: u64,
    /// How many bytes were skipped or discarded.
    pub len: u64,
    /// What was wrong there.
    pub reason: String,
}

// ANCHOR: recovery_report
/// What opening a store found and did. See [`Store::recovery`](crate::Store::recovery).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// The sequence number of the snapshot loaded (0: none).
    pub snapshot_seq: u64,
    /// Records replayed from the log on top of the snapshot.
    pub records_replayed: u64,
    /// The last sequence number recovered.
    pub last_seq: u64,
    /// The torn tail cut off the newest segment, if there was one.
    pub torn_tail: Option<TornTail>,
    /// Damaged regions skipped ([`RecoveryMode::SkipAnyCorruptedRecords`]).
    pub skipped: Vec<Damage>,
    /// Everything discarded from the first damage on ([`RecoveryMode::PointInTime`]),
    /// not counting whole later segments, which are listed in `discarded_segments`.
    pub discarded: Option<Damage>,
    /// Later segments removed by [`RecoveryMode::PointInTime`].
    pub discarded_segments: Vec<PathBuf>,
}
// ANCHOR_END: recovery_report

impl RecoveryReport {
    /// Whether recovery found the log exactly as a clean shutdown leaves it.
    pub fn is_clean(&self) -> bool {
        self.torn_tail.is_none()
            && self.skipped.is_empty()
            && self.discarded.is_none()
            && self.discarded_segments.is_empty()
    }
}
