//! `cargo xtask crash <engine|all> [--runs N] [--seed S]`: a kill -9 crash runner for every
//! engine.
//!
//! A child process (this same program, as the hidden command `crash-child <engine> <dir>
//! <seed>`) writes a seeded workload with the engine's strictest sync policy and reports on a
//! pipe each op as it begins and once it is acknowledged. The parent kills it (SIGKILL) at a
//! random moment, often inside an op, reopens the directory and checks that it holds exactly
//! the state after the acknowledged ops, or after the op in flight as well: no acknowledged
//! write lost, no batch half applied, nothing else. Each run kills a few children in the same
//! directory, so recovery is crashed too.
//!
//! The failure model is a crash of the *process* only. The operating system survives a kill
//! -9, and with it the page cache: a write the child made reaches the file whether or not it
//! was ever fsynced. So this runner tests that every step of a write leaves files that recover
//! correctly, and that nothing is acknowledged before it is written; it cannot tell a missing
//! fsync (that takes a power cut, which the simulated disk of chapter 1's tests makes).
//!
//! Timing decides only *where* a kill lands, never a verdict: what is allowed follows from what
//! the child had said when it died, which the parent reads to the end of the pipe. A failure
//! prints its run and seed; `--seed <seed> --runs 1` makes the same workload and kill plan again
//! (though the kill may land a little elsewhere).
//!
//! Modules: [`workload`] (the ops and the model), [`engine`] (what an engine must offer, and
//! one adapter module per engine), [`child`](mod@child) and [`run`](fn@run) (the two sides of the pipe).

mod bitcask;
mod bptree;
mod child;
mod engine;
mod flat_file;
mod run;
mod schema;
mod store;
mod wal;
mod workload;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::Result;
use engine::Kind;

/// The runs an engine gets when `--runs` is not given.
const DEFAULT_RUNS: u64 = 100;

/// What `cargo xtask crash` was asked to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The engines to crash, in order.
    engines: Vec<Kind>,
    /// Runs per engine.
    runs: u64,
    /// The first run's seed.
    seed: u64,
}

impl Options {
    /// Parses `<engine|all> [--runs N] [--seed S]`; the seed defaults to one from the clock.
    pub fn parse(args: &[String]) -> Result<Options> {
        let mut engines = None;
        let mut runs = DEFAULT_RUNS;
        let mut seed = None;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--runs" => runs = number(args.next(), "--runs")?,
                "--seed" => seed = Some(number(args.next(), "--seed")?),
                "all" if engines.is_none() => engines = Some(Kind::ALL.to_vec()),
                name if engines.is_none() && !name.starts_with('-') => {
                    let kind = Kind::parse(name).ok_or_else(|| unknown_engine(name))?;
                    engines = Some(vec![kind]);
                }
                other => return Err(format!("`crash`: unexpected argument `{other}`").into()),
            }
        }
        let engines = engines.ok_or_else(|| unknown_engine("(none given)"))?;
        Ok(Options {
            engines,
            runs,
            seed: seed.unwrap_or_else(seed_from_clock),
        })
    }
}

fn number(value: Option<&String>, option: &str) -> Result<u64> {
    let value = value.ok_or_else(|| format!("`crash`: `{option}` needs a number"))?;
    value
        .parse()
        .map_err(|_| format!("`crash`: `{option} {value}` is not a number").into())
}

fn unknown_engine(name: &str) -> String {
    let names: Vec<&str> = Kind::ALL.iter().map(|kind| kind.name()).collect();
    format!(
        "`crash`: unknown engine `{name}`: expected one of {} or `all`",
        names.join(", ")
    )
}

fn seed_from_clock() -> u64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH);
    // Only the low bits of the nanoseconds matter, and they change on every call.
    now.map_or(0, |d| d.as_nanos() as u64)
}

/// Runs the crash runs and prints a summary line per engine; fails if any run found a violation.
pub fn run(options: &Options) -> Result<()> {
    let exe = std::env::current_exe()?;
    println!(
        "crash: {} runs per engine from seed {}",
        options.runs, options.seed
    );
    let mut violations = 0;
    for kind in &options.engines {
        let summary = kind.visit(run::Runner {
            engine: kind.name(),
            runs: options.runs,
            seed: options.seed,
            exe: &exe,
        });
        println!(
            "{}: {} runs, {} kills mid-operation, {} violations ({} kills in all, {} before the \
             database was open; {:.1} s)",
            kind.name(),
            summary.runs,
            summary.mid_operation,
            summary.violations,
            summary.kills,
            summary.before_open,
            summary.elapsed.as_secs_f64()
        );
        violations += summary.violations;
    }
    if violations > 0 {
        return Err(format!("{violations} crash runs found a violation").into());
    }
    Ok(())
}

/// The hidden `crash-child <engine> <dir> <seed>` command: the workload the parent kills.
pub fn child(args: &[String]) -> Result<()> {
    let [engine, dir, seed] = args else {
        return Err("`crash-child` takes <engine> <dir> <seed>".into());
    };
    let kind = Kind::parse(engine).ok_or_else(|| unknown_engine(engine))?;
    let seed = number(Some(seed), "<seed>")?;
    kind.visit(child::Child {
        dir: Path::new(dir),
        seed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options> {
        Options::parse(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn options_parse() {
        let options = parse(&["wal", "--runs", "7", "--seed", "12"]).unwrap();
        assert_eq!(
            options,
            Options {
                engines: vec![Kind::Wal],
                runs: 7,
                seed: 12
            }
        );
        let all = parse(&["--seed", "1", "all"]).unwrap();
        assert_eq!((all.engines, all.runs), (Kind::ALL.to_vec(), DEFAULT_RUNS));
    }

    #[test]
    fn bad_options_are_errors() {
        for args in [
            &[][..],
            &["nosuch"],
            &["wal", "bptree"],
            &["wal", "--runs"],
            &["wal", "--runs", "many"],
            &["wal", "--fast"],
        ] {
            assert!(parse(args).is_err(), "{args:?} was accepted");
        }
    }
}
