//! `cargo xtask schema-vs-dbrs [--quick]`: runs strata-schema's criterion benchmarks
//! (`chapters/05-embedded-schema/benches/schema.rs`), which measure db-rs 0.3 on the same
//! workloads in the same run, then writes the comparison the book includes
//! (book/src/generated/strata-schema-vs-dbrs.md) and strata-schema's own table (as
//! `cargo xtask bench-report strata-schema` does).
//!
//! db-rs never fsyncs, so the ratio compares it with strata-schema under `SyncPolicy::Never`;
//! the `Always` column shows what durability costs. `--quick` shortens criterion's warm-up and
//! measurement to 1 and 2 seconds a benchmark (about three minutes in all on two cores).
//!
//! Owns the run and the comparison table; the benchmark owns what is measured.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::Result;
use crate::bench_report::{self, Row};
use crate::process;
use crate::workspace;

const PACKAGE: &str = "strata-schema";
const BENCH: &str = "schema";
/// Criterion's options for `--quick`.
const QUICK: [&str; 4] = ["--warm-up-time", "1", "--measurement-time", "2"];

/// What `cargo xtask schema-vs-dbrs` was asked to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// `--quick`: short criterion runs.
    pub quick: bool,
}

impl Options {
    /// Parses `[--quick]`.
    pub fn parse(args: &[String]) -> Result<Options> {
        let mut quick = false;
        for arg in args {
            match arg.as_str() {
                "--quick" => quick = true,
                other => return Err(format!("`schema-vs-dbrs`: unknown option `{other}`").into()),
            }
        }
        Ok(Options { quick })
    }

    /// The command line that reproduces this run, for the table's note.
    fn command(&self) -> String {
        let mut command = "cargo xtask schema-vs-dbrs".to_string();
        if self.quick {
            command.push_str(" --quick");
        }
        command
    }

    /// The benchmark run, as `cargo` arguments.
    fn bench_args(&self) -> Vec<&'static str> {
        let mut args = vec!["bench", "-p", PACKAGE, "--bench", BENCH];
        if self.quick {
            args.push("--");
            args.extend(QUICK);
        }
        args
    }
}

/// One workload of the table: its benchmark ids, and the ratio the chapter aims for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Workload {
    /// What the row says, before its count.
    pub label: &'static str,
    /// db-rs's benchmark id.
    pub dbrs: &'static str,
    /// strata-schema's id under `SyncPolicy::Never`.
    pub never: &'static str,
    /// strata-schema's id under `SyncPolicy::Always`, for writes.
    pub always: Option<&'static str>,
    /// The smallest strata-schema (Never) ÷ db-rs ratio the chapter aims for.
    pub target: f64,
}

/// The workloads, in the table's order. Inserts and reopen: at least as fast as db-rs. Gets
/// read the same `HashMap` in both crates, so "no slower" allows the run's noise (5%).
pub const WORKLOADS: [Workload; 4] = [
    Workload {
        label: "insert, each on its own",
        dbrs: "seq-put/db-rs/1",
        never: "seq-put/schema-never/1",
        always: Some("seq-put/schema-always/1"),
        target: 1.0,
    },
    Workload {
        label: "insert, in transactions of 1,000",
        dbrs: "seq-put/db-rs/1000",
        never: "seq-put/schema-never/1000",
        always: Some("seq-put/schema-always/1000"),
        target: 1.0,
    },
    Workload {
        label: "get a random id",
        dbrs: "rnd-get/db-rs/100000",
        never: "rnd-get/schema/100000",
        always: None,
        target: 0.95,
    },
    Workload {
        label: "reopen",
        dbrs: "reopen/db-rs/100000",
        never: "reopen/schema/100000",
        always: None,
        target: 1.0,
    },
];

/// Operations (inserts, gets, records) per second.
fn rate(row: &Row) -> Option<f64> {
    row.elements
        .filter(|_| row.median_ns > 0.0)
        .map(|n| n * 1e9 / row.median_ns)
}

/// `194 k`, `1.15 M`: three significant figures with an SI prefix.
fn si(value: f64) -> String {
    let (value, prefix) = match value {
        v if v >= 1e9 => (v / 1e9, " G"),
        v if v >= 1e6 => (v / 1e6, " M"),
        v if v >= 1e3 => (v / 1e3, " k"),
        v => (v, ""),
    };
    let digits = match value {
        v if v >= 100.0 => format!("{v:.0}"),
        v if v >= 10.0 => format!("{v:.1}"),
        v => format!("{v:.2}"),
    };
    format!("{digits}{prefix}")
}

/// `1,234,567`.
fn thousands(n: f64) -> String {
    let digits = format!("{n:.0}");
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What the table's note says about the run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    /// The command that reproduces it.
    pub command: String,
    /// The `cargo bench` command it ran.
    pub bench: String,
    /// db-rs's version, from Cargo.lock.
    pub dbrs_version: String,
    /// CPUs of the machine.
    pub cpus: usize,
}

/// The Markdown table and its note. `find` returns a benchmark's result by id.
pub fn render(find: impl Fn(&str) -> Option<Row>, info: &RunInfo) -> Result<String> {
    let get = |id: &str| -> Result<Row> {
        find(id).ok_or_else(|| format!("no result for `{id}`: did the benchmark run?").into())
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!-- Generated by `cargo xtask schema-vs-dbrs`: do not edit. -->"
    );
    let _ = writeln!(
        out,
        "| workload | db-rs {} (op/s) | strata-schema, `Never` (op/s) | strata ÷ db-rs | target | \
         strata-schema, `Always` (op/s) |",
        info.dbrs_version
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---|---:|");
    for workload in WORKLOADS {
        let (dbrs, never) = (get(workload.dbrs)?, get(workload.never)?);
        let (dbrs_rate, never_rate) = (rate(&dbrs), rate(&never));
        let ratio = match (never_rate, dbrs_rate) {
            (Some(n), Some(d)) if d > 0.0 => n / d,
            _ => return Err(format!("`{}` has no throughput", workload.dbrs).into()),
        };
        let met = if ratio >= workload.target {
            "met"
        } else {
            "**missed**"
        };
        let always = match workload.always {
            Some(id) => {
                let row = get(id)?;
                let count = row.elements.map_or_else(String::new, |n| {
                    if Some(n) == dbrs.elements {
                        String::new()
                    } else {
                        format!(" ({} inserts)", thousands(n))
                    }
                });
                format!("{}{count}", rate(&row).map_or_else(String::new, si))
            }
            None => "(as `Never`)".to_string(),
        };
        let count = match workload.always {
            Some(_) => format!("{} inserts", thousands(dbrs.elements.unwrap_or(0.0))),
            None => format!("{} records", thousands(records(workload.dbrs))),
        };
        let _ = writeln!(
            out,
            "| {} ({count}) | {} | {} | {ratio:.2}× | ≥ {}×: {met} | {always} |",
            workload.label,
            dbrs_rate.map_or_else(String::new, si),
            never_rate.map_or_else(String::new, si),
            workload.target,
        );
    }
    let _ = writeln!(
        out,
        "\n*Generated by `{}`: criterion's medians from one run of `{}` on a machine with {} CPUs, \
         db-rs {} and strata-schema measured in the same run. Each stores one \
         `LookupTable<u64, File>` (a small record: a parent id, a name of about 12 bytes, a size) \
         under ascending ids. db-rs never fsyncs, so the ratio is against strata-schema with \
         `SyncPolicy::Never`; with `Always` every write or commit waits for an fsync. Inserts \
         start from an empty database; gets are of random ids, from a database reopened from its \
         folder; reopen reads the whole log (written in transactions of 1,000) into the tables, \
         then closes the database. Your figures will differ: compare the ratios.*",
        info.command, info.bench, info.cpus, info.dbrs_version,
    );
    Ok(out)
}

/// The record count at the end of an id: `reopen/db-rs/100000` holds 100,000.
fn records(id: &str) -> f64 {
    id.rsplit('/')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0)
}

/// The version of package `name` in a Cargo.lock.
pub fn locked_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let version = lines.next()?.trim().strip_prefix("version = \"")?;
            return Some(version.trim_end_matches('"').to_string());
        }
    }
    None
}

/// Runs the benchmarks and writes both tables.
pub fn run(root: &Path, options: &Options) -> Result<()> {
    let mut cmd = process::cargo();
    cmd.args(options.bench_args()).current_dir(root);
    let bench = process::describe(&cmd);
    process::run(&mut cmd)?;

    let lock = workspace::read(&root.join("Cargo.lock"))?;
    let info = RunInfo {
        command: options.command(),
        bench,
        dbrs_version: locked_version(&lock, "db-rs").ok_or("no db-rs in Cargo.lock")?,
        cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
    };
    let criterion = target_dir(root).join("criterion");
    let markdown = render(|id| read_result(&criterion, id), &info)?;
    let out = root.join("book/src/generated/strata-schema-vs-dbrs.md");
    std::fs::create_dir_all(out.parent().unwrap_or(root))?;
    std::fs::write(&out, &markdown)?;
    println!("\n{markdown}\nwrote {}", workspace::relative(root, &out));
    bench_report::run(root, PACKAGE)
}

/// Criterion's result for benchmark `id` (its directory is named as the id).
fn read_result(criterion: &Path, id: &str) -> Option<Row> {
    let dir = criterion.join(id).join("new");
    let benchmark = workspace::read(&dir.join("benchmark.json")).ok()?;
    let estimates = workspace::read(&dir.join("estimates.json")).ok()?;
    bench_report::parse_row(&benchmark, &estimates).ok()
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, median_ns: f64, elements: f64) -> Row {
        Row {
            id: id.to_string(),
            median_ns,
            elements: Some(elements),
        }
    }

    #[test]
    fn options_say_how_long_criterion_runs() {
        let parse =
            |args: &[&str]| Options::parse(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>());
        let quick = parse(&["--quick"]).unwrap();
        assert_eq!(quick.command(), "cargo xtask schema-vs-dbrs --quick");
        assert_eq!(
            quick.bench_args().join(" "),
            "bench -p strata-schema --bench schema -- --warm-up-time 1 --measurement-time 2"
        );
        assert_eq!(
            parse(&[]).unwrap().bench_args().join(" "),
            "bench -p strata-schema --bench schema"
        );
        assert!(parse(&["--fast"]).is_err());
    }

    #[test]
    fn the_version_comes_from_the_lock_file() {
        let lock = "[[package]]\nname = \"db-rs-derive\"\nversion = \"0.3.9\"\n\n\
                    [[package]]\nname = \"db-rs\"\nversion = \"0.3.7\"\nsource = \"x\"\n";
        assert_eq!(locked_version(lock, "db-rs").as_deref(), Some("0.3.7"));
        assert_eq!(
            locked_version(lock, "db-rs-derive").as_deref(),
            Some("0.3.9")
        );
        assert_eq!(locked_version(lock, "uuid"), None);
    }

    #[test]
    fn the_table_shows_rates_ratios_and_targets() {
        // Medians in ns for the throughput each declares: db-rs twice as fast on single inserts,
        // strata-schema 1.5× as fast on batches and reopen, gets 4% slower.
        let rows = [
            row("seq-put/db-rs/1", 10e6, 10_000.0),
            row("seq-put/schema-never/1", 20e6, 10_000.0),
            row("seq-put/schema-always/1", 1e9, 1_000.0),
            row("seq-put/db-rs/1000", 60e6, 100_000.0),
            row("seq-put/schema-never/1000", 40e6, 100_000.0),
            row("seq-put/schema-always/1000", 80e6, 100_000.0),
            row("rnd-get/db-rs/100000", 100.0, 1.0),
            row("rnd-get/schema/100000", 104.0, 1.0),
            row("reopen/db-rs/100000", 90e6, 100_000.0),
            row("reopen/schema/100000", 60e6, 100_000.0),
        ];
        let find = |id: &str| rows.iter().find(|r| r.id == id).cloned();
        let info = RunInfo {
            command: "cargo xtask schema-vs-dbrs --quick".into(),
            bench: "cargo bench -p strata-schema --bench schema".into(),
            dbrs_version: "0.3.7".into(),
            cpus: 2,
        };
        let md = render(find, &info).unwrap();
        for line in [
            "| insert, each on its own (10,000 inserts) | 1.00 M | 500 k | 0.50× | ≥ 1×: **missed** \
             | 1.00 k (1,000 inserts) |",
            "| insert, in transactions of 1,000 (100,000 inserts) | 1.67 M | 2.50 M | 1.50× | \
             ≥ 1×: met | 1.25 M |",
            "| get a random id (100,000 records) | 10.0 M | 9.62 M | 0.96× | ≥ 0.95×: met \
             | (as `Never`) |",
            "| reopen (100,000 records) | 1.11 M | 1.67 M | 1.50× | ≥ 1×: met | (as `Never`) |",
        ] {
            assert!(md.contains(line), "{line}\nnot in\n{md}");
        }
        assert!(md.contains("| db-rs 0.3.7 (op/s) |"), "{md}");
        assert!(md.contains("`cargo xtask schema-vs-dbrs --quick`") && md.contains("2 CPUs"));

        let missing = |id: &str| find(id).filter(|r| !r.id.starts_with("reopen/db-rs"));
        assert!(render(missing, &info).is_err());
    }
}
