//! Many processes racing to take over a stale lock: exactly one may win.
//! (Reference crate only: lock files are given to the learner.)
//!
//! The test runs its own test binary again as each racer. A racer says
//! `ready`, waits for the parent's `go` on stdin, tries to take the lock,
//! reports `won` or `lost` on stdout, and a winner keeps the lock until its
//! stdin closes. So the parent sees every racer's answer while every winner
//! still holds the lock: two winners at once cannot hide, whatever the timing.
#![cfg(target_os = "linux")]

use std::any::Any;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use strata_bitcask::disk::std_disk;
use strata_bitcask::lock::{Lock, LockKind, is_stale};
use strata_bitcask::{Bitcask, Error, Options};

/// Tells a child process which directory to race in, and for which lock.
const RACER_DIR: &str = "STRATA_LOCK_RACER_DIR";
const RACER_KIND: &str = "STRATA_LOCK_RACER_KIND";

const RACERS: usize = 8;
const TRIALS: usize = 30;

#[test]
fn racers_for_a_stale_write_lock_have_one_winner() {
    if let Ok(dir) = std::env::var(RACER_DIR) {
        return race(Path::new(&dir));
    }
    trials(
        "racers_for_a_stale_write_lock_have_one_winner",
        LockKind::Write,
    );
}

#[test]
fn racers_for_a_stale_merge_lock_have_one_winner() {
    if let Ok(dir) = std::env::var(RACER_DIR) {
        return race(Path::new(&dir));
    }
    trials(
        "racers_for_a_stale_merge_lock_have_one_winner",
        LockKind::Merge,
    );
}

/// The child's side: one attempt, reported on stdout.
fn race(dir: &Path) {
    let kind = match std::env::var(RACER_KIND).as_deref() {
        Ok("write") => LockKind::Write,
        _ => LockKind::Merge,
    };
    let mut line = String::new();
    println!("RACER ready");
    std::io::stdin().read_line(&mut line).unwrap();
    let held: Result<Box<dyn Any>, Error> = match kind {
        LockKind::Write => Bitcask::open(dir, Options::default()).map(|db| Box::new(db) as _),
        LockKind::Merge => Lock::acquire(&std_disk(), dir, kind).map(|lock| Box::new(lock) as _),
    };
    match held {
        Ok(held) => {
            println!("RACER won");
            // Hold the lock until the parent has heard from everyone.
            while std::io::stdin().read_line(&mut line).is_ok_and(|n| n > 0) {}
            drop(held);
        }
        Err(Error::Locked { .. }) => println!("RACER lost"),
        Err(e) => println!("RACER failed: {e}"),
    }
}

struct Racer {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Racer {
    /// The racer's next report (libtest's own lines skipped).
    fn report(&mut self) -> String {
        let mut line = String::new();
        loop {
            line.clear();
            let n = self.stdout.read_line(&mut line).unwrap();
            assert!(n > 0, "a racer exited without reporting");
            // libtest may print `test <name> ... ` on the same line first.
            if let Some((_, report)) = line.trim_end().split_once("RACER ") {
                return report.to_string();
            }
        }
    }
}

/// The parent's side: `TRIALS` races of `RACERS` processes each.
fn trials(test_name: &str, kind: LockKind) {
    let exe = std::env::current_exe().unwrap();
    let kind_name = match kind {
        LockKind::Write => "write",
        LockKind::Merge => "merge",
    };
    for trial in 0..TRIALS {
        let dir = tempfile::tempdir().unwrap();
        let stale = format!("{} \n", dead_pid());
        assert!(is_stale(&stale));
        std::fs::write(dir.path().join(kind.file_name()), stale).unwrap();
        let mut racers: Vec<Racer> = (0..RACERS)
            .map(|_| {
                let mut child = Command::new(&exe)
                    .args(["--exact", test_name, "--nocapture", "--test-threads", "1"])
                    .env(RACER_DIR, dir.path())
                    .env(RACER_KIND, kind_name)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .spawn()
                    .unwrap();
                Racer {
                    stdin: child.stdin.take(),
                    stdout: BufReader::new(child.stdout.take().unwrap()),
                    child,
                }
            })
            .collect();
        for racer in &mut racers {
            assert_eq!(racer.report(), "ready");
        }
        for racer in &mut racers {
            writeln!(racer.stdin.as_mut().unwrap(), "go").unwrap();
        }
        let reports: Vec<String> = racers.iter_mut().map(Racer::report).collect();
        for mut racer in racers {
            racer.stdin.take(); // lets a winner go
            assert!(racer.child.wait().unwrap().success());
        }
        let winners = reports.iter().filter(|r| *r == "won").count();
        let losers = reports.iter().filter(|r| *r == "lost").count();
        assert!(
            winners == 1 && losers == RACERS - 1,
            "trial {trial}: {reports:?}"
        );
    }
}

/// The pid of a process that has exited (and been reaped).
fn dead_pid() -> u32 {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .arg("--list")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}
