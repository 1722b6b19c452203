//! `cargo xtask serve-bench [--quick]`: `redis-benchmark -t set,get` against
//! `strata serve` on each engine and against `redis-server`, alternated in
//! one run, durable and not, with and without pipelining; writes the table
//! the book's chapter 7 includes.
//!
//! Durable rows: strata with `--sync always`, Redis with `appendonly yes`
//! and `appendfsync always` (every write on disk before its reply). The
//! others: strata with `--sync on-flush`, Redis with `appendonly no`.

use std::fmt::Write as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Result;
use crate::process::{self, cargo};
use crate::workspace::{self, target_dir};

const ENGINES: [&str; 4] = ["flat-file", "wal", "bitcask", "bptree"];
/// Targets: strata ÷ redis-server.
const GET_TARGET: f64 = 0.8;
const SET_TARGET: f64 = 1.0;

/// The command's options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Requests per test (`-n`).
    pub requests: u64,
    /// Connections (`-c`).
    pub clients: u32,
    /// Runs of each pair; the table shows the medians.
    pub repeats: usize,
    pub quick: bool,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options> {
        match args {
            [] => Ok(Options {
                requests: 200_000,
                clients: 50,
                repeats: 3,
                quick: false,
            }),
            [flag] if flag == "--quick" => Ok(Options {
                requests: 20_000,
                clients: 50,
                repeats: 1,
                quick: true,
            }),
            _ => Err("usage: cargo xtask serve-bench [--quick]".into()),
        }
    }
}

/// One run's rates, (SET, GET): strata's, then redis-server's.
type Measured = [(f64, f64); 2];

/// One measured row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub durable: bool,
    pub pipeline: u32,
    pub engine: &'static str,
    /// Requests per second: strata's and redis-server's, for SET and GET.
    pub set: (f64, f64),
    pub get: (f64, f64),
}

pub fn run(root: &Path, options: &Options) -> Result<()> {
    for tool in ["redis-server", "redis-benchmark"] {
        if Command::new(tool).arg("--version").output().is_err() {
            return Err(
                format!("`{tool}` not found: apt-get install redis-server redis-tools").into(),
            );
        }
    }
    process::run(cargo().args(["build", "--release", "-p", "strata-cli"]))?;
    let strata = target_dir(root).join("release/strata");
    let work = target_dir(root).join("serve-bench");
    let load_start = load_average();
    let mut rows = Vec::new();
    let mut i = 0;
    for durable in [true, false] {
        for pipeline in [1, 16] {
            for engine in ENGINES {
                // Each run: strata's and redis-server's (SET, GET) rates.
                let mut runs = Vec::new();
                for _ in 0..options.repeats {
                    // Alternate who goes first, so neither always meets a warm disk.
                    let strata_first = i % 2 == 0;
                    i += 1;
                    let mut results = [(0.0, 0.0); 2];
                    for strata_turn in [strata_first, !strata_first] {
                        let _ = std::fs::remove_dir_all(&work);
                        std::fs::create_dir_all(&work)?;
                        let port = free_port()?;
                        let server = if strata_turn {
                            start_strata(&strata, &work, engine, durable, port)?
                        } else {
                            start_redis(&work, durable, port)?
                        };
                        let measured = benchmark(port, options, pipeline);
                        stop(server);
                        results[usize::from(!strata_turn)] = measured?;
                    }
                    runs.push(results);
                }
                let median = |pick: &dyn Fn(&Measured) -> f64| {
                    let mut values: Vec<f64> = runs.iter().map(pick).collect();
                    values.sort_by(f64::total_cmp);
                    values[values.len() / 2]
                };
                let results = [
                    (median(&|r| r[0].0), median(&|r| r[0].1)),
                    (median(&|r| r[1].0), median(&|r| r[1].1)),
                ];
                let row = Row {
                    durable,
                    pipeline,
                    engine,
                    set: (results[0].0, results[1].0),
                    get: (results[0].1, results[1].1),
                };
                println!("{}", line(&row));
                rows.push(row);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    let load_end = load_average();
    let markdown = render(&rows, options, &load_start, &load_end);
    let out = root.join("book/src/generated/serve-bench.md");
    std::fs::write(&out, &markdown)?;
    println!("\n{markdown}\nwrote {}", workspace::relative(root, &out));
    crate::plot::plot_table(root, &out)?;
    Ok(())
}

fn line(row: &Row) -> String {
    format!(
        "{:<8} -P {:<2} {:<9}  SET {:>9.0} vs {:>9.0}  GET {:>9.0} vs {:>9.0}  (strata vs redis)",
        if row.durable { "durable" } else { "relaxed" },
        row.pipeline,
        row.engine,
        row.set.0,
        row.set.1,
        row.get.0,
        row.get.1
    )
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn start_strata(
    strata: &Path,
    work: &Path,
    engine: &str,
    durable: bool,
    port: u16,
) -> Result<Child> {
    let sync = if durable { "always" } else { "on-flush" };
    let child = Command::new(strata)
        .args(["--engine", engine, "serve"])
        .arg(work.join("db"))
        .args(["--bind", &format!("127.0.0.1:{port}"), "--sync", sync])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    ready(child, port)
}

fn start_redis(work: &Path, durable: bool, port: u16) -> Result<Child> {
    let appendonly = if durable { "yes" } else { "no" };
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
        ])
        .args(["--appendonly", appendonly, "--appendfsync", "always"])
        .arg("--dir")
        .arg(work)
        .args(["--daemonize", "no", "--logfile", ""])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    ready(child, port)
}

/// Waits until the server accepts connections (at most 10 s).
fn ready(mut child: Child, port: u16) -> Result<Child> {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port))).is_ok() {
            return Ok(child);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    Err(format!("no server listening on port {port} after 10 s").into())
}

/// Stops a server by the process id started, and waits for it.
fn stop(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// `redis-benchmark -t set,get`: SET's and GET's requests per second.
fn benchmark(port: u16, options: &Options, pipeline: u32) -> Result<(f64, f64)> {
    let out = Command::new("timeout")
        .args([
            "600",
            "redis-benchmark",
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .args(["-t", "set,get", "-n", &options.requests.to_string()])
        .args([
            "-c",
            &options.clients.to_string(),
            "-P",
            &pipeline.to_string(),
            "--csv",
        ])
        .stdin(Stdio::null())
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "redis-benchmark failed: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    parse_csv(&text).ok_or_else(|| format!("no SET and GET rows in: {text}").into())
}

/// `"SET","12345.67",…` lines: the rates of SET and GET.
pub fn parse_csv(text: &str) -> Option<(f64, f64)> {
    let rate = |test: &str| {
        text.lines().find_map(|line| {
            let mut fields = line.split(',').map(|f| f.trim_matches('"'));
            (fields.next()? == test).then(|| fields.next()?.parse::<f64>().ok())?
        })
    };
    Some((rate("SET")?, rate("GET")?))
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split(' ').take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn verdict(ratio: f64, target: f64) -> &'static str {
    if ratio >= target { "met" } else { "**missed**" }
}

/// The Markdown table and its note.
pub fn render(rows: &[Row], options: &Options, load_start: &str, load_end: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!-- Generated by `cargo xtask serve-bench`: do not edit. -->"
    );
    let _ = writeln!(
        out,
        "| writes | pipeline | engine | SET strata | SET redis | strata ÷ redis (≥ {SET_TARGET}×) | GET strata | GET redis | strata ÷ redis (≥ {GET_TARGET}×) |"
    );
    let _ = writeln!(out, "|---|---:|---|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let set = row.set.0 / row.set.1.max(f64::MIN_POSITIVE);
        let get = row.get.0 / row.get.1.max(f64::MIN_POSITIVE);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.0} | {:.0} | {set:.2}×: {} | {:.0} | {:.0} | {get:.2}×: {} |",
            if row.durable { "durable" } else { "relaxed" },
            row.pipeline,
            row.engine,
            row.set.0,
            row.set.1,
            verdict(set, SET_TARGET),
            row.get.0,
            row.get.1,
            verdict(get, GET_TARGET),
        );
    }
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let _ = writeln!(
        out,
        "\n*Generated by `cargo xtask serve-bench{}`: `redis-benchmark -t set,get -n {} -c {} \
         -P <pipeline> --csv` (requests per second, the median of {} runs) against `strata serve` \
         and `redis-server`, started in turn on loopback ports on one machine with {cpus} CPUs, \
         the two alternating which goes first. Durable rows: `--sync always` and `appendonly yes` with \
         `appendfsync always`; relaxed rows: `--sync on-flush` and `appendonly no`. Load average \
         at the start {load_start}, at the end {load_end}. Your figures will differ: compare the \
         ratios.*",
        if options.quick { " --quick" } else { "" },
        options.requests,
        options.clients,
        options.repeats,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_benchmark_csv_gives_both_rates() {
        let csv = "\"test\",\"rps\",\"avg_latency_ms\"\n\"SET\",\"1234.5\",\"1.2\"\n\"GET\",\"99000.0\",\"0.3\"\n";
        assert_eq!(parse_csv(csv), Some((1234.5, 99000.0)));
        assert_eq!(parse_csv("\"SET\",\"1\"\n"), None);
    }

    #[test]
    fn the_table_marks_each_target() {
        let row = Row {
            durable: true,
            pipeline: 1,
            engine: "wal",
            set: (100.0, 50.0),
            get: (70.0, 100.0),
        };
        let table = render(
            &[row],
            &Options::parse(&[]).unwrap(),
            "0.1 0.2 0.3",
            "0.4 0.5 0.6",
        );
        assert!(
            table.contains(
                "| durable | 1 | wal | 100 | 50 | 2.00×: met | 70 | 100 | 0.70×: **missed** |"
            ),
            "{table}"
        );
        assert!(table.contains("Load average at the start 0.1 0.2 0.3"));
    }
}
