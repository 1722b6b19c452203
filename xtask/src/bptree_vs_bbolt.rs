//! `cargo xtask bptree-vs-bbolt [--count N] [--quick] [--no-sync]`: runs `bbolt bench`'s modes
//! on Go's bbolt 1.3.6 (`chapters/04-bptree/interop/boltbench`) and on strata-bptree
//! (`chapters/04-bptree/examples/bench.rs`), alternating the two on the same machine, and writes
//! the comparison the book includes (book/src/generated/strata-bptree-vs-bbolt.md).
//!
//! Every write mode (`seq`, `rnd`, `seq-nest`, `rnd-nest`) runs at every batch size of 5,000,
//! 10,000, 50,000 and 100,000 that divides the count, once with each read mode (`seq`, `rnd`).
//! A run writes the keys and then reads them, so each configuration yields two write figures
//! (the table shows the faster) and one figure per read mode. Both programs take the same flags
//! and seed, so they write exactly the same keys. Syncs stay on, as in `bbolt bench`, unless
//! `--no-sync`. The database files live under the cargo target directory, never in a tmpfs.
//!
//! The default 100,000 keys take about five minutes on two cores, most of it Go's random writes
//! in batches of 100,000; `--quick` (50,000 keys, no batch of 100,000) about a minute and a half.
//!
//! Owns the runs and the table; the two benchmark programs own what is measured.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Result;
use crate::figures::{si, thousands};
use crate::process;
use crate::workspace;
use crate::workspace::target_dir;

/// Where Debian installs Go libraries: the GOPATH the Go program builds in (offline).
const GOPATH: &str = "/usr/share/gocode";
/// The file that shows bbolt's sources are installed.
const BBOLT_SOURCE: &str = "/usr/share/gocode/src/go.etcd.io/bbolt/db.go";
/// The Go program's package, relative to the repository root.
const GO_PACKAGE: &str = "./chapters/04-bptree/interop/boltbench";

const WRITE_MODES: [&str; 4] = ["seq", "rnd", "seq-nest", "rnd-nest"];
const READ_MODES: [&str; 2] = ["seq", "rnd"];
const BATCH_SIZES: [u64; 4] = [5_000, 10_000, 50_000, 100_000];
const DEFAULT_COUNT: u64 = 100_000;
const QUICK_COUNT: u64 = 50_000;
/// Both programs draw their random keys from this seed.
const SEED: u64 = 1;
/// `bbolt bench`'s page size is the OS page's; strata's default is the same 4 KiB.
const PAGE_SIZE: u32 = 4096;

/// What `cargo xtask bptree-vs-bbolt` was asked to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Keys written per run.
    pub count: u64,
    /// `--quick`: a smaller default count.
    pub quick: bool,
    /// `--no-sync`: commits skip their syncs in both programs.
    pub no_sync: bool,
}

impl Options {
    /// Parses `[--count N] [--quick] [--no-sync]`.
    pub fn parse(args: &[String]) -> Result<Options> {
        let mut count = None;
        let mut quick = false;
        let mut no_sync = false;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--quick" => quick = true,
                "--no-sync" => no_sync = true,
                "--count" => {
                    let value = args.next().ok_or("`--count` needs a number")?;
                    let n: u64 = value
                        .replace('_', "")
                        .parse()
                        .map_err(|_| format!("`--count {value}`: not a number"))?;
                    count = Some(n);
                }
                other => {
                    return Err(format!("`bptree-vs-bbolt`: unknown option `{other}`").into());
                }
            }
        }
        let count = count.unwrap_or(if quick { QUICK_COUNT } else { DEFAULT_COUNT });
        if batch_sizes(count).is_empty() {
            return Err(format!(
                "`--count {count}`: no batch size of {BATCH_SIZES:?} divides it; try 100000"
            )
            .into());
        }
        Ok(Options {
            count,
            quick,
            no_sync,
        })
    }

    /// The command line that reproduces this run, for the table's note.
    fn command(&self) -> String {
        let mut command = "cargo xtask bptree-vs-bbolt".to_string();
        if self.quick {
            command.push_str(" --quick");
        }
        let default = if self.quick {
            QUICK_COUNT
        } else {
            DEFAULT_COUNT
        };
        if self.count != default {
            let _ = write!(command, " --count {}", self.count);
        }
        if self.no_sync {
            command.push_str(" --no-sync");
        }
        command
    }
}

/// The batch sizes a run of `count` keys uses: those that divide it.
pub fn batch_sizes(count: u64) -> Vec<u64> {
    BATCH_SIZES
        .into_iter()
        .filter(|&b| b <= count && count.is_multiple_of(b))
        .collect()
}

/// The two implementations, in the table's column order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Engine {
    /// Go's bbolt 1.3.6.
    Bbolt,
    /// strata-bptree.
    Strata,
}

/// One phase of one run: operations and seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Phase {
    /// Operations done.
    pub ops: u64,
    /// Seconds they took.
    pub seconds: f64,
}

impl Phase {
    /// Operations per second.
    pub fn rate(&self) -> f64 {
        if self.seconds > 0.0 {
            self.ops as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// What one run printed: its write and read phases.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunResult {
    /// `# Write` line.
    pub write: Phase,
    /// `# Read` line.
    pub read: Phase,
}

/// Reads the `# Write` and `# Read` lines a benchmark program prints:
/// `# Write\t200000(ops)\t1.0302s\t(5.151µs/op)\t(194137 op/sec)`.
pub fn parse_output(text: &str) -> Result<RunResult> {
    let phase = |name: &str| -> Result<Phase> {
        let prefix = format!("# {name}\t");
        let line = text
            .lines()
            .find_map(|line| line.strip_prefix(&prefix))
            .ok_or_else(|| format!("no `# {name}` line in:\n{text}"))?;
        let mut fields = line.split('\t');
        let ops = fields
            .next()
            .and_then(|f| f.strip_suffix("(ops)"))
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("no operation count in `{line}`"))?;
        let seconds = fields
            .next()
            .and_then(parse_go_duration)
            .ok_or_else(|| format!("no duration in `{line}`"))?;
        Ok(Phase { ops, seconds })
    };
    Ok(RunResult {
        write: phase("Write")?,
        read: phase("Read")?,
    })
}

/// Seconds in a duration written as Go's `time.Duration.String` writes it: `1m2.5s`,
/// `66.581508ms`, `2.085µs`, `25ns`.
pub fn parse_go_duration(text: &str) -> Option<f64> {
    if text == "0s" {
        return Some(0.0);
    }
    let mut seconds = 0.0;
    let mut rest = text;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..number_end].parse().ok()?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "µs" | "us" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        seconds += number * scale;
        rest = &rest[unit_end..];
    }
    Some(seconds)
}

/// One configuration: a write mode, a batch size and a read mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Config {
    /// `-write-mode`.
    pub write_mode: &'static str,
    /// `-batch-size`.
    pub batch: u64,
    /// `-read-mode`.
    pub read_mode: &'static str,
}

/// Every result, by configuration and engine.
pub type Results = BTreeMap<(Config, Engine), RunResult>;

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// What was measured: `write rnd`, or `read seq` after `write seq-nest`.
    pub mode: String,
    /// The batch size the data was written with.
    pub batch: u64,
    /// Operations per second on Go's bbolt.
    pub bbolt: f64,
    /// Operations per second on strata.
    pub strata: f64,
    /// The smallest strata ÷ bbolt ratio the chapter aims for.
    pub target: f64,
}

/// The ratio the chapter aims for: every write mode at least as fast; random writes in batches
/// of 50,000 or more at least 5× (Go's bbolt keeps a transaction's inserts into a leaf in one
/// growing sorted array until commit, so big random batches become quadratic); random reads at
/// least 2×; sequential reads no slower.
pub fn target(phase: &str, mode: &str, batch: u64) -> f64 {
    match (phase, mode) {
        ("write", "rnd" | "rnd-nest") if batch >= 50_000 => 5.0,
        ("read", "rnd") => 2.0,
        _ => 1.0,
    }
}

/// The table's rows: every write mode at every batch size (the faster of its runs), then each
/// read mode after each write mode at every batch size.
pub fn rows(results: &Results, batches: &[u64]) -> Vec<Row> {
    let best_write = |engine: Engine, write_mode: &str, batch: u64| -> f64 {
        results
            .iter()
            .filter(|((c, e), _)| *e == engine && c.write_mode == write_mode && c.batch == batch)
            .map(|(_, r)| r.write.rate())
            .fold(0.0, f64::max)
    };
    let read = |engine: Engine, config: Config| -> f64 {
        results
            .get(&(config, engine))
            .map_or(0.0, |r| r.read.rate())
    };
    let mut rows = Vec::new();
    for write_mode in WRITE_MODES {
        for &batch in batches {
            rows.push(Row {
                mode: format!("write `{write_mode}`"),
                batch,
                bbolt: best_write(Engine::Bbolt, write_mode, batch),
                strata: best_write(Engine::Strata, write_mode, batch),
                target: target("write", write_mode, batch),
            });
        }
    }
    for read_mode in READ_MODES {
        for write_mode in WRITE_MODES {
            for &batch in batches {
                let config = Config {
                    write_mode,
                    batch,
                    read_mode,
                };
                rows.push(Row {
                    mode: format!("read `{read_mode}` after write `{write_mode}`"),
                    batch,
                    bbolt: read(Engine::Bbolt, config),
                    strata: read(Engine::Strata, config),
                    target: target("read", read_mode, batch),
                });
            }
        }
    }
    rows
}

/// What the table's note says about the run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    /// The command that reproduces it.
    pub command: String,
    /// Keys per run.
    pub count: u64,
    /// Whether commits synced.
    pub sync: bool,
    /// `go1.19.8`.
    pub go_version: String,
    /// CPUs of the machine.
    pub cpus: usize,
}

/// The Markdown table and its note.
pub fn render(rows: &[Row], info: &RunInfo) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!-- Generated by `cargo xtask bptree-vs-bbolt`: do not edit. -->"
    );
    let _ = writeln!(
        out,
        "| mode | batch | Go bbolt 1.3.6 (op/s) | strata-bptree (op/s) | strata ÷ bbolt | target |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---|");
    for row in rows {
        let ratio = if row.bbolt > 0.0 {
            row.strata / row.bbolt
        } else {
            0.0
        };
        let met = if ratio >= row.target {
            "met"
        } else {
            "**missed**"
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {ratio:.2}× | ≥ {}×: {met} |",
            row.mode,
            thousands(row.batch),
            si(row.bbolt),
            si(row.strata),
            row.target
        );
    }
    let sync = if info.sync {
        "a sync at every commit, as `bbolt bench` does by default"
    } else {
        "no syncs (`-no-sync`)"
    };
    let _ = writeln!(
        out,
        "\n*Generated by `{}`: `bbolt bench`'s modes run by `interop/boltbench` on Go bbolt 1.3.6 \
         ({}) and by `examples/bench.rs` on strata-bptree, the two alternating on one machine \
         with {} CPUs in the same run. Each run writes {} keys of 8 bytes (a big-endian `u32`, \
         then zeros) with 32-byte values, fill percent 0.5, {}-byte pages, {sync}; both programs \
         draw the same random keys from one seed. A write figure is the faster of two runs (one \
         per read mode); a read figure is the fastest of three windows, each one read transaction's \
         passes over every key for at least a second. Your figures will differ: compare the ratios.*",
        info.command,
        info.go_version,
        info.cpus,
        thousands(info.count),
        thousands(u64::from(PAGE_SIZE)),
    );
    out
}

/// Runs the comparison and writes the book's table.
pub fn run(root: &Path, options: &Options) -> Result<()> {
    let work = target_dir(root).join("bptree-vs-bbolt");
    std::fs::create_dir_all(&work)?;
    let go_version = go_version()?;
    let bbolt = build_go(root, &work)?;
    let strata = build_rust(root)?;

    let batches = batch_sizes(options.count);
    let mut configs = Vec::new();
    for write_mode in WRITE_MODES {
        for &batch in &batches {
            for read_mode in READ_MODES {
                configs.push(Config {
                    write_mode,
                    batch,
                    read_mode,
                });
            }
        }
    }
    println!(
        "{} configurations × 2 engines, {} keys each{}",
        configs.len(),
        thousands(options.count),
        if options.no_sync { ", no syncs" } else { "" }
    );
    let mut results = Results::new();
    for (i, &config) in configs.iter().enumerate() {
        // Alternate which engine goes first, so neither always runs on a cache the other warmed.
        let order = if i % 2 == 0 {
            [Engine::Bbolt, Engine::Strata]
        } else {
            [Engine::Strata, Engine::Bbolt]
        };
        for engine in order {
            let binary = match engine {
                Engine::Bbolt => &bbolt,
                Engine::Strata => &strata,
            };
            let result = run_one(binary, &work, engine, config, options)?;
            results.insert((config, engine), result);
        }
        let (b, s) = (
            results[&(config, Engine::Bbolt)],
            results[&(config, Engine::Strata)],
        );
        println!(
            "[{:2}/{}] write {:8} batch {:>7}  read {:3}  |  write {:>7} vs {:>7} op/s  |  read {:>7} vs {:>7} op/s  (bbolt vs strata)",
            i + 1,
            configs.len(),
            config.write_mode,
            config.batch,
            config.read_mode,
            si(b.write.rate()),
            si(s.write.rate()),
            si(b.read.rate()),
            si(s.read.rate()),
        );
    }

    let info = RunInfo {
        command: options.command(),
        count: options.count,
        sync: !options.no_sync,
        go_version,
        cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
    };
    let markdown = render(&rows(&results, &batches), &info);
    let out = root.join("book/src/generated/strata-bptree-vs-bbolt.md");
    std::fs::create_dir_all(out.parent().unwrap_or(root))?;
    std::fs::write(&out, &markdown)?;
    println!("\n{markdown}\nwrote {}", workspace::relative(root, &out));
    crate::plot::plot_table(root, &out)?;
    Ok(())
}

/// One run of one engine's program; its database file is removed before and after.
fn run_one(
    binary: &Path,
    work: &Path,
    engine: Engine,
    config: Config,
    options: &Options,
) -> Result<RunResult> {
    let file = work.join(match engine {
        Engine::Bbolt => "bbolt.db",
        Engine::Strata => "strata.db",
    });
    let _ = std::fs::remove_file(&file);
    let mut cmd = Command::new(binary);
    cmd.arg("-count")
        .arg(options.count.to_string())
        .arg("-batch-size")
        .arg(config.batch.to_string())
        .arg("-write-mode")
        .arg(config.write_mode)
        .arg("-read-mode")
        .arg(config.read_mode)
        .arg("-seed")
        .arg(SEED.to_string())
        .arg("-path")
        .arg(&file);
    if options.no_sync {
        cmd.arg("-no-sync");
    }
    let described = process::describe(&cmd);
    let captured = process::capture(cmd)?;
    let _ = std::fs::remove_file(&file);
    if !captured.success {
        return Err(format!("`{described}` failed:\n{}", captured.text).into());
    }
    parse_output(&captured.text).map_err(|e| format!("`{described}`: {e}").into())
}

/// `go1.19.8`, or an error saying how to install Go and bbolt.
fn go_version() -> Result<String> {
    let hint =
        "install Go and bbolt's sources: apt-get install golang-go golang-github-coreos-bbolt-dev";
    let out = Command::new("go")
        .arg("version")
        .output()
        .map_err(|e| format!("cannot run `go` ({e}); {hint}"))?;
    if !out.status.success() {
        return Err(format!("`go version` failed; {hint}").into());
    }
    if !Path::new(BBOLT_SOURCE).is_file() {
        return Err(format!("bbolt's sources are missing ({BBOLT_SOURCE}); {hint}").into());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text
        .split_whitespace()
        .find(|w| w.starts_with("go1"))
        .unwrap_or("go")
        .to_string())
}

/// Builds the Go program offline in GOPATH mode against Debian's bbolt.
fn build_go(root: &Path, work: &Path) -> Result<PathBuf> {
    let binary = work.join("boltbench");
    let mut cmd = Command::new("go");
    cmd.args(["build", "-o"])
        .arg(&binary)
        .arg(GO_PACKAGE)
        .current_dir(root)
        .env("GO111MODULE", "off")
        .env("GOPATH", GOPATH)
        .env("GOPROXY", "off")
        .env("GOTOOLCHAIN", "local")
        .env("GOCACHE", work.join("go-cache"))
        .env("CGO_ENABLED", "0");
    println!("building {GO_PACKAGE} (Go, offline)");
    process::run(&mut cmd)?;
    Ok(binary)
}

/// Builds `examples/bench.rs` in release mode.
fn build_rust(root: &Path) -> Result<PathBuf> {
    let mut cmd = process::cargo();
    cmd.args([
        "build",
        "--release",
        "-p",
        "strata-bptree",
        "--example",
        "bench",
    ])
    .current_dir(root);
    process::run(&mut cmd)?;
    let binary = target_dir(root)
        .join("release/examples")
        .join(format!("bench{}", std::env::consts::EXE_SUFFIX));
    if !binary.is_file() {
        return Err(format!("cargo built no {}", binary.display()).into());
    }
    Ok(binary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_parse_in_every_unit() {
        let cases = [
            ("25ns", 25e-9),
            ("2.085µs", 2.085e-6),
            ("2.085us", 2.085e-6),
            ("66.581508ms", 0.066581508),
            ("1.000247168s", 1.000247168),
            ("1m2.5s", 62.5),
            ("1h0m0s", 3600.0),
            ("0s", 0.0),
        ];
        for (text, seconds) in cases {
            let parsed = parse_go_duration(text).unwrap_or_else(|| panic!("{text}"));
            assert!((parsed - seconds).abs() < 1e-12, "{text}: {parsed}");
        }
        for bad in ["", "12", "1.5x", "ms"] {
            assert_eq!(parse_go_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn output_lines_give_counts_and_durations() {
        let text = "work: x\n# Write\t200000(ops)\t2s\t(10µs/op)\t(100000 op/sec)\n\
                    # Read\t5000000(ops)\t1.25s\t(250ns/op)\t(4000000 op/sec)\n";
        let result = parse_output(text).unwrap();
        assert_eq!(result.write.ops, 200_000);
        assert_eq!(result.write.rate(), 100_000.0);
        assert_eq!(result.read.rate(), 4_000_000.0);
        assert!(parse_output("# Write\t1(ops)\t1s\n").is_err());
    }

    #[test]
    fn batch_sizes_are_those_that_divide_the_count() {
        assert_eq!(batch_sizes(200_000), [5_000, 10_000, 50_000, 100_000]);
        assert_eq!(batch_sizes(50_000), [5_000, 10_000, 50_000]);
        assert_eq!(batch_sizes(15_000), [5_000]);
        assert!(batch_sizes(1_234).is_empty());
    }

    #[test]
    fn options_default_and_validate_the_count() {
        let parse =
            |args: &[&str]| Options::parse(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>());
        assert_eq!(parse(&[]).unwrap().count, DEFAULT_COUNT);
        assert_eq!(parse(&["--quick"]).unwrap().count, QUICK_COUNT);
        let custom = parse(&["--quick", "--count", "100_000", "--no-sync"]).unwrap();
        assert_eq!((custom.count, custom.no_sync), (100_000, true));
        assert_eq!(
            custom.command(),
            "cargo xtask bptree-vs-bbolt --quick --count 100000 --no-sync"
        );
        assert!(parse(&["--count", "1234"]).is_err());
        assert!(parse(&["--fast"]).is_err());
    }

    #[test]
    fn targets_follow_the_chapter() {
        assert_eq!(target("write", "seq", 100_000), 1.0);
        assert_eq!(target("write", "rnd", 10_000), 1.0);
        assert_eq!(target("write", "rnd", 50_000), 5.0);
        assert_eq!(target("write", "rnd-nest", 100_000), 5.0);
        assert_eq!(target("read", "rnd", 5_000), 2.0);
        assert_eq!(target("read", "seq", 5_000), 1.0);
    }

    #[test]
    fn rows_take_the_faster_write_and_each_read() {
        let phase = |ops, seconds| Phase { ops, seconds };
        let mut results = Results::new();
        for (read_mode, bbolt_write, strata_write) in [("seq", 2.0, 1.0), ("rnd", 4.0, 0.5)] {
            let config = Config {
                write_mode: "rnd",
                batch: 50_000,
                read_mode,
            };
            results.insert(
                (config, Engine::Bbolt),
                RunResult {
                    write: phase(100, bbolt_write),
                    read: phase(1000, 1.0),
                },
            );
            results.insert(
                (config, Engine::Strata),
                RunResult {
                    write: phase(100, strata_write),
                    read: phase(3000, 1.0),
                },
            );
        }
        let rows = rows(&results, &[50_000]);
        let write = rows.iter().find(|r| r.mode == "write `rnd`").unwrap();
        assert_eq!(
            (write.bbolt, write.strata, write.target),
            (50.0, 200.0, 5.0)
        );
        let read = rows
            .iter()
            .find(|r| r.mode == "read `rnd` after write `rnd`")
            .unwrap();
        assert_eq!(
            (read.bbolt, read.strata, read.target),
            (1000.0, 3000.0, 2.0)
        );
    }

    #[test]
    fn the_table_shows_rates_ratios_and_whether_targets_are_met() {
        let rows = [
            Row {
                mode: "write `rnd`".into(),
                batch: 50_000,
                bbolt: 10_000.0,
                strata: 60_000.0,
                target: 5.0,
            },
            Row {
                mode: "read `seq` after write `seq`".into(),
                batch: 5_000,
                bbolt: 40e6,
                strata: 30e6,
                target: 1.0,
            },
        ];
        let info = RunInfo {
            command: "cargo xtask bptree-vs-bbolt --quick".into(),
            count: 50_000,
            sync: true,
            go_version: "go1.19.8".into(),
            cpus: 2,
        };
        let md = render(&rows, &info);
        assert!(
            md.contains("| write `rnd` | 50,000 | 10.0 k | 60.0 k | 6.00× | ≥ 5×: met |"),
            "{md}"
        );
        assert!(
            md.contains(
                "| read `seq` after write `seq` | 5,000 | 40.0 M | 30.0 M | 0.75× | ≥ 1×: **missed** |"
            ),
            "{md}"
        );
        assert!(md.contains("`cargo xtask bptree-vs-bbolt --quick`"), "{md}");
        assert!(md.contains("50,000 keys") && md.contains("2 CPUs") && md.contains("4,096-byte"));
    }
}
