//! Go's side of the interop tests: building `interop/boltdriver` (a small Go program around
//! Debian's bbolt 1.3.6) and running it. Shared by chapter 4's interop tests and by `strata`'s,
//! which include this file by its path.
//!
//! Without Go and bbolt, [`driver`] prints a skip message and returns `None`, unless
//! `STRATA_INTEROP=require` (set by CI) makes a missing tool a failure.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub const SKIP_MESSAGE: &str =
    "skipping: Go/bbolt not installed (apt-get install golang-go golang-github-coreos-bbolt-dev)";

/// Where Debian installs Go libraries: the GOPATH the driver is built in (GOPATH mode, offline).
const GOPATH: &str = "/usr/share/gocode";

/// The file that shows the bbolt sources are installed.
const BBOLT_SOURCE: &str = "/usr/share/gocode/src/go.etcd.io/bbolt/db.go";

/// The driver's package, relative to the repository root.
const DRIVER_PACKAGE: &str = "./chapters/04-bptree/interop/boltdriver";

/// The repository's root: the nearest folder above the package that holds `chapters/`.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|dir| dir.join("chapters/04-bptree/interop").is_dir())
        .expect("the tests run inside the repository")
        .to_path_buf()
}

/// The built driver, or `None` (after printing the skip message) when Go or bbolt is missing.
/// Panics instead of skipping when `STRATA_INTEROP=require`. The driver is built once per test
/// process; a build failure is a test failure, never a skip.
pub fn driver() -> Option<&'static Path> {
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

pub fn interop_required() -> bool {
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
    let repo_root = repo_root();
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

/// Runs the driver and returns its stdout; any failure panics with its stderr.
pub fn go(driver: &Path, args: &[&str]) -> String {
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

/// `s` cut to at most `max` bytes (on a character boundary), saying how long it was.
pub fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes in all)", &s[..end], s.len())
}
