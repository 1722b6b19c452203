//! Interop with Go's real bbolt 1.3.6: strata-bptree reads what Go writes.
//!
//! Go's side is `interop/boltdriver`, a small Go program around Debian's
//! `golang-github-coreos-bbolt-dev` (see `interop/README.md`), built once per test process. It
//! writes named scenarios from a fixed seed, checks files with bbolt's `tx.Check`, and prints a
//! file's logical content in the same line format as [`strata_bptree::inspect::logical_dump`].
//! Every check compares strata's view of a file with Go's own dump of it, never with a
//! recomputed expectation: Go bbolt files are not byte-reproducible (fact sheet §11), so the two
//! implementations are judged by each other's logical view.
//!
//! Without Go and bbolt the tests print a skip message and pass, unless `STRATA_INTEROP=require`
//! (set by CI) makes a missing tool a failure. Run them alone with
//! `cargo test -p strata-bptree go_`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use strata_bptree::inspect::logical_dump;
use strata_bptree::{DB, Options};

const SKIP_MESSAGE: &str =
    "skipping: Go/bbolt not installed (apt-get install golang-go golang-github-coreos-bbolt-dev)";

/// Where Debian installs Go libraries: the GOPATH the driver is built in (GOPATH mode, offline).
const GOPATH: &str = "/usr/share/gocode";

/// The file that shows the bbolt sources are installed.
const BBOLT_SOURCE: &str = "/usr/share/gocode/src/go.etcd.io/bbolt/db.go";

/// The driver's package, relative to the repository root.
const DRIVER_PACKAGE: &str = "./chapters/04-bptree/interop/boltdriver";

/// Every scenario the driver writes; `go_every_scenario_is_tested` keeps this list complete.
const SCENARIOS: [&str; 10] = [
    "small",
    "many",
    "random",
    "nested",
    "overflow",
    "deletes",
    "sequence",
    "pagesize1k",
    "pagesize16k",
    "nofreelistsync",
];

// ---------------------------------------------------------------------------------------------
// Skipping and building the driver

/// The built driver, or `None` (after printing the skip message) when Go or bbolt is missing.
/// Panics instead of skipping when `STRATA_INTEROP=require`. The driver is built once per test
/// process; a build failure is a test failure, never a skip.
fn driver() -> Option<&'static Path> {
    static DRIVER: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let driver = DRIVER.get_or_init(|| {
        let result = match go_missing() {
            Some(why) => Err(why),
            None => Ok(build_driver()),
        };
        if let Err(why) = &result
            && !interop_required()
        {
            // Once, and straight to stderr rather than through eprintln!, which the test
            // harness captures: a skip must be visible in a plain `cargo test`.
            let line = format!("\n{SKIP_MESSAGE}\n  ({why})\n");
            let _ = std::io::stderr().write_all(line.as_bytes());
        }
        result
    });
    match driver {
        Ok(path) => Some(path),
        Err(why) if interop_required() => {
            panic!("{SKIP_MESSAGE}\nSTRATA_INTEROP=require makes this a failure. Cause: {why}")
        }
        Err(_) => {
            eprintln!("{SKIP_MESSAGE}");
            None
        }
    }
}

fn interop_required() -> bool {
    std::env::var("STRATA_INTEROP").as_deref() == Ok("require")
}

/// Why the driver cannot be built here, if it cannot: no `go` on PATH, or no bbolt sources.
fn go_missing() -> Option<String> {
    match Command::new("go").arg("version").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => return Some(format!("`go version` failed ({})", out.status)),
        Err(e) => return Some(format!("cannot run `go`: {e}")),
    }
    if !Path::new(BBOLT_SOURCE).is_file() {
        return Some(format!("no bbolt sources: {BBOLT_SOURCE} is missing"));
    }
    None
}

/// Builds the driver offline in GOPATH mode against Debian's bbolt, under the cargo target
/// directory. Panics if the build fails.
fn build_driver() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("boltdriver");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {dir:?}: {e}"));
    // Built under a name of its own, then renamed: another test process may be using the last
    // build.
    let built = dir.join(format!("boltdriver.{}", std::process::id()));
    let repo_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new("go")
        .args(["build", "-o"])
        .arg(&built)
        .arg(DRIVER_PACKAGE)
        .current_dir(&repo_root)
        .env("GO111MODULE", "off")
        .env("GOPATH", GOPATH)
        .env("GOPROXY", "off")
        .env("GOTOOLCHAIN", "local")
        .env("GOCACHE", dir.join("go-cache"))
        .env("CGO_ENABLED", "0")
        .env_remove("GOFLAGS")
        .output()
        .unwrap_or_else(|e| panic!("cannot run `go build`: {e}"));
    assert!(
        out.status.success(),
        "`go build {DRIVER_PACKAGE}` failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let driver = dir.join("boltdriver");
    std::fs::rename(&built, &driver)
        .unwrap_or_else(|e| panic!("cannot rename {built:?} to {driver:?}: {e}"));
    driver
}

// ---------------------------------------------------------------------------------------------
// Running the driver

/// Runs the driver and returns its stdout; any failure panics with its stderr.
fn go(driver: &Path, args: &[&str]) -> String {
    let out = Command::new(driver)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run boltdriver {args:?}: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "boltdriver {args:?} failed ({}):\n{}",
        out.status,
        truncate(&stderr, 4000)
    );
    String::from_utf8(out.stdout).expect("boltdriver prints ASCII")
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// A directory for one test's files, under the cargo target directory rather than /tmp: the
/// `deletes` scenario writes a third of a gigabyte, too much for a tmpfs.
fn scratch_dir() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("create a scratch directory")
}

// ---------------------------------------------------------------------------------------------
// Comparing

/// `s` cut to at most `max` bytes (on a character boundary), saying how long it was.
fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes in all)", &s[..end], s.len())
}

/// Asserts that two logical dumps are equal; on a mismatch, reports both line counts and the
/// first differing line of each (cut short: values can be a megabyte of hex).
#[track_caller]
fn assert_same_dump(what: &str, go: &str, rust: &str) {
    if go == rust {
        return;
    }
    let (go_lines, rust_lines): (Vec<&str>, Vec<&str>) =
        (go.lines().collect(), rust.lines().collect());
    let first = go_lines
        .iter()
        .zip(&rust_lines)
        .position(|(g, r)| g != r)
        .unwrap_or(go_lines.len().min(rust_lines.len()));
    let line = |lines: &[&str]| {
        lines
            .get(first)
            .map_or_else(|| "(no such line)".to_string(), |l| truncate(l, 200))
    };
    panic!(
        "{what}: Go's dump and strata's differ\n\
         Go: {} lines, strata: {} lines; first difference at line {}:\n  \
         go:     {}\n  strata: {}",
        go_lines.len(),
        rust_lines.len(),
        first + 1,
        line(&go_lines),
        line(&rust_lines),
    );
}

// ---------------------------------------------------------------------------------------------
// Go writes, strata reads

/// Go writes scenario `name` into a fresh file; Go's `check` passes; strata's logical dump
/// equals Go's, line for line; and strata's own check finds nothing wrong with Go's file.
fn go_writes_strata_reads(name: &str) {
    let Some(driver) = driver() else {
        return;
    };
    let dir = scratch_dir();
    let path = dir.path().join(format!("{name}.bolt"));
    let file = path_str(&path);

    go(driver, &["scenario", file, name]);
    assert_eq!(
        go(driver, &["check", file]),
        "ok\n",
        "{name}: Go's check of its own file"
    );

    let go_dump = go(driver, &["dump", file]);
    assert!(!go_dump.is_empty(), "{name}: Go's dump is empty");
    let rust_dump =
        logical_dump(&path).unwrap_or_else(|e| panic!("{name}: strata cannot dump Go's file: {e}"));
    assert_same_dump(name, &go_dump, &rust_dump);

    let db = DB::open(&path, Options::read_only())
        .unwrap_or_else(|e| panic!("{name}: strata cannot open Go's file: {e}"));
    let tx = db.begin_read();
    walk_both_ways(name, &tx.root());
    rewrite_pages(name, &tx.root());
    let problems = tx.check();
    assert!(
        problems.is_empty(),
        "{name}: strata's check of Go's file finds {} problems, the first: {}",
        problems.len(),
        truncate(&problems[0], 500)
    );
}

/// Every bucket's keys read the same forwards (first, next) as backwards (last,
/// prev, reversed), and seeking each key finds it: the cursor moves correctly
/// across page boundaries on trees Go built.
fn walk_both_ways(name: &str, bucket: &strata_bptree::Bucket<'_>) {
    let mut cursor = bucket.cursor();
    let mut forward = Vec::new();
    let mut entry = cursor.first().expect("first");
    while let Some(e) = entry {
        forward.push(e);
        entry = cursor.next().expect("next");
    }
    let mut backward = Vec::new();
    let mut entry = cursor.last().expect("last");
    while let Some(e) = entry {
        backward.push(e);
        entry = cursor.prev().expect("prev");
    }
    backward.reverse();
    assert_eq!(forward, backward, "{name}: backwards differs from forwards");
    for (i, e) in forward.iter().enumerate().step_by(97) {
        let found = bucket.cursor().seek(e.key).expect("seek");
        assert_eq!(found, Some(*e), "{name}: seek to key {i}");
    }
    for e in &forward {
        if e.is_bucket() {
            let child = bucket.open_child(e.value).expect("open child bucket");
            walk_both_ways(name, &child);
        }
    }
}

/// Every branch and leaf page (and inline bucket) of the bucket's tree, read
/// into a node and written back, gives Go's bytes exactly.
fn rewrite_pages(name: &str, bucket: &strata_bptree::Bucket<'_>) {
    use strata_bptree::node::Node;
    use strata_bptree::tx::Root;
    let page_size = bucket.pages().page_size();
    let mut stack = Vec::new();
    match bucket.root_ref() {
        Root::Page(id) => stack.push(id),
        Root::Inline(page) => {
            let node = Node::read(&page).expect("read inline page");
            let mut bytes = vec![0; node.size()];
            node.write(&mut bytes);
            assert_eq!(
                bytes, page.bytes,
                "{name}: an inline bucket's page differs when rewritten"
            );
        }
        Root::Node(_) => unreachable!("a read transaction has no dirty nodes"),
    }
    while let Some(id) = stack.pop() {
        let page = bucket.pages().page(id).expect("page");
        let node = Node::read(&page).expect("read node");
        let mut bytes = vec![0; page.bytes.len()];
        bytes[0..8].copy_from_slice(&id.to_le_bytes());
        bytes[12..16].copy_from_slice(&page.overflow.to_le_bytes());
        node.write(&mut bytes);
        assert!(
            bytes == page.bytes,
            "{name}: page {id} differs when rewritten"
        );
        assert_eq!(
            node.pages_needed(page_size),
            page.overflow as usize + 1,
            "{name}: page {id}'s size"
        );
        for inode in &node.inodes {
            if !node.is_leaf {
                stack.push(inode.child);
            } else if inode.flags & strata_bptree::page::BUCKET_LEAF_FLAG != 0 {
                rewrite_pages(name, &open_value(bucket, &inode.key));
            }
        }
    }
}

/// The nested bucket under `key` (the caller knows it is one).
fn open_value<'t>(bucket: &strata_bptree::Bucket<'t>, key: &[u8]) -> strata_bptree::Bucket<'t> {
    bucket
        .bucket(key)
        .expect("open nested bucket")
        .expect("the bucket exists")
}

#[test]
fn go_every_scenario_is_tested() {
    let Some(driver) = driver() else {
        return;
    };
    let listed = go(driver, &["scenarios"]);
    assert_eq!(
        listed.lines().collect::<Vec<_>>(),
        SCENARIOS,
        "boltdriver's scenarios and this file's SCENARIOS (and go_scenario_* tests) differ"
    );
}

#[test]
fn go_scenario_small() {
    go_writes_strata_reads("small");
}

#[test]
fn go_scenario_many() {
    go_writes_strata_reads("many");
}

#[test]
fn go_scenario_random() {
    go_writes_strata_reads("random");
}

#[test]
fn go_scenario_nested() {
    go_writes_strata_reads("nested");
}

#[test]
fn go_scenario_overflow() {
    go_writes_strata_reads("overflow");
}

#[test]
fn go_scenario_deletes() {
    go_writes_strata_reads("deletes");
}

#[test]
fn go_scenario_sequence() {
    go_writes_strata_reads("sequence");
}

#[test]
fn go_scenario_pagesize1k() {
    go_writes_strata_reads("pagesize1k");
}

#[test]
fn go_scenario_pagesize16k() {
    go_writes_strata_reads("pagesize16k");
}

#[test]
fn go_scenario_nofreelistsync() {
    go_writes_strata_reads("nofreelistsync");
}

/// A file Go has just created is byte for byte what `initial_file` builds:
/// two metas (txids 0 and 1), an empty freelist and the root's empty leaf.
#[test]
fn go_fresh_files_equal_ours_byte_for_byte() {
    let Some(driver) = driver() else { return };
    let dir = scratch_dir();
    for page_size in [1024u32, 4096, 16384] {
        let path = dir.path().join(format!("fresh-{page_size}.db"));
        go(driver, &["create", path_str(&path), &page_size.to_string()]);
        let bytes = std::fs::read(&path).expect("read Go's file");
        assert_eq!(
            bytes,
            strata_bptree::db::initial_file(page_size),
            "page size {page_size}: Go's fresh file differs from ours"
        );
    }
}
