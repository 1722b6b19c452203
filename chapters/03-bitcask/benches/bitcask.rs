//! What a Bitcask costs. Run with `cargo bench -p strata-bitcask` (add
//! `-- rnd-get` to run one group), then `cargo xtask bench-report
//! strata-bitcask` for the book's table.
//!
//! Workload names are shared across chapters, and each benchmark's name starts
//! with the engine's (`bitcask`):
//!
//! - `seq-put/bitcask-<sync>/100B`: puts of 100-byte values under each sync
//!   strategy;
//! - `rnd-get/bitcask/100000`: random reads from 100,000 keys, the files in the
//!   page cache, each value copied out (`get`); `rnd-get/bitcask-borrowed/100000`
//!   the same reads, each value borrowed from the mapped file (`get_with`);
//! - `reopen/bitcask-hints/<n>` and `reopen/bitcask-scan/<n>`: opening a cask of
//!   n keys from its hint files, and by scanning its data files;
//! - `merge/bitcask/<n>`: merging a cask of n live keys, each overwritten once.
//!
//! The keydir's memory per key is not a timing: `tests/keydir.rs` measures it.

// criterion's macros define undocumented public functions.
#![allow(missing_docs)]

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use strata_bitcask::{Bitcask, Options, SyncStrategy};

const VALUE: [u8; 100] = [b'v'; 100];

/// `key-000000000042`: 16 bytes, without formatting machinery.
fn key(mut i: u64) -> [u8; 16] {
    let mut key = *b"key-000000000000";
    for digit in key[4..].iter_mut().rev() {
        *digit = b'0' + (i % 10) as u8;
        i /= 10;
    }
    key
}

/// An endless sequence of keys below `n` in a cheap random order (xorshift).
fn random_keys(n: u64) -> impl FnMut() -> [u8; 16] {
    let mut x = 0x2545_f491_4f6c_dd1d_u64;
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        key(x % n)
    }
}

/// A closed cask of `n` keys with 100-byte values.
fn filled(n: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut db = Bitcask::open(dir.path(), Options::default()).expect("open");
    for i in 0..n {
        db.put(&key(i), &VALUE).expect("put");
    }
    db.close().expect("close");
    dir
}

fn seq_put(c: &mut Criterion) {
    let mut group = c.benchmark_group("seq-put");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(4));
    group.throughput(Throughput::Elements(1));
    for (name, sync) in [
        ("none", SyncStrategy::None),
        (
            "interval-1s",
            SyncStrategy::Interval(Duration::from_secs(1)),
        ),
        ("always", SyncStrategy::Always),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut db = Bitcask::open(
            dir.path(),
            Options {
                sync,
                ..Options::default()
            },
        )
        .expect("open");
        let mut i = 0u64;
        group.bench_function(BenchmarkId::new(format!("bitcask-{name}"), "100B"), |b| {
            b.iter(|| {
                i += 1;
                db.put(&key(i), &VALUE).expect("put");
            })
        });
        db.close().expect("close");
    }
    group.finish();
}

fn rnd_get(c: &mut Criterion) {
    let mut group = c.benchmark_group("rnd-get");
    let n = 100_000;
    let dir = filled(n);
    let db = Bitcask::open_read_only(dir.path(), Options::default()).expect("open");
    group.throughput(Throughput::Elements(1));
    group.bench_function(BenchmarkId::new("bitcask", n), |b| {
        let mut next = random_keys(n);
        b.iter(|| db.get(&next()).expect("get").map(|v| v.len()))
    });
    // The same reads, the value borrowed from the mapped file: no copy.
    group.bench_function(BenchmarkId::new("bitcask-borrowed", n), |b| {
        let mut next = random_keys(n);
        b.iter(|| db.get_with(&next(), <[u8]>::len).expect("get"))
    });
    group.finish();
}

fn reopen(c: &mut Criterion) {
    let mut group = c.benchmark_group("reopen");
    group.sample_size(10);
    for n in [100_000u64, 1_000_000] {
        let dir = filled(n);
        group.throughput(Throughput::Elements(n));
        group.bench_function(BenchmarkId::new("bitcask-hints", n), |b| {
            b.iter(|| {
                Bitcask::open_read_only(dir.path(), Options::default())
                    .expect("open")
                    .len()
            })
        });
        // The same cask without its hint files: every data file is scanned.
        for entry in std::fs::read_dir(dir.path()).expect("list") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "hint") {
                std::fs::remove_file(path).expect("remove hint");
            }
        }
        group.bench_function(BenchmarkId::new("bitcask-scan", n), |b| {
            b.iter(|| {
                Bitcask::open_read_only(dir.path(), Options::default())
                    .expect("open")
                    .len()
            })
        });
    }
    group.finish();
}

fn merge(c: &mut Criterion) {
    let mut group = c.benchmark_group("merge");
    group.sample_size(10);
    let n = 100_000u64;
    group.throughput(Throughput::Elements(n));
    group.bench_function(BenchmarkId::new("bitcask", n), |b| {
        b.iter_batched(
            || {
                // n live keys, each written twice: half the bytes are dead.
                let dir = filled(n);
                let mut db = Bitcask::open(dir.path(), Options::default()).expect("open");
                for i in 0..n {
                    db.put(&key(i), &VALUE).expect("put");
                }
                db.close().expect("close");
                let db = Bitcask::open(dir.path(), Options::default()).expect("open");
                (dir, db)
            },
            |(_dir, mut db)| db.merge().expect("merge").entries_copied,
            criterion::BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, seq_put, rnd_get, reopen, merge);
criterion_main!(benches);
