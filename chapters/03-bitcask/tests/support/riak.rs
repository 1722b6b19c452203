//! Riak's side of the interop tests: running `interop/riak.escript` (a small command-line tool
//! around Debian's `erlang-bitcask`), and reading what its `dump` prints. Shared by chapter 3's
//! interop tests and by `strata`'s, which include this file by its path.
//!
//! Without Erlang and bitcask, [`riak_available`] prints a skip message and returns false,
//! unless `STRATA_INTEROP=require` (set by CI) makes a missing tool a failure.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// A cask's live content: (key, value) pairs sorted by key bytes, as `dump` prints them.
pub type Content = Vec<(Vec<u8>, Vec<u8>)>;

/// The escript, found from the package that includes this file.
pub fn escript_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("chapters/03-bitcask/interop/riak.escript"))
        .find(|path| path.is_file())
        .expect("the tests run inside the repository")
}

pub const SKIP_MESSAGE: &str =
    "skipping: Erlang/bitcask not installed (apt-get install erlang-base erlang-bitcask)";

/// Whether Riak's bitcask runs here. When it does not, prints the skip message and returns
/// false, or panics with it when `STRATA_INTEROP=require`. The probe (`riak.escript check`
/// writes and reads a throwaway cask) runs once per test binary.
pub fn riak_available() -> bool {
    static PROBE: OnceLock<Result<(), String>> = OnceLock::new();
    let probe = PROBE.get_or_init(|| {
        let result = match escript(&["check"]) {
            Ok(out) if out.status.success() => Ok(()),
            Ok(out) => Err(format!(
                "`riak.escript check` failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )),
            Err(e) => Err(format!("cannot run `escript`: {e}")),
        };
        if let Err(why) = &result
            && std::env::var("STRATA_INTEROP").as_deref() != Ok("require")
        {
            // Once, and straight to stderr rather than through eprintln!, which the test
            // harness captures: a skip must be visible in a plain `cargo test`.
            let line = format!("\n{SKIP_MESSAGE}\n  ({why})\n");
            let _ = std::io::stderr().write_all(line.as_bytes());
        }
        result
    });
    let Err(why) = probe else {
        return true;
    };
    if std::env::var("STRATA_INTEROP").as_deref() == Ok("require") {
        panic!("{SKIP_MESSAGE}\nSTRATA_INTEROP=require makes this a failure. Cause: {why}");
    }
    eprintln!("{SKIP_MESSAGE}");
    false
}

pub fn escript(args: &[&str]) -> std::io::Result<Output> {
    Command::new("escript")
        .arg(escript_path())
        .args(args)
        .output()
}

/// Runs riak.escript and returns its stdout; any failure panics with its stderr.
pub fn riak(args: &[&str]) -> Vec<u8> {
    let out = escript(args).unwrap_or_else(|e| panic!("cannot run escript {args:?}: {e}"));
    assert!(
        out.status.success(),
        "riak.escript {args:?} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// Riak's view of `dir`: a read-only open, list_keys + get (CRC-checked) and fold, which must
/// agree. A write lock left in the directory makes it fail (a read-only Riak would ignore the
/// file the lock names).
pub fn riak_dump(dir: &Path) -> Content {
    parse_dump(riak(&["dump", path_str(dir)]))
}

pub fn parse_dump(stdout: Vec<u8>) -> Content {
    let text = String::from_utf8(stdout).expect("dump prints ASCII");
    text.lines()
        .map(|line| {
            let (k, v) = line
                .split_once(' ')
                .unwrap_or_else(|| panic!("bad dump line {line:?}"));
            (unhex(k), unhex(v))
        })
        .collect()
}

pub fn unhex(text: &str) -> Vec<u8> {
    if text == "-" {
        return Vec::new();
    }
    assert!(
        text.len().is_multiple_of(2),
        "odd-length hex in dump: {text:.40}"
    );
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex digit in dump"))
        .collect()
}
