//! Random operations on every table type, transactions (some failing on
//! purpose, some panicking), reopens, compactions and crashes, against
//! [`State`]: std's collections, changed by hand.
//!
//! The database syncs with `SyncPolicy::Never`, so a crash may lose any
//! suffix of the writes since the last open: it is simulated by cutting the
//! log back to its length after some earlier step. (Cuts at every byte are
//! the `crash` module's business.)

use std::collections::BTreeSet;
use std::fs;
use std::ops::Bound;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::sample::Index;

use super::{Db, Settings, State, segments};
use crate::schema::{Config, Error, SyncPolicy};

/// One table operation. Indexes are drawn against the model's list, and may
/// fall one past its end (an error the transaction then passes on).
#[derive(Debug, Clone)]
enum Op {
    SetSettings(u8),
    ClearSettings,
    FileInsert(u8, u8),
    FileRemove(u8),
    FilesClear,
    PathInsert(u8, u8),
    PathRemove(u8),
    PathsClear,
    Push(u8),
    Pop,
    Remove(Index),
    Set(Index, u8),
    ListClear,
    OwnerPush(u8, u8),
    OwnerRemoveKey(u8),
    ShareInsert(u8, u8),
    ShareRemove(u8, u8),
    ShareRemoveKey(u8),
}

/// How a transaction ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Commit,
    Fail,
    Panic,
}

#[derive(Debug, Clone)]
enum Step {
    Op(Op),
    Transaction(Vec<Op>, End),
    Reopen,
    Compact,
    /// Cut the log back to one of the steps since the last open or compaction.
    Crash(Index),
}

fn op() -> impl Strategy<Value = Op> {
    let k = || 0..5u8;
    let v = || any::<u8>();
    prop_oneof![
        2 => v().prop_map(Op::SetSettings),
        1 => Just(Op::ClearSettings),
        4 => (k(), v()).prop_map(|(k, v)| Op::FileInsert(k, v)),
        2 => k().prop_map(Op::FileRemove),
        1 => Just(Op::FilesClear),
        4 => (0..PATHS.len() as u8, v()).prop_map(|(k, v)| Op::PathInsert(k, v)),
        2 => (0..PATHS.len() as u8).prop_map(Op::PathRemove),
        1 => Just(Op::PathsClear),
        4 => v().prop_map(Op::Push),
        1 => Just(Op::Pop),
        2 => any::<Index>().prop_map(Op::Remove),
        2 => (any::<Index>(), v()).prop_map(|(i, v)| Op::Set(i, v)),
        1 => Just(Op::ListClear),
        4 => (k(), v()).prop_map(|(k, v)| Op::OwnerPush(k, v)),
        1 => k().prop_map(Op::OwnerRemoveKey),
        4 => (k(), k()).prop_map(|(k, v)| Op::ShareInsert(k, v)),
        2 => (k(), k()).prop_map(|(k, v)| Op::ShareRemove(k, v)),
        1 => k().prop_map(Op::ShareRemoveKey),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let end = prop_oneof![4 => Just(End::Commit), 2 => Just(End::Fail), 1 => Just(End::Panic)];
    prop_oneof![
        12 => op().prop_map(Step::Op),
        4 => (prop::collection::vec(op(), 0..6), end)
            .prop_map(|(ops, end)| Step::Transaction(ops, end)),
        1 => Just(Step::Reopen),
        1 => Just(Step::Compact),
        1 => any::<Index>().prop_map(Step::Crash),
    ]
}

/// Paths sharing prefixes, for the prefix and range queries.
const PATHS: [&str; 6] = ["a", "a/b", "a/c", "ab", "b", "b/a"];

fn owner(k: u8) -> String {
    format!("owner-{k}")
}

fn user(k: u8) -> String {
    format!("user-{k}")
}

/// A list index drawn against a list of `len` elements, one past its end included.
fn index(i: &Index, len: usize) -> usize {
    i.index(len + 1)
}

/// `op` on the model: its result as text, or `Err` for an index past the end.
fn apply_model(m: &mut State, op: &Op) -> Result<String, ()> {
    Ok(match op {
        Op::SetSettings(v) => format!(
            "{:?}",
            m.settings.replace(Settings {
                owner: owner(*v),
                quota: u32::from(*v)
            })
        ),
        Op::ClearSettings => format!("{:?}", m.settings.take()),
        Op::FileInsert(k, v) => format!("{:?}", m.files.insert(u64::from(*k), user(*v))),
        Op::FileRemove(k) => format!("{:?}", m.files.remove(&u64::from(*k))),
        Op::FilesClear => format!("{:?}", m.files.clear()),
        Op::PathInsert(k, v) => format!(
            "{:?}",
            m.paths.insert(PATHS[*k as usize].into(), u64::from(*v))
        ),
        Op::PathRemove(k) => format!("{:?}", m.paths.remove(PATHS[*k as usize])),
        Op::PathsClear => format!("{:?}", m.paths.clear()),
        Op::Push(v) => format!("{:?}", m.events.push(user(*v))),
        Op::Pop => format!("{:?}", m.events.pop()),
        Op::Remove(i) => {
            let i = index(i, m.events.len());
            if i >= m.events.len() {
                return Err(());
            }
            format!("{:?}", m.events.remove(i))
        }
        Op::Set(i, v) => {
            let i = index(i, m.events.len());
            if i >= m.events.len() {
                return Err(());
            }
            format!("{:?}", std::mem::replace(&mut m.events[i], user(*v)))
        }
        Op::ListClear => format!("{:?}", m.events.clear()),
        Op::OwnerPush(k, v) => format!(
            "{:?}",
            m.by_owner.entry(owner(*k)).or_default().push(u64::from(*v))
        ),
        Op::OwnerRemoveKey(k) => {
            format!("{:?}", m.by_owner.remove(&owner(*k)).unwrap_or_default())
        }
        Op::ShareInsert(k, v) => {
            format!(
                "{:?}",
                m.shares.entry(u64::from(*k)).or_default().insert(user(*v))
            )
        }
        Op::ShareRemove(k, v) => {
            let key = u64::from(*k);
            let Some(set) = m.shares.get_mut(&key) else {
                return Ok(format!("{:?}", false));
            };
            let removed = set.remove(&user(*v));
            if set.is_empty() {
                m.shares.remove(&key);
            }
            format!("{removed:?}")
        }
        Op::ShareRemoveKey(k) => {
            format!("{:?}", m.shares.remove(&u64::from(*k)).unwrap_or_default())
        }
    })
}

/// `op` on the database, its index drawn against the model's list (of
/// `len` elements): its result as text, as [`apply_model`] writes it.
fn apply_db(db: &mut Db, op: &Op, len: usize) -> crate::schema::Result<String> {
    Ok(match op {
        Op::SetSettings(v) => format!(
            "{:?}",
            db.settings.insert(Settings {
                owner: owner(*v),
                quota: u32::from(*v)
            })?
        ),
        Op::ClearSettings => format!("{:?}", db.settings.clear()?),
        Op::FileInsert(k, v) => format!("{:?}", db.files.insert(u64::from(*k), user(*v))?),
        Op::FileRemove(k) => format!("{:?}", db.files.remove(&u64::from(*k))?),
        Op::FilesClear => format!("{:?}", db.files.clear()?),
        Op::PathInsert(k, v) => format!(
            "{:?}",
            db.paths.insert(PATHS[*k as usize].into(), u64::from(*v))?
        ),
        Op::PathRemove(k) => format!("{:?}", db.paths.remove(&PATHS[*k as usize].into())?),
        Op::PathsClear => format!("{:?}", db.paths.clear()?),
        Op::Push(v) => format!("{:?}", db.events.push(user(*v))?),
        Op::Pop => format!("{:?}", db.events.pop()?),
        Op::Remove(i) => format!("{:?}", db.events.remove(index(i, len))?),
        Op::Set(i, v) => format!("{:?}", db.events.set(index(i, len), user(*v))?),
        Op::ListClear => format!("{:?}", db.events.clear()?),
        Op::OwnerPush(k, v) => format!("{:?}", db.by_owner.push(owner(*k), u64::from(*v))?),
        Op::OwnerRemoveKey(k) => format!("{:?}", db.by_owner.remove_key(&owner(*k))?),
        Op::ShareInsert(k, v) => format!("{:?}", db.shares.insert(u64::from(*k), user(*v))?),
        Op::ShareRemove(k, v) => format!("{:?}", db.shares.remove(&u64::from(*k), &user(*v))?),
        Op::ShareRemoveKey(k) => {
            let set: BTreeSet<String> = db.shares.remove_key(&u64::from(*k))?.into_iter().collect();
            format!("{set:?}")
        }
    })
}

/// Compares everything the database shows with the model, the ordered
/// table's range and prefix queries included.
fn check(db: &Db, model: &State) -> Result<(), TestCaseError> {
    prop_assert_eq!(&State::of(db), model);
    for prefix in ["", "a", "a/", "b", "c"] {
        let got: Vec<&String> = db.paths.prefix(prefix).map(|(k, _)| k).collect();
        let want: Vec<&String> = model
            .paths
            .keys()
            .filter(|k| k.starts_with(prefix))
            .collect();
        prop_assert_eq!(got, want, "prefix {:?}", prefix);
    }
    for bound in ["a/b", "ab", "b"] {
        let got: Vec<&String> = db
            .paths
            .range::<str, _>((Bound::Unbounded, Bound::Included(bound)))
            .map(|(k, _)| k)
            .collect();
        let want: Vec<&String> = model
            .paths
            .range::<str, _>((Bound::Unbounded, Bound::Included(bound)))
            .map(|(k, _)| k)
            .collect();
        prop_assert_eq!(got, want, "keys ≤ {:?}", bound);
    }
    for k in 0..5 {
        prop_assert_eq!(
            db.by_owner.get(&owner(k)),
            model.by_owner.get(&owner(k)).map_or(&[][..], |v| &v[..])
        );
        prop_assert_eq!(db.files.get(&u64::from(k)), model.files.get(&u64::from(k)));
    }
    prop_assert_eq!(db.events.len(), model.events.len());
    prop_assert_eq!(db.shares.len(), model.shares.len());
    Ok(())
}

fn config(dir: &Path) -> Config {
    Config::in_folder(dir)
        .sync(SyncPolicy::Never)
        .compact_above(2048)
}

/// A moment a crash can go back to: the model then, and the log's length.
struct Point {
    model: State,
    segment: PathBuf,
    len: u64,
}

fn point(model: &State, dir: &Path) -> Point {
    let segment = segments(dir).pop().expect("a log segment");
    let len = fs::metadata(&segment).unwrap().len();
    Point {
        model: model.clone(),
        segment,
        len,
    }
}

proptest! {
    #![proptest_config(super::proptest_config(
        48,
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/suite/model.proptest-regressions"),
    ))]

    #[test]
    fn the_database_behaves_like_std_collections(steps in prop::collection::vec(step(), 1..40)) {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Db::open(config(dir.path())).unwrap();
        let mut model = State::default();
        let mut points = vec![point(&model, dir.path())];

        for step in steps {
            match step {
                Step::Op(op) => {
                    let len = model.events.len();
                    let want = apply_model(&mut model, &op);
                    let got = apply_db(&mut db, &op, len);
                    match (got, want) {
                        (Ok(got), Ok(want)) => prop_assert_eq!(got, want, "{:?}", op),
                        (Err(Error::OutOfRange { .. }), Err(())) => {}
                        (got, want) => prop_assert!(false, "{:?}: got {:?}, want {:?}", op, got, want),
                    }
                }
                Step::Transaction(ops, end) => {
                    let mut scratch = model.clone();
                    let mut results = Vec::new();
                    let outcome = catch_unwind(AssertUnwindSafe(|| {
                        db.transaction(|tx| {
                            for op in &ops {
                                let len = scratch.events.len();
                                let want = apply_model(&mut scratch, op);
                                let got = apply_db(tx, op, len);
                                let failed = got.is_err();
                                results.push((op.clone(), got.map_err(|e| e.to_string()), want));
                                if failed {
                                    // Passed on, as `?` would.
                                    return tx.events.remove(usize::MAX).map(drop);
                                }
                            }
                            match end {
                                End::Commit => Ok(()),
                                End::Fail => tx.events.remove(usize::MAX).map(drop),
                                End::Panic => panic!("a transaction that panics on purpose"),
                            }
                        })
                    }));
                    for (op, got, want) in &results {
                        match (got, want) {
                            (Ok(got), Ok(want)) => prop_assert_eq!(got, want, "{:?}", op),
                            (Err(e), Err(())) if e.contains("past the end") => {}
                            (got, want) => prop_assert!(false, "{:?}: got {:?}, want {:?}", op, got, want),
                        }
                    }
                    let ops_ok = results.iter().all(|(_, _, want)| want.is_ok());
                    let committed = ops_ok && end == End::Commit;
                    match outcome {
                        Ok(Ok(())) => prop_assert!(committed, "it should have failed"),
                        Ok(Err(_)) => prop_assert!(!committed, "it should have committed"),
                        Err(_) => prop_assert!(ops_ok && end == End::Panic, "an unexpected panic"),
                    }
                    if committed {
                        model = scratch;
                    }
                }
                Step::Reopen => {
                    drop(db);
                    db = Db::open(config(dir.path())).unwrap();
                    points = vec![point(&model, dir.path())];
                }
                Step::Compact => {
                    db.compact().unwrap();
                    points = vec![point(&model, dir.path())];
                }
                Step::Crash(i) => {
                    drop(db);
                    let to = &points[i.index(points.len())];
                    fs::OpenOptions::new()
                        .write(true)
                        .open(&to.segment)
                        .unwrap()
                        .set_len(to.len)
                        .unwrap();
                    model = to.model.clone();
                    db = Db::open(config(dir.path())).unwrap();
                    points = vec![point(&model, dir.path())];
                }
            }
            check(&db, &model)?;
            let now = point(&model, dir.path());
            if now.segment != points[0].segment {
                // Compacted on its own: the old log is gone.
                points.clear();
            }
            points.push(now);
        }
        drop(db);
        let db = Db::open(config(dir.path())).unwrap();
        check(&db, &model)?;
    }
}
