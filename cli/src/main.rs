//! The `strata` command: look inside, check, edit, convert and benchmark
//! the files of any Strata engine (and those Go's bbolt and Riak's bitcask
//! write), through the `strata` library's one API.
//!
//! Exit codes, for scripts: 0 success; 1 not found (a key, or nothing at
//! the path); 2 usage (bad arguments, or a command the engine does not
//! support); 3 damaged files; 4 locked by another writer; 5 any other
//! failure (I/O, ...).

mod args;
mod bytes;
mod commands;
mod failure;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;

use crate::args::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = output::Output::new(cli.format());
    match commands::run(&cli, &mut out) {
        Ok(code) => code.into(),
        Err(failure) => {
            out.flush();
            eprintln!("strata: {failure}");
            failure.exit_code().into()
        }
    }
}
