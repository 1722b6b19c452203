//! The cask under power loss. It runs on a real directory through a disk that
//! records every change (`journal`); for every recorded moment, the directory
//! a power cut would leave there is rebuilt in a fresh directory, twice (once
//! with only what was synced, once with some of the rest as well), and opened.
//! It must open, and hold exactly the state after some step of the workload:
//! never less than was durable, never a state the cask never had. A kill -9
//! cannot test this (the kernel keeps the page cache); these tests fail if a
//! sync the cask needs is missing.

use std::collections::BTreeMap;
use std::path::Path;

use super::T0;
use super::journal::{Journal, Keep, Kept};
use crate::bitcask::entry::{HEADER_LEN, TOMBSTONE_V2_LEN};
use crate::bitcask::{Bitcask, Clock, Error, Options, SyncStrategy};

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

/// One step of a workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Sets key `k` to a value of `n` bytes.
    Put(u8, usize),
    Delete(u8),
    /// `Bitcask::sync`.
    Sync,
    Merge,
    /// `Bitcask::close`, then open again.
    Reopen,
    /// Dropped without closing (a process crash), then opened again.
    Restart,
}

/// Puts, overwrites within and across files (the files hold 256 bytes),
/// deletes, merges with and without outputs, reopens and restarts.
fn workload() -> Vec<Step> {
    use Step::*;
    vec![
        Put(1, 100),
        Put(2, 40),
        Put(3, 120),
        Put(1, 30), // an overwrite across files: a tombstone, then the value
        Delete(2),
        Put(4, 150),
        Put(5, 10),
        Put(3, 60),
        Sync,
        Merge,
        Put(3, 20), // a key a merge copied: the write rolls over past the copies
        Put(1, 80),
        Delete(5),
        Reopen,
        Put(6, 90),
        Put(4, 25),
        Restart,
        Merge, // every file is an input: there is no active file
        Put(2, 200),
        Sync,
        Put(7, 50),
        Put(2, 20), // an unsynced overwrite of a synced value in an older file...
        Merge,      // ...which the merge does not copy, and whose old value goes
        Delete(1),
        Delete(2),
        Delete(3),
        Delete(4),
        Delete(6),
        Delete(7),
        Reopen,
        Merge, // nothing is live: no outputs, every file removed
        Put(8, 30),
        Restart,
        Put(9, 40),
    ]
}

/// The suite's small files, with a sync strategy.
fn options(sync: SyncStrategy) -> Options {
    Options {
        max_file_size: 256,
        sync,
        clock: Clock::Fixed(T0),
        ..Options::default()
    }
}

fn value(step: usize, len: usize) -> Vec<u8> {
    vec![b'a' + (step % 26) as u8; len]
}

/// Every live key and value, or the error reading one.
fn contents(db: &Bitcask) -> Result<Model, Error> {
    db.keys()
        .into_iter()
        .map(|k| Ok((k.clone(), db.get(&k)?.unwrap_or_default())))
        .collect()
}

/// A deterministic choice of the unsynced changes a disk wrote before the cut.
fn some(seed: usize) -> impl Fn(Kept<'_>) -> bool {
    let name = |path: &Path| {
        let text = path.file_name().unwrap().to_string_lossy().into_owned();
        text.bytes().map(usize::from).sum::<usize>()
    };
    move |kept| match kept {
        Kept::Page { file, page } => (seed * 31 + name(file) * 7 + page * 13).is_multiple_of(3),
        Kept::Name(n) => (seed * 17 + n * 5).is_multiple_of(2),
        Kept::Mode { file } => (seed + name(file)).is_multiple_of(2),
    }
}

/// The states a cut may leave, `models[at_least..]`, and for a put that wrote
/// a tombstone before its value, the one the format allows between the two.
struct Allowed<'a> {
    models: &'a [Model],
    at_least: usize,
    /// For each step, the key it wrote a tombstone for before the value.
    tombstone_first: &'a [Option<Vec<u8>>],
}

impl Allowed<'_> {
    fn allows(&self, found: &Model) -> bool {
        let after_a_step = self.models[self.at_least..].contains(found);
        // The one known limitation of the format (see `Bitcask::put`): a put
        // that overwrites a value held in an older file writes a tombstone,
        // then the value, and a cut between the two leaves the key deleted.
        // Allowed for exactly those puts, and only for their own key.
        let between_tombstone_and_value = (self.at_least..self.tombstone_first.len()).any(|j| {
            self.tombstone_first[j].as_ref().is_some_and(|key| {
                let mut deleted = self.models[j].clone();
                deleted.remove(key);
                deleted == *found
            })
        });
        after_a_step || between_tombstone_and_value
    }
}

/// Cuts the power after the first `moment` changes of `journal`, both ways,
/// and checks what each cut leaves against `allowed`. Returns the cuts made.
fn cut_both_ways(
    journal: &Journal,
    moment: usize,
    root: &Path,
    allowed: &Allowed<'_>,
    what: &str,
) -> usize {
    let keep_some = some(moment);
    for keep in [None, Some(&keep_some as &Keep)] {
        let image = tempfile::tempdir().unwrap();
        journal.cut(moment, root, image.path(), keep);
        let context = format!(
            "a power cut {what} (moment {moment}, some unsynced kept: {})",
            keep.is_some()
        );
        let open = || {
            Bitcask::open(image.path().join("cask"), options(SyncStrategy::None))
                .unwrap_or_else(|e| panic!("{context}: the cask does not open: {e}"))
        };
        let mut db = open();
        let mut found = contents(&db).unwrap_or_else(|e| panic!("{context}: a read fails: {e}"));
        assert!(
            allowed.allows(&found),
            "{context} left a state that is not the one after any of steps {} to {}: {found:?}",
            allowed.at_least,
            allowed.models.len() - 1,
        );
        // And the cask carries on: a write after the cut, then a reopen.
        db.put(b"after the cut", b"written")
            .unwrap_or_else(|e| panic!("{context}: a put after it fails: {e}"));
        db.close().unwrap();
        found.insert(b"after the cut".to_vec(), b"written".to_vec());
        let reopened = contents(&open()).unwrap();
        assert_eq!(
            reopened, found,
            "{context}: a write after it, then a reopen"
        );
    }
    2
}

/// Runs the workload under `sync`, cutting the power at every moment.
/// `durable(steps, i)` says how many steps must survive a cut during step `i`.
/// How a `Sync` step makes the writes durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SyncBy {
    /// `Bitcask::sync`.
    Sync,
    /// `Bitcask::start_sync`, then `PendingSync::finish`: group commit's way.
    StartAndFinish,
}

fn run(sync: SyncStrategy, sync_by: SyncBy, durable: impl Fn(&[Step], usize) -> usize) {
    let steps = workload();
    let root = tempfile::tempdir().unwrap();
    let cask = root.path().join("cask");
    let journal = Journal::new();
    let open = || Bitcask::open_on(journal.disk(), &cask, options(sync)).unwrap();
    // models[i]: the state after the first i steps.
    let mut models = vec![Model::new()];
    let mut tombstone_first = Vec::new();
    let mut db = open();
    let mut cuts = 0;
    let allowed = Allowed {
        models: &models,
        at_least: 0,
        tombstone_first: &[],
    };
    for moment in 0..=journal.len() {
        cuts += cut_both_ways(&journal, moment, root.path(), &allowed, "while opening");
    }
    for (i, &step) in steps.iter().enumerate() {
        let before = journal.len();
        let mut model = models[i].clone();
        let mut tombstone = None;
        match step {
            Step::Put(k, len) => {
                let value = value(i, len);
                let (id, len_before) = db.active_file().unwrap_or((0, 0));
                db.put(&[k], &value).unwrap();
                let (new_id, len_after) = db.active_file().unwrap();
                let written = if new_id == id {
                    len_after - len_before
                } else {
                    len_after
                };
                let entries = |value_len: usize| (HEADER_LEN + 1 + value_len) as u64;
                if written == entries(TOMBSTONE_V2_LEN) + entries(value.len()) {
                    tombstone = Some(vec![k]);
                }
                model.insert(vec![k], value);
            }
            Step::Delete(k) => {
                db.delete(&[k]).unwrap();
                model.remove(&vec![k]);
            }
            Step::Sync => match sync_by {
                SyncBy::Sync => db.sync().unwrap(),
                SyncBy::StartAndFinish => {
                    if let Some(pending) = db.start_sync().unwrap() {
                        pending.finish().unwrap();
                    }
                }
            },
            Step::Merge => {
                db.merge().unwrap();
            }
            Step::Reopen => {
                db.close().unwrap();
                db = open();
            }
            Step::Restart => {
                drop(db);
                db = open();
            }
        }
        assert_eq!(
            contents(&db).unwrap(),
            model,
            "the cask itself, after step {i} ({step:?})"
        );
        models.push(model);
        tombstone_first.push(tombstone);
        let allowed = Allowed {
            models: &models,
            at_least: durable(&steps, i),
            tombstone_first: &tombstone_first,
        };
        for moment in before + 1..=journal.len() {
            let what = format!("during step {i} ({step:?})");
            cuts += cut_both_ways(&journal, moment, root.path(), &allowed, &what);
        }
    }
    assert!(
        tombstone_first.iter().any(Option::is_some),
        "no put wrote a tombstone first"
    );
    assert!(cuts > 500, "only {cuts} power cuts were tried");
}

#[test]
fn under_sync_always_every_acknowledged_step_survives_a_power_cut() {
    // A step is durable when it returns: a cut during step i keeps all before it.
    run(SyncStrategy::Always, SyncBy::Sync, |_, i| i);
}

#[test]
fn under_sync_none_what_was_synced_or_reopened_survives_a_power_cut() {
    run(SyncStrategy::None, SyncBy::Sync, synced_or_reopened);
}

/// Group commit syncs in two halves, the second with no access to the cask:
/// what the two together make durable must survive as `sync`'s does.
#[test]
fn a_sync_started_and_finished_apart_survives_a_power_cut() {
    run(
        SyncStrategy::None,
        SyncBy::StartAndFinish,
        synced_or_reopened,
    );
}

/// Every step up to the last sync, close or restart before step `i`: a
/// restarted cask shows what the crashed process wrote, so that must survive
/// as well.
fn synced_or_reopened(steps: &[Step], i: usize) -> usize {
    (0..i)
        .rev()
        .find(|&j| matches!(steps[j], Step::Sync | Step::Reopen | Step::Restart))
        .map_or(0, |j| j + 1)
}

/// Closing a file makes its hint durable, so that opening after a power cut
/// still reads hints and not whole data files.
#[test]
fn a_closed_files_hint_survives_a_power_cut() {
    let root = tempfile::tempdir().unwrap();
    let cask = root.path().join("cask");
    let journal = Journal::new();
    let mut db = Bitcask::open_on(journal.disk(), &cask, options(SyncStrategy::None)).unwrap();
    for i in 0..12u8 {
        db.put(&[i], &value(usize::from(i), 60)).unwrap();
    }
    db.close().unwrap();
    let image = tempfile::tempdir().unwrap();
    journal.cut(journal.len(), root.path(), image.path(), None);
    let db = Bitcask::open(image.path().join("cask"), options(SyncStrategy::None)).unwrap();
    let report = db.open_report();
    assert_eq!(db.len(), 12);
    assert!(report.from_hints >= 3, "{report:?}");
    assert_eq!(report.scanned, 0, "every file was closed: {report:?}");
}

/// A hint with a valid trailer is trusted: its data file must be durable
/// before the trailer is written. A cut that keeps every unsynced page of the
/// hint files and none of the data files must not find a valid hint pointing
/// past the end of its data file.
#[test]
fn a_valid_hint_never_outlives_its_data_in_a_power_cut() {
    let root = tempfile::tempdir().unwrap();
    let cask = root.path().join("cask");
    let journal = Journal::new();
    let mut db = Bitcask::open_on(journal.disk(), &cask, options(SyncStrategy::None)).unwrap();
    for i in 0..3u8 {
        db.put(&[i], &value(usize::from(i), 40)).unwrap();
    }
    let closing = journal.len();
    db.close().unwrap();
    let hints_kept = |kept: Kept<'_>| match kept {
        Kept::Page { file, .. } => file.extension().is_some_and(|e| e == "hint"),
        Kept::Name(_) | Kept::Mode { .. } => true,
    };
    for moment in closing..=journal.len() {
        let image = tempfile::tempdir().unwrap();
        journal.cut(moment, root.path(), image.path(), Some(&hints_kept));
        let db = Bitcask::open(image.path().join("cask"), options(SyncStrategy::None)).unwrap();
        let report = db.open_report();
        assert!(
            report.hints_cut_short.is_empty(),
            "a cut at moment {moment} of the close: {report:?}"
        );
        assert!(
            contents(&db).is_ok(),
            "a cut at moment {moment} of the close"
        );
    }
}
