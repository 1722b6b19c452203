//! `bench`: bbolt bench's workload and report, on any engine. Writes
//! `--count` keys in batches of `--batch-size` (one sync per batch unless
//! `--no-sync`), in sequential or shuffled order, then reads them all back
//! (a scan for `--read-mode seq`, gets in shuffled order for `rnd`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::json;
use strata::{Batch, Capability, Engine, Options, Store, SyncPolicy};

use super::Context;
use crate::args::{BenchArgs, Order};
use crate::failure::{Failure, Result};
use crate::output::Output;
use crate::progress;

pub fn bench(at: &Context, args: &BenchArgs, out: &mut Output) -> Result<u8> {
    if args.key_size < 8 {
        return Err(Failure::Usage("--key-size must be at least 8".into()));
    }
    if args.work && args.path.is_none() {
        return Err(Failure::Usage(
            "--work keeps the database: give --path".into(),
        ));
    }
    let engine = at.engine().unwrap_or(Engine::Bptree);
    let path = args.path.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("strata-bench-{}", std::process::id()))
    });
    let options = Options::new()
        .sync(SyncPolicy::OnFlush)
        .bucket(at.bucket().to_vec());
    let store = Store::create(&path, engine, options)?;
    let result = run(&store, args, out.is_json());
    store.close()?;
    if !args.work {
        remove(&path);
    }
    let (write, read) = result?;
    for (name, took) in [("Write", write), ("Read", read)] {
        let per_op = took / u32::try_from(args.count.max(1)).unwrap_or(u32::MAX);
        let rate = args.count as f64 / took.as_secs_f64().max(f64::MIN_POSITIVE);
        out.line(format!(
            "# {name}\t{took:?}\t({per_op:?}/op)\t({rate:.0} op/sec)"
        ));
    }
    let report = |took: Duration| {
        json!({ "ns": took.as_nanos() as u64,
            "ops_per_sec": args.count as f64 / took.as_secs_f64().max(f64::MIN_POSITIVE) })
    };
    out.json(json!({ "engine": engine.name(), "count": args.count,
        "write": report(write), "read": report(read) }));
    Ok(0)
}

fn remove(path: &PathBuf) {
    let _ = if path.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
}

/// The write phase and the read phase, timed.
fn run(store: &Store, args: &BenchArgs, json: bool) -> Result<(Duration, Duration)> {
    let key = |i: u64| {
        let mut key = vec![0u8; args.key_size];
        key[args.key_size - 8..].copy_from_slice(&i.to_be_bytes());
        key
    };
    let value = vec![b'v'; args.value_size];
    let order = |mode: Order| match mode {
        Order::Seq => (0..args.count).collect::<Vec<_>>(),
        Order::Rnd => shuffled(args.count),
    };
    let batches = store.capabilities().contains(Capability::AtomicBatches);

    let bar = progress::bar(Some(args.count), "writing", json);
    let writes = order(args.write_mode);
    let start = Instant::now();
    for chunk in writes.chunks(args.batch_size.max(1) as usize) {
        if batches {
            let batch = chunk
                .iter()
                .fold(Batch::new(), |batch, &i| batch.put(key(i), value.clone()));
            store.write(&batch)?;
        } else {
            for &i in chunk {
                store.put(key(i), &value)?;
            }
        }
        if !args.no_sync {
            store.flush()?;
        }
        bar.inc(chunk.len() as u64);
    }
    store.flush()?;
    let write = start.elapsed();
    bar.finish_and_clear();

    let start = Instant::now();
    let mut found = 0u64;
    match args.read_mode {
        Order::Seq => {
            for entry in store.entries()? {
                entry?;
                found += 1;
            }
        }
        Order::Rnd => {
            for i in order(Order::Rnd) {
                found += u64::from(store.get(key(i))?.is_some());
            }
        }
    }
    let read = start.elapsed();
    if found != args.count {
        return Err(Failure::Usage(format!(
            "read {found} keys back of the {} written",
            args.count
        )));
    }
    Ok((write, read))
}

/// `0..n` in a shuffled order, the same every run (Fisher-Yates over an
/// xorshift generator: a benchmark needs no better randomness).
fn shuffled(n: u64) -> Vec<u64> {
    let mut all: Vec<u64> = (0..n).collect();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for i in (1..all.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        all.swap(i, (state % (i as u64 + 1)) as usize);
    }
    all
}
