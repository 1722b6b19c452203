//! `bbolt bench` on strata-bptree: the same modes, flags, keys and output as
//! `interop/boltbench` (which runs them on Go's bbolt 1.3.6), so the two can be
//! compared line for line. `cargo xtask bptree-vs-bbolt` runs both.
//!
//! ```text
//! cargo run --release -p strata-bptree --example bench -- \
//!     -count 20000 -batch-size 5000 -write-mode rnd -read-mode rnd
//! # Write  20000(ops)  48.451371ms  (2.422µs/op)  (412881 op/sec)
//! # Read   1200000(ops)  1.012436978s  (843ns/op)  (1186239 op/sec)
//! ```
//!
//! (The fields are separated by tabs; the figures are from one run on a
//! two-CPU machine.)
//!
//! One run writes `-count` keys in transactions of `-batch-size` puts, then
//! reads them back in one read transaction, pass after pass until a second has
//! gone by. Keys are `-key-size` bytes whose first four hold a big-endian
//! `u32` (the rest are zero): 1, 2, 3... for the `seq` modes, random for the
//! `rnd` modes. Values are `-value-size` zero bytes. The nested modes give each
//! transaction a sub-bucket of the `bench` bucket, named by the next key from
//! the same source. Random keys and the random-read order come from the same
//! splitmix64 generator as the Go program's, seeded by `-seed`, so both
//! implementations write and read exactly the same keys.

use std::error::Error as StdError;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use strata_bptree::{BucketMut, DB, Options};

const USAGE: &str = "\
usage: bench [flags]

flags (as bbolt bench's):
  -write-mode seq|rnd|seq-nest|rnd-nest   how keys are made and where they go (default seq)
  -read-mode seq|rnd                      cursor over every key, or get each in random order (default seq)
  -count N                                keys to write (default 1000)
  -batch-size N                           puts per transaction; must divide -count (default: -count)
  -key-size N                             key bytes, at least 4 (default 8)
  -value-size N                           value bytes (default 32)
  -fill-percent F                         the buckets' fill percent (default 0.5)
  -no-sync                                skip the syncs at commit
  -path FILE                              the database file (default: a new file in the temp dir)
  -work                                   keep the file and print its path
  -seed N                                 seed of the random keys (default 1)
";

const BENCH_BUCKET: &[u8] = b"bench";

type Res<T> = Result<T, Box<dyn StdError>>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args = match Args::parse(&args) {
        Ok(args) => args,
        Err(message) => {
            eprint!("bench: {message}\n{USAGE}");
            return ExitCode::from(64);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench: {error}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum WriteMode {
    Seq,
    Rnd,
    SeqNest,
    RndNest,
}

impl WriteMode {
    fn nested(self) -> bool {
        matches!(self, WriteMode::SeqNest | WriteMode::RndNest)
    }

    fn random(self) -> bool {
        matches!(self, WriteMode::Rnd | WriteMode::RndNest)
    }
}

#[derive(Debug)]
struct Args {
    write_mode: WriteMode,
    random_reads: bool,
    count: usize,
    batch_size: usize,
    key_size: usize,
    value_size: usize,
    fill_percent: f64,
    no_sync: bool,
    path: PathBuf,
    work: bool,
    seed: u64,
}

impl Args {
    /// Parses Go-style flags: `-name value`, `-name=value`, `--name` too, and
    /// bare booleans (`-no-sync`).
    fn parse(args: &[String]) -> Result<Args, String> {
        let mut parsed = Args {
            write_mode: WriteMode::Seq,
            random_reads: false,
            count: 1000,
            batch_size: 0,
            key_size: 8,
            value_size: 32,
            fill_percent: 0.5,
            no_sync: false,
            path: PathBuf::new(),
            work: false,
            seed: 1,
        };
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            let flag = arg.trim_start_matches('-');
            if flag.len() == arg.len() || flag.is_empty() {
                return Err(format!("unexpected argument {arg:?}"));
            }
            let (name, inline) = match flag.split_once('=') {
                Some((name, value)) => (name, Some(value.to_string())),
                None => (flag, None),
            };
            if matches!(name, "no-sync" | "work") {
                let on = match inline.as_deref() {
                    None | Some("true") => true,
                    Some("false") => false,
                    Some(other) => return Err(format!("invalid boolean {other:?} for -{name}")),
                };
                if name == "work" {
                    parsed.work = on;
                } else {
                    parsed.no_sync = on;
                }
                continue;
            }
            let value = match inline {
                Some(value) => value,
                None => rest
                    .next()
                    .cloned()
                    .ok_or_else(|| format!("flag needs an argument: -{name}"))?,
            };
            let number = |value: &str| {
                value
                    .parse::<usize>()
                    .map_err(|_| format!("invalid value {value:?} for -{name}"))
            };
            match name {
                "write-mode" => {
                    parsed.write_mode = match value.as_str() {
                        "seq" => WriteMode::Seq,
                        "rnd" => WriteMode::Rnd,
                        "seq-nest" => WriteMode::SeqNest,
                        "rnd-nest" => WriteMode::RndNest,
                        _ => return Err(format!("invalid write mode: {value}")),
                    }
                }
                "read-mode" => {
                    parsed.random_reads = match value.as_str() {
                        "seq" => false,
                        "rnd" => true,
                        _ => return Err(format!("invalid read mode: {value}")),
                    }
                }
                "count" => parsed.count = number(&value)?,
                "batch-size" => parsed.batch_size = number(&value)?,
                "key-size" => parsed.key_size = number(&value)?,
                "value-size" => parsed.value_size = number(&value)?,
                "seed" => {
                    parsed.seed = value
                        .parse()
                        .map_err(|_| format!("invalid value {value:?} for -seed"))?
                }
                "fill-percent" => {
                    parsed.fill_percent = value
                        .parse()
                        .map_err(|_| format!("invalid value {value:?} for -fill-percent"))?
                }
                "path" => parsed.path = PathBuf::from(value),
                _ => return Err(format!("flag provided but not defined: -{name}")),
            }
        }
        if parsed.count == 0 {
            return Err("-count must be positive".into());
        }
        if parsed.key_size < 4 {
            return Err("-key-size must be at least 4 (a u32 is written into each key)".into());
        }
        if parsed.batch_size == 0 {
            parsed.batch_size = parsed.count;
        } else if !parsed.count.is_multiple_of(parsed.batch_size) {
            return Err("number of iterations must be divisible by the batch size".into());
        }
        if parsed.path.as_os_str().is_empty() {
            parsed.path = std::env::temp_dir().join(format!("bench-{}.db", std::process::id()));
        }
        Ok(parsed)
    }
}

/// One phase's result: how many operations, and how long they took.
struct Phase {
    ops: u64,
    duration: Duration,
}

impl Phase {
    /// The phase as bbolt bench prints it: count, total time, time per
    /// operation, operations per second (both in whole nanoseconds, as Go).
    fn line(&self, name: &str) -> String {
        let total = self.duration.as_nanos();
        let per_op = total.checked_div(u128::from(self.ops)).unwrap_or(0);
        let per_second = 1_000_000_000u128.checked_div(per_op).unwrap_or(0);
        format!(
            "# {name}\t{}(ops)\t{}\t({}/op)\t({per_second} op/sec)",
            self.ops,
            go_duration(total),
            go_duration(per_op)
        )
    }
}

/// A duration as Go's `time.Duration.String` writes it: `25ns`, `2.085µs`,
/// `66.581508ms`, `1.000247168s`, `1m2.5s`.
fn go_duration(ns: u128) -> String {
    // `whole.fraction` with the fraction's trailing zeros dropped.
    fn decimal(value: u128, unit: u128, digits: usize) -> String {
        let (whole, fraction) = (value / unit, value % unit);
        if fraction == 0 {
            return whole.to_string();
        }
        let fraction = format!("{fraction:0digits$}");
        format!("{whole}.{}", fraction.trim_end_matches('0'))
    }
    const SECOND: u128 = 1_000_000_000;
    match ns {
        0 => "0s".to_string(),
        n if n < 1_000 => format!("{n}ns"),
        n if n < 1_000_000 => format!("{}µs", decimal(n, 1_000, 3)),
        n if n < SECOND => format!("{}ms", decimal(n, 1_000_000, 6)),
        n => {
            let (hours, minutes) = (n / (3600 * SECOND), n / (60 * SECOND) % 60);
            let seconds = format!("{}s", decimal(n % (60 * SECOND), SECOND, 9));
            match (hours, minutes) {
                (0, 0) => seconds,
                (0, m) => format!("{m}m{seconds}"),
                (h, m) => format!("{h}h{m}m{seconds}"),
            }
        }
    }
}

/// splitmix64: the random key source (and shuffle) shared with the Go program.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (n > 0; modulo bias is irrelevant here).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Where keys come from: a counter from 1, or random `u32`s (the high half of
/// each splitmix64 output).
enum KeySource<'r> {
    Counter(u32),
    Random(&'r mut SplitMix64),
}

impl KeySource<'_> {
    /// Writes the next key into `key`: a big-endian `u32`, then zeros.
    fn fill(&mut self, key: &mut [u8]) {
        let n = match self {
            KeySource::Counter(i) => {
                *i = i.wrapping_add(1);
                *i
            }
            KeySource::Random(rng) => (rng.next() >> 32) as u32,
        };
        key[..4].copy_from_slice(&n.to_be_bytes());
    }
}

/// A key to read back, and the sub-bucket it went to in the nested modes.
struct NestedKey {
    bucket: Option<Vec<u8>>,
    key: Vec<u8>,
}

fn run(args: &Args) -> Res<()> {
    if args.work {
        eprintln!("work: {}", args.path.display());
    }
    let result = bench(args);
    if !args.work {
        let _ = std::fs::remove_file(&args.path);
    }
    let (write, read) = result?;
    println!("{}", write.line("Write"));
    println!("{}", read.line("Read"));
    Ok(())
}

fn bench(args: &Args) -> Res<(Phase, Phase)> {
    let db = DB::open(
        &args.path,
        Options {
            no_sync: args.no_sync,
            ..Options::default()
        },
    )?;
    let mut rng = SplitMix64(args.seed);
    let (write, mut keys) = run_writes(&db, args, &mut rng).map_err(|e| format!("write: {e}"))?;
    for i in (1..keys.len()).rev() {
        let j = rng.below(i + 1);
        keys.swap(i, j);
    }
    let read = run_reads(&db, args, &keys).map_err(|e| format!("read: {e}"))?;
    Ok((write, read))
}

/// Writes every key, one transaction per batch. Returns the keys written, in
/// order, when the reads will look them up (`-read-mode rnd`).
fn run_writes(db: &DB, args: &Args, rng: &mut SplitMix64) -> Res<(Phase, Vec<NestedKey>)> {
    let mut source = if args.write_mode.random() {
        KeySource::Random(rng)
    } else {
        KeySource::Counter(0)
    };
    let mut keys = Vec::with_capacity(if args.random_reads { args.count } else { 0 });
    let value = vec![0u8; args.value_size];
    let mut key = vec![0u8; args.key_size];
    let start = Instant::now();
    for _ in 0..args.count / args.batch_size {
        db.update(|tx| {
            let mut top = tx.create_bucket_if_not_exists(BENCH_BUCKET)?;
            top.set_fill_percent(args.fill_percent);
            if !args.write_mode.nested() {
                return put_batch(
                    &mut top,
                    args,
                    &mut source,
                    &mut key,
                    &value,
                    None,
                    &mut keys,
                );
            }
            let mut name = vec![0u8; args.key_size];
            source.fill(&mut name);
            let mut bucket = top.create_bucket_if_not_exists(&name)?;
            bucket.set_fill_percent(args.fill_percent);
            put_batch(
                &mut bucket,
                args,
                &mut source,
                &mut key,
                &value,
                Some(&name),
                &mut keys,
            )
        })?;
    }
    let phase = Phase {
        ops: args.count as u64,
        duration: start.elapsed(),
    };
    Ok((phase, keys))
}

/// One transaction's puts.
fn put_batch(
    bucket: &mut BucketMut<'_>,
    args: &Args,
    source: &mut KeySource<'_>,
    key: &mut [u8],
    value: &[u8],
    name: Option<&[u8]>,
    keys: &mut Vec<NestedKey>,
) -> strata_bptree::Result<()> {
    for _ in 0..args.batch_size {
        source.fill(key);
        bucket.put(key, value)?;
        if args.random_reads {
            keys.push(NestedKey {
                bucket: name.map(<[u8]>::to_vec),
                key: key.to_vec(),
            });
        }
    }
    Ok(())
}

/// Reads in one read transaction, repeating the whole pass until a second has
/// gone by.
/// How many read windows of at least a second run; the fastest is reported.
/// One-second runs on a shared machine vary by a fifth; the Go program does
/// the same.
const READ_WINDOWS: usize = 3;

/// Reads in [`READ_WINDOWS`] windows and reports the fastest.
fn run_reads(db: &DB, args: &Args, keys: &[NestedKey]) -> Res<Phase> {
    let mut best: Option<Phase> = None;
    for _ in 0..READ_WINDOWS {
        let phase = read_window(db, args, keys)?;
        let rate = |p: &Phase| p.ops as f64 / p.duration.as_secs_f64();
        if best.as_ref().is_none_or(|b| rate(&phase) > rate(b)) {
            best = Some(phase);
        }
    }
    best.ok_or_else(|| "no read window ran".into())
}

/// Reads every key, pass after pass in one read transaction, for at least a
/// second.
fn read_window(db: &DB, args: &Args, keys: &[NestedKey]) -> Res<Phase> {
    let start = Instant::now();
    let tx = db.begin_read();
    let top = tx.bucket(BENCH_BUCKET)?.ok_or("no bench bucket")?;
    let mut ops = 0u64;
    loop {
        let mut n = 0usize;
        if args.random_reads {
            for k in keys {
                let bucket = match &k.bucket {
                    Some(name) => top.bucket(name)?.ok_or("no such sub-bucket")?,
                    None => top,
                };
                bucket.get(&k.key)?.ok_or("invalid value")?;
                n += 1;
            }
        } else if args.write_mode.nested() {
            let mut names = top.cursor();
            let mut name = names.first()?;
            while let Some(entry) = name {
                let bucket = top.bucket(entry.key)?.ok_or("not a sub-bucket")?;
                n += count_values(&bucket)?;
                name = names.next()?;
            }
        } else {
            n += count_values(&top)?;
        }
        // Sequential keys never collide, so every key must have been read.
        if !args.write_mode.random() && n != args.count {
            return Err(format!("iter mismatch: expected {}, got {n}", args.count).into());
        }
        ops += n as u64;
        if start.elapsed() >= Duration::from_secs(1) {
            break;
        }
    }
    drop(tx);
    Ok(Phase {
        ops,
        duration: start.elapsed(),
    })
}

/// Walks a bucket with a cursor, counting its values (a sub-bucket is an error).
fn count_values(bucket: &strata_bptree::Bucket<'_>) -> Res<usize> {
    let mut n = 0;
    let mut cursor = bucket.cursor();
    let mut entry = cursor.first()?;
    while let Some(e) = entry {
        if e.is_bucket() {
            return Err("invalid value".into());
        }
        n += 1;
        entry = cursor.next()?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_as_go_prints_them() {
        assert_eq!(go_duration(0), "0s");
        assert_eq!(go_duration(25), "25ns");
        assert_eq!(go_duration(2_085), "2.085µs");
        assert_eq!(go_duration(3_000), "3µs");
        assert_eq!(go_duration(66_581_508), "66.581508ms");
        assert_eq!(go_duration(1_000_247_168), "1.000247168s");
        assert_eq!(go_duration(62_500_000_000), "1m2.5s");
        assert_eq!(go_duration(3_600_000_000_000), "1h0m0s");
    }
}
