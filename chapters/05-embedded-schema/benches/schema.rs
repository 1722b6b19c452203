//! What the typed store costs, measured side by side with db-rs 0.3 (the crate
//! this chapter follows) on the same workload. Run with `cargo bench -p
//! strata-schema` (add `-- rnd-get` to run one group), then `cargo xtask
//! bench-report strata-schema` for the book's table of strata-schema's own
//! figures; `cargo xtask schema-vs-dbrs` runs them and writes that table and
//! the comparison with db-rs.
//!
//! Both schemas are one `LookupTable<u64, File>`, where a `File` is a small
//! record (a parent id, a name of about 12 bytes, a size), keyed by ascending
//! ids. db-rs never fsyncs, so it is compared with `SyncPolicy::Never`
//! (`schema-never`); `SyncPolicy::Always` (`schema-always`, the default) is
//! measured too, for what durability costs. Each benchmark's name starts with
//! its engine's: `schema-...` or `db-rs`.
//!
//! - `seq-put/<engine>/1`: 10,000 inserts into an empty database, each its own
//!   write (an insert outside a transaction is one record in both crates);
//!   `schema-always` does 1,000, one fsync each;
//! - `seq-put/<engine>/1000`: 100,000 inserts into an empty database, in 100
//!   transactions of 1,000;
//! - `rnd-get/<engine>/100000`: one get of a random id from a database of
//!   100,000 records, reopened from its folder;
//! - `reopen/<engine>/100000`: opening that database (reading and replaying
//!   its whole log into the tables) and closing it.
//!
//! Throughput counts inserts, gets or records. The put benchmarks time only
//! the inserts: each iteration opens a fresh database and makes the records
//! beforehand, and closes the database and removes its folder afterwards.

// criterion's macros define undocumented public functions.
#![allow(missing_docs)]

use std::path::Path;

use criterion::{
    BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use db_rs::Db as _;
use serde::{Deserialize, Serialize};
use strata_schema::{Config, LookupTable, SyncPolicy};
use tempfile::TempDir;

/// A small record, like a file's metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct File {
    parent: u64,
    name: String,
    size: u64,
}

/// The record stored under id `i`.
fn file(i: u64) -> File {
    File {
        parent: i / 100,
        name: format!("file-{i}.md"),
        size: i * 7 % 65_536,
    }
}

/// Records `0..n`, made before the clock starts.
fn files(n: u64) -> Vec<(u64, File)> {
    (0..n).map(|i| (i, file(i))).collect()
}

/// xorshift64: a cheap random order.
fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

#[derive(strata_schema::Schema)]
struct Strata {
    files: LookupTable<u64, File>,
}

#[derive(db_rs_derive::Schema)]
struct DbRs {
    files: db_rs::LookupTable<u64, File>,
}

/// The engines compared, each named as its benchmarks are.
#[derive(Debug, Clone, Copy)]
enum Engine {
    /// strata-schema with a sync policy.
    Strata(&'static str, SyncPolicy),
    /// db-rs 0.3 (which never fsyncs).
    DbRs,
}

impl Engine {
    const ALL: [Engine; 3] = [
        Engine::DbRs,
        Engine::Strata("schema-never", SyncPolicy::Never),
        Engine::Strata("schema-always", SyncPolicy::Always),
    ];

    fn name(self) -> &'static str {
        match self {
            Engine::Strata(name, _) => name,
            Engine::DbRs => "db-rs",
        }
    }
}

/// An open database of either crate.
enum Open {
    Strata(Strata),
    DbRs(DbRs),
}

fn open_strata(dir: &Path, sync: SyncPolicy) -> Strata {
    Strata::open(Config::in_folder(dir).sync(sync)).expect("open strata-schema")
}

fn open_dbrs(dir: &Path) -> DbRs {
    DbRs::init(db_rs::Config::in_folder(dir)).expect("open db-rs")
}

impl Open {
    fn new(engine: Engine, dir: &Path) -> Open {
        match engine {
            Engine::Strata(_, sync) => Open::Strata(open_strata(dir, sync)),
            Engine::DbRs => Open::DbRs(open_dbrs(dir)),
        }
    }

    /// Inserts `records` in transactions of `batch` (each insert on its own
    /// when `batch` is 1).
    fn insert(&mut self, records: Vec<(u64, File)>, batch: usize) {
        match self {
            Open::Strata(db) if batch == 1 => {
                for (id, file) in records {
                    db.files.insert(id, file).expect("insert");
                }
            }
            Open::Strata(db) => {
                let mut records = records.into_iter();
                while records.len() > 0 {
                    let chunk = records.by_ref().take(batch);
                    db.transaction(|db| {
                        for (id, file) in chunk {
                            db.files.insert(id, file)?;
                        }
                        Ok(())
                    })
                    .expect("transaction");
                }
            }
            Open::DbRs(db) if batch == 1 => {
                for (id, file) in records {
                    db.files.insert(id, file).expect("insert");
                }
            }
            Open::DbRs(db) => {
                let mut records = records.into_iter();
                while records.len() > 0 {
                    let tx = db.begin_transaction().expect("begin");
                    for (id, file) in records.by_ref().take(batch) {
                        db.files.insert(id, file).expect("insert");
                    }
                    tx.drop_safely().expect("commit");
                }
            }
        }
    }

    fn get(&self, id: u64) -> Option<&File> {
        match self {
            Open::Strata(db) => db.files.get(&id),
            Open::DbRs(db) => db.files.get().get(&id),
        }
    }

    fn len(&self) -> usize {
        match self {
            Open::Strata(db) => db.files.len(),
            Open::DbRs(db) => db.files.get().len(),
        }
    }
}

/// A closed database of records `0..n`, written in transactions of 1,000.
fn filled(engine: Engine, n: u64) -> TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    Open::new(engine, dir.path()).insert(files(n), 1_000);
    dir
}

fn seq_put(c: &mut Criterion) {
    let mut group = c.benchmark_group("seq-put");
    // Every iteration is the same work from an empty database.
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    for (batch, count) in [(1usize, 10_000u64), (1_000, 100_000)] {
        for engine in Engine::ALL {
            // One fsync per insert: a smaller count keeps the run short.
            let count = match engine {
                Engine::Strata(_, SyncPolicy::Always) if batch == 1 => 1_000,
                _ => count,
            };
            group.throughput(Throughput::Elements(count));
            group.bench_function(BenchmarkId::new(engine.name(), batch), |b| {
                b.iter_batched(
                    || {
                        let dir = tempfile::tempdir().expect("tempdir");
                        let db = Open::new(engine, dir.path());
                        (db, files(count), dir)
                    },
                    |(mut db, records, dir)| {
                        db.insert(records, batch);
                        (db, dir)
                    },
                    BatchSize::PerIteration,
                )
            });
        }
    }
    group.finish();
}

fn rnd_get(c: &mut Criterion) {
    let mut group = c.benchmark_group("rnd-get");
    let n = 100_000;
    group.throughput(Throughput::Elements(1));
    for engine in [Engine::DbRs, Engine::Strata("schema", SyncPolicy::Never)] {
        let dir = filled(engine, n);
        let db = Open::new(engine, dir.path());
        assert_eq!(db.len() as u64, n);
        group.bench_function(BenchmarkId::new(engine.name(), n), |b| {
            let mut x = 0x2545_f491_4f6c_dd1d_u64;
            b.iter(|| {
                let id = xorshift(&mut x) % n;
                db.get(id).expect("every id is there").size
            })
        });
    }
    group.finish();
}

fn reopen(c: &mut Criterion) {
    let mut group = c.benchmark_group("reopen");
    group.sample_size(10);
    let n = 100_000;
    group.throughput(Throughput::Elements(n));
    for engine in [Engine::DbRs, Engine::Strata("schema", SyncPolicy::Never)] {
        let dir = filled(engine, n);
        group.bench_function(BenchmarkId::new(engine.name(), n), |b| {
            // Each database is closed (its folder unlocked) before the next open.
            b.iter(|| Open::new(engine, dir.path()).len())
        });
    }
    group.finish();
}

criterion_group!(benches, seq_put, rnd_get, reopen);
criterion_main!(benches);
