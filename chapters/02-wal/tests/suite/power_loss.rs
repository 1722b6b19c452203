//! The store under power loss, on a simulated disk that drops whatever was
//! not fsynced (chapter 1's `SimFs`). The disk records every moment the power
//! could fail (after each write, fsync, creation, rename or removal); for
//! each, the power is cut and the store reopened. What it holds must be
//! exactly what the model held after some operation: never a torn batch,
//! never less than was acknowledged as durable. A kill -9 cannot test this
//! (the kernel keeps the page cache); these tests fail if an fsync the log
//! needs is missing.

use std::collections::BTreeMap;
use std::sync::Arc;

use strata_flat_file::simfs::SimFs;

use crate::wal::fs::Dir;
use crate::wal::{Batch, Options, Store, SyncPolicy};

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

/// One step of a workload.
#[derive(Debug, Clone)]
enum Step {
    Put(u8, usize),
    Delete(u8),
    /// An atomic batch: three puts and a delete.
    Batch(u8),
    Checkpoint,
    /// `Store::sync`: everything so far becomes durable.
    Sync,
}

/// A workload that crosses checkpoints, batches, deletes and values longer
/// than a page.
fn workload() -> Vec<Step> {
    let mut steps = Vec::new();
    for i in 0..24u8 {
        steps.push(match i % 6 {
            0 | 3 => Step::Put(i % 5, 10 + usize::from(i) * 300),
            1 => Step::Batch(i),
            2 => Step::Delete((i + 1) % 5),
            4 => Step::Checkpoint,
            _ => Step::Sync,
        });
    }
    steps
}

fn apply(store: &Store, model: &mut Model, step: &Step) {
    match *step {
        Step::Put(key, len) => {
            let value = vec![key.wrapping_mul(31).wrapping_add(len as u8); len];
            store.put([key], &value).unwrap();
            model.insert(vec![key], value);
        }
        Step::Delete(key) => {
            store.delete([key]).unwrap();
            model.remove(&vec![key]);
        }
        Step::Batch(n) => {
            let mut batch = Batch::new();
            for key in [n % 5, (n + 1) % 5, (n + 2) % 5] {
                batch = batch.put([key], [n; 100]);
                model.insert(vec![key], vec![n; 100]);
            }
            batch = batch.delete([(n + 3) % 5]);
            model.remove(&vec![(n + 3) % 5]);
            store.write(batch).unwrap();
        }
        Step::Checkpoint => store.checkpoint().unwrap(),
        Step::Sync => store.sync().unwrap(),
    }
}

fn dir(disk: &SimFs) -> Dir {
    Dir::on(Arc::new(disk.clone()), "db")
}

/// What a store on `disk` holds when opened.
fn recovered(disk: &SimFs) -> Model {
    let store = Store::open_in(&dir(disk), Options::new(SyncPolicy::Never))
        .unwrap_or_else(|e| panic!("reopening after a power cut: {e}"));
    let view = store.read();
    view.iter().map(|(k, v)| (k.to_vec(), v.to_vec())).collect()
}

/// A deterministic choice of which unsynced pages a disk wrote before the cut.
fn some_pages(seed: usize) -> impl FnMut(usize, usize) -> bool {
    move |inode, page| (seed * 31 + inode * 7 + page * 13).is_multiple_of(3)
}

/// A deterministic choice of which unsynced changes to names it wrote.
fn some_names(seed: usize) -> impl FnMut(usize) -> bool {
    move |n| (seed * 17 + n * 5).is_multiple_of(2)
}

/// Runs the workload under `policy`, cutting the power at every recorded
/// moment (dropping everything unsynced, and keeping some unsynced pages and
/// names),
/// and checks each reopened store against the models. `durable(i)` says how
/// many steps must survive a cut during step `i`.
fn run(policy: SyncPolicy, durable: impl Fn(&[Step], usize) -> usize) {
    let steps = workload();
    let disk = SimFs::new();
    disk.record_moments();
    let store = Store::open_in(&dir(&disk), Options::new(policy)).unwrap();
    // models[i]: the state after the first i steps.
    let mut models = vec![Model::new()];
    let mut cuts = 0;
    for (i, step) in steps.iter().enumerate() {
        let mut model = models[i].clone();
        apply(&store, &mut model, step);
        models.push(model);
        // Every moment of step i: at least `durable(i)` steps survive, and
        // at most the step itself.
        let at_least = durable(&steps, i);
        for (n, moment) in disk.take_moments().into_iter().enumerate() {
            for keep_some in [false, true] {
                let cut = moment.fork();
                if keep_some {
                    cut.lose_power_keeping(some_pages(n), some_names(n));
                } else {
                    cut.lose_power();
                }
                let found = recovered(&cut);
                let survived = (at_least..=i + 1).find(|&k| models[k] == found);
                assert!(
                    survived.is_some(),
                    "a power cut during step {i} ({step:?}, moment {n}, some pages kept: \
                     {keep_some}) left a state that is not the one after steps {at_least} \
                     to {}: {found:?}",
                    i + 1
                );
                cuts += 1;
            }
        }
    }
    assert!(cuts > 100, "only {cuts} power cuts were tried");
}

#[test]
fn under_sync_always_every_acknowledged_step_survives_a_power_cut() {
    // A step is durable when it returns: a cut during step i keeps all before it.
    run(SyncPolicy::Always, |_, i| i);
}

#[test]
fn under_sync_never_everything_before_the_last_sync_or_checkpoint_survives() {
    run(SyncPolicy::Never, |steps, i| {
        // Steps up to and including the last `Sync` or `Checkpoint` before step i.
        (0..i)
            .rev()
            .find(|&j| matches!(steps[j], Step::Sync | Step::Checkpoint))
            .map_or(0, |j| j + 1)
    });
}

#[test]
fn what_a_reopened_store_shows_survives_a_power_cut() {
    let disk = SimFs::new();
    let mut model = Model::new();
    {
        // Written without a sync, and the process dies: the page cache keeps it.
        let store = Store::open_in(&dir(&disk), Options::new(SyncPolicy::Never)).unwrap();
        for step in [Step::Put(1, 10), Step::Batch(2), Step::Put(3, 5000)] {
            apply(&store, &mut model, &step);
        }
    }
    // Reopening shows it all; having been shown, it must survive a power cut.
    assert_eq!(recovered(&disk), model);
    disk.lose_power();
    assert_eq!(recovered(&disk), model);
}

/// A point-in-time recovery cuts the damaged segment and removes the later
/// ones; both must be durable before the store is used, or a power cut brings
/// the discarded records back (or leaves a gap no mode but salvage accepts).
#[test]
fn a_point_in_time_recovery_survives_a_power_cut() {
    use crate::wal::RecoveryMode;
    use crate::wal::record;
    use crate::wal::segment::segment_path;

    let frames = |seqs: std::ops::RangeInclusive<u64>| {
        let mut bytes = Vec::new();
        for seq in seqs {
            let key = [seq as u8];
            record::encode(
                seq,
                &crate::wal::Op::Put {
                    key: &key,
                    value: b"v",
                },
                &mut bytes,
            )
            .unwrap();
        }
        bytes
    };
    for write_after in [false, true] {
        let disk = SimFs::new();
        let db = std::path::Path::new("db");
        // Records 1 to 6, the fourth damaged; then a later segment, 7 to 9.
        let mut first = frames(1..=6);
        let fourth = frames(1..=3).len();
        first[fourth + 9] ^= 0xff;
        disk.put_durable(&segment_path(db, 1), &first);
        disk.put_durable(&segment_path(db, 7), &frames(7..=9));

        let options = Options::new(SyncPolicy::Always).recovery(RecoveryMode::PointInTime);
        let store = Store::open_in(&dir(&disk), options).unwrap();
        let mut expected: Model = (1..=3u8).map(|k| (vec![k], b"v".to_vec())).collect();
        if write_after {
            store.put("new", "acknowledged").unwrap();
            expected.insert(b"new".to_vec(), b"acknowledged".to_vec());
        }
        disk.lose_power();
        drop(store);
        assert_eq!(
            recovered(&disk),
            expected,
            "after a point-in-time recovery and a power cut (a write after it: {write_after})"
        );
    }
}
