//! The `strata` command, run as a user runs it: sessions on small fixture
//! stores of every engine (pinned as insta snapshots, which the book's
//! appendix shows), every error a user can meet with its exit code, the
//! promise that read-only commands change nothing, and `copy` between every
//! pair of engines.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use strata::{Engine, Options, Store};

// The conformance suite's helpers (`on_disk`: files, bytes and mtimes).
#[allow(dead_code, unused_macros)]
#[path = "../../final/tests/conformance/harness.rs"]
mod harness;
use harness::on_disk;

/// Runs `strata ARGS` in `dir`; returns stdout, stderr and the exit code.
fn strata(dir: &Path, args: &str) -> (String, String, i32) {
    let output = Command::cargo_bin("strata")
        .unwrap()
        .current_dir(dir)
        .args(args.split_whitespace())
        .output()
        .unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        output.status.code().unwrap_or(-1),
    )
}

/// A transcript of `commands` run in `dir`, as a terminal would show it,
/// with the exit code of each command that fails.
fn session(dir: &Path, commands: &[&str]) -> String {
    let mut text = String::new();
    for command in commands {
        let (stdout, stderr, code) = strata(dir, command);
        text.push_str(&format!("$ strata {command}\n{stdout}{stderr}"));
        if code != 0 {
            text.push_str(&format!("[exit code {code}]\n"));
        }
    }
    text
}

/// The same few fruits in every engine's fixture.
fn fixture(dir: &Path, name: &str, engine: Engine) {
    let mut options = Options::new();
    // Bitcask stamps entries with the time: fix it, for the same bytes every run.
    options.bitcask.clock = strata::bitcask::Clock::Fixed(1_700_000_000);
    let store = Store::create(dir.join(name), engine, options).unwrap();
    store.put("apple", "red").unwrap();
    store.put("banana", "yellow").unwrap();
    store.put("cherry", "dark red").unwrap();
    store.delete("banana").unwrap();
    store.put([0u8, 255], "not text").unwrap();
    store.close().unwrap();
}

#[test]
fn a_session_with_a_b_tree() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path(), "fruit.db", Engine::Bptree);
    insta::assert_snapshot!(session(
        dir.path(),
        &[
            "info fruit.db",
            "keys fruit.db",
            "get fruit.db cherry",
            "scan fruit.db --from b --to d",
            "--format hex scan fruit.db --prefix hex:00",
            "check fruit.db",
            "stats fruit.db",
            "pages fruit.db",
            "page fruit.db 4",
        ]
    ));
}

#[test]
fn a_session_with_a_bitcask() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path(), "fruit", Engine::Bitcask);
    insta::assert_snapshot!(session(
        dir.path(),
        &[
            "info fruit",
            "get fruit apple",
            "check fruit",
            "files fruit",
            "hints fruit",
            "dump fruit",
        ]
    ));
}

#[test]
fn a_session_with_a_log() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path(), "fruit", Engine::Wal);
    insta::assert_snapshot!(session(
        dir.path(),
        &[
            "info fruit",
            "segments fruit",
            "records fruit",
            "dump fruit",
            "checkpoint fruit",
            "segments fruit",
            "keys fruit",
        ]
    ));
}

#[test]
fn a_session_with_a_flat_file() {
    let dir = tempfile::tempdir().unwrap();
    insta::assert_snapshot!(session(
        dir.path(),
        &[
            "--engine flat-file create fruit.strata",
            "put fruit.strata apple red",
            "put fruit.strata hex:00ff text:@home",
            "--json keys fruit.strata",
            "--json get fruit.strata hex:00ff",
            "del fruit.strata apple",
            "keys fruit.strata",
            "dump fruit.strata",
        ]
    ));
}

#[test]
fn a_session_of_upkeep_and_conversion() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path(), "fruit.db", Engine::Bptree);
    fixture(dir.path(), "cask", Engine::Bitcask);
    fixture(dir.path(), "log", Engine::Wal);
    fixture(dir.path(), "fruit.strata", Engine::FlatFile);
    insta::assert_snapshot!(session(
        dir.path(),
        &[
            "compact fruit.db --output compact.db",
            "check compact.db",
            "merge cask",
            "files cask",
            "compact log",
            "compact fruit.strata",
            "copy cask from-cask.db --to bptree",
            "--bucket strata keys from-cask.db",
            "copy log from-log --to bitcask",
            "info from-log",
        ]
    ));
}

#[test]
fn every_error_says_what_and_exits_with_its_code() {
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path();
    fixture(at, "fruit.db", Engine::Bptree);
    fixture(at, "cask", Engine::Bitcask);
    fixture(at, "log", Engine::Wal);
    fixture(at, "fruit.strata", Engine::FlatFile);
    fs::write(at.join("notes.txt"), "hello").unwrap();
    // Damage: one byte in the middle of the flat file and of the log.
    for file in ["fruit.strata", "log/wal-00000000000000000001.log"] {
        let mut bytes = fs::read(at.join(file)).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x40;
        fs::write(at.join(file), bytes).unwrap();
    }
    let text = session(
        at,
        &[
            "get nothing-here apple",
            "get fruit.db plum",
            "info notes.txt",
            "get fruit.strata apple",
            "check fruit.strata",
            "check log",
            "scan cask",
            "pages log",
            "merge fruit.db",
            "compact fruit.db",
            "get fruit.db hex:0",
            "create new.db",
        ],
    );
    // Writers holding each store: a second one is refused, named where the
    // format records it (Riak's lock file holds the writer's process id).
    fixture(at, "log2", Engine::Wal);
    fixture(at, "fruit2.strata", Engine::FlatFile);
    let writers: Vec<Store> = ["cask", "fruit.db", "log2", "fruit2.strata"]
        .iter()
        .map(|name| Store::open(at.join(name)).unwrap())
        .collect();
    let locked = session(
        at,
        &[
            "put cask plum purple",
            "put fruit.db plum purple",
            "put log2 plum purple",
            "put fruit2.strata plum purple",
            "keys fruit.db",
        ],
    );
    drop(writers);
    let pid = std::process::id().to_string();
    let text = format!("{text}{locked}").replace(&pid, "<pid>");
    insta::assert_snapshot!(text);
}

#[test]
fn usage_errors_exit_with_code_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        "",
        "get",
        "frobnicate x",
        "--engine tape info x",
        "bench --key-size 4",
    ] {
        let (_, stderr, code) = strata(dir.path(), args);
        assert_eq!(code, 2, "strata {args}: {stderr}");
        assert!(!stderr.is_empty(), "strata {args} says nothing");
    }
}

#[test]
fn read_only_commands_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let engines = [
        (
            Engine::FlatFile,
            "f.strata",
            &["keys", "get _ apple", "scan", "dump"][..],
        ),
        (
            Engine::Wal,
            "log",
            &["segments", "records", "keys", "dump"][..],
        ),
        (
            Engine::Bitcask,
            "cask",
            &["files", "hints", "keys", "get _ apple", "dump"][..],
        ),
        (
            Engine::Bptree,
            "b.db",
            &["pages", "page _ 2", "keys", "scan", "dump"][..],
        ),
    ];
    for (engine, name, own) in engines {
        fixture(dir.path(), name, engine);
        let before = on_disk(&dir.path().join(name));
        let common = ["info", "stats", "check"];
        for command in common.iter().chain(own) {
            let line = if command.contains('_') {
                command.replace('_', name)
            } else {
                format!("{command} {name}")
            };
            let (_, stderr, code) = strata(dir.path(), &line);
            assert_eq!(code, 0, "strata {line}: {stderr}");
            assert_eq!(
                on_disk(&dir.path().join(name)),
                before,
                "strata {line} changed {engine}'s files"
            );
        }
    }
}

#[test]
fn copy_between_every_pair_of_engines() {
    let dir = tempfile::tempdir().unwrap();
    let name = |engine: Engine| format!("from-{engine}");
    let entries: BTreeMap<Vec<u8>, Vec<u8>> = (0..500u32)
        .map(|i| (i.to_be_bytes().to_vec(), format!("value {i}").into_bytes()))
        .chain([(b"k".to_vec(), Vec::new())])
        .collect();
    for engine in Engine::ALL {
        let store = Store::create(dir.path().join(name(engine)), engine, Options::new()).unwrap();
        for (key, value) in &entries {
            store.put(key, value).unwrap();
        }
        store.close().unwrap();
    }
    for from in Engine::ALL {
        for to in Engine::ALL {
            let dst = format!("{from}-to-{to}");
            let (stdout, stderr, code) =
                strata(dir.path(), &format!("copy {} {dst} --to {to}", name(from)));
            assert_eq!(code, 0, "{from} to {to}: {stderr}");
            assert!(
                stderr.is_empty(),
                "no progress bars when not on a terminal: {stderr}"
            );
            assert!(
                stdout.contains("read back: both hold the same 501"),
                "{stdout}"
            );
            // Read the copy with the library, independently of the command.
            let copy = Store::open(dir.path().join(&dst)).unwrap();
            assert_eq!(copy.engine(), to);
            let got: BTreeMap<Vec<u8>, Vec<u8>> =
                copy.entries().unwrap().map(Result::unwrap).collect();
            assert_eq!(got, entries, "{from} to {to}");
        }
    }
}

#[test]
fn json_output_is_one_document() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path(), "fruit.db", Engine::Bptree);
    for command in [
        "info fruit.db",
        "keys fruit.db",
        "scan fruit.db",
        "check fruit.db",
        "stats fruit.db",
    ] {
        let (stdout, stderr, code) = strata(dir.path(), &format!("--json {command}"));
        assert_eq!(code, 0, "{command}: {stderr}");
        let value: serde_json::Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{command}: not JSON ({e}): {stdout}"));
        assert!(!value.is_null(), "{command}");
    }
    let (stdout, _, _) = strata(dir.path(), "--json keys fruit.db");
    let keys: Vec<String> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(keys, ["hex:00ff", "apple", "cherry"]);
}

#[test]
fn bench_reports_as_bbolt_bench_does() {
    let dir = tempfile::tempdir().unwrap();
    for engine in Engine::ALL {
        let (stdout, stderr, code) = strata(
            dir.path(),
            &format!(
                "--engine {engine} bench --count 300 --batch-size 50 --read-mode rnd --no-sync"
            ),
        );
        assert_eq!(code, 0, "{engine}: {stderr}");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 2, "{stdout}");
        assert!(
            lines[0].starts_with("# Write\t") && lines[0].ends_with(" op/sec)"),
            "{stdout}"
        );
        assert!(lines[1].starts_with("# Read\t"), "{stdout}");
    }
    // Nothing left behind without --work.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}
