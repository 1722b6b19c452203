//! `cargo xtask exercises`: the red gate.
//!
//! On the untouched skeletons every exercise test must fail. A test that passes on a skeleton
//! whose core is `todo!()` does not exercise the learner's code; an ignored test proves nothing;
//! and a crate with no tests cannot tell the learner anything. When a chapter's reference crate
//! has the shared suite as its `reference` test target, the skeleton must fail exactly as many
//! tests as that suite runs, which catches a suite the exercise crate forgot to compile.
//!
//! The skeletons' failures are expected, so they are captured and only summarised: the CI log
//! shows one line per chapter unless the gate itself fails.
//!
//! The gate has a second side. A skeleton must be its reference file but for the learner's
//! bodies (and added hints), which [`skeletons`] checks item by item; and with those bodies put
//! back, each exercise crate must pass its chapter's whole suite. That run happens in a copy of
//! the workspace (under the target folder), so the learner's files are never touched: a red
//! skeleton that no correct answer could turn green fails the gate too.

use std::collections::BTreeSet;
use std::path::Path;

use crate::Result;
use crate::libtest::{self, Outcome};
use crate::process::{self, Captured};
use crate::skeletons;
use crate::workspace::{self, relative};

/// How many lines of a failing chapter's output to show.
const TAIL_LINES: usize = 40;

/// How many test names to list when the skeleton's and the reference's suites differ.
const MAX_LISTED: usize = 20;

/// A learner's crate: `exercises/02-wal` is package `chapter-02`.
struct Exercise {
    /// The folder name, shared with the reference crate's folder under `chapters/`.
    dir: String,
    /// The package name, for `cargo test -p`.
    package: String,
}

/// Runs the gate over every exercise crate.
pub fn run(root: &Path) -> Result<()> {
    let exercises = exercise_crates(root)?;
    if exercises.is_empty() {
        return Err("no exercise crates (exercises/*/Cargo.toml) found".into());
    }

    println!("red gate: everything must compile, skeletons included");
    let mut build = process::cargo();
    build
        .args(["test", "--workspace", "--no-run"])
        .current_dir(root);
    process::run(&mut build)?;

    println!("red gate: every exercise test must fail on the untouched skeletons");
    let mut failed = Vec::new();
    for exercise in &exercises {
        if !gate(root, exercise)? {
            failed.push(exercise.package.as_str());
        }
    }
    if !failed.is_empty() {
        return Err(format!("red gate failed for {}", failed.join(", ")).into());
    }
    println!("red gate: passed");
    green_gate(root, &exercises)
}

/// What the green side copies of the workspace: the manifests and every member's folder.
const WORKSPACE_PARTS: [&str; 9] = [
    "Cargo.toml",
    "Cargo.lock",
    "README.md",
    ".cargo",
    "chapters",
    "exercises",
    "final",
    "cli",
    "xtask",
];

/// The green side: no skeleton drifts from its reference, and with the reference bodies put
/// back every exercise crate passes its whole suite.
fn green_gate(root: &Path, exercises: &[Exercise]) -> Result<()> {
    println!("green gate: every skeleton is its reference file but for the learner's bodies");
    let (files, drifts) = skeletons::check(root)?;
    if !drifts.is_empty() {
        for (file, drift) in &drifts {
            println!("  {file}:{}: {}", drift.line, drift.message);
        }
        return Err(format!(
            "green gate: {} difference(s) between the skeletons and their reference files",
            drifts.len()
        )
        .into());
    }

    println!("green gate: with the reference bodies put back ({files} files), every suite passes");
    let copy = workspace::target_dir(root).join("green-gate");
    if copy.exists() {
        std::fs::remove_dir_all(&copy)?;
    }
    for part in WORKSPACE_PARTS {
        let from = root.join(part);
        if from.exists() {
            copy_tree(&from, &copy.join(part))?;
        }
    }
    // The drift check above makes the reference file exactly the skeleton with the learner's
    // bodies (and the private helpers they call) put back. Its submodules (`mod maps;` in
    // `keyed.rs` is `keyed/maps.rs`), which the skeleton reaches by `#[path]`, come along.
    for pair in skeletons::pairs(root)? {
        let inside = copy.join(pair.skeleton.strip_prefix(root)?);
        std::fs::copy(&pair.reference, &inside)?;
        let submodules = pair.reference.with_extension("");
        if submodules.is_dir() {
            copy_tree(&submodules, &inside.with_extension(""))?;
        }
    }
    let mut cmd = process::cargo();
    cmd.arg("test").arg("--no-fail-fast");
    for exercise in exercises {
        cmd.args(["-p", &exercise.package]);
    }
    // The copy's own workspace, built into the usual target folder so that the dependencies
    // are not compiled a second time.
    cmd.env("CARGO_TARGET_DIR", workspace::target_dir(root))
        .env("RUST_BACKTRACE", "0")
        .current_dir(&copy);
    let described = process::describe(&cmd);
    let captured = process::capture(cmd)?;
    let run = libtest::parse(&captured.text);
    std::fs::remove_dir_all(&copy)?;
    if captured.success && run.failed == 0 && run.passed > 0 {
        println!(
            "green gate: passed ({} tests pass with the reference bodies)",
            run.passed
        );
        return Ok(());
    }
    for test in run.with_outcome(Outcome::Failed) {
        println!(
            "  fails with the reference bodies: {} ({})",
            test.name, test.binary
        );
    }
    println!("  last {TAIL_LINES} lines of `{described}` in the copy:");
    for line in tail(&captured.text, TAIL_LINES) {
        println!("  | {line}");
    }
    Err("green gate: the exercise crates fail with the reference bodies put back".into())
}

/// Copies a file, or a folder and everything in it but `target` folders.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    if from.is_file() {
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(from, to)?;
        return Ok(());
    }
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_name() == "target" {
            continue;
        }
        copy_tree(&entry.path(), &to.join(entry.file_name()))?;
    }
    Ok(())
}

/// The exercise crates, sorted by package name.
fn exercise_crates(root: &Path) -> Result<Vec<Exercise>> {
    let mut exercises = Vec::new();
    let dir = root.join("exercises");
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(exercises),
        Err(e) => return Err(format!("cannot list {}: {e}", dir.display()).into()),
    };
    for entry in entries {
        let path = entry?.path();
        if let Some(package) = workspace::package_in(&path)? {
            let dir = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            exercises.push(Exercise { dir, package });
        }
    }
    exercises.sort_by(|a, b| a.package.cmp(&b.package));
    Ok(exercises)
}

/// What the chapter's reference suite says about which tests there should be.
enum Expected {
    /// The names of the tests the reference crate's `reference` target runs, all passing.
    Suite(BTreeSet<String>),
    /// No comparison possible; the note says why.
    Unknown(String),
    /// The reference suite itself fails: a gate failure, with the reason and the end of the
    /// reference run's output (which, not the skeleton's, shows what is wrong).
    Broken {
        /// What failed.
        reason: String,
        /// The last lines of the reference run's output.
        tail: Vec<String>,
    },
}

fn expected_suite(root: &Path, exercise: &Exercise) -> Result<Expected> {
    let reference_dir = root.join("chapters").join(&exercise.dir);
    let Some(package) = workspace::package_in(&reference_dir)? else {
        return Ok(Expected::Unknown(format!(
            "no reference crate at {}; skipping the test count comparison",
            relative(root, &reference_dir)
        )));
    };
    let mut cmd = process::cargo();
    cmd.args(["test", "-p", &package, "--test", "reference"])
        .env("RUST_BACKTRACE", "0")
        .current_dir(root);
    let described = process::describe(&cmd);
    let Captured { success, text } = process::capture(cmd)?;
    let run = libtest::parse(&text);
    if success {
        let names = run
            .tests
            .iter()
            .filter(|t| t.outcome != Outcome::Ignored)
            .map(|t| t.name.clone())
            .collect();
        return Ok(Expected::Suite(names));
    }
    if text.contains("no test target named") {
        return Ok(Expected::Unknown(format!(
            "{package} has no `reference` test target; skipping the test count comparison"
        )));
    }
    let failing: Vec<String> = run
        .with_outcome(Outcome::Failed)
        .map(|t| t.name.clone())
        .collect();
    let reason = format!(
        "the reference suite itself fails (`{described}`){}",
        if failing.is_empty() {
            String::new()
        } else {
            format!(": {}", failing.join(", "))
        }
    );
    let tail = tail(&text, TAIL_LINES)
        .into_iter()
        .map(str::to_string)
        .collect();
    Ok(Expected::Broken { reason, tail })
}

/// Gates one exercise crate; prints its summary line, or the details if it fails the gate.
/// Returns whether it passed.
fn gate(root: &Path, exercise: &Exercise) -> Result<bool> {
    let expected = expected_suite(root, exercise)?;
    let mut cmd = process::cargo();
    cmd.args(["test", "-p", &exercise.package, "--no-fail-fast"])
        // Every skeleton test panics at a `todo!()`; backtraces of that would bury the lines
        // that matter when the gate fails.
        .env("RUST_BACKTRACE", "0")
        .current_dir(root);
    let described = process::describe(&cmd);
    let captured = process::capture(cmd)?;
    let run = libtest::parse(&captured.text);

    let mut reasons = Vec::new();
    if run.ran() + run.ignored == 0 {
        reasons.push(
            "no tests ran: the exercise crate must compile and run its chapter's suite".to_string(),
        );
    } else if run.failed == 0 {
        reasons.push("no test fails on the skeleton".to_string());
    }
    if run.passed > 0 {
        reasons.push(format!(
            "{} test(s) pass on the skeleton, so they do not test the learner's code",
            run.passed
        ));
    }
    if run.ignored > 0 {
        reasons.push(format!(
            "{} test(s) are ignored: every test must run, and fail, on the skeleton",
            run.ignored
        ));
    }
    if run.results < run.binaries {
        reasons.push(format!(
            "{} of {} test binaries stopped without reporting results (crashed?)",
            run.binaries - run.results,
            run.binaries
        ));
    }
    let mut note = None;
    let mut differences = Vec::new();
    let mut broken_reference = None;
    match expected {
        Expected::Suite(names) if names.len() != run.failed && run.failed > 0 => {
            reasons.push(format!(
                "{} test(s) fail on the skeleton, but the reference suite runs {}",
                run.failed,
                names.len()
            ));
            // Both crates compile the same suite module, so the test names line up; the
            // difference says which tests to look at.
            let failing: BTreeSet<String> = run
                .with_outcome(Outcome::Failed)
                .map(|t| t.name.clone())
                .collect();
            for name in failing.difference(&names) {
                differences.push(format!("fails here, not in the reference suite: {name}"));
            }
            for name in names.difference(&failing) {
                differences.push(format!(
                    "in the reference suite, does not fail here: {name}"
                ));
            }
        }
        Expected::Suite(_) => {}
        Expected::Unknown(why) => note = Some(why),
        Expected::Broken { reason, tail } => broken_reference = Some((reason, tail)),
    }

    let package = &exercise.package;
    if reasons.is_empty() && broken_reference.is_none() {
        println!(
            "{package}: {} tests, all fail on the skeleton (as they must)",
            run.failed
        );
        if let Some(note) = note {
            println!("  note: {note}");
        }
        return Ok(true);
    }

    println!("{package}: FAILS the red gate");
    for reason in reasons
        .iter()
        .chain(broken_reference.iter().map(|(r, _)| r))
    {
        println!("  - {reason}");
    }
    if let Some(note) = note {
        println!("  note: {note}");
    }
    for (outcome, label) in [(Outcome::Passed, "passes"), (Outcome::Ignored, "ignored")] {
        for test in run.with_outcome(outcome) {
            println!("  {label}: {} ({})", test.name, test.binary);
        }
    }
    for difference in differences.iter().take(MAX_LISTED) {
        println!("  {difference}");
    }
    if differences.len() > MAX_LISTED {
        println!("  … and {} more", differences.len() - MAX_LISTED);
    }
    // Show the output that explains the failure: the skeleton's when the skeleton's tests are
    // at fault, the reference run's when only the reference suite is.
    if !reasons.is_empty() {
        println!("  last {TAIL_LINES} lines of `{described}`:");
        for line in tail(&captured.text, TAIL_LINES) {
            println!("  | {line}");
        }
    }
    if let Some((_, reference_tail)) = &broken_reference {
        println!("  last {TAIL_LINES} lines of the reference suite's run:");
        for line in reference_tail {
            println!("  | {line}");
        }
    }
    Ok(false)
}

/// The last `n` lines of a text.
fn tail(text: &str, n: usize) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].to_vec()
}

#[cfg(test)]
mod tests {
    use super::tail;

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail("a\nb\nc\n", 2), vec!["b", "c"]);
        assert_eq!(tail("a\n", 40), vec!["a"]);
        assert!(tail("", 40).is_empty());
    }
}
