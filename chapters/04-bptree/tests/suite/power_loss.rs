//! The database under power loss, at every moment of a workload.
//!
//! A kill -9 keeps the page cache, so it cannot tell whether an fsync is
//! there. These tests open the database on a file wrapped in a recorder (see
//! [`journal`]) that notes every write, new length and sync, run a few dozen
//! transactions, and cut the power after every recorded change, twice: once
//! losing everything unsynced, once keeping an arbitrary part of it. Each
//! cut's file must open, pass the check, and hold exactly the state after
//! some transaction: at least every one whose commit returned, at most the
//! one in flight. Never part of one.

mod journal;

use std::fs;
use std::ops::RangeInclusive;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use journal::{Change, Journal};

use super::{Contents, Rng, committed, key, read_contents, temp_file, value, with_bucket};
use crate::bptree::meta::NO_FREELIST;
use crate::bptree::{DB, Options, WriteTx};

/// One change a transaction makes.
#[derive(Debug, Clone)]
enum Op {
    Put {
        bucket: Vec<Vec<u8>>,
        key: Vec<u8>,
        value: Vec<u8>,
    },
    Delete {
        bucket: Vec<Vec<u8>>,
        key: Vec<u8>,
    },
    DeleteBucket(Vec<Vec<u8>>),
}

fn path(names: &[&[u8]]) -> Vec<Vec<u8>> {
    names.iter().map(|n| n.to_vec()).collect()
}

fn as_slices(path: &[Vec<u8>]) -> Vec<&[u8]> {
    path.iter().map(Vec::as_slice).collect()
}

/// The nested bucket `n` of bucket `nest`.
fn nested(n: u64) -> Vec<u8> {
    format!("sub-{n}").into_bytes()
}

fn puts(rng: &mut Rng, bucket: &[Vec<u8>], n: usize, len: RangeInclusive<u64>) -> Vec<Op> {
    (0..n)
        .map(|_| {
            let i = rng.below(300) as u32;
            let len = len.start() + rng.below(len.end() - len.start() + 1);
            Op::Put {
                bucket: bucket.to_vec(),
                key: key(i),
                value: value(i, rng.below(1000) as u32, len as usize),
            }
        })
        .collect()
}

fn deletes(rng: &mut Rng, bucket: &[Vec<u8>], n: usize) -> Vec<Op> {
    (0..n)
        .map(|_| Op::Delete {
            bucket: bucket.to_vec(),
            key: key(rng.below(300) as u32),
        })
        .collect()
}

/// Transaction `t` of the workload, given the state before it: small puts,
/// values longer than a page, deletes, nested buckets, and deleted buckets
/// (whose pages are freed and reused), growing the file past several maps.
fn transaction(t: u64, rng: &mut Rng, before: &Contents) -> Vec<Op> {
    let data = path(&[b"data"]);
    let side = path(&[b"side"]);
    let sub = path(&[b"nest", &nested(t / 6 % 3)]);
    match t % 6 {
        0 => puts(rng, &data, 40, 20..=200),
        1 => puts(rng, &data, 3, 4097..=14_000),
        2 => {
            let mut ops = puts(rng, &sub, 15, 10..=300);
            ops.extend(puts(rng, &sub, 1, 6000..=6000));
            ops
        }
        3 => deletes(rng, &data, 30),
        4 => {
            let mut ops = puts(rng, &side, 8, 500..=2000);
            // Every other time, a nested bucket goes, with its pages.
            let nest = before.buckets.get(&b"nest"[..]);
            if let Some(name) = nest.and_then(|n| n.buckets.keys().next())
                && t % 12 == 4
            {
                ops.push(Op::DeleteBucket(path(&[b"nest", name])));
            }
            ops
        }
        _ => {
            let mut ops = deletes(rng, &sub, 5);
            if before.buckets.contains_key(&b"side"[..]) && t % 12 == 11 {
                ops.push(Op::DeleteBucket(side));
            }
            ops.extend(puts(rng, &data, 2, 3000..=5000));
            ops
        }
    }
}

fn apply(tx: &mut WriteTx<'_>, op: &Op) -> crate::bptree::Result<()> {
    match op {
        Op::Put { bucket, key, value } => {
            with_bucket(tx, &as_slices(bucket), true, |b| b.put(key, value))?;
        }
        Op::Delete { bucket, key } => {
            with_bucket(tx, &as_slices(bucket), false, |b| b.delete(key))?;
        }
        Op::DeleteBucket(bucket) => {
            let (name, parent) = bucket.split_last().expect("a bucket path is not empty");
            if parent.is_empty() {
                tx.delete_bucket(name)?;
            } else {
                with_bucket(tx, &as_slices(parent), false, |b| b.delete_bucket(name))?;
            }
        }
    }
    Ok(())
}

fn apply_to_model(model: &mut Contents, op: &Op) {
    match op {
        Op::Put { bucket, key, value } => {
            let bucket = model.create_path(&as_slices(bucket));
            bucket.values.insert(key.clone(), value.clone());
        }
        Op::Delete { bucket, key } => {
            if let Some(bucket) = model.get_mut(&as_slices(bucket)) {
                bucket.values.remove(key);
            }
        }
        Op::DeleteBucket(bucket) => {
            let (name, parent) = bucket.split_last().expect("a bucket path is not empty");
            let parent = model
                .get_mut(&as_slices(parent))
                .expect("the parent exists");
            parent.buckets.remove(name);
        }
    }
}

/// Opens a file the power cut left (`None`: no file at all) and reads it:
/// an error if it does not open, fails the check, or cannot be read.
fn recover(at: &Path, image: Option<&[u8]>, options: &Options) -> Result<Contents, String> {
    let _ = fs::remove_file(at);
    if let Some(bytes) = image {
        fs::write(at, bytes).unwrap();
    }
    // The reopened file is not cut again: its own syncs do not matter.
    let options = Options {
        no_sync: true,
        ..options.clone()
    };
    let read = || {
        let db = DB::open(at, options).map_err(|e| format!("it does not open: {e}"))?;
        let tx = db.begin_read();
        let problems = tx.check();
        if !problems.is_empty() {
            return Err(format!("the check finds {problems:?}"));
        }
        Ok(read_contents(&tx.root()))
    };
    panic::catch_unwind(AssertUnwindSafe(read))
        .unwrap_or_else(|_| Err("reading it panicked (message above)".into()))
}

/// Cuts the power at each moment in `moments`, both ways, and checks that
/// the file holds one of `allowed` (the states after `first` transactions,
/// `first + 1`, ...). Returns how many cuts were checked.
fn check_cuts(
    journal: &Journal,
    moments: RangeInclusive<usize>,
    allowed: &[Contents],
    first: usize,
    options: &Options,
) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path().join("cut.db");
    let changes = journal.changes();
    let mut cuts = 0;
    for n in moments {
        for keep_some in [None, Some(n as u64)] {
            let image = journal.power_cut(n, keep_some);
            let found = recover(&at, image.as_deref(), options);
            let survived = found.as_ref().map(|f| allowed.iter().position(|m| m == f));
            let last = n.checked_sub(1).map(|i| describe(&changes[i]));
            assert!(
                matches!(survived, Ok(Some(_))),
                "a power cut after change {n} ({last:?}), keeping some unsynced pages: \
                 {keep_some:?}: the file should hold the state after {first} transactions \
                 (or up to {}), but {}",
                first + allowed.len() - 1,
                match found {
                    Ok(f) => format!("it holds another, with {} values", f.total_values()),
                    Err(e) => e,
                },
            );
            cuts += 1;
        }
    }
    cuts
}

fn describe(change: &Change) -> String {
    match change {
        Change::Write { offset, bytes } => format!("write {} bytes at {offset}", bytes.len()),
        other => format!("{other:?}"),
    }
}

/// Runs the workload on a new file with `options`, cutting the power at
/// every moment. Returns the file and the states after each transaction.
fn run(options: &Options) -> (tempfile::TempDir, std::path::PathBuf, Vec<Contents>) {
    let (dir, path) = temp_file();
    let journal = Journal::default();
    let db = DB::open_with(&path, options.clone(), journal.wrap()).unwrap();
    // models[i]: the state after the first i transactions.
    let mut models = vec![Contents::default()];
    // Creating the file: nothing is promised until `open` returns.
    let mut cuts = check_cuts(&journal, 0..=journal.count(), &models[..], 0, options);
    let mut rng = Rng::new(0x5eed);
    for t in 0..36 {
        let i = t as usize;
        let ops = transaction(t, &mut rng, &models[i]);
        let before = journal.count();
        db.update(|tx| ops.iter().try_for_each(|op| apply(tx, op)))
            .unwrap();
        let mut model = models[i].clone();
        ops.iter().for_each(|op| apply_to_model(&mut model, op));
        assert_eq!(committed(&db), model, "transaction {t} did what it should");
        models.push(model);
        // Commit i + 1 is in flight: every earlier one must survive.
        let moments = before + 1..=journal.count();
        cuts += check_cuts(&journal, moments, &models[i..=i + 1], i, options);
    }
    // After the last commit returned, all of them must.
    let end = journal.count();
    cuts += check_cuts(&journal, end..=end, &models[36..], 36, options);
    assert!(cuts > 300, "only {cuts} power cuts were tried");
    let grown = journal
        .changes()
        .iter()
        .filter(|c| matches!(c, Change::SetLen(_)))
        .count();
    assert!(grown >= 3, "the file grew only {grown} times");
    (dir, path, models)
}

#[test]
fn every_commit_that_returned_survives_a_power_cut_at_any_moment() {
    let options = Options::default();
    let (_dir, path, _) = run(&options);
    let db = DB::open(&path, Options::read_only()).unwrap();
    assert_ne!(db.begin_read().meta().freelist, NO_FREELIST);
}

#[test]
fn without_a_stored_freelist_every_commit_that_returned_survives_a_power_cut() {
    let options = Options {
        no_freelist_sync: true,
        ..Options::default()
    };
    let (_dir, path, models) = run(&options);
    // A writer that keeps a freelist stores one as it opens such a file: a
    // commit of its own, which must not lose anything either.
    let journal = Journal::default();
    let db = DB::open_with(&path, Options::default(), journal.wrap()).unwrap();
    assert_ne!(db.begin_read().meta().freelist, NO_FREELIST);
    drop(db);
    let last = &models[models.len() - 1..];
    let cuts = check_cuts(
        &journal,
        0..=journal.count(),
        last,
        models.len() - 1,
        &Options::default(),
    );
    assert!(cuts >= 6, "only {cuts} power cuts of the open were tried");
}

/// With `no_sync`, commits skip their syncs and `DB::sync` is the durability
/// point: a power cut that loses everything unsynced leaves exactly the
/// state of the last `sync` (a disk that keeps some unsynced pages may
/// leave worse, which is what `no_sync` warns of).
#[test]
fn with_no_sync_what_db_sync_made_durable_survives_a_power_cut() {
    let options = Options {
        no_sync: true,
        ..Options::default()
    };
    let (_dir, path) = temp_file();
    let journal = Journal::default();
    let db = DB::open_with(&path, options.clone(), journal.wrap()).unwrap();
    db.sync().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path().join("cut.db");
    let mut synced = Contents::default();
    let mut model = Contents::default();
    let mut rng = Rng::new(0x50c);
    let mut cuts = 0;
    for t in 0..24u64 {
        let ops = transaction(t, &mut rng, &model);
        let before = journal.count();
        db.update(|tx| ops.iter().try_for_each(|op| apply(tx, op)))
            .unwrap();
        ops.iter().for_each(|op| apply_to_model(&mut model, op));
        if t % 4 == 3 {
            db.sync().unwrap();
        }
        for n in before + 1..=journal.count() {
            let image = journal.power_cut(n, None);
            let found = recover(&at, image.as_deref(), &options);
            // The sync's own moment may already hold the new state.
            let ok = found
                .as_ref()
                .is_ok_and(|f| *f == synced || (t % 4 == 3 && *f == model));
            assert!(ok, "a cut after change {n} of transaction {t}: {found:?}");
            cuts += 1;
        }
        if t % 4 == 3 {
            synced = model.clone();
        }
    }
    assert!(cuts > 50, "only {cuts} power cuts were tried");
}
