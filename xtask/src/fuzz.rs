//! `cargo xtask fuzz [--runs N] [--jobs J] [TARGET...]`: a fuzzing campaign over the targets
//! in `fuzz/`, each run for N executions (default 10 million), J at a time (default 1), and a
//! table of what each did.
//!
//! The campaign builds without a sanitizer and with debug assertions on: the engines are safe
//! Rust (AddressSanitizer finds nothing there that the borrow checker has not, and slows every
//! allocation), while debug assertions turn every integer overflow into a panic the fuzzer
//! reports. Each target starts from its committed corpus and writes what it finds to a scratch
//! corpus under `fuzz/target/campaign/`, so the committed one stays small. Targets that write
//! files do so under `/dev/shm` when it exists. A crash leaves its input in
//! `fuzz/artifacts/<target>/` and fails the command.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Instant;

use crate::Result;
use crate::process::cargo;

/// What `cargo xtask fuzz` was asked to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    runs: u64,
    jobs: usize,
    targets: Vec<String>,
}

impl Options {
    /// Parses `[--runs N] [--jobs J] [TARGET...]`.
    pub fn parse(args: &[String]) -> Result<Options> {
        let mut options = Options {
            runs: 10_000_000,
            jobs: 1,
            targets: Vec::new(),
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut number = |name: &str| -> Result<u64> {
                let value = args.next().ok_or(format!("{name} needs a number"))?;
                Ok(value
                    .parse()
                    .map_err(|_| format!("{name}: not a number: {value}"))?)
            };
            match arg.as_str() {
                "--runs" => options.runs = number("--runs")?,
                "--jobs" => options.jobs = number("--jobs")?.max(1) as usize,
                flag if flag.starts_with('-') => {
                    return Err(format!("unknown option {flag}").into());
                }
                target => options.targets.push(target.to_string()),
            }
        }
        Ok(options)
    }
}

/// One target's outcome.
struct Outcome {
    target: String,
    executions: Option<u64>,
    seconds: f64,
    ok: bool,
}

pub fn run(root: &Path, options: Options) -> Result<()> {
    let fuzz = root.join("fuzz");
    let toolchain = fuzz_cargo()?;
    let mut targets = options.targets.clone();
    if targets.is_empty() {
        let out = toolchain.command(&fuzz).args(["fuzz", "list"]).output()?;
        targets = String::from_utf8(out.stdout)?
            .lines()
            .map(str::to_string)
            .collect();
    }
    let status = toolchain
        .command(&fuzz)
        .args(["fuzz", "build", "-s", "none", "-a"])
        .status()?;
    if !status.success() {
        return Err("building the fuzz targets failed".into());
    }
    let scratch = fuzz.join("target/campaign");
    std::fs::create_dir_all(&scratch)?;
    let queue = Mutex::new(targets.clone().into_iter());
    let outcomes = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..options.jobs {
            s.spawn(|| {
                loop {
                    let Some(target) = queue.lock().expect("queue").next() else {
                        break;
                    };
                    let outcome = run_target(&toolchain, &fuzz, &scratch, &target, options.runs);
                    eprintln!(
                        "fuzz {target}: {} executions in {:.0} s, {}",
                        outcome.executions.map_or("?".into(), |n| n.to_string()),
                        outcome.seconds,
                        if outcome.ok { "no crash" } else { "FAILED" }
                    );
                    outcomes.lock().expect("outcomes").push(outcome);
                }
            });
        }
    });
    let mut outcomes = outcomes.into_inner().expect("outcomes");
    outcomes.sort_by_key(|o| targets.iter().position(|t| *t == o.target));
    println!("| target | executions | seconds | result |");
    println!("|---|---:|---:|---|");
    for o in &outcomes {
        println!(
            "| {} | {} | {:.0} | {} |",
            o.target,
            o.executions.map_or("?".into(), |n| n.to_string()),
            o.seconds,
            if o.ok {
                "no crash"
            } else {
                "crash or error: see the log"
            }
        );
    }
    match outcomes.iter().filter(|o| !o.ok).count() {
        0 => Ok(()),
        n => Err(format!(
            "{n} targets failed; their logs are in {}",
            scratch.display()
        )
        .into()),
    }
}

fn run_target(
    toolchain: &FuzzCargo,
    fuzz: &Path,
    scratch: &Path,
    target: &str,
    runs: u64,
) -> Outcome {
    let corpus = scratch.join(target);
    let _ = std::fs::remove_dir_all(&corpus);
    let log = scratch.join(format!("{target}.log"));
    let start = Instant::now();
    let mut cmd = toolchain.command(fuzz);
    cmd.args(["fuzz", "run", "-s", "none", "-a", target])
        .arg(&corpus)
        .arg(Path::new("corpus").join(target))
        .arg("--")
        .arg(format!("-runs={runs}"))
        .args(["-rss_limit_mb=2048", "-timeout=10", "-print_final_stats=1"])
        .stdin(Stdio::null());
    if Path::new("/dev/shm").is_dir() {
        cmd.env("TMPDIR", "/dev/shm");
    }
    let ok = std::fs::create_dir_all(&corpus).is_ok()
        && std::fs::File::create(&log)
            .ok()
            .and_then(|file| {
                let err = file.try_clone().ok()?;
                cmd.stdout(file).stderr(err).status().ok()
            })
            .is_some_and(|status| status.success());
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let executions = text
        .lines()
        .find_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
        .and_then(|n| n.trim().parse().ok());
    Outcome {
        target: target.to_string(),
        executions,
        seconds: start.elapsed().as_secs_f64(),
        ok,
    }
}

/// How to run cargo-fuzz: with the nightly toolchain, or (as CI does without one) stable with
/// `RUSTC_BOOTSTRAP=1`, which accepts the sanitizer flags cargo-fuzz passes.
enum FuzzCargo {
    Nightly,
    Bootstrapped,
}

impl FuzzCargo {
    fn command(&self, dir: &Path) -> Command {
        let mut cmd = match self {
            FuzzCargo::Nightly => {
                let mut cmd = Command::new("cargo");
                cmd.arg("+nightly");
                cmd
            }
            FuzzCargo::Bootstrapped => {
                let mut cmd = cargo();
                cmd.env("RUSTC_BOOTSTRAP", "1");
                cmd
            }
        };
        cmd.current_dir(dir);
        cmd
    }
}

fn fuzz_cargo() -> Result<FuzzCargo> {
    let probe = Command::new("cargo").args(["fuzz", "--version"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        return Err("cargo-fuzz is not installed: `cargo install cargo-fuzz --locked`".into());
    }
    let nightly = Command::new("rustup")
        .args(["run", "nightly", "rustc", "-V"])
        .output();
    Ok(if nightly.is_ok_and(|o| o.status.success()) {
        FuzzCargo::Nightly
    } else {
        FuzzCargo::Bootstrapped
    })
}
