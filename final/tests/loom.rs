//! `strata`'s group commit under loom, which runs each test under every
//! interleaving of its threads that matters. Run with:
//!
//! ```text
//! RUSTFLAGS="--cfg strata_loom" cargo test -p strata --test loom --release --target-dir target/loom
//! ```
//!
//! The model is the one the flat file and Bitcask adapters follow: under the
//! engine's lock a writer changes the engine (here, a counter of changes in
//! memory) and takes a number; then, without the lock, it waits for a sync
//! that covers its number. A sync makes durable what was changed when it
//! started. The properties: a write is never acknowledged before a sync that
//! covers it has ended; a failed sync acknowledges nothing after it; every
//! waiter returns (loom reports a deadlock otherwise).

#![cfg(strata_loom)]

use loom::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use loom::sync::{Arc, Mutex, RwLock};
use loom::thread;
use strata::group_commit::GroupCommit;
use strata::{Error, Result};

/// An engine with a page cache: changes land in `changed`; a sync copies
/// what was changed when it began to `durable`.
#[derive(Default)]
struct ModelEngine {
    /// The engine's own lock, ordering its changes; holds their count.
    changed: Mutex<u64>,
    durable: AtomicU64,
    syncs: AtomicUsize,
    /// Syncs fail from this one on (counting from 1); 0: never.
    fail_from: usize,
}

// ANCHOR: model_engine
impl ModelEngine {
    fn sync(&self) -> Result<()> {
        let n = self.syncs.fetch_add(1, Ordering::SeqCst) + 1;
        if self.fail_from != 0 && n >= self.fail_from {
            return Err(Error::Poisoned);
        }
        let changed = *self.changed.lock().unwrap();
        self.durable.fetch_max(changed, Ordering::SeqCst);
        Ok(())
    }

    /// One write, as the adapters make it; returns its number and whether
    /// it was acknowledged.
    fn write(&self, commit: &GroupCommit) -> (u64, bool) {
        let seq = {
            let mut changed = self.changed.lock().unwrap();
            let Ok(seq) = commit.written() else {
                return (0, false);
            };
            *changed += 1;
            assert_eq!(*changed, seq, "numbers follow the order of changes");
            seq
        };
        (seq, commit.wait_durable(seq, || self.sync()).is_ok())
    }
}
// ANCHOR_END: model_engine

fn run_writers(engine: Arc<ModelEngine>, commit: Arc<GroupCommit>, writers: usize, each: usize) {
    let threads: Vec<_> = (0..writers)
        .map(|_| {
            let (engine, commit) = (engine.clone(), commit.clone());
            thread::spawn(move || {
                for _ in 0..each {
                    let (seq, acknowledged) = engine.write(&commit);
                    if acknowledged {
                        assert!(
                            engine.durable.load(Ordering::SeqCst) >= seq,
                            "write {seq} acknowledged before it was durable"
                        );
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
}

#[test]
fn acknowledged_writes_are_durable() {
    loom::model(|| {
        let engine = Arc::new(ModelEngine::default());
        let commit = Arc::new(GroupCommit::new());
        run_writers(engine.clone(), commit.clone(), 2, 1);
        assert!(commit.is_durable().unwrap());
        // Two writes never need more than two syncs, and may share one.
        let syncs = commit.syncs().unwrap();
        assert!((1..=2).contains(&syncs), "{syncs} syncs");
    });
}

#[test]
fn three_writers_with_two_writes_each() {
    let mut model = loom::model::Builder::new();
    // Three threads of two writes each have many interleavings; a bound on
    // preemptions keeps the search to the ones that find real bugs.
    model.preemption_bound = Some(2);
    model.check(|| {
        let engine = Arc::new(ModelEngine::default());
        let commit = Arc::new(GroupCommit::new());
        run_writers(engine.clone(), commit.clone(), 3, 2);
        assert!(commit.is_durable().unwrap());
        assert_eq!(engine.durable.load(Ordering::SeqCst), 6);
    });
}

#[test]
fn a_failed_sync_acknowledges_nothing_after_it() {
    loom::model(|| {
        let engine = Arc::new(ModelEngine {
            fail_from: 1,
            ..ModelEngine::default()
        });
        let commit = Arc::new(GroupCommit::new());
        // Every sync fails, so no write may be acknowledged; the assertion
        // in `run_writers` checks each acknowledged one, so count them here.
        let acknowledged = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let (engine, commit, acknowledged) =
                    (engine.clone(), commit.clone(), acknowledged.clone());
                thread::spawn(move || {
                    if engine.write(&commit).1 {
                        acknowledged.fetch_add(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(acknowledged.load(Ordering::SeqCst), 0);
        assert!(matches!(commit.written(), Err(Error::Poisoned)));
    });
}

/// The reader/writer hand-off of the adapters for `&mut` engines: the map
/// sits behind a read-write lock; a writer changes it under the write lock
/// and numbers the change; a sync encodes it under the read lock; readers
/// take the read lock only. A reader must see every write acknowledged
/// before it looked, whether or not a sync is running, and the encoding a
/// sync makes must hold every write its leader covered.
#[test]
fn readers_see_acknowledged_writes_while_a_sync_runs() {
    loom::model(|| {
        let map = Arc::new(RwLock::new(Vec::<u64>::new()));
        let saved = Arc::new(Mutex::new(Vec::<u64>::new()));
        let commit = Arc::new(GroupCommit::new());
        let acknowledged = Arc::new(AtomicU64::new(0));
        let sync = {
            let (map, saved) = (map.clone(), saved.clone());
            move || -> Result<()> {
                // Encoded under the read lock, "written" without it.
                let encoded = map.read().unwrap().clone();
                *saved.lock().unwrap() = encoded;
                Ok(())
            }
        };
        let writer = {
            let (map, saved, commit, acknowledged, sync) = (
                map.clone(),
                saved.clone(),
                commit.clone(),
                acknowledged.clone(),
                sync.clone(),
            );
            thread::spawn(move || {
                for value in 1..=2 {
                    let seq = {
                        let mut map = map.write().unwrap();
                        map.push(value);
                        commit.written().unwrap()
                    };
                    commit.wait_durable(seq, sync.clone()).unwrap();
                    assert!(
                        saved.lock().unwrap().contains(&value),
                        "write {value} acknowledged before a save held it"
                    );
                    acknowledged.store(value, Ordering::SeqCst);
                }
            })
        };
        let reader = {
            let (map, acknowledged) = (map.clone(), acknowledged.clone());
            thread::spawn(move || {
                for _ in 0..2 {
                    let before = acknowledged.load(Ordering::SeqCst);
                    let seen = map.read().unwrap().clone();
                    assert!(
                        (1..=before).all(|v| seen.contains(&v)),
                        "a reader missed an acknowledged write: {seen:?}, {before} acknowledged"
                    );
                }
            })
        };
        writer.join().unwrap();
        reader.join().unwrap();
        assert_eq!(*saved.lock().unwrap(), vec![1, 2]);
    });
}
