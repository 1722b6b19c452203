//! One writer, many readers: a read transaction keeps its snapshot while
//! the writer commits (its pages are not reused until it ends), readers in
//! other threads always see a consistent state, the writer's file lock
//! keeps other opens out, and `batch` merges calls from many threads.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use super::{
    Contents, Rng, assert_consistent, committed, create, key, options, pgid, read_contents,
    small_pages, temp_file, value,
};
use crate::bptree::db::initial_file;
use crate::bptree::{DB, Error, Options, WriteTx};

/// Rewrites every value of bucket `b`, moves 50 keys, and recreates the
/// nested bucket: every leaf page of the previous state is freed.
fn churn(tx: &mut WriteTx<'_>, round: u32) -> crate::bptree::Result<()> {
    let mut b = tx.create_bucket_if_not_exists(b"b")?;
    for i in 0..500 {
        b.put(&key(i), &value(i, round, 60))?;
    }
    for i in 0..50 {
        b.delete(&key(500 + 50 * round + i))?;
        b.put(&key(500 + 50 * (round + 1) + i), b"moved")?;
    }
    if b.bucket(b"nested")?.is_some() {
        b.delete_bucket(b"nested")?;
    }
    let mut nested = b.create_bucket(b"nested")?;
    for i in 0..100 {
        nested.put(&key(i), &value(i, round, 40))?;
    }
    Ok(())
}

#[test]
fn a_reader_keeps_its_snapshot_and_its_pages_are_reused_after() {
    let (_dir, path, db) = create(small_pages());
    db.update(|tx| churn(tx, 0)).unwrap();
    let reader = db.begin_read();
    let seen = read_contents(&reader.root());
    assert_eq!(seen.buckets[b"b".as_slice()].total_values(), 650);
    let mut later = None;
    for round in 1..=30 {
        db.update(|tx| churn(tx, round)).unwrap();
        assert_eq!(read_contents(&reader.root()), seen, "round {round}");
        if round == 10 {
            let tx = db.begin_read();
            let contents = read_contents(&tx.root());
            later = Some((tx, contents));
        }
        if let Some((tx, contents)) = &later {
            assert_eq!(&read_contents(&tx.root()), contents, "round {round}");
        }
    }
    assert_consistent(&reader);
    assert_ne!(committed(&db), seen);
    drop((reader, later));

    // With no reader left, every page freed meanwhile can be reused: the
    // file stops growing.
    let (pages, len) = (pgid(&db), super::file_len(&path));
    for round in 31..=50 {
        db.update(|tx| churn(tx, round)).unwrap();
    }
    assert_eq!(pgid(&db), pages, "no new pages once the readers are gone");
    assert_eq!(super::file_len(&path), len);
    assert_consistent(&db.begin_read());
}

#[test]
fn a_reader_started_during_a_write_sees_the_state_before_it() {
    let (_dir, _path, db) = create(small_pages());
    db.update(|tx| churn(tx, 0)).unwrap();
    let before = committed(&db);
    let mut tx = db.begin_write().unwrap();
    churn(&mut tx, 1).unwrap();
    let reader = db.begin_read();
    assert_eq!(read_contents(&reader.root()), before);
    tx.commit().unwrap();
    assert_eq!(read_contents(&reader.root()), before);
    for round in 2..6 {
        db.update(|tx| churn(tx, round)).unwrap();
    }
    assert_eq!(read_contents(&reader.root()), before);
}

const ACCOUNTS: u32 = 64;
const START_BALANCE: u64 = 1000;

fn balance(v: &[u8]) -> u64 {
    u64::from_le_bytes(v.try_into().unwrap())
}

/// Checks the invariants the writer keeps, in one snapshot: the balances
/// sum to their start, and the counter equals the number of log entries.
fn check_invariants(contents: &Contents) {
    let accounts = &contents.buckets[b"accounts".as_slice()];
    assert_eq!(accounts.values.len(), ACCOUNTS as usize);
    let sum: u64 = accounts.values.values().map(|v| balance(v)).sum();
    assert_eq!(
        sum,
        u64::from(ACCOUNTS) * START_BALANCE,
        "money appeared or vanished"
    );
    let log = &contents.buckets[b"log".as_slice()];
    let count = balance(&accounts.buckets[b"counter".as_slice()].values[b"n".as_slice()]);
    assert_eq!(log.values.len() as u64, count, "counter and log disagree");
}

#[test]
fn readers_in_other_threads_always_see_a_consistent_state() {
    let (_dir, _path, db) = create(small_pages());
    db.update(|tx| {
        let mut accounts = tx.create_bucket(b"accounts")?;
        for i in 0..ACCOUNTS {
            accounts.put(&key(i), &START_BALANCE.to_le_bytes())?;
        }
        accounts
            .create_bucket(b"counter")?
            .put(b"n", &0u64.to_le_bytes())?;
        tx.create_bucket(b"log").map(|_| ())
    })
    .unwrap();
    let done = AtomicBool::new(false);
    let reads = thread::scope(|s| {
        let readers: Vec<_> = (0..3)
            .map(|_| {
                s.spawn(|| {
                    let mut reads = 0;
                    let mut last_id = 0;
                    loop {
                        // Read the flag first: one more read after the
                        // writer is done makes sure every reader reads.
                        let finished = done.load(Ordering::Acquire);
                        let tx = db.begin_read();
                        assert!(tx.id() >= last_id, "time went backwards");
                        last_id = tx.id();
                        let first = read_contents(&tx.root());
                        check_invariants(&first);
                        thread::yield_now();
                        assert_eq!(read_contents(&tx.root()), first, "a snapshot changed");
                        reads += 1;
                        if finished {
                            return reads;
                        }
                    }
                })
            })
            .collect();
        let mut rng = Rng::new(7);
        let mut log_keys = Vec::new();
        for round in 0..150u32 {
            db.update(|tx| {
                let mut accounts = tx.bucket(b"accounts")?.unwrap();
                for _ in 0..10 {
                    let (from, to) = (rng.below(64) as u32, rng.below(64) as u32);
                    let a = balance(accounts.get(&key(from))?.unwrap());
                    let amount = rng.below(a + 1);
                    accounts.put(&key(from), &(a - amount).to_le_bytes())?;
                    let b = balance(accounts.get(&key(to))?.unwrap());
                    accounts.put(&key(to), &(b + amount).to_le_bytes())?;
                }
                let mut log = tx.bucket(b"log")?.unwrap();
                for i in 0..20 {
                    let k = key(round * 20 + i);
                    log.put(&k, &value(round, i, 50))?;
                    log_keys.push(k);
                }
                if round % 3 == 2 {
                    for _ in 0..45 {
                        let k = log_keys.swap_remove(rng.below(log_keys.len() as u64) as usize);
                        log.delete(&k)?;
                    }
                }
                let n = log_keys.len() as u64;
                let mut accounts = tx.bucket(b"accounts")?.unwrap();
                accounts
                    .bucket(b"counter")?
                    .unwrap()
                    .put(b"n", &n.to_le_bytes())
            })
            .unwrap();
        }
        done.store(true, Ordering::Release);
        readers
            .into_iter()
            .map(|r| r.join().unwrap())
            .collect::<Vec<_>>()
    });
    assert!(reads.iter().all(|&n| n >= 1), "{reads:?}");
    check_invariants(&committed(&db));
    assert_consistent(&db.begin_read());
}

#[test]
fn a_second_write_transaction_waits_for_the_first() {
    let (_dir, _path, db) = create(options());
    db.update(|tx| tx.create_bucket(b"b")?.put(b"n", &[0]))
        .unwrap();
    let started = AtomicBool::new(false);
    thread::scope(|s| {
        let mut tx = db.begin_write().unwrap();
        let second = s.spawn(|| {
            started.store(true, Ordering::Release);
            // Blocks until the first transaction commits, then sees it.
            db.update(|tx| {
                let mut b = tx.bucket(b"b")?.unwrap();
                let n = b.get(b"n")?.unwrap()[0];
                b.put(b"n", &[n + 1])
            })
        });
        while !started.load(Ordering::Acquire) {
            thread::yield_now();
        }
        thread::sleep(Duration::from_millis(50));
        let mut b = tx.bucket(b"b").unwrap().unwrap();
        let n = b.get(b"n").unwrap().unwrap()[0];
        b.put(b"n", &[n + 1]).unwrap();
        tx.commit().unwrap();
        second.join().unwrap().unwrap();
    });
    let tx = db.begin_read();
    assert_eq!(
        tx.bucket(b"b").unwrap().unwrap().get(b"n").unwrap(),
        Some(&[2][..])
    );
}

#[test]
fn a_writer_excludes_other_writers_and_readers() {
    let (_dir, path) = temp_file();
    std::fs::write(&path, initial_file(4096)).unwrap();
    let writer = DB::open(&path, Options::default()).unwrap();
    assert!(matches!(
        DB::open(&path, Options::default()),
        Err(Error::Locked { .. })
    ));
    assert!(matches!(
        DB::open(&path, Options::read_only()),
        Err(Error::Locked { .. })
    ));
    drop(writer);
    let reader = DB::open(&path, Options::read_only()).unwrap();
    let second_reader = DB::open(&path, Options::read_only()).unwrap();
    assert!(matches!(
        DB::open(&path, Options::default()),
        Err(Error::Locked { .. })
    ));
    assert!(matches!(reader.begin_write(), Err(Error::ReadOnly)));
    assert!(matches!(reader.update(|_| Ok(())), Err(Error::ReadOnly)));
    drop((reader, second_reader));
    // Everyone gone: a writer may open again.
    DB::open(&path, Options::default()).unwrap();
}

#[test]
fn a_read_transaction_that_outlives_its_db_keeps_the_file_locked() {
    let (_dir, path) = temp_file();
    let db = DB::open(&path, Options::default()).unwrap();
    db.update(|tx| tx.create_bucket(b"b")?.put(b"k", b"v"))
        .unwrap();
    let reader = db.begin_read();
    drop(db);
    // A new writer could reuse the pages the reader still reads: it must wait.
    assert!(matches!(
        DB::open(&path, Options::default()),
        Err(Error::Locked { .. })
    ));
    let b = reader.bucket(b"b").unwrap().unwrap();
    assert_eq!(b.get(b"k").unwrap(), Some(&b"v"[..]));
    drop(reader);
    DB::open(&path, Options::default()).unwrap();
}

#[test]
fn a_read_only_open_reads_what_was_committed() {
    let (_dir, path, db) = create(small_pages());
    db.update(|tx| churn(tx, 3)).unwrap();
    let expected = committed(&db);
    drop(db);
    let db = DB::open(&path, Options::read_only()).unwrap();
    assert_eq!(committed(&db), expected);
    assert_consistent(&db.begin_read());
    assert!(matches!(db.begin_write(), Err(Error::ReadOnly)));
}

/// A call that panics inside a batch takes the batch down: the thread that
/// ran it (the batch's leader) panics, the other caller is told so with
/// `Error::BatchPanicked` (not as damage to the file), and nothing commits.
#[test]
fn a_panic_in_a_batch_is_reported_as_such() {
    let (_dir, _path, db) = create(Options {
        max_batch_size: 2,
        // Long enough that the two calls always share one batch.
        max_batch_delay: Duration::from_secs(30),
        ..options()
    });
    db.update(|tx| tx.create_bucket(b"batch").map(|_| ()))
        .unwrap();
    let outcomes: Vec<thread::Result<crate::bptree::Result<()>>> = thread::scope(|s| {
        let calm = s.spawn(|| {
            db.batch(|tx| {
                let mut b = tx.bucket(b"batch")?.unwrap();
                b.put(b"calm", b"1")
            })
        });
        let wild = s.spawn(|| db.batch(|_| panic!("a call that panics")));
        vec![calm.join(), wild.join()]
    });
    let panicked = outcomes.iter().filter(|o| o.is_err()).count();
    let told: Vec<_> = outcomes.into_iter().filter_map(Result::ok).collect();
    assert_eq!(panicked, 1, "the leader runs the panicking call");
    assert!(matches!(told[..], [Err(Error::BatchPanicked)]), "{told:?}");
    let tx = db.begin_read();
    assert_eq!(
        tx.bucket(b"batch").unwrap().unwrap().get(b"calm").unwrap(),
        None
    );
}

#[test]
fn batched_calls_from_many_threads_each_commit_or_fail_alone() {
    let (_dir, path, db) = create(Options {
        max_batch_size: 8,
        max_batch_delay: Duration::from_millis(100),
        ..options()
    });
    db.update(|tx| tx.create_bucket(b"batch").map(|_| ()))
        .unwrap();
    let first_txid = db.begin_read().id();
    const THREADS: u32 = 8;
    const CALLS: u32 = 10;
    let fails = |id: u32| id % 7 == 3;
    let results: Vec<Vec<crate::bptree::Result<()>>> = thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let db = &db;
                s.spawn(move || {
                    (0..CALLS)
                        .map(|c| {
                            let id = t * CALLS + c;
                            db.batch(move |tx| {
                                let mut b = tx.bucket(b"batch")?.unwrap();
                                b.put(&key(id), b"done")?;
                                if fails(id) {
                                    // A call's own error: a key one byte per
                                    // call too long.
                                    b.put(&vec![b'k'; 32769 + id as usize], b"x")?;
                                }
                                Ok(())
                            })
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let tx = db.begin_read();
    let b = tx.bucket(b"batch").unwrap().unwrap();
    let mut succeeded = 0u64;
    for (t, results) in results.iter().enumerate() {
        for (c, result) in results.iter().enumerate() {
            let id = t as u32 * CALLS + c as u32;
            if fails(id) {
                match result {
                    Err(Error::KeyTooLarge { len }) => assert_eq!(*len, 32769 + id as usize),
                    other => panic!("call {id}: expected its own error, got {other:?}"),
                }
                assert_eq!(b.get(&key(id)).unwrap(), None, "call {id} was rolled back");
            } else {
                assert!(result.is_ok(), "call {id}: {result:?}");
                assert_eq!(b.get(&key(id)).unwrap(), Some(&b"done"[..]), "call {id}");
                succeeded += 1;
            }
        }
    }
    let commits = tx.id() - first_txid;
    assert!(
        commits < succeeded,
        "{succeeded} calls took {commits} commits: nothing was batched"
    );
    assert_consistent(&tx);
    drop(tx);
    drop(db);
    let db = DB::open(&path, options()).unwrap();
    let tx = db.begin_read();
    assert_eq!(
        read_contents(&tx.bucket(b"batch").unwrap().unwrap())
            .values
            .len() as u64,
        succeeded
    );
}
