//! Transactions: a committed one is one log record; one that returns an error
//! or panics leaves every table, and the log, exactly as they were.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::{Db, Settings, State, log_bytes, open, records, reopen, temp_dir};
use crate::schema::{Error, Result};

/// Some data in every table.
fn filled(dir: &std::path::Path) -> Db {
    let mut db = open(dir);
    db.settings
        .insert(Settings {
            owner: "ada".into(),
            quota: 5,
        })
        .unwrap();
    db.files.insert(1, "a.md".into()).unwrap();
    db.files.insert(2, "b.md".into()).unwrap();
    db.paths.insert("docs/a".into(), 1).unwrap();
    db.paths.insert("docs/b".into(), 2).unwrap();
    for e in ["one", "two", "three"] {
        db.events.push(e.into()).unwrap();
    }
    db.by_owner.push("ada".into(), 1).unwrap();
    db.by_owner.push("ada".into(), 2).unwrap();
    db.by_owner.push("bob".into(), 2).unwrap();
    db.shares.insert(1, "bob".into()).unwrap();
    db.shares.insert(2, "cy".into()).unwrap();
    db
}

/// Changes every table in every way a table can change.
fn change_everything(tx: &mut Db) -> Result<()> {
    tx.settings.insert(Settings {
        owner: "eve".into(),
        quota: 0,
    })?;
    tx.files.insert(3, "c.md".into())?;
    tx.files.insert(1, "A.md".into())?;
    tx.files.remove(&2)?;
    tx.paths.clear()?;
    tx.paths.insert("img/1".into(), 3)?;
    tx.events.remove(0)?;
    tx.events.set(0, "TWO".into())?;
    tx.events.push("four".into())?;
    tx.events.pop()?;
    tx.events.push("five".into())?;
    tx.by_owner.remove_key(&"ada".into())?;
    tx.by_owner.push("bob".into(), 3)?;
    tx.by_owner.push("cy".into(), 1)?;
    tx.shares.insert(1, "dan".into())?;
    tx.shares.remove(&2, &"cy".into())?;
    tx.shares.remove_key(&1)?;
    tx.settings.clear()?;
    tx.settings.insert(Settings {
        owner: "fay".into(),
        quota: 1,
    })?;
    Ok(())
}

#[test]
fn a_committed_transaction_is_one_record() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    db.files.insert(1, "a.md".into()).unwrap();
    db.events.push("x".into()).unwrap();
    assert_eq!(records(dir.path()), [1, 1], "one record per change outside");

    let n = db
        .transaction(|tx| {
            tx.files.insert(2, "b.md".into())?;
            tx.files.remove(&1)?;
            tx.events.push("y".into())?;
            tx.paths.insert("p".into(), 2)?;
            tx.shares.insert(2, "ada".into())?;
            Ok(5)
        })
        .unwrap();
    assert_eq!(n, 5, "the closure's value comes back");
    assert_eq!(
        records(dir.path()),
        [1, 1, 5],
        "one record holding five changes"
    );

    let db = reopen(db, dir.path());
    assert_eq!(db.files.get(&1), None);
    assert_eq!(db.files.get(&2).map(String::as_str), Some("b.md"));
    assert_eq!(db.events.data(), ["x", "y"]);
    assert_eq!(db.paths.get(&"p".to_string()), Some(&2));
    assert!(db.shares.contains(&2, &"ada".to_string()));
}

#[test]
fn a_big_transaction_is_still_one_record() {
    let dir = temp_dir();
    let mut db = filled(dir.path());
    let before = records(dir.path()).len();
    db.transaction(change_everything).unwrap();
    let after = records(dir.path());
    assert_eq!(after.len(), before + 1);
    assert!(*after.last().unwrap() > 10, "{after:?}");
    let expected = State::of(&db);
    let db = reopen(db, dir.path());
    assert_eq!(
        State::of(&db),
        expected,
        "the reopened state is the committed one"
    );
    assert_eq!(db.events.data(), ["TWO", "three", "five"]);
    assert_eq!(db.by_owner.get(&"ada".into()), [0u64; 0]);
    assert_eq!(db.by_owner.get(&"bob".into()), [2, 3]);
    assert_eq!(db.shares.get(&1), None);
    assert_eq!(db.settings.get().map(|s| s.owner.as_str()), Some("fay"));
}

#[test]
fn an_empty_transaction_writes_nothing() {
    let dir = temp_dir();
    let mut db = filled(dir.path());
    let log = log_bytes(dir.path());
    db.transaction(|_| Ok(())).unwrap();
    db.transaction(|tx| {
        tx.files.remove(&99)?;
        Ok(())
    })
    .unwrap();
    assert_eq!(log_bytes(dir.path()), log);
}

#[test]
fn an_error_rolls_every_table_back_and_logs_nothing() {
    let dir = temp_dir();
    let mut db = filled(dir.path());
    let before = State::of(&db);
    let log = log_bytes(dir.path());

    let result = db.transaction(|tx| {
        change_everything(tx)?;
        assert_ne!(State::of(tx), before, "inside, the changes are visible");
        tx.events.remove(99)?;
        Ok(())
    });
    assert!(
        matches!(result, Err(Error::OutOfRange { index: 99, .. })),
        "the closure's error comes back: {result:?}"
    );
    assert_eq!(State::of(&db), before, "every table as it was");
    assert_eq!(log_bytes(dir.path()), log, "nothing in the log");

    let db = reopen(db, dir.path());
    assert_eq!(State::of(&db), before);
}

#[test]
fn a_panic_rolls_every_table_back_and_logs_nothing() {
    let dir = temp_dir();
    let mut db = filled(dir.path());
    let before = State::of(&db);
    let log = log_bytes(dir.path());

    let panicked = catch_unwind(AssertUnwindSafe(|| {
        db.transaction(|tx| -> Result<()> {
            change_everything(tx)?;
            panic!("a bug in the caller's closure");
        })
    }));
    let payload = panicked.expect_err("the panic goes on to the caller");
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"a bug in the caller's closure"),
        "the closure's own panic, not another one"
    );
    assert_eq!(State::of(&db), before, "every table as it was");
    assert_eq!(log_bytes(dir.path()), log, "nothing in the log");

    let db = reopen(db, dir.path());
    assert_eq!(State::of(&db), before);
}

#[test]
fn the_database_works_on_after_a_rollback() {
    let dir = temp_dir();
    let mut db = filled(dir.path());
    let _ = db.transaction(|tx| {
        change_everything(tx)?;
        Err::<(), _>(Error::ReadOnly)
    });
    let _ = catch_unwind(AssertUnwindSafe(|| {
        db.transaction(|tx| -> Result<()> {
            tx.events.push("lost".into())?;
            tx.by_owner.push("ada".into(), 7)?;
            panic!("on purpose");
        })
    }));
    // New elements go after the ones that were there, and survive a reopen.
    db.events.push("four".into()).unwrap();
    db.by_owner.push("ada".into(), 8).unwrap();
    db.transaction(|tx| {
        tx.events.set(0, "ONE".into())?;
        tx.files.remove(&1)?;
        Ok(())
    })
    .unwrap();
    let expected = State::of(&db);
    assert_eq!(db.events.data(), ["ONE", "two", "three", "four"]);
    assert_eq!(db.by_owner.get(&"ada".into()), [1, 2, 8]);
    let db = reopen(db, dir.path());
    assert_eq!(State::of(&db), expected);
}

#[test]
fn a_nested_transaction_joins_the_outer_one() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    db.transaction(|tx| {
        tx.files.insert(1, "outer".into())?;
        tx.transaction(|inner| {
            inner.files.insert(2, "inner".into())?;
            inner.events.push("inner".into())?;
            Ok(())
        })?;
        tx.events.push("outer".into())?;
        Ok(())
    })
    .unwrap();
    assert_eq!(
        records(dir.path()),
        [4],
        "the inner changes are in the outer record"
    );
    let db = reopen(db, dir.path());
    assert_eq!(db.files.len(), 2);
    assert_eq!(db.events.data(), ["inner", "outer"]);
}

#[test]
fn an_outer_error_rolls_back_a_nested_transaction_that_succeeded() {
    let dir = temp_dir();
    let mut db = filled(dir.path());
    let before = State::of(&db);
    let log = log_bytes(dir.path());
    let result = db.transaction(|tx| {
        tx.transaction(|inner| {
            inner.files.insert(7, "inner".into())?;
            inner.events.push("inner".into())?;
            Ok(())
        })?;
        assert_eq!(tx.files.get(&7).map(String::as_str), Some("inner"));
        Err::<(), _>(Error::ReadOnly)
    });
    assert!(matches!(result, Err(Error::ReadOnly)));
    assert_eq!(State::of(&db), before);
    assert_eq!(log_bytes(dir.path()), log);
    let db = reopen(db, dir.path());
    assert_eq!(State::of(&db), before);
}

#[test]
fn a_nested_error_passed_on_rolls_back_the_whole_transaction() {
    let dir = temp_dir();
    let mut db = filled(dir.path());
    let before = State::of(&db);
    let result = db.transaction(|tx| {
        tx.files.insert(7, "outer".into())?;
        tx.transaction(|inner| {
            inner.events.push("inner".into())?;
            inner.events.remove(99).map(drop)
        })?;
        Ok(())
    });
    assert!(matches!(result, Err(Error::OutOfRange { .. })));
    assert_eq!(State::of(&db), before);
    let db = reopen(db, dir.path());
    assert_eq!(State::of(&db), before);
}

/// How many more encodings of a [`Fragile`] succeed before one panics.
static ENCODINGS_LEFT: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(usize::MAX);

/// A value whose `Serialize` panics once [`ENCODINGS_LEFT`] runs out: a bug
/// in a user's type.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
struct Fragile(String);

impl serde::Serialize for Fragile {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use std::sync::atomic::Ordering;
        if ENCODINGS_LEFT.fetch_sub(1, Ordering::SeqCst) == 0 {
            panic!("this value cannot be encoded");
        }
        serializer.serialize_str(&self.0)
    }
}

#[derive(crate::schema::Schema)]
#[schema(crate = "crate::schema")]
struct Fragiles {
    items: crate::schema::LookupTable<u64, Fragile>,
    events: crate::schema::List<String>,
}

#[test]
fn a_panic_caught_inside_a_transaction_takes_back_its_whole_call() {
    use std::sync::atomic::Ordering;
    let dir = temp_dir();
    let mut db = Fragiles::open(super::config(dir.path())).unwrap();
    for i in 0..3 {
        db.items.insert(i, Fragile(format!("item {i}"))).unwrap();
    }
    db.transaction(|tx| {
        // `clear` logs three deletes, each with its old value; the third
        // encoding panics, after two deletes are recorded.
        ENCODINGS_LEFT.store(2, Ordering::SeqCst);
        let caught = catch_unwind(AssertUnwindSafe(|| tx.items.clear()));
        ENCODINGS_LEFT.store(usize::MAX, Ordering::SeqCst);
        assert!(caught.is_err(), "the encoding panicked");
        assert_eq!(tx.items.len(), 3, "the table did not change");
        // The closure carries on and commits.
        tx.events.push("after the panic".into())
    })
    .unwrap();
    drop(db);
    let db = Fragiles::open(super::config(dir.path())).unwrap();
    assert_eq!(db.items.len(), 3, "no half of the clear was committed");
    assert_eq!(db.events.len(), 1);
}
