//! The `strata` command on what the real programs wrote, and what it writes
//! read back by them: a directory Riak's bitcask 2.1.0 wrote, copied into a
//! B+tree file that Go's bbolt 1.3.6 checks and dumps; a file Go wrote,
//! copied into a Bitcask directory that Riak dumps. Driven by chapter 3's
//! and chapter 4's interop helpers; without Go or Erlang the tests print a
//! skip message and pass, unless `STRATA_INTEROP=require` (set by CI).

use std::path::Path;

use assert_cmd::Command;

#[allow(dead_code)]
#[path = "../../chapters/04-bptree/tests/support/boltdriver.rs"]
mod boltdriver;
#[allow(dead_code)]
#[path = "../../chapters/03-bitcask/tests/support/riak.rs"]
mod riak;

/// Runs `strata ARGS` in `dir`; its stdout, after checking it succeeded.
fn strata(dir: &Path, args: &[&str]) -> String {
    let output = Command::cargo_bin("strata")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "strata {args:?}: {stderr}");
    String::from_utf8(output.stdout).unwrap()
}

/// Go's logical dump (`B <depth> <hex name> <seq>`, `K <depth> <hex key>
/// <hex value>`): the keys and values directly inside top-level bucket `name`.
fn bucket_in_dump(dump: &str, name: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut inside = false;
    let mut entries = Vec::new();
    for line in dump.lines() {
        match line.split(' ').collect::<Vec<_>>().as_slice() {
            ["B", "0", bucket, _] => inside = riak::unhex(bucket) == name,
            ["K", "1", key, value] if inside => {
                entries.push((riak::unhex(key), riak::unhex(value)));
            }
            _ => {}
        }
    }
    entries
}

#[test]
fn a_riak_directory_becomes_a_file_go_reads() {
    if !riak::riak_available() {
        return;
    }
    let Some(driver) = boltdriver::driver() else {
        return;
    };
    let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let dir = tmp.path();
    riak::riak(&["scenario", riak::path_str(&dir.join("riak")), "many"]);
    let info = strata(dir, &["info", "riak"]);
    assert!(info.contains("engine:            bitcask"), "{info}");
    assert!(strata(dir, &["check", "riak"]).starts_with("ok"));

    // Riak's scenario holds the empty key, which bbolt refuses: the copy
    // fails, clearly, and leaves the source as it was.
    let refused = Command::cargo_bin("strata")
        .unwrap()
        .current_dir(dir)
        .args(["copy", "riak", "refused.db", "--to", "bptree"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("a key must not be empty"), "{stderr}");
    assert!(
        !dir.join("refused.db").exists(),
        "half a copy was left behind"
    );

    // Without it (deleted through the command, in Riak's directory), the
    // copy goes through, and Go reads what Riak reads.
    strata(dir, &["del", "riak", "hex:"]);
    let expected = riak::riak_dump(&dir.join("riak"));
    assert!(!expected.is_empty(), "Riak reads nothing");
    assert!(expected.iter().all(|(key, _)| !key.is_empty()));
    strata(dir, &["copy", "riak", "from-riak.db", "--to", "bptree"]);

    let file = dir.join("from-riak.db");
    let file = file.to_str().unwrap();
    assert_eq!(boltdriver::go(driver, &["check", file]), "ok\n");
    let mut found = bucket_in_dump(&boltdriver::go(driver, &["dump", file]), b"strata");
    found.sort();
    assert!(found == expected, "Go reads something else than Riak wrote");
}

#[test]
fn a_go_file_becomes_a_directory_riak_reads() {
    let Some(driver) = boltdriver::driver() else {
        return;
    };
    if !riak::riak_available() {
        return;
    }
    let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let dir = tmp.path();
    let file = dir.join("go.bolt");
    let file = file.to_str().unwrap();
    boltdriver::go(driver, &["scenario", file, "random"]);
    let dump = boltdriver::go(driver, &["dump", file]);
    // The first top-level bucket Go wrote, by name.
    let name = dump
        .lines()
        .find_map(|line| line.strip_prefix("B 0 "))
        .and_then(|rest| rest.split(' ').next())
        .map(riak::unhex)
        .expect("Go wrote a bucket");
    let expected = bucket_in_dump(&dump, &name);
    assert!(!expected.is_empty(), "Go's bucket is empty");

    let bucket = format!("hex:{}", expected_hex(&name));
    assert!(strata(dir, &["check", "go.bolt"]).starts_with("ok"));
    let keys = strata(
        dir,
        &["--bucket", &bucket, "--format", "hex", "keys", "go.bolt"],
    );
    assert_eq!(keys.lines().count(), expected.len());
    strata(
        dir,
        &[
            "--bucket", &bucket, "copy", "go.bolt", "from-go", "--to", "bitcask",
        ],
    );

    let mut found = riak::riak_dump(&dir.join("from-go"));
    found.sort();
    assert!(found == expected, "Riak reads something else than Go wrote");
}

fn expected_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
