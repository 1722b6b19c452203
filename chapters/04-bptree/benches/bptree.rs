//! What the B+tree costs. Run with `cargo bench -p strata-bptree` (add
//! `-- rnd-get` to run one group), then `cargo xtask bench-report
//! strata-bptree` for the book's table. The comparison with Go's bbolt is a
//! separate program, `examples/bench.rs`, run by `cargo xtask bptree-vs-bbolt`.
//!
//! Workload names are shared across chapters, and each benchmark's name starts
//! with the engine's (`bptree`). Keys are 8-byte big-endian numbers (as
//! `bbolt bench` makes them), values 100 bytes (as the other chapters' benches):
//!
//! - `seq-put/bptree-always/<b>` and `seq-put/bptree-never/<b>`: transactions
//!   of b puts of ascending keys, each committed with a sync (`always`, the
//!   default) or without (`never`: `Options::no_sync`), into a file that grows
//!   as the benchmark runs; throughput counts puts;
//! - `rnd-put/bptree-always/<b>`: the same with random keys, so each
//!   transaction touches leaves all over the tree;
//! - `rnd-get/bptree/100000`: random reads in one read transaction from a file
//!   of 100,000 keys, the file in the page cache;
//! - `scan/bptree/100000`: one cursor pass over those 100,000 keys;
//! - `reopen/bptree/<n>`: opening a file of n keys for writing (the meta pages
//!   and the freelist are read; nothing else is).

// criterion's macros define undocumented public functions.
#![allow(missing_docs)]

use std::path::Path;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use strata_bptree::{DB, Options};

const VALUE: [u8; 100] = [b'v'; 100];
const BUCKET: &[u8] = b"bench";

fn key(i: u64) -> [u8; 8] {
    i.to_be_bytes()
}

/// xorshift64: a cheap random key order.
fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

fn no_sync() -> Options {
    Options {
        no_sync: true,
        ..Options::default()
    }
}

/// A closed file of `n` ascending keys, written in transactions of 10,000.
fn fill(path: &Path, n: u64) {
    let db = DB::open(path, no_sync()).expect("open");
    for start in (0..n).step_by(10_000) {
        db.update(|tx| {
            let mut bucket = tx.create_bucket_if_not_exists(BUCKET)?;
            for i in start..(start + 10_000).min(n) {
                bucket.put(&key(i), &VALUE)?;
            }
            Ok(())
        })
        .expect("fill");
    }
}

fn seq_put(c: &mut Criterion) {
    let mut group = c.benchmark_group("seq-put");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(4));
    for (name, options) in [
        ("bptree-always", Options::default()),
        ("bptree-never", no_sync()),
    ] {
        for batch in [1u64, 1_000, 10_000] {
            let dir = tempfile::tempdir().expect("tempdir");
            let db = DB::open(dir.path().join("seq.db"), options.clone()).expect("open");
            let mut next = 0u64;
            group.throughput(Throughput::Elements(batch));
            group.bench_function(BenchmarkId::new(name, batch), |b| {
                b.iter(|| {
                    db.update(|tx| {
                        let mut bucket = tx.create_bucket_if_not_exists(BUCKET)?;
                        for _ in 0..batch {
                            next += 1;
                            bucket.put(&key(next), &VALUE)?;
                        }
                        Ok(())
                    })
                    .expect("put")
                })
            });
        }
    }
    group.finish();
}

fn rnd_put(c: &mut Criterion) {
    let mut group = c.benchmark_group("rnd-put");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(4));
    for batch in [1u64, 1_000, 10_000] {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = DB::open(dir.path().join("rnd.db"), Options::default()).expect("open");
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        group.throughput(Throughput::Elements(batch));
        group.bench_function(BenchmarkId::new("bptree-always", batch), |b| {
            b.iter(|| {
                db.update(|tx| {
                    let mut bucket = tx.create_bucket_if_not_exists(BUCKET)?;
                    for _ in 0..batch {
                        bucket.put(&key(xorshift(&mut x)), &VALUE)?;
                    }
                    Ok(())
                })
                .expect("put")
            })
        });
    }
    group.finish();
}

fn rnd_get(c: &mut Criterion) {
    let mut group = c.benchmark_group("rnd-get");
    let n = 100_000;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("get.db");
    fill(&path, n);
    let db = DB::open(&path, Options::read_only()).expect("open");
    let tx = db.begin_read();
    let bucket = tx.bucket(BUCKET).expect("read").expect("bucket");
    group.throughput(Throughput::Elements(1));
    group.bench_function(BenchmarkId::new("bptree", n), |b| {
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        b.iter(|| {
            let value = bucket.get(&key(xorshift(&mut x) % n)).expect("get");
            value.expect("every key is there").len()
        })
    });
    group.finish();
}

fn scan(c: &mut Criterion) {
    let mut group = c.benchmark_group("scan");
    let n = 100_000;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("scan.db");
    fill(&path, n);
    let db = DB::open(&path, Options::read_only()).expect("open");
    group.throughput(Throughput::Elements(n));
    group.bench_function(BenchmarkId::new("bptree", n), |b| {
        b.iter(|| {
            let tx = db.begin_read();
            let bucket = tx.bucket(BUCKET).expect("read").expect("bucket");
            let mut cursor = bucket.cursor();
            let mut entry = cursor.first().expect("first");
            let mut count = 0u64;
            while let Some(e) = entry {
                count += e.value.len() as u64;
                entry = cursor.next().expect("next");
            }
            assert_eq!(count, n * VALUE.len() as u64);
        })
    });
    group.finish();
}

fn reopen(c: &mut Criterion) {
    let mut group = c.benchmark_group("reopen");
    group.sample_size(10);
    for n in [100_000u64, 1_000_000] {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("reopen.db");
        fill(&path, n);
        group.throughput(Throughput::Elements(n));
        group.bench_function(BenchmarkId::new("bptree", n), |b| {
            b.iter(|| {
                DB::open(&path, Options::default())
                    .expect("open")
                    .page_size()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, seq_put, rnd_put, rnd_get, scan, reopen);
criterion_main!(benches);
