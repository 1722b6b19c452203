//! Looks inside a bbolt file, in the spirit of the `bbolt` command line.
//!
//! ```text
//! cargo run -p strata-bptree --example inspect -- FILE check
//! cargo run -p strata-bptree --example inspect -- FILE stats
//! cargo run -p strata-bptree --example inspect -- FILE pages
//! cargo run -p strata-bptree --example inspect -- FILE page N
//! cargo run -p strata-bptree --example inspect -- FILE dump
//! ```

use std::process::ExitCode;

use strata_bptree::{DB, Options, inspect};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let usage = "usage: inspect FILE (check | stats | pages | page N | dump)";
    let [file, command, rest @ ..] = args else {
        return Err(usage.into());
    };
    let db = DB::open(file, Options::read_only()).map_err(|e| e.to_string())?;
    let tx = db.begin_read();
    match (command.as_str(), rest) {
        ("check", []) => {
            let problems = tx.check();
            for problem in &problems {
                println!("{problem}");
            }
            if problems.is_empty() {
                println!("OK");
                return Ok(ExitCode::SUCCESS);
            }
            Ok(ExitCode::FAILURE)
        }
        ("stats", []) => {
            println!("{}", tx.root().stats().map_err(|e| e.to_string())?);
            Ok(ExitCode::SUCCESS)
        }
        ("pages", []) => {
            print!("{}", inspect::pages_table(&tx).map_err(|e| e.to_string())?);
            Ok(ExitCode::SUCCESS)
        }
        ("page", [id]) => {
            let id = id.parse().map_err(|_| format!("not a page id: {id}"))?;
            print!(
                "{}",
                inspect::page_dump(&tx, id).map_err(|e| e.to_string())?
            );
            Ok(ExitCode::SUCCESS)
        }
        ("dump", []) => {
            print!(
                "{}",
                inspect::logical_dump(db.path()).map_err(|e| e.to_string())?
            );
            Ok(ExitCode::SUCCESS)
        }
        _ => Err(usage.into()),
    }
}
