//! `check`: bbolt's full page check for the B+tree; for the others, every
//! checksum in every file. Damage is listed and exits with code 3; a torn
//! tail (an interrupted last write, which the next open drops) is a note.

use std::path::Path;

use serde_json::json;
use strata::{Engine, ErrorKind};

use super::Context;
use crate::failure::{Failure, Result};
use crate::output::Output;
use crate::progress;

/// What a check found.
#[derive(Default)]
struct Findings {
    problems: Vec<String>,
    notes: Vec<String>,
}

impl Findings {
    /// Files a library error as damage, or passes on any other error.
    fn damage(&mut self, e: strata::Error) -> Result<()> {
        if e.kind() == ErrorKind::Corrupt {
            self.problems.push(e.to_string());
            Ok(())
        } else {
            Err(e.into())
        }
    }
}

pub fn check(at: &Context, path: &Path, out: &mut Output) -> Result<u8> {
    let engine = at.engine_at(path)?;
    let mut found = Findings::default();
    match engine {
        Engine::FlatFile => {
            if let Err(e) = strata::flat_file::read_map(path) {
                found.damage(e.into())?;
            }
        }
        Engine::Wal => check_log(path, &mut found)?,
        Engine::Bitcask => check_cask(path, out.is_json(), &mut found)?,
        Engine::Bptree => {
            let db = strata::bptree::DB::open(path, strata::bptree::Options::read_only());
            match db.and_then(|db| db.view(|tx| Ok(tx.check()))) {
                Ok(problems) => found.problems.extend(problems),
                Err(e) => found.damage(e.into())?,
            }
        }
        _ => {
            return Err(Failure::Unsupported {
                command: "check",
                engine,
            });
        }
    }
    for note in &found.notes {
        out.line(format!("note: {note}"));
    }
    for problem in &found.problems {
        out.line(format!("damage: {problem}"));
    }
    if found.problems.is_empty() {
        out.line(format!("ok: no damage found in the {engine} store"));
    }
    out.json(
        json!({ "engine": engine.name(), "ok": found.problems.is_empty(),
        "problems": found.problems, "notes": found.notes }),
    );
    match found.problems.len() {
        0 => Ok(0),
        n => Err(Failure::Damaged(n)),
    }
}

/// Reads the whole log as opening would (without repairing anything).
fn check_log(path: &Path, found: &mut Findings) -> Result<()> {
    let mode = strata::wal::RecoveryMode::default();
    match strata::wal::read_replaying(path, mode, |_| {}) {
        Ok(report) => {
            if let Some(torn) = &report.torn_tail {
                found.notes.push(format!(
                    "{torn:?}: an interrupted last write, dropped at the next open"
                ));
            }
            for damage in &report.skipped {
                found.problems.push(format!("{damage:?}"));
            }
            Ok(())
        }
        Err(e) => found.damage(e.into()),
    }
}

/// Opens the cask (reading hints and scanning data files), then reads
/// every live entry, which checks its CRC.
fn check_cask(path: &Path, json: bool, found: &mut Findings) -> Result<()> {
    let cask = match strata::bitcask::Bitcask::open_read_only(path, Default::default()) {
        Ok(cask) => cask,
        Err(e) => return found.damage(e.into()),
    };
    let report = cask.open_report();
    for (file, bytes) in &report.torn_tails {
        found.notes.push(format!(
            "data file {file}: a torn tail of {bytes} bytes, ignored"
        ));
    }
    if report.bad_entries > 0 {
        found
            .problems
            .push(format!("{} entries with a bad CRC", report.bad_entries));
    }
    for file in &report.hints_cut_short {
        found
            .problems
            .push(format!("hint file {file} stops making sense partway"));
    }
    let keys = cask.keys();
    let bar = progress::bar(Some(keys.len() as u64), "checking", json);
    for key in keys {
        if let Err(e) = cask.get(&key) {
            found.damage(e.into())?;
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(())
}
