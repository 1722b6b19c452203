//! Strata's repository automation, run as `cargo xtask <command>` (an alias in
//! `.cargo/config.toml`), so it needs nothing but the Rust toolchain.
//!
//! - `cargo xtask book [--port N] [--open]` serves the book, installing the pinned mdBook first.
//! - `cargo xtask book --check` builds the book and checks what mdBook lets slip: includes,
//!   anchors, the Rust names the prose mentions, and listings pasted instead of included.
//! - `cargo xtask exercises` is the red gate: every exercise test must fail on the skeletons.
//! - `cargo xtask bench-report <package>` turns the package's last `cargo bench` run into the
//!   Markdown table the book includes (book/src/generated/`<package>`-bench.md).
//! - `cargo xtask bptree-vs-bbolt [--count N] [--quick] [--no-sync]` runs `bbolt bench`'s modes
//!   on Go's bbolt 1.3.6 and on strata-bptree and writes the comparison the book includes.
//! - `cargo xtask schema-vs-dbrs [--quick]` runs strata-schema's benchmarks, which measure db-rs
//!   0.3 alongside, and writes the comparison the book includes and strata-schema's own table.
//! - `cargo xtask serve-bench [--quick]` runs redis-benchmark against `strata serve` on each
//!   engine and against redis-server, alternated, and writes the comparison the book includes.
//! - `cargo xtask plots` draws a bar chart (SVG) of each generated table, beside it.
//! - `cargo xtask crash <engine|all> [--runs N] [--seed S]` kills a writing child process at
//!   random moments and checks that every acknowledged write and every batch survives whole
//!   (the child is this program again, as the hidden command `crash-child`).
//! - `cargo xtask fuzz [--runs N] [--jobs J] [TARGET...]` runs a fuzzing campaign over the
//!   targets in `fuzz/` (nightly and cargo-fuzz needed) and prints what each target did.

mod bench_report;
mod book;
mod book_check;
mod bptree_vs_bbolt;
mod crash;
mod dedent;
mod exercises;
mod figures;
mod fuzz;
mod libtest;
mod plot;
mod process;
mod rust_items;
mod schema_vs_dbrs;
mod serve_bench;
mod skeletons;
mod tools;
mod workspace;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Every command reports failure as a message for the user; nothing here needs to match on kinds.
type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const USAGE: &str = "\
Usage: cargo xtask <command>

Commands:
  book [--port N] [--open]  serve the book at http://localhost:N (default 3000),
                            installing mdBook 0.5.4 into .tools/ first if needed
  book --check              build the book and check its includes, anchors, the Rust
                            names in its prose, and that no listing is pasted
  exercises                 the red gate: everything compiles, and every exercise test
                            fails on the untouched skeletons
  bench-report <package>    write book/src/generated/<package>-bench.md from the
                            package's last `cargo bench` run
  bptree-vs-bbolt [--count N] [--quick] [--no-sync]
                            run bbolt bench's modes on Go bbolt 1.3.6 and strata-bptree
                            (N keys a run; default 100000, --quick 50000) and write
                            book/src/generated/strata-bptree-vs-bbolt.md
  schema-vs-dbrs [--quick]  run strata-schema's benchmarks (db-rs 0.3 measured alongside;
                            --quick: 1 s warm-up, 2 s measurement) and write
                            book/src/generated/strata-schema-vs-dbrs.md and
                            book/src/generated/strata-schema-bench.md
  serve-bench [--quick]     redis-benchmark -t set,get against `strata serve` on each engine
                            and against redis-server (durable and not, -P 1 and 16),
                            alternated, medians of 3 runs (--quick: 1 run of 20,000);
                            writes book/src/generated/serve-bench.md
  plots                     draw book/src/generated/<table>.svg, a bar chart of each
                            generated table (the generators do it after writing one)
  crash <engine|all> [--runs N] [--seed S]
                            kill -9 a child writing to the engine (flat-file, wal,
                            bitcask, bptree, schema; or store-flat-file, store-wal,
                            store-bitcask, store-bptree: each through strata::Store)
                            at random moments, N times (default 100), and check what
                            each reopen holds
  fuzz [--runs N] [--jobs J] [TARGET...]
                            run every fuzz target (or those named) for N executions
                            (default 10000000), J at a time (default 1), and print a
                            table of executions and crashes (nightly and cargo-fuzz)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<()> {
    let root = repo_root();
    match args.split_first() {
        Some((command, rest)) if command == "book" => book::run(&root, book::Options::parse(rest)?),
        Some((command, rest)) if command == "exercises" => {
            if let Some(extra) = rest.first() {
                return Err(format!("`exercises` takes no arguments, got `{extra}`").into());
            }
            exercises::run(&root)
        }
        Some((command, rest)) if command == "bench-report" => match rest {
            [package] => bench_report::run(&root, package),
            _ => Err(format!("`bench-report` takes one package name\n\n{USAGE}").into()),
        },
        Some((command, rest)) if command == "bptree-vs-bbolt" => {
            bptree_vs_bbolt::run(&root, &bptree_vs_bbolt::Options::parse(rest)?)
        }
        Some((command, rest)) if command == "schema-vs-dbrs" => {
            schema_vs_dbrs::run(&root, &schema_vs_dbrs::Options::parse(rest)?)
        }
        Some((command, rest)) if command == "serve-bench" => {
            serve_bench::run(&root, &serve_bench::Options::parse(rest)?)
        }
        Some((command, rest)) if command == "plots" => {
            if let Some(extra) = rest.first() {
                return Err(format!("`plots` takes no arguments, got `{extra}`").into());
            }
            plot::run(&root)
        }
        Some((command, rest)) if command == "crash" => crash::run(&crash::Options::parse(rest)?),
        Some((command, rest)) if command == "crash-child" => crash::child(rest),
        // Run by mdBook (book/book.toml), not by hand.
        Some((command, rest)) if command == "dedent-listings" => dedent::run(rest),
        Some((command, rest)) if command == "fuzz" => fuzz::run(&root, fuzz::Options::parse(rest)?),
        Some((command, _)) if command == "help" || command == "--help" || command == "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        Some((command, _)) => Err(format!("unknown command `{command}`\n\n{USAGE}").into()),
        None => Err(format!("no command given\n\n{USAGE}").into()),
    }
}

/// The workspace root: xtask lives one level below it. Taken from the build rather than the
/// current directory so `cargo xtask` works from any subdirectory.
fn repo_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}
