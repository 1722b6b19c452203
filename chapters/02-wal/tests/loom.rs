//! Group commit under loom, which runs the test under every interleaving of its
//! threads that matters. Run with:
//!
//! ```text
//! RUSTFLAGS="--cfg strata_loom" cargo test -p strata-wal --test loom --release --target-dir target/loom
//! ```
//!
//! Each writer appends its record to a model disk, announces it as written,
//! and waits for durability. The property: when `wait_durable(seq)` returns,
//! record `seq` really is on the model disk — never acknowledged early — and
//! the counters never claim more than was written.

#![cfg(strata_loom)]

use std::io;

use loom::sync::atomic::{AtomicU64, Ordering};
use loom::sync::{Arc, Mutex};
use loom::thread;
use strata_wal::durability::{GroupCommit, SyncData};

/// A disk with a page cache: appends land in `written`; `sync_data` makes
/// everything appended so far durable.
#[derive(Default)]
struct ModelDisk {
    written: AtomicU64,
    on_disk: AtomicU64,
}

#[derive(Clone)]
struct Handle(Arc<ModelDisk>);

impl SyncData for Handle {
    fn sync_data(&self) -> io::Result<()> {
        let written = self.0.written.load(Ordering::SeqCst);
        self.0.on_disk.fetch_max(written, Ordering::SeqCst);
        Ok(())
    }
}

/// Runs writers that append `writes[i]` records each, one at a time, and
/// checks that no record is acknowledged before it is on disk.
fn run_writers(writes: &'static [u64], preemptions: usize) {
    let mut model = loom::model::Builder::new();
    model.preemption_bound = Some(preemptions);
    model.check(move || {
        let disk = Arc::new(ModelDisk::default());
        let commit = Arc::new(GroupCommit::new(Handle(disk.clone()), 0));
        // As in the store: under one lock, take the next sequence number,
        // append the record, announce it; then, outside the lock, wait.
        let last_seq = Arc::new(Mutex::new(0u64));
        let writers: Vec<_> = writes
            .iter()
            .map(|&count| {
                let (disk, commit, last_seq) = (disk.clone(), commit.clone(), last_seq.clone());
                thread::spawn(move || {
                    for _ in 0..count {
                        let seq = {
                            let mut last = last_seq.lock().unwrap();
                            *last += 1;
                            disk.written.store(*last, Ordering::SeqCst);
                            commit.written(*last);
                            *last
                        };
                        commit.wait_durable(seq).unwrap();
                        assert!(
                            disk.on_disk.load(Ordering::SeqCst) >= seq,
                            "record {seq} acknowledged early"
                        );
                        assert!(commit.durable_seq() <= disk.on_disk.load(Ordering::SeqCst));
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        let total: u64 = writes.iter().sum();
        assert_eq!(commit.durable_seq(), total);
        assert!(commit.sync_count() <= total);
    });
}

#[test]
fn acknowledged_writes_are_on_disk() {
    run_writers(&[1, 1], 3);
}

/// After an fsync that carried two records, the next leader gathers: it
/// waits for a second writer that may or may not come. (Two preemptions
/// cover the schedules that matter here and keep the run short.)
#[test]
fn a_gathering_leader_acknowledges_nothing_early() {
    run_writers(&[2, 1], 2);
}
