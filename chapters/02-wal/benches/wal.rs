//! What a write-ahead log costs and buys. Run with `cargo bench -p strata-wal`
//! (add `-- seq-put` to run one group).
//!
//! Workload names are shared across chapters, and each benchmark's name starts
//! with the engine's (`wal`), so the book can set chapters side by side:
//!
//! - `seq-put/wal-<policy>/<threads>`: 100-byte puts per second under each sync
//!   policy, from one thread and from four threads sharing one store (group
//!   commit is what makes four `always` writers faster than one);
//! - `rnd-get/wal/<n>`: random reads from a store of n keys (memory only);
//! - `reopen/wal/<n>`: recovery time for a log of n records;
//! - `checkpoint/wal/<n>`: one checkpoint of a map of n entries;
//! - `reopen-damaged/wal/<MiB>`: replaying a segment whose last record, a
//!   value of one length repeated, has a flipped bit: the search for an intact
//!   frame after it must be linear (it was quadratic: 6 s for 4 MiB).

// criterion's macros define undocumented public functions.
#![allow(missing_docs)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use strata_wal::{Options, Store, SyncPolicy};

const VALUE: [u8; 100] = [b'v'; 100];

fn policies() -> [(&'static str, SyncPolicy); 3] {
    [
        ("always", SyncPolicy::Always),
        (
            "interval-10ms",
            SyncPolicy::Interval(Duration::from_millis(10)),
        ),
        ("never", SyncPolicy::Never),
    ]
}

/// `key-000000000042`: 16 bytes, in numeric order, without formatting machinery.
fn key(mut i: u64) -> [u8; 16] {
    let mut key = *b"key-000000000000";
    for digit in key[4..].iter_mut().rev() {
        *digit = b'0' + (i % 10) as u8;
        i /= 10;
    }
    key
}

fn seq_put(c: &mut Criterion) {
    let mut group = c.benchmark_group("seq-put");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(4));
    group.throughput(Throughput::Elements(1));
    for (name, policy) in policies() {
        for threads in [1u64, 4] {
            let dir = tempfile::tempdir().expect("tempdir");
            let db = Store::open(dir.path(), Options::new(policy)).expect("open");
            let next = AtomicU64::new(0);
            let id = BenchmarkId::new(format!("wal-{name}"), format!("{threads}-thread"));
            group.bench_function(id, |b| {
                b.iter_custom(|iters| {
                    let per_thread = iters.div_ceil(threads);
                    let start = Instant::now();
                    std::thread::scope(|s| {
                        for _ in 0..threads {
                            s.spawn(|| {
                                for _ in 0..per_thread {
                                    let i = next.fetch_add(1, Ordering::Relaxed);
                                    db.put(key(i), VALUE).expect("put");
                                }
                            });
                        }
                    });
                    start.elapsed()
                })
            });
            let stats = db.stats();
            if stats.log_syncs > 0 {
                eprintln!(
                    "seq-put/wal-{name}/{threads}-thread: {} puts, {} fsyncs ({:.1} puts per fsync)",
                    stats.last_seq,
                    stats.log_syncs,
                    stats.last_seq as f64 / stats.log_syncs as f64
                );
            }
        }
    }
    group.finish();
}

/// A closed store holding `n` records in its log (no checkpoint).
fn filled(n: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Store::open(dir.path(), Options::new(SyncPolicy::Never)).expect("open");
    for i in 0..n {
        db.put(key(i), VALUE).expect("put");
    }
    db.close().expect("close");
    dir
}

fn rnd_get(c: &mut Criterion) {
    let mut group = c.benchmark_group("rnd-get");
    let n = 100_000;
    let dir = filled(n);
    let db = Store::open(dir.path(), Options::new(SyncPolicy::Never)).expect("open");
    group.throughput(Throughput::Elements(1));
    group.bench_function(BenchmarkId::new("wal", n), |b| {
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        b.iter(|| {
            // xorshift: a cheap random key order
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            db.read().get(&key(x % n)).map(<[u8]>::len)
        })
    });
    group.finish();
}

fn reopen(c: &mut Criterion) {
    let mut group = c.benchmark_group("reopen");
    group.sample_size(10);
    for n in [10_000u64, 100_000, 1_000_000] {
        let dir = filled(n);
        group.throughput(Throughput::Elements(n));
        group.bench_function(BenchmarkId::new("wal", n), |b| {
            b.iter(|| {
                let db = Store::open(dir.path(), Options::new(SyncPolicy::Never)).expect("open");
                assert_eq!(db.recovery().records_replayed, n);
            })
        });
    }
    group.finish();
}

fn checkpoint(c: &mut Criterion) {
    let mut group = c.benchmark_group("checkpoint");
    group.sample_size(10);
    for n in [10_000u64, 100_000] {
        let dir = filled(n);
        let db = Store::open(dir.path(), Options::new(SyncPolicy::Never)).expect("open");
        group.throughput(Throughput::Elements(n));
        group.bench_function(BenchmarkId::new("wal", n), |b| {
            let mut i = 0u64;
            b.iter(|| {
                i += 1;
                db.put(key(i % n), i.to_le_bytes()).expect("put");
                db.checkpoint().expect("checkpoint");
            })
        });
    }
    group.finish();
}

/// A segment of `mib` MiB: two small records, then one whose value repeats the
/// length 262,144 (a frame "fits" at every offset), with one bit flipped.
fn damaged_segment(mib: usize) -> Vec<u8> {
    use strata_wal::{Op, record};
    let value: Vec<u8> = (0..(mib << 20) / 4)
        .flat_map(|_| 262_144u32.to_le_bytes())
        .collect();
    let mut bytes = Vec::new();
    for (seq, key, value) in [
        (1, &b"a"[..], &b"x"[..]),
        (2, b"b", b"y"),
        (3, b"big", &value),
    ] {
        record::encode(seq, &Op::Put { key, value }, &mut bytes).expect("encode");
    }
    let flip = bytes.len() - value.len() / 2;
    bytes[flip] ^= 0x10;
    bytes
}

fn reopen_damaged(c: &mut Criterion) {
    use strata_wal::RecoveryMode;
    let mut group = c.benchmark_group("reopen-damaged");
    group.sample_size(10);
    for mib in [1usize, 4, 8] {
        let bytes = damaged_segment(mib);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(BenchmarkId::new("wal", format!("{mib}MiB")), |b| {
            b.iter(|| {
                let mode = RecoveryMode::TolerateCorruptedTailRecords;
                let path = std::path::Path::new("wal-1.log");
                let found = strata_wal::replay::replay(path, &bytes, mode, true, |_| Ok(()))
                    .expect("replay");
                assert!(found.torn_tail.is_some());
            })
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    seq_put,
    rnd_get,
    reopen,
    checkpoint,
    reopen_damaged
);
criterion_main!(benches);
