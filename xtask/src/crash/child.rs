//! The child side of the crash runner: `xtask crash-child <engine> <dir> <seed>` opens the
//! engine, performs the seed's workload until it is killed, and reports on stdout (a pipe to
//! the parent) what it has done, one line at a time, each flushed before going on:
//!
//! - `open <digest>` once the database is open, with a digest of everything it holds;
//! - `begin <n>` before op `n` starts (ops count from 0);
//! - `ack <n>` once op `n` has returned, and so is durable.
//!
//! Owns the protocol's writing side; [`super::run`](fn@super::run) reads it.

use std::io::Write;
use std::path::Path;

use super::engine::{Engine, Visit};
use super::workload::{Workload, digest};
use crate::Result;

/// Runs the workload of `seed` on engine `E` in `dir` until killed (or until an error, which
/// the parent reports as a finding).
pub struct Child<'a> {
    /// The database's directory.
    pub dir: &'a Path,
    /// The workload's seed.
    pub seed: u64,
}

impl Visit for Child<'_> {
    type Output = Result<()>;

    fn visit<E: Engine>(self) -> Result<()> {
        let mut out = std::io::stdout().lock();
        let mut db = E::open(self.dir)?;
        report(&mut out, &format!("open {}", digest(&E::state(&db)?)))?;
        let mut workload = Workload::new(self.seed, E::PROFILE);
        let mut n: u64 = 0;
        loop {
            let op = workload.next_op();
            report(&mut out, &format!("begin {n}"))?;
            E::apply(&mut db, &op).map_err(|e| format!("op {n} ({}): {e}", op.describe()))?;
            report(&mut out, &format!("ack {n}"))?;
            n += 1;
        }
    }
}

/// Writes one line and flushes it, so the parent has it before the child goes on. A write that
/// fails (the parent is gone) ends the child.
fn report(out: &mut impl Write, line: &str) -> Result<()> {
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}
