//! A crash can cut the log at any byte. Reopening must then show exactly the
//! state after the last operation whose record is whole: a prefix of what was
//! acknowledged, each transaction all or nothing.

use std::fs;

use super::{Db, Settings, State, open, segments, temp_dir};
use crate::schema::{Error, Result};

type Step = fn(&mut Db) -> Result<()>;

/// A few operations on every table type, and transactions (one of them
/// failing, so it writes nothing).
const STEPS: &[Step] = &[
    |db| db.files.insert(1, "a.md".into()).map(drop),
    |db| db.events.push("created a.md".into()),
    |db| {
        db.transaction(|tx| {
            tx.files.insert(2, "b.md".into())?;
            tx.paths.insert("docs/b.md".into(), 2)?;
            tx.events.push("created b.md".into())?;
            tx.shares.insert(2, "bob".into()).map(drop)
        })
    },
    |db| {
        db.settings
            .insert(Settings {
                owner: "ada".into(),
                quota: 3,
            })
            .map(drop)
    },
    |db| {
        let failed = db.transaction(|tx| {
            tx.files.remove(&1)?;
            Err::<(), _>(Error::ReadOnly)
        });
        assert!(failed.is_err());
        Ok(())
    },
    |db| db.by_owner.push("ada".into(), 1),
    |db| {
        db.transaction(|tx| {
            tx.files.remove(&1)?;
            tx.events.remove(0)?;
            tx.by_owner.push("bob".into(), 2)?;
            tx.shares.remove_key(&2)?;
            tx.settings.clear().map(drop)
        })
    },
    |db| db.events.set(0, "b.md is here".into()).map(drop),
    |db| db.shares.insert(1, "cy".into()).map(drop),
];

#[test]
fn every_truncation_recovers_a_prefix_of_whole_operations() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    // The state after each acknowledged step, and the log's length then.
    let mut points = vec![(State::of(&db), 0u64)];
    let segment = segments(dir.path()).pop().expect("a log segment");
    for step in STEPS {
        step(&mut db).unwrap();
        points.push((State::of(&db), fs::metadata(&segment).unwrap().len()));
    }
    drop(db);
    assert_eq!(
        segments(dir.path()),
        std::slice::from_ref(&segment),
        "one segment"
    );
    let bytes = fs::read(&segment).unwrap();
    assert_eq!(bytes.len() as u64, points.last().unwrap().1);
    let name = segment.file_name().unwrap();

    for cut in 0..=bytes.len() {
        let expected = &points
            .iter()
            .rev()
            .find(|(_, len)| *len <= cut as u64)
            .unwrap()
            .0;
        let crashed = temp_dir();
        fs::write(crashed.path().join(name), &bytes[..cut]).unwrap();
        let mut db = Db::open(super::config(crashed.path()))
            .unwrap_or_else(|e| panic!("cut at byte {cut}: {e}"));
        assert_eq!(&State::of(&db), expected, "cut at byte {cut}");

        // The recovered database takes new writes after what it kept.
        db.events.push("after the crash".into()).unwrap();
        let mut then = expected.clone();
        then.events.push("after the crash".into());
        drop(db);
        let db = Db::open(super::config(crashed.path())).unwrap();
        assert_eq!(State::of(&db), then, "cut at byte {cut}, written again");
    }
}

/// Damage a checksum cannot catch: a record written whole, with a valid CRC,
/// whose value claims to be 2^40 bytes long. Opening must fail with a decode
/// error naming the table, not try to allocate a terabyte and abort.
#[test]
fn a_logged_value_claiming_a_terabyte_is_a_decode_error() {
    let dir = temp_dir();
    drop(open(dir.path()));
    // `files` ‖ 0x00 ‖ the key 7; the value: bincode's varint for 2^40, then a few bytes.
    let key = [b"files\x00".as_slice(), &[7]].concat();
    let value = [253, 0, 0, 0, 0, 0, 1, 0, 0, b'x', b'y'];
    let log = strata_wal::Store::open(dir.path(), strata_wal::Options::default()).unwrap();
    log.put(&key, value).unwrap();
    log.close().unwrap();
    match Db::open(super::config(dir.path())) {
        Err(Error::Decode { table, .. }) => assert_eq!(table, "files"),
        other => panic!("expected a decode error, got {:?}", other.err()),
    }
}
