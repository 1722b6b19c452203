//! The database under power loss, on chapter 1's simulated disk: every
//! moment the power could fail during a workload of inserts, removals,
//! transactions and compactions is cut, and the database reopened. It must
//! hold exactly the state after some step, at least every step that returned
//! (each write is fsynced: `SyncPolicy::Always`), and never half a
//! transaction.

use std::sync::Arc;

use strata_flat_file::simfs::SimFs;

use super::{Db, State};
use crate::schema::{Config, Dir, SyncPolicy};

type Step = fn(&mut Db);

const STEPS: &[Step] = &[
    |db| drop(db.files.insert(1, "a.md".into()).unwrap()),
    |db| db.events.push("created a.md".into()).unwrap(),
    |db| {
        db.transaction(|tx| {
            tx.files.insert(2, "b".repeat(5000))?;
            tx.paths.insert("docs/b.md".into(), 2)?;
            tx.shares.insert(2, "bob".into()).map(drop)
        })
        .unwrap()
    },
    |db| db.compact().unwrap(),
    |db| drop(db.files.remove(&1).unwrap()),
    |db| {
        db.transaction(|tx| {
            tx.events.push("removed a.md".into())?;
            tx.by_owner.push("ada".into(), 2)
        })
        .unwrap()
    },
    |db| db.compact().unwrap(),
    |db| drop(db.files.insert(3, "c".repeat(9000)).unwrap()),
];

fn config(disk: &SimFs) -> Config {
    Config::in_dir(Dir::on(Arc::new(disk.clone()), "db")).sync(SyncPolicy::Always)
}

fn recovered(disk: &SimFs) -> State {
    let db = Db::open(config(disk)).unwrap_or_else(|e| panic!("reopening after a power cut: {e}"));
    State::of(&db)
}

#[test]
fn every_committed_step_survives_a_power_cut_and_no_transaction_is_torn() {
    let disk = SimFs::new();
    disk.record_moments();
    let mut db = Db::open(config(&disk)).unwrap();
    let mut models = vec![State::of(&db)];
    let mut cuts = 0;
    for (i, step) in STEPS.iter().enumerate() {
        step(&mut db);
        models.push(State::of(&db));
        for (n, moment) in disk.take_moments().into_iter().enumerate() {
            for keep_some in [false, true] {
                let cut = moment.fork();
                if keep_some {
                    cut.lose_power_keeping(
                        |inode, page| (n + inode + page) % 2 == 0,
                        |k| k % 2 == 1,
                    );
                } else {
                    cut.lose_power();
                }
                let found = recovered(&cut);
                assert!(
                    models[i..=i + 1].contains(&found),
                    "a power cut during step {i} (moment {n}, some unsynced data kept: \
                     {keep_some}) left neither the state before the step nor after it: {found:?}"
                );
                cuts += 1;
            }
        }
    }
    assert!(cuts > 20, "only {cuts} power cuts were tried");
}
