//! Options, with Riak's defaults.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

// ANCHOR: sync_strategy
/// When writes are fsynced (Riak's `sync_strategy`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SyncStrategy {
    /// Never on our own: writes are buffered in the process (up to 64 KiB)
    /// and handed to the operating system when the buffer fills, and on
    /// [`sync`](crate::Bitcask::sync), rollover and close. A crash of the
    /// process can lose the buffered writes; a crash of the machine, anything
    /// not yet written back by the OS. Riak's default, and ours.
    #[default]
    None,
    /// Every write is on disk before `put` or `delete` returns.
    Always,
    /// Before a write, if this long has passed since the last sync, sync
    /// (Riak's `{seconds, N}`): checked on writes, with no background thread.
    Interval(Duration),
}
// ANCHOR_END: sync_strategy

/// Where tstamps come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    /// The system clock, in seconds since the Unix epoch.
    #[default]
    System,
    /// A fixed time: for tests and reproducible files.
    Fixed(u32),
}

impl Clock {
    /// The current tstamp.
    pub fn now(self) -> u32 {
        match self {
            Clock::System => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX)),
            Clock::Fixed(t) => t,
        }
    }
}

/// When a merge is worth running (Riak's triggers and their defaults).
///
/// [`Bitcask::needs_merge`](crate::Bitcask::needs_merge) is true when any
/// file (other than the one being written) reaches a trigger. Riak then merges
/// the files past the thresholds; this crate always merges every file but the
/// active one, so the thresholds only matter through the triggers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeTriggers {
    /// Merge when a file's dead keys reach this percentage of its keys (60).
    pub frag_merge_trigger: u8,
    /// Merge when a file holds this many bytes of dead entries (512 MiB).
    pub dead_bytes_merge_trigger: u64,
}

impl Default for MergeTriggers {
    fn default() -> Self {
        MergeTriggers {
            frag_merge_trigger: 60,
            dead_bytes_merge_trigger: 512 << 20,
        }
    }
}

/// Options for [`Bitcask::open`](crate::Bitcask::open).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Start a new data file before a write would take the current one past
    /// this size (2 GiB). A single larger entry still goes in one file.
    pub max_file_size: u64,
    /// When writes are fsynced.
    pub sync: SyncStrategy,
    /// Entries older than this many seconds read as absent and are dropped by
    /// merges (0: never; Riak's `expiry_secs`).
    pub expiry_secs: u32,
    /// When [`needs_merge`](crate::Bitcask::needs_merge) says yes.
    pub merge_triggers: MergeTriggers,
    /// Merge automatically, when the triggers say so, each time a data file
    /// fills up and a new one starts. Off by default, as in Riak, where the
    /// application decides.
    pub auto_merge: bool,
    /// Create the directory if it is missing (read-write opens only).
    pub create_if_missing: bool,
    /// Where tstamps come from.
    pub clock: Clock,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_file_size: 2 << 30,
            sync: SyncStrategy::None,
            expiry_secs: 0,
            merge_triggers: MergeTriggers::default(),
            auto_merge: false,
            create_if_missing: true,
            clock: Clock::System,
        }
    }
}
