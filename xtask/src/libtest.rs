//! Reading the text output of `cargo test`: which test binaries ran, each test's outcome, and the
//! `test result:` totals.

/// How one test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// `... ok`
    Passed,
    /// `... FAILED`
    Failed,
    /// `... ignored` (with or without a reason)
    Ignored,
}

/// One `test NAME ... OUTCOME` line, with the binary it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Test {
    /// The test binary, as cargo names it (`tests/suite.rs`, `unittests src/lib.rs`, `doc-tests`).
    pub binary: String,
    /// The test's path (`recovery::torn_tail_is_dropped`).
    pub name: String,
    /// How it ended.
    pub outcome: Outcome,
}

/// Everything read from one `cargo test` run.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Run {
    /// Every test line, in order.
    pub tests: Vec<Test>,
    /// Sum of the `N passed` of the `test result:` lines.
    pub passed: usize,
    /// Sum of the `N failed`.
    pub failed: usize,
    /// Sum of the `N ignored`.
    pub ignored: usize,
    /// How many test binaries cargo started (`Running …` and `Doc-tests …` lines).
    pub binaries: usize,
    /// How many `test result:` lines there were: fewer than `binaries` means a binary died
    /// (crashed, aborted) before reporting.
    pub results: usize,
}

impl Run {
    /// Tests run to an outcome other than ignored.
    pub fn ran(&self) -> usize {
        self.passed + self.failed
    }

    /// The tests with the given outcome.
    pub fn with_outcome(&self, outcome: Outcome) -> impl Iterator<Item = &Test> {
        self.tests.iter().filter(move |t| t.outcome == outcome)
    }
}

/// Parses the combined stdout and stderr of `cargo test`.
pub fn parse(output: &str) -> Run {
    let mut run = Run::default();
    let mut binary = String::new();
    for line in output.lines() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("Running ") {
            // `Running tests/suite.rs (target/debug/deps/suite-1a2b3c)`: keep the source part.
            binary = rest.split(" (").next().unwrap_or(rest).to_string();
            run.binaries += 1;
        } else if trimmed.starts_with("Doc-tests ") {
            binary = "doc-tests".to_string();
            run.binaries += 1;
        } else if let Some(rest) = trimmed.strip_prefix("test result: ") {
            run.results += 1;
            run.passed += count(rest, "passed");
            run.failed += count(rest, "failed");
            run.ignored += count(rest, "ignored");
        } else if let Some(test) = test_line(line, &binary) {
            run.tests.push(test);
        }
    }
    run
}

/// `test some::name ... ok` (doc tests have spaces in their names, so split at the last ` ... `).
fn test_line(line: &str, binary: &str) -> Option<Test> {
    let rest = line.strip_prefix("test ")?;
    let (name, outcome) = rest.rsplit_once(" ... ")?;
    let outcome = match outcome.trim() {
        "ok" => Outcome::Passed,
        "FAILED" => Outcome::Failed,
        o if o.starts_with("ignored") => Outcome::Ignored,
        _ => return None,
    };
    Some(Test {
        binary: binary.to_string(),
        name: name.to_string(),
        outcome,
    })
}

/// The number before `word` in `ok. 3 passed; 1 failed; 0 ignored; …`.
fn count(summary: &str, word: &str) -> usize {
    summary
        .split(';')
        .filter_map(|part| {
            let mut words = part.split_whitespace().rev();
            let label = words.next()?;
            let number = words.next()?;
            (label == word)
                .then(|| number.parse::<usize>().ok())
                .flatten()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::{Outcome, parse};

    const OUTPUT: &str = "\
   Compiling chapter-02 v0.1.0 (/repo/exercises/02-wal)
    Finished `test` profile [unoptimized + debuginfo] target(s) in 1.20s
     Running unittests src/lib.rs (target/debug/deps/chapter_02-0123abcd)

running 1 test
test codec::tests::round_trip ... ok

test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s

     Running tests/reference.rs (target/debug/deps/reference-89ab)

running 3 tests
test recovery::torn_tail ... FAILED
test open::empty_dir ... FAILED
test interop::riak ... ignored, needs erlang

failures:

---- recovery::torn_tail stdout ----

thread 'recovery::torn_tail' panicked at src/log.rs:10:5:
not yet implemented
test result: FAILED. 0 passed; 2 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s

   Doc-tests chapter_02

running 1 test
test src/lib.rs - Store::open (line 12) ... ok

test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.05s
";

    #[test]
    fn reads_tests_and_totals() {
        let run = parse(OUTPUT);
        assert_eq!((run.passed, run.failed, run.ignored), (2, 2, 1));
        assert_eq!((run.binaries, run.results), (3, 3));
        assert_eq!(run.ran(), 4);
        let names: Vec<(&str, &str, Outcome)> = run
            .tests
            .iter()
            .map(|t| (t.binary.as_str(), t.name.as_str(), t.outcome))
            .collect();
        assert_eq!(
            names,
            vec![
                (
                    "unittests src/lib.rs",
                    "codec::tests::round_trip",
                    Outcome::Passed
                ),
                ("tests/reference.rs", "recovery::torn_tail", Outcome::Failed),
                ("tests/reference.rs", "open::empty_dir", Outcome::Failed),
                ("tests/reference.rs", "interop::riak", Outcome::Ignored),
                (
                    "doc-tests",
                    "src/lib.rs - Store::open (line 12)",
                    Outcome::Passed
                ),
            ]
        );
    }

    #[test]
    fn a_binary_that_dies_leaves_no_result_line() {
        let run = parse(
            "     Running tests/a.rs (target/debug/deps/a-1)\n\nrunning 2 tests\n\
             test x ... ok\nerror: test failed, to rerun pass `--test a`\n\
             Caused by:\n  process didn't exit successfully (signal: 6, SIGABRT)\n",
        );
        assert_eq!((run.binaries, run.results), (1, 0));
        assert_eq!(run.with_outcome(Outcome::Passed).count(), 1);
    }

    #[test]
    fn no_tests_at_all() {
        let run = parse("    Finished `test` profile\n");
        assert_eq!(run, Default::default());
    }
}
