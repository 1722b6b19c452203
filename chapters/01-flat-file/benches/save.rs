//! What a flat file costs: every save rewrites every entry, so changing one key
//! costs as much as changing them all. Run with `cargo bench -p strata-flat-file`.
//!
//! Workload names are shared across chapters, and each benchmark's name starts
//! with the engine's (`flat-file`): `save-one-change/flat-file/N` changes one
//! key in a map of N entries and saves; `reopen/flat-file/N` opens a saved file
//! of N entries.

// criterion's macros define undocumented public functions.
#![allow(missing_docs)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use strata_flat_file::FlatFile;

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];
const VALUE_LEN: usize = 100;

/// A store of `n` entries with 16-byte keys and 100-byte values, saved.
fn filled(dir: &std::path::Path, n: usize) -> FlatFile {
    let mut db = FlatFile::open(dir.join(format!("bench-{n}.strata"))).expect("open");
    for i in 0..n {
        db.put(format!("key-{i:012}"), vec![b'v'; VALUE_LEN]);
    }
    db.save().expect("save");
    db
}

fn save(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut group = c.benchmark_group("save-one-change");
    group.sample_size(10);
    for n in SIZES {
        let mut db = filled(dir.path(), n);
        group.throughput(Throughput::Elements(1));
        group.bench_function(BenchmarkId::new("flat-file", n), |b| {
            let mut i = 0u64;
            b.iter(|| {
                i += 1;
                db.put("key-000000000000", i.to_le_bytes());
                db.save().expect("save");
            })
        });
    }
    group.finish();
}

fn reopen(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut group = c.benchmark_group("reopen");
    group.sample_size(10);
    for n in SIZES {
        let path = filled(dir.path(), n).path().to_path_buf();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::new("flat-file", n), |b| {
            b.iter(|| FlatFile::open(&path).expect("open").len())
        });
    }
    group.finish();
}

criterion_group!(benches, save, reopen);
criterion_main!(benches);
