//! Scenario scripts: `tests/scripts/<group>/*.txt`, run against every engine
//! whose capabilities the group needs (`all`: every engine; `ordered`:
//! [`Capability::OrderedScans`]; `transactions`: [`Capability::Transactions`]).
//!
//! A script is a list of commands, each followed by the lines it must print,
//! marked `> `. Lines starting with `#` are comments.
//!
//! ```text
//! put apple red
//! get apple
//! > red
//! ```
//!
//! The commands:
//!
//! | command | does | prints |
//! |---------|------|--------|
//! | `put K V` | [`Store::put`] | |
//! | `get K` | [`Store::get`] | the value, or `(none)` |
//! | `delete K` | [`Store::delete`] | |
//! | `batch put K V, delete K, …` | one [`Store::write`] | |
//! | `scan RANGE` | [`Store::range`]; `a..b`, `a..=b`, `a..`, `..b`, `..` | `K = V` per entry, or `(empty)` |
//! | `prefix P` | [`Store::prefix`] | as `scan` |
//! | `len` | [`Store::len`] | the count |
//! | `flush` | [`Store::flush`] | |
//! | `reopen` | [`Store::close`], then [`Store::open`] by what is on disk | |
//! | `crash` | [`Store::simulate_crash`], then [`Store::open`] | |
//! | `update OP, OP, …` | one write transaction: `put K V`, `delete K`, `get K`, and `fail` (an error, which rolls it back) | what each `get` prints |
//!
//! A failed command prints `error: ` and the error's message, with the test
//! directory written `<dir>`. Set `STRATA_BLESS=1` to write each script's
//! actual output back into it (then review the diff).

use std::fs;
use std::path::Path;

use strata::{Batch, Capability, Engine, Error, KeyRange, Options, Store, WriteTransaction};

use crate::harness::{create, store_path};

// ANCHOR: run
/// Runs every script of every group `engine` can run.
fn run(engine: Engine) {
    let caps = engine.capabilities();
    let groups = [
        ("all", true),
        ("ordered", caps.contains(Capability::OrderedScans)),
        ("transactions", caps.contains(Capability::Transactions)),
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts");
    let mut ran = 0;
    for (group, runs) in groups {
        if !runs {
            continue;
        }
        let mut scripts: Vec<_> = fs::read_dir(root.join(group))
            .expect("the scripts directory")
            .map(|entry| entry.expect("a directory entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
            .collect();
        scripts.sort();
        for script in scripts {
            run_script(engine, &script);
            ran += 1;
        }
    }
    assert!(ran > 0, "no scripts ran for {engine}");
}
crate::per_engine!(run);
// ANCHOR_END: run

fn run_script(engine: Engine, script: &Path) {
    let text = fs::read_to_string(script).expect("reading the script");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut runner = Runner {
        engine,
        dir: dir.path(),
        store: Some(create(dir.path(), engine, Options::default())),
    };
    let mut actual = String::new();
    for line in text.lines() {
        if line.starts_with("> ") || line == ">" {
            continue; // expected output: replaced by what the command prints
        }
        actual.push_str(line);
        actual.push('\n');
        let command = line.trim();
        if command.is_empty() || command.starts_with('#') {
            continue;
        }
        for out in runner.execute(command) {
            actual.push_str("> ");
            actual.push_str(&out);
            actual.push('\n');
        }
    }
    if actual != text {
        if std::env::var_os("STRATA_BLESS").is_some() {
            fs::write(script, &actual).expect("writing the blessed script");
            return;
        }
        panic!(
            "{engine}: {} printed something else:\n--- expected\n{text}\n--- actual\n{actual}",
            script.display()
        );
    }
}

struct Runner<'a> {
    engine: Engine,
    dir: &'a Path,
    store: Option<Store>,
}

impl Runner<'_> {
    fn store(&self) -> &Store {
        self.store.as_ref().expect("the store is open")
    }

    /// Runs `command`, returning the lines it prints.
    fn execute(&mut self, command: &str) -> Vec<String> {
        let (verb, rest) = command.split_once(' ').unwrap_or((command, ""));
        let args: Vec<&str> = rest.split_whitespace().collect();
        let result = match (verb, args.as_slice()) {
            ("put", [k, v]) => self.store().put(k, v).map(|()| vec![]),
            ("get", [k]) => self.store().get(k).map(|v| vec![show_value(v)]),
            ("delete", [k]) => self.store().delete(k).map(|()| vec![]),
            ("batch", _) => parse_batch(rest).and_then(|b| self.store().write(&b).map(|()| vec![])),
            ("scan", [range]) => self.scan(parse_range(range)),
            ("prefix", [p]) => self.scan(KeyRange::prefix(p.as_bytes())),
            ("len", []) => self.store().len().map(|n| vec![n.to_string()]),
            ("flush", []) => self.store().flush().map(|()| vec![]),
            ("reopen", []) => self.reopen(false).map(|()| vec![]),
            ("crash", []) => self.reopen(true).map(|()| vec![]),
            ("update", _) => self.update(rest),
            _ => panic!("unknown command or wrong arguments: {command}"),
        };
        result.unwrap_or_else(|e| vec![self.show_error(&e)])
    }

    fn scan(&self, range: KeyRange) -> strata::Result<Vec<String>> {
        let lines: Vec<String> = self
            .store()
            .range(range)?
            .map(|entry| entry.map(|(k, v)| format!("{} = {}", show(&k), show(&v))))
            .collect::<strata::Result<_>>()?;
        Ok(if lines.is_empty() {
            vec!["(empty)".into()]
        } else {
            lines
        })
    }

    /// Closes the store (or crashes it), and opens it again by its path.
    fn reopen(&mut self, crash: bool) -> strata::Result<()> {
        let store = self.store.take().expect("the store is open");
        if crash {
            store.simulate_crash();
        } else {
            store.close()?;
        }
        let store = Store::open(store_path(self.dir, self.engine))?;
        assert_eq!(store.engine(), self.engine, "reopened as another engine");
        self.store = Some(store);
        Ok(())
    }

    fn update(&self, ops: &str) -> strata::Result<Vec<String>> {
        let mut printed = Vec::new();
        let result = self.store().update(|tx| {
            for op in ops.split(',').map(str::trim) {
                apply_tx_op(tx, op, &mut printed)?;
            }
            Ok(())
        });
        result.map(|()| printed)
    }

    fn show_error(&self, e: &Error) -> String {
        let dir = self.dir.display().to_string();
        format!("error: {}", e.to_string().replace(&dir, "<dir>"))
    }
}

fn apply_tx_op(
    tx: &mut dyn WriteTransaction,
    op: &str,
    printed: &mut Vec<String>,
) -> strata::Result<()> {
    match op.split_whitespace().collect::<Vec<_>>().as_slice() {
        ["put", k, v] => tx.put(k.as_bytes(), v.as_bytes()),
        ["delete", k] => tx.delete(k.as_bytes()),
        ["get", k] => {
            printed.push(show_value(tx.get(k.as_bytes())?));
            Ok(())
        }
        // Any error rolls the transaction back; this one is easy to recognise.
        ["fail"] => Err(Error::Io {
            path: "update".into(),
            source: std::io::Error::other("the script made the transaction fail"),
        }),
        _ => panic!("unknown transaction operation: {op}"),
    }
}

fn parse_batch(ops: &str) -> strata::Result<Batch> {
    let mut batch = Batch::new();
    for op in ops.split(',').map(str::trim) {
        batch = match op.split_whitespace().collect::<Vec<_>>().as_slice() {
            ["put", k, v] => batch.put(*k, *v),
            ["delete", k] => batch.delete(*k),
            _ => panic!("unknown batch operation: {op}"),
        };
    }
    Ok(batch)
}

/// `a..b`, `a..=b`, `a..`, `..b`, `..=b` or `..`.
fn parse_range(range: &str) -> KeyRange {
    let (start, end) = range.split_once("..").expect("a range has `..`");
    let (inclusive, end) = match end.strip_prefix('=') {
        Some(end) => (true, end),
        None => (false, end),
    };
    let start = if start.is_empty() {
        std::ops::Bound::Unbounded
    } else {
        std::ops::Bound::Included(start.as_bytes())
    };
    let end = match (end.is_empty(), inclusive) {
        (true, _) => std::ops::Bound::Unbounded,
        (false, true) => std::ops::Bound::Included(end.as_bytes()),
        (false, false) => std::ops::Bound::Excluded(end.as_bytes()),
    };
    KeyRange::new(start, end)
}

fn show_value(value: Option<Vec<u8>>) -> String {
    value.map_or_else(|| "(none)".into(), |v| show(&v))
}

fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
