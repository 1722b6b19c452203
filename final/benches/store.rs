//! The engines side by side, what the one API costs, and what group commit
//! buys. Run with `cargo bench -p strata` (add `-- strata-get` to run one
//! group), then `cargo xtask bench-report strata` for the book's tables.
//! The groups are named `strata-…`, apart from the chapters' own.
//!
//! - `strata-get/<engine>/10000`: random gets of 100-byte values among 10,000
//!   keys, through `Store`;
//! - `strata-scan/<engine>/1000`: a range of 1,000 entries, read in order
//!   (the engines that keep an order);
//! - `strata-put/<engine>-always/<n>-thread`: 100-byte puts per second under
//!   `SyncPolicy::Always`, from one thread and from four sharing one `Store`.
//!   With group commit, four threads share each sync, so they should reach
//!   well over one thread's rate (the target: three times, for Bitcask and
//!   the log). Each run prints the puts per sync it saw.
//! - `strata-overhead/<engine>-<op>/{strata,direct}`: a get or a put (no sync)
//!   through `Store`, and the same call on the chapter's own crate: the
//!   adapter's cost (the target: within 5%).

// criterion's macros define undocumented public functions.
#![allow(missing_docs)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use strata::{Capability, Engine, Options, Store, SyncPolicy};

const VALUE: [u8; 100] = [b'v'; 100];
const KEYS: u64 = 10_000;

/// `key-000000000042`: 16 bytes, without formatting machinery.
fn key(mut i: u64) -> [u8; 16] {
    let mut key = *b"key-000000000000";
    for digit in key[4..].iter_mut().rev() {
        *digit = b'0' + (i % 10) as u8;
        i /= 10;
    }
    key
}

/// A cheap, deterministic sequence of key numbers below `KEYS`.
fn spread(i: u64) -> u64 {
    i.wrapping_mul(0x9E37_79B9_7F4A_7C15) % KEYS
}

fn put(c: &mut Criterion) {
    let mut group = c.benchmark_group("strata-put");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(4));
    group.throughput(Throughput::Elements(1));
    for engine in [
        Engine::Bitcask,
        Engine::Wal,
        Engine::FlatFile,
        Engine::Bptree,
    ] {
        for threads in [1u64, 4] {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("db");
            let store = Store::create(&path, engine, Options::new()).expect("create");
            // The flat file saves every key at each sync: keep its map small.
            let keys = if engine == Engine::FlatFile {
                100
            } else {
                u64::MAX
            };
            let next = AtomicU64::new(0);
            let id = BenchmarkId::new(format!("{engine}-always"), format!("{threads}-thread"));
            group.bench_function(id, |b| {
                b.iter_custom(|iters| {
                    let start = Instant::now();
                    std::thread::scope(|s| {
                        for t in 0..threads {
                            // Exactly `iters` puts in all.
                            let mine = iters / threads + u64::from(t < iters % threads);
                            let (store, next) = (&store, &next);
                            s.spawn(move || {
                                for _ in 0..mine {
                                    let i = next.fetch_add(1, Ordering::Relaxed) % keys;
                                    store.put(key(i), VALUE).expect("put");
                                }
                            });
                        }
                    });
                    start.elapsed()
                })
            });
            let stats = store.stats().expect("stats");
            eprintln!(
                "strata-put/{engine}-always/{threads}-thread: {} puts, {} syncs ({:.1} puts per sync)",
                stats.writes,
                stats.syncs,
                stats.writes as f64 / stats.syncs.max(1) as f64
            );
        }
    }
    group.finish();
}

/// A store of `engine` holding `KEYS` keys, written without syncs.
fn filled(engine: Engine) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db");
    let store =
        Store::create(&path, engine, Options::new().sync(SyncPolicy::OnFlush)).expect("create");
    for i in 0..KEYS {
        store.put(key(i), VALUE).expect("put");
    }
    store.close().expect("close");
    (dir, path)
}

fn get(c: &mut Criterion) {
    let mut group = c.benchmark_group("strata-get");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Elements(1));
    for engine in Engine::ALL {
        let (_dir, path) = filled(engine);
        let store = Store::open(&path).expect("open");
        let mut i = 0;
        group.bench_function(BenchmarkId::new(engine.name(), KEYS), |b| {
            b.iter(|| {
                i += 1;
                store.get(key(spread(i))).expect("get").expect("present")
            })
        });
    }
    group.finish();
}

fn scan(c: &mut Criterion) {
    const LEN: u64 = 1000;
    let mut group = c.benchmark_group("strata-scan");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Elements(LEN));
    for engine in Engine::ALL {
        if !engine.capabilities().contains(Capability::OrderedScans) {
            continue;
        }
        let (_dir, path) = filled(engine);
        let store = Store::open(&path).expect("open");
        let mut i = 0;
        group.bench_function(BenchmarkId::new(engine.name(), LEN), |b| {
            b.iter(|| {
                i += 1;
                let start = spread(i) % (KEYS - LEN);
                let mut n = 0;
                for entry in store.range(key(start)..key(start + LEN)).expect("range") {
                    std::hint::black_box(entry.expect("entry"));
                    n += 1;
                }
                assert_eq!(n as u64, LEN);
            })
        });
    }
    group.finish();
}

fn overhead(c: &mut Criterion) {
    let mut group = c.benchmark_group("strata-overhead");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Elements(1));
    let relaxed = || Options::new().sync(SyncPolicy::OnFlush);

    // Gets: the adapter's lock and copy, against the chapter's own call.
    for engine in Engine::ALL {
        let (_dir, path) = filled(engine);
        {
            let store = Store::open_with(&path, relaxed()).expect("open");
            let mut i = 0;
            group.bench_function(BenchmarkId::new(format!("{engine}-get"), "strata"), |b| {
                b.iter(|| {
                    i += 1;
                    store.get(key(spread(i))).expect("get").expect("present")
                })
            });
            store.close().expect("close");
        }
        let mut i = 0;
        match engine {
            Engine::FlatFile => {
                let db = strata::flat_file::FlatFile::open(&path).expect("open");
                group.bench_function(BenchmarkId::new("flat-file-get", "direct"), |b| {
                    b.iter(|| {
                        i += 1;
                        db.get(&key(spread(i))).expect("present").to_vec()
                    })
                });
            }
            Engine::Wal => {
                let options = strata::wal::Options::new(strata::wal::SyncPolicy::Never);
                let db = strata::wal::Store::open(&path, options).expect("open");
                group.bench_function(BenchmarkId::new("wal-get", "direct"), |b| {
                    b.iter(|| {
                        i += 1;
                        db.get(key(spread(i))).expect("present")
                    })
                });
            }
            Engine::Bitcask => {
                let db = strata::bitcask::Bitcask::open(&path, strata::bitcask::Options::default())
                    .expect("open");
                group.bench_function(BenchmarkId::new("bitcask-get", "direct"), |b| {
                    b.iter(|| {
                        i += 1;
                        db.get(&key(spread(i))).expect("get").expect("present")
                    })
                });
            }
            Engine::Bptree => {
                let db = strata::bptree::DB::open(&path, strata::bptree::Options::default())
                    .expect("open");
                group.bench_function(BenchmarkId::new("bptree-get", "direct"), |b| {
                    b.iter(|| {
                        i += 1;
                        db.view(|tx| {
                            let bucket = tx.bucket(b"strata")?.expect("the store's bucket");
                            Ok(bucket.get(&key(spread(i)))?.expect("present").to_vec())
                        })
                        .expect("get")
                    })
                });
            }
            _ => unreachable!("every engine is benchmarked"),
        }
    }

    // Puts with no sync: the adapter's locking and numbering, against the
    // chapter's own call (the engines that buffer or log; a flat file's put
    // is a map insert, and a B+tree's a whole transaction either way).
    for engine in [Engine::Wal, Engine::Bitcask] {
        let (_dir, path) = filled(engine);
        {
            let store = Store::open_with(&path, relaxed()).expect("open");
            let mut i = 0;
            group.bench_function(BenchmarkId::new(format!("{engine}-put"), "strata"), |b| {
                b.iter(|| {
                    i += 1;
                    store.put(key(spread(i)), VALUE).expect("put")
                })
            });
            store.close().expect("close");
        }
        let mut i = 0;
        if engine == Engine::Wal {
            let options = strata::wal::Options::new(strata::wal::SyncPolicy::Never);
            let db = strata::wal::Store::open(&path, options).expect("open");
            group.bench_function(BenchmarkId::new("wal-put", "direct"), |b| {
                b.iter(|| {
                    i += 1;
                    db.put(key(spread(i)), VALUE).expect("put")
                })
            });
        } else {
            let mut db = strata::bitcask::Bitcask::open(&path, strata::bitcask::Options::default())
                .expect("open");
            group.bench_function(BenchmarkId::new("bitcask-put", "direct"), |b| {
                b.iter(|| {
                    i += 1;
                    db.put(&key(spread(i)), &VALUE).expect("put")
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, get, scan, put, overhead);
criterion_main!(benches);
