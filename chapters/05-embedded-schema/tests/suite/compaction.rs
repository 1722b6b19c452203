//! Compaction: the log rewritten as the current state (chapter 2's
//! checkpoint), by hand or once the log passes a size.

use std::collections::BTreeMap;
use std::fs;

use super::{Db, Settings, State, config, log_bytes, open, reopen, segments, snapshots, temp_dir};

/// Many changes to few keys: a long log for a small state.
fn churn(db: &mut Db, rounds: u64) -> BTreeMap<u64, String> {
    let mut model = BTreeMap::new();
    for i in 0..rounds {
        let value = format!("version {i}");
        db.files.insert(i % 4, value.clone()).unwrap();
        model.insert(i % 4, value);
        // The list holds one event: the newest.
        db.events.push(format!("event {i}")).unwrap();
        if i > 0 {
            db.events.remove(0).unwrap();
        }
    }
    model
}

#[test]
fn compact_keeps_the_state_and_shortens_the_log() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    let model = churn(&mut db, 50);
    db.settings
        .insert(Settings {
            owner: "ada".into(),
            quota: 1,
        })
        .unwrap();
    db.paths.insert("kept".into(), 1).unwrap();
    db.by_owner.push("ada".into(), 1).unwrap();
    db.shares.insert(1, "bob".into()).unwrap();
    let before = State::of(&db);
    assert_eq!(before.files, model);
    let long = log_bytes(dir.path()).len();

    db.compact().unwrap();
    assert_eq!(
        State::of(&db),
        before,
        "compaction changes nothing you can read"
    );
    assert!(
        log_bytes(dir.path()).len() < long / 10,
        "the log is short: {} bytes, was {long}",
        log_bytes(dir.path()).len()
    );
    assert_eq!(snapshots(dir.path()).len(), 1, "the state is in a snapshot");

    let mut db = reopen(db, dir.path());
    assert_eq!(State::of(&db), before);
    assert_eq!(db.events.data(), ["event 49"]);

    // Writes after a compaction go on as before, across reopens.
    db.events.push("after".into()).unwrap();
    db.files.remove(&0).unwrap();
    db.transaction(|tx| tx.by_owner.push("ada".into(), 2))
        .unwrap();
    let expected = State::of(&db);
    let mut db = reopen(db, dir.path());
    assert_eq!(State::of(&db), expected);
    assert_eq!(db.events.data(), ["event 49", "after"]);
    assert_eq!(db.by_owner.get(&"ada".into()), [1, 2]);

    // And a second compaction, then a reopen.
    db.compact().unwrap();
    let db = reopen(db, dir.path());
    assert_eq!(State::of(&db), expected);
}

#[test]
fn compact_on_an_empty_database() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    db.compact().unwrap();
    let db = reopen(db, dir.path());
    assert_eq!(State::of(&db), State::default());
}

/// A write or a commit that finds the log past the limit starts a
/// compaction in the background: the log moves to a new segment at once, and
/// a thread compacts the old ones. Waiting for each compaction before the next
/// write makes the test independent of how fast that thread runs: then every
/// write that crosses the limit must leave a fresh, short segment behind.
#[test]
fn the_log_compacts_itself_past_compact_above() {
    const LIMIT: u64 = 600;
    let dir = temp_dir();
    let mut db = Db::open(config(dir.path()).compact_above(LIMIT)).unwrap();
    let mut model = BTreeMap::new();
    let mut compactions = 0;
    for i in 0..200u64 {
        let value = format!("version {i}");
        let before = segments(dir.path());
        if i % 2 == 0 {
            db.transaction(|tx| tx.files.insert(i % 4, value.clone()))
                .unwrap();
        } else {
            db.files.insert(i % 4, value.clone()).unwrap();
        }
        model.insert(i % 4, value);
        db.finish_compaction().unwrap();
        let len = fs::metadata(segments(dir.path()).pop().unwrap())
            .unwrap()
            .len();
        assert!(
            len <= LIMIT,
            "write {i} left the log at {len} bytes, past the limit, without compacting it"
        );
        if segments(dir.path()) != before {
            compactions += 1;
        }
    }
    assert!(compactions >= 5, "it compacted {compactions} times");
    assert_eq!(
        snapshots(dir.path()).len(),
        1,
        "older snapshots are removed"
    );
    let db = reopen(db, dir.path());
    assert_eq!(State::of(&db).files, model);
}

/// The same writes without waiting: compactions then run beside the writes,
/// as in real use. How far the log grows meanwhile depends on the machine's
/// speed, so only the outcome is checked: nothing is lost.
#[test]
fn writes_beside_a_running_compaction_lose_nothing() {
    let dir = temp_dir();
    let mut db = Db::open(config(dir.path()).compact_above(600)).unwrap();
    let mut model = BTreeMap::new();
    for i in 0..200u64 {
        let value = format!("version {i}");
        db.files.insert(i % 4, value.clone()).unwrap();
        model.insert(i % 4, value);
    }
    db.finish_compaction().unwrap();
    assert!(!snapshots(dir.path()).is_empty(), "it compacted");
    let db = reopen(db, dir.path());
    assert_eq!(State::of(&db).files, model);
}

#[test]
fn without_compact_above_the_log_only_grows() {
    // The same writes as above, to show that the limit is what kept it short.
    let dir = temp_dir();
    let mut db = open(dir.path());
    for i in 0..200u64 {
        db.transaction(|tx| tx.files.insert(i % 4, format!("version {i}")))
            .unwrap();
    }
    assert!(log_bytes(dir.path()).len() > 4 * 600);
    assert!(snapshots(dir.path()).is_empty());
}

#[test]
fn compact_inside_a_transaction_is_refused() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    db.files.insert(1, "committed".into()).unwrap();
    let result = db.transaction(|tx| {
        tx.files.insert(2, "uncommitted".into())?;
        // A snapshot now would hold key 2, and outlive the rollback below.
        let refused = tx.compact();
        assert!(
            matches!(refused, Err(crate::schema::Error::InTransaction)),
            "{refused:?}"
        );
        Err::<(), _>(crate::schema::Error::ReadOnly)
    });
    assert!(result.is_err());
    assert!(snapshots(dir.path()).is_empty());
    let db = reopen(db, dir.path());
    assert_eq!(
        State::of(&db).files,
        BTreeMap::from([(1, "committed".to_string())])
    );
}
