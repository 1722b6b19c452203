//! The parent side of the crash runner: one run is a fresh directory, a few rounds of a child
//! killed at a random moment, and a check after each.
//!
//! What a round's kill may leave is decided by what the child had *said* before it died, never
//! by when the kill came: after the kill the parent reads the pipe to its end, so it knows the
//! last op acknowledged (`ack n`) and whether the next one had begun. The database must then
//! hold exactly the model after the acknowledged ops, or after the one in flight as well; a
//! batch half applied, a lost acknowledged op or anything else is a violation.
//!
//! The next round's child opens the same directory, so recovery itself is crashed too: its
//! `open` line reports a digest of what it recovered, which must be one of the states the last
//! kill allowed (a child killed before that line leaves the same choice to the next). After the
//! last round the parent opens the directory itself and compares everything.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::engine::{Engine, Visit};
use super::workload::{Map, Rng, Workload, digest};

/// Rounds (child runs, each killed) per run, in the same directory.
const ROUNDS: u64 = 4;
/// The most ops a round acknowledges before its kill is due.
const MAX_OPS: u64 = 40;
/// How long a child may say nothing before it counts as hung: a guard against a deadlock that
/// would stall the runner, far beyond any op's time (it decides no verdict of a working child).
const HANG_GUARD: Duration = Duration::from_secs(60);

/// What runs of one engine found.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Runs made.
    pub runs: u64,
    /// Children killed.
    pub kills: u64,
    /// Kills that came while an op had begun and was not yet acknowledged.
    pub mid_operation: u64,
    /// Kills that came before the child had its database open (often during recovery).
    pub before_open: u64,
    /// Runs that found something wrong.
    pub violations: u64,
    /// Wall time of all the runs.
    pub elapsed: Duration,
}

/// Runs of one engine, as [`Kind::visit`](super::engine::Kind::visit) calls them.
pub struct Runner<'a> {
    /// The engine's name on the command line, for messages and for the child.
    pub engine: &'a str,
    /// How many runs.
    pub runs: u64,
    /// Run `i` uses seed `seed + i`, so `--seed <that> --runs 1` repeats it alone.
    pub seed: u64,
    /// This program, to run as the child.
    pub exe: &'a Path,
}

impl Visit for Runner<'_> {
    type Output = Summary;

    fn visit<E: Engine>(self) -> Summary {
        let started = Instant::now();
        let mut summary = Summary::default();
        for i in 0..self.runs {
            let seed = self.seed.wrapping_add(i);
            summary.runs += 1;
            if let Err(violation) = self.run::<E>(seed, &mut summary) {
                summary.violations += 1;
                println!(
                    "{}: run {i} (seed {seed}): {violation}\n  repeat it: cargo xtask crash {} --seed {seed} --runs 1",
                    self.engine, self.engine
                );
            }
        }
        summary.elapsed = started.elapsed();
        summary
    }
}

impl Runner<'_> {
    /// One run in a fresh directory: the rounds, then the parent's own check.
    fn run<E: Engine>(&self, seed: u64, summary: &mut Summary) -> Result<(), String> {
        let dir = tempfile::tempdir().map_err(|e| format!("no temporary directory: {e}"))?;
        let mut rng = Rng::new(seed);
        // The states the database may hold now: one, or two after a kill during an op.
        let mut allowed = vec![Map::new()];
        let mut last_kill = "nothing".to_string();
        for round in 0..ROUNDS {
            let workload_seed = rng.next_u64();
            let plan = KillPlan::random(&mut rng);
            let said = self
                .round(dir.path(), workload_seed, &plan)
                .map_err(|e| format!("round {round}: {e}"))?;
            summary.kills += 1;
            summary.mid_operation += u64::from(said.in_flight());
            let Some(opened) = said.opened else {
                summary.before_open += 1;
                last_kill = format!("the kill of round {round}, before its database was open,");
                continue; // recovery was cut short: the same states are allowed
            };
            let Some(base) = allowed.iter().find(|state| digest(state) == opened) else {
                // The child said only a digest, and went on writing: compare its files with
                // where the same ops lead from each allowed state, to show what differs.
                let now: Vec<Map> = allowed
                    .iter()
                    .flat_map(|base| allowed_after::<E>(workload_seed, base, &said))
                    .collect();
                let detail = match check::<E>(dir.path(), &now) {
                    Err(difference) => difference,
                    Ok(()) => "yet its files now hold a state its ops lead to".to_string(),
                };
                return Err(format!(
                    "round {round}: the child recovered a state that is none of the {} that \
                     {last_kill} allowed; after its {} acknowledged ops, {detail}",
                    allowed.len(),
                    said.acked
                ));
            };
            allowed = allowed_after::<E>(workload_seed, base, &said);
            last_kill = describe_kill::<E>(round, workload_seed, &said);
        }
        check::<E>(dir.path(), &allowed).map_err(|e| format!("after {last_kill} {e}"))
    }

    /// Runs one child in `dir` until the plan's kill, and returns what it said.
    fn round(&self, dir: &Path, seed: u64, plan: &KillPlan) -> Result<Said, String> {
        let mut child = Running::spawn(self.exe, self.engine, dir, seed)?;
        let mut said = Said::default();
        while !plan.due(&said) {
            match child.next_line()? {
                Some(line) => said.record(&line)?,
                None => return Err(child.stopped_by_itself()),
            }
        }
        spin(plan.delay);
        let stopped = child.kill()?;
        for line in &stopped.rest {
            said.record(line)?;
        }
        // A child that exited during the delay did not die of the kill.
        if stopped.status.code().is_some() {
            return Err(format!(
                "the child stopped by itself ({}): {}",
                stopped.status,
                stopped.stderr.trim()
            ));
        }
        Ok(said)
    }
}

/// The states allowed after a kill: the model after the acknowledged ops, and if the next op
/// had begun, after it too.
fn allowed_after<E: Engine>(seed: u64, base: &Map, said: &Said) -> Vec<Map> {
    let mut workload = Workload::new(seed, E::PROFILE);
    let mut state = base.clone();
    for _ in 0..said.acked {
        workload.next_op().apply(&mut state);
    }
    let mut allowed = vec![state.clone()];
    if said.in_flight() {
        workload.next_op().apply(&mut state);
        if state != allowed[0] {
            allowed.push(state);
        }
    }
    allowed
}

/// Where a round's kill came, for messages.
fn describe_kill<E: Engine>(round: u64, seed: u64, said: &Said) -> String {
    let acked = said.acked;
    if said.in_flight() {
        let mut workload = Workload::new(seed, E::PROFILE);
        for _ in 0..acked {
            workload.next_op();
        }
        let op = workload.next_op().describe();
        format!("the kill of round {round}, during op {acked} ({op}) after {acked} acknowledged,")
    } else {
        format!("the kill of round {round}, after {acked} acknowledged ops and before the next,")
    }
}

/// Opens `dir` in this process, as an application would after the crash, and checks that it
/// holds one of the `allowed` states and passes the engine's own check.
fn check<E: Engine>(dir: &Path, allowed: &[Map]) -> Result<(), String> {
    let db = E::open(dir).map_err(|e| format!("reopening failed: {e}"))?;
    let problems = E::check(&db);
    if !problems.is_empty() {
        return Err(format!(
            "the reopened files fail the engine's check: {}",
            problems.join("; ")
        ));
    }
    let state = E::state(&db).map_err(|e| format!("reading it back failed: {e}"))?;
    if allowed.contains(&state) {
        return Ok(());
    }
    let expected = &allowed[0];
    let mut message = format!(
        "the database differs from the state after the acknowledged ops{}: {}",
        if allowed.len() > 1 {
            " (and from the one with the op in flight)"
        } else {
            ""
        },
        difference(expected, &state)
    );
    if let Some(with_in_flight) = allowed.get(1) {
        message.push_str(&format!(
            "; against the op in flight: {}",
            difference(with_in_flight, &state)
        ));
    }
    Err(message)
}

/// The first few keys where `found` differs from `expected`.
fn difference(expected: &Map, found: &Map) -> String {
    const SHOWN: usize = 4;
    let keys = expected
        .keys()
        .chain(found.keys().filter(|k| !expected.contains_key(*k)));
    let differing: Vec<String> = keys
        .filter(|key| expected.get(*key) != found.get(*key))
        .map(|key| {
            format!(
                "{}: expected {}, found {}",
                String::from_utf8_lossy(key),
                show(expected.get(key)),
                show(found.get(key))
            )
        })
        .collect();
    let mut text = differing[..differing.len().min(SHOWN)].join(", ");
    if differing.len() > SHOWN {
        text.push_str(&format!(", and {} more keys", differing.len() - SHOWN));
    }
    text
}

/// A value as a message shows it: where it was written (its prefix) and its length.
fn show(value: Option<&Vec<u8>>) -> String {
    match value {
        None => "none".to_string(),
        Some(value) => {
            let text = String::from_utf8_lossy(&value[..value.len().min(16)]);
            format!("{text:?}… ({} bytes)", value.len())
        }
    }
}

/// What a child said before it died, as far as the protocol goes.
#[derive(Debug, Clone, Default)]
struct Said {
    /// The digest of the state it recovered, once it had the database open.
    opened: Option<u64>,
    /// How many ops it began.
    begun: u64,
    /// How many ops it acknowledged.
    acked: u64,
}

impl Said {
    /// Takes in one line; a line out of order or unknown is an error (the protocol is strict
    /// so that a mistake in the child cannot pass for a crash).
    fn record(&mut self, line: &str) -> Result<(), String> {
        let (word, number) = line.split_once(' ').unwrap_or((line, ""));
        let number = number.parse::<u64>();
        match (word, number) {
            ("open", Ok(digest)) if self.opened.is_none() => self.opened = Some(digest),
            ("begin", Ok(n)) if self.opened.is_some() && !self.in_flight() && n == self.begun => {
                self.begun += 1;
            }
            ("ack", Ok(n)) if self.in_flight() && n == self.acked => self.acked += 1,
            _ => {
                return Err(format!(
                    "the child said {line:?} out of turn (after {self:?})"
                ));
            }
        }
        Ok(())
    }

    /// Whether an op had begun and was not yet acknowledged.
    fn in_flight(&self) -> bool {
        self.begun > self.acked
    }
}

/// When a round's kill comes: once the child has said something, and a short spin later.
#[derive(Debug, Clone, Copy)]
struct KillPlan {
    after: Moment,
    delay: Duration,
}

#[derive(Debug, Clone, Copy)]
enum Moment {
    /// As soon as the child is started: the kill lands in its start-up or in recovery.
    Spawned,
    /// Once op `n` has begun: the kill usually lands inside it.
    Began(u64),
    /// Once op `n` is acknowledged: the kill lands between ops or early in the next.
    Acked(u64),
}

impl KillPlan {
    fn random(rng: &mut Rng) -> KillPlan {
        let n = rng.below(MAX_OPS + 1);
        let (after, longest_micros) = match rng.below(8) {
            0 => (Moment::Spawned, 10_000),
            1..=4 => (Moment::Began(n), 2_000),
            _ => (Moment::Acked(n), 2_000),
        };
        let micros = if rng.one_in(3) {
            0
        } else {
            rng.below(longest_micros)
        };
        KillPlan {
            after,
            delay: Duration::from_micros(micros),
        }
    }

    fn due(&self, said: &Said) -> bool {
        match self.after {
            Moment::Spawned => true,
            Moment::Began(n) => said.begun > n,
            Moment::Acked(n) => said.acked > n,
        }
    }
}

/// Waits `delay` without sleeping: a sleep's wake-up is too coarse for a delay of microseconds.
fn spin(delay: Duration) {
    let start = Instant::now();
    while start.elapsed() < delay {
        std::hint::spin_loop();
    }
}

/// A child running the workload, its stdout read line by line on a thread (so that the parent
/// can wait for a line with a time limit). Dropping it kills the child.
struct Running {
    child: Child,
    lines: Receiver<String>,
    reader: Option<JoinHandle<()>>,
}

/// A killed child: how it ended, what it said after the parent stopped listening, its stderr.
struct Stopped {
    status: ExitStatus,
    rest: Vec<String>,
    stderr: String,
}

impl Running {
    fn spawn(exe: &Path, engine: &str, dir: &Path, seed: u64) -> Result<Running, String> {
        let mut command = Command::new(exe);
        command
            .arg("crash-child")
            .arg(engine)
            .arg(dir)
            .arg(seed.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", exe.display()))?;
        let stdout = child.stdout.take().ok_or("the child has no stdout")?;
        let (sender, lines) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                // The pipe ends when the child dies; a send fails once the parent is done.
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Running {
            child,
            lines,
            reader: Some(reader),
        })
    }

    /// The child's next line, or `None` once it has closed its stdout (it has ended).
    fn next_line(&mut self) -> Result<Option<String>, String> {
        match self.lines.recv_timeout(HANG_GUARD) {
            Ok(line) => Ok(Some(line)),
            Err(RecvTimeoutError::Disconnected) => Ok(None),
            Err(RecvTimeoutError::Timeout) => Err(format!(
                "the child said nothing for {} s: hung?",
                HANG_GUARD.as_secs()
            )),
        }
    }

    /// Kills the child (SIGKILL), waits for it, and reads what is left in its pipes.
    fn kill(&mut self) -> Result<Stopped, String> {
        self.child
            .kill()
            .map_err(|e| format!("could not kill the child: {e}"))?;
        let status = self
            .child
            .wait()
            .map_err(|e| format!("could not wait for the child: {e}"))?;
        let mut rest = Vec::new();
        while let Some(line) = self.next_line()? {
            rest.push(line);
        }
        if let Some(reader) = self.reader.take() {
            reader
                .join()
                .map_err(|_| "the thread reading the child panicked")?;
        }
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            // Best effort: stderr only explains a failure found otherwise.
            let _ = pipe.read_to_string(&mut stderr);
        }
        Ok(Stopped {
            status,
            rest,
            stderr,
        })
    }

    /// The message for a child that ended without being killed: its status and stderr.
    fn stopped_by_itself(&mut self) -> String {
        match self.kill() {
            Ok(stopped) => format!(
                "the child stopped by itself ({}): {}",
                stopped.status,
                stopped.stderr.trim()
            ),
            Err(e) => format!("the child stopped by itself: {e}"),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // After an error the child may still be running: never leave it behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_protocol_is_followed_in_order() {
        let mut said = Said::default();
        for line in ["open 42", "begin 0", "ack 0", "begin 1"] {
            said.record(line).unwrap();
        }
        assert_eq!((said.opened, said.begun, said.acked), (Some(42), 2, 1));
        assert!(said.in_flight());
        said.record("ack 1").unwrap();
        assert!(!said.in_flight());
    }

    #[test]
    fn a_line_out_of_turn_is_an_error() {
        let cases: &[&[&str]] = &[
            &["begin 0"],                             // before open
            &["open 1", "open 1"],                    // twice
            &["open 1", "ack 0"],                     // ack before begin
            &["open 1", "begin 1"],                   // skips op 0
            &["open 1", "begin 0", "begin 1"],        // begins while one is in flight
            &["open 1", "begin 0", "ack 1"],          // acks another op
            &["open 1", "begin 0", "ack 0", "ack 0"], // acks twice
            &["open x"],
            &["done 3"],
        ];
        for lines in cases {
            let mut said = Said::default();
            let (last, first) = lines.split_last().unwrap();
            for line in first {
                said.record(line).unwrap();
            }
            assert!(said.record(last).is_err(), "{lines:?} was accepted");
        }
    }

    #[test]
    fn a_kill_mid_op_allows_the_state_before_and_after_it() {
        use super::super::wal::Wal;
        let base = Map::new();
        let said = Said {
            opened: Some(0),
            begun: 5,
            acked: 4,
        };
        let allowed = allowed_after::<Wal>(9, &base, &said);
        let before = Workload::model_after(9, Wal::PROFILE, &base, 4);
        let after = Workload::model_after(9, Wal::PROFILE, &base, 5);
        assert_eq!(allowed[0], before);
        assert_eq!(allowed.last(), Some(&after));
        let between = Said { begun: 4, ..said };
        assert_eq!(allowed_after::<Wal>(9, &base, &between), vec![before]);
    }

    #[test]
    fn the_check_accepts_only_an_allowed_state() {
        use super::super::engine::Engine;
        use super::super::wal::Wal;
        use super::super::workload::{Change, Op};
        let dir = tempfile::tempdir().unwrap();
        let mut db = Wal::open(dir.path()).unwrap();
        let mut workload = Workload::new(4, Wal::PROFILE);
        let mut model = Map::new();
        for _ in 0..10 {
            let op = workload.next_op();
            Wal::apply(&mut db, &op).unwrap();
            op.apply(&mut model);
        }
        // Half a batch, as a broken engine might leave it.
        let batch = Op::Write(vec![
            Change::Put(b"key-00".to_vec(), b"first half".to_vec()),
            Change::Put(b"key-01".to_vec(), b"second half".to_vec()),
        ]);
        let Op::Write(changes) = &batch else {
            unreachable!()
        };
        Wal::apply(&mut db, &Op::Write(changes[..1].to_vec())).unwrap();
        drop(db);
        let mut with_batch = model.clone();
        batch.apply(&mut with_batch);
        let error = check::<Wal>(dir.path(), &[model.clone(), with_batch.clone()]).unwrap_err();
        assert!(error.contains("key-0"), "{error}");

        let mut with_half = model.clone();
        Op::Write(changes[..1].to_vec()).apply(&mut with_half);
        assert_eq!(check::<Wal>(dir.path(), &[model, with_half]), Ok(()));
    }

    #[test]
    fn a_difference_names_the_keys() {
        let mut expected = Map::new();
        expected.insert(b"a".to_vec(), b"1".to_vec());
        expected.insert(b"b".to_vec(), b"2".to_vec());
        let mut found = expected.clone();
        found.remove(&b"a"[..]);
        found.insert(b"c".to_vec(), b"3".to_vec());
        let text = difference(&expected, &found);
        assert_eq!(
            text,
            "a: expected \"1\"… (1 bytes), found none, c: expected none, found \"3\"… (1 bytes)"
        );
    }
}
