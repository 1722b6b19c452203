//! `Config`: a database in memory, read-only (beside a writer, changing no
//! file), the folder's lock, a missing folder, and a database shared between
//! threads.

use std::fs;
use std::io::Write;
use std::path::Path;

use super::{Db, State, config, open, temp_dir};
use crate::schema::{Config, Error};

/// The names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn in_memory_works_keeps_nothing_and_touches_no_folder() {
    let here = std::env::current_dir().unwrap();
    let before = listing(&here);
    let mut db = Db::open(Config::in_memory()).unwrap();
    db.files.insert(1, "a.md".into()).unwrap();
    db.events.push("x".into()).unwrap();
    db.transaction(|tx| {
        tx.files.insert(2, "b.md".into())?;
        tx.shares.insert(1, "ada".into()).map(drop)
    })
    .unwrap();
    let rolled_back = db.transaction(|tx| {
        tx.files.remove(&1)?;
        Err::<(), _>(Error::ReadOnly)
    });
    assert!(rolled_back.is_err());
    db.compact().unwrap();
    db.sync().unwrap();
    assert_eq!(db.files.len(), 2, "it behaves like any database");
    assert_eq!(db.events.data(), ["x"]);
    assert!(db.shares.contains(&1, &"ada".into()));

    // A second in-memory database, open at the same time, is another one.
    let other = Db::open(Config::in_memory()).unwrap();
    assert_eq!(State::of(&other), State::default());
    drop((db, other));
    let again = Db::open(Config::in_memory()).unwrap();
    assert_eq!(State::of(&again), State::default(), "nothing is kept");
    assert_eq!(listing(&here), before, "no file in the current folder");
}

#[test]
fn read_only_reads_and_refuses_every_change() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    db.files.insert(1, "a.md".into()).unwrap();
    db.paths.insert("p".into(), 1).unwrap();
    db.events.push("x".into()).unwrap();
    db.by_owner.push("ada".into(), 1).unwrap();
    db.shares.insert(1, "ada".into()).unwrap();
    let before = State::of(&db);
    drop(db);
    let log = super::log_bytes(dir.path());

    let mut db = Db::open(config(dir.path()).read_only()).unwrap();
    assert_eq!(State::of(&db), before, "it reads");
    let refused = [
        db.settings
            .insert(super::Settings {
                owner: "eve".into(),
                quota: 0,
            })
            .err(),
        db.files.insert(2, "b.md".into()).err(),
        db.files.remove(&1).err(),
        db.files.clear().err(),
        db.paths.insert("q".into(), 2).err(),
        db.events.push("y".into()).err(),
        db.events.set(0, "y".into()).err(),
        db.events.pop().err(),
        db.events.clear().err(),
        db.by_owner.push("ada".into(), 2).err(),
        db.by_owner.remove_key(&"ada".into()).err(),
        db.shares.insert(1, "bob".into()).err(),
        db.shares.remove(&1, &"ada".into()).err(),
        db.shares.remove_key(&1).err(),
        db.transaction(|tx| tx.files.insert(3, "c.md".into())).err(),
    ];
    for (i, error) in refused.into_iter().enumerate() {
        assert!(
            matches!(error, Some(Error::ReadOnly)),
            "change {i}: {error:?}"
        );
    }
    assert_eq!(State::of(&db), before, "nothing changed in memory");
    drop(db);
    assert_eq!(super::log_bytes(dir.path()), log, "nothing written");
    let db = open(dir.path());
    assert_eq!(State::of(&db), before);
}

#[test]
fn read_only_refuses_to_compact() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    db.files.insert(1, "a.md".into()).unwrap();
    drop(db);
    let before = listing(dir.path());
    let mut db = Db::open(config(dir.path()).read_only()).unwrap();
    assert!(matches!(db.compact(), Err(Error::ReadOnly)));
    drop(db);
    assert_eq!(listing(dir.path()), before, "no file written or removed");
}

#[test]
fn a_second_open_of_an_open_folder_fails() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    db.files.insert(1, "a.md".into()).unwrap();
    match Db::open(config(dir.path())) {
        Err(Error::Log(strata_wal::Error::Locked { .. })) => {}
        other => panic!("expected the folder to be locked, got {:?}", other.err()),
    }
    // The first is unharmed, and once it is closed the folder opens again.
    db.files.insert(2, "b.md".into()).unwrap();
    drop(db);
    let db = open(dir.path());
    assert_eq!(db.files.len(), 2);
}

#[test]
fn a_read_only_database_opens_beside_a_writer() {
    let dir = temp_dir();
    let mut writer = open(dir.path());
    writer.files.insert(1, "a.md".into()).unwrap();
    writer.events.push("x".into()).unwrap();

    // The writer holds the lock; a reader needs none.
    let reader = Db::open(config(dir.path()).read_only()).unwrap();
    assert_eq!(
        State::of(&reader),
        State::of(&writer),
        "it sees what was committed"
    );

    // The writer goes on; the reader keeps what it read, and a new reader
    // sees the new commits.
    writer
        .transaction(|tx| {
            tx.files.insert(2, "b.md".into())?;
            tx.events.push("y".into())
        })
        .unwrap();
    writer.compact().unwrap();
    writer.files.remove(&1).unwrap();
    assert_eq!(reader.files.len(), 1);
    let again = Db::open(config(dir.path()).read_only()).unwrap();
    assert_eq!(State::of(&again), State::of(&writer));

    // With the writer closed, a writer opens beside the readers.
    drop(writer);
    let writer = open(dir.path());
    assert_eq!(State::of(&writer), State::of(&again));
}

#[test]
fn a_read_only_open_changes_no_file() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    db.files.insert(1, "a.md".into()).unwrap();
    db.files.insert(2, "b.md".into()).unwrap();
    let expected = State::of(&db);
    drop(db);
    // A record cut short by a crash: a writer would cut it off at open.
    let newest = super::segments(dir.path()).pop().unwrap();
    let mut segment = fs::OpenOptions::new().append(true).open(newest).unwrap();
    segment.write_all(&[30, 0, 0, 0, 9, 9]).unwrap();
    let before: Vec<(String, Vec<u8>)> = (listing(dir.path()).into_iter())
        .map(|name| {
            let bytes = fs::read(dir.path().join(&name)).unwrap();
            (name, bytes)
        })
        .collect();

    let db = Db::open(config(dir.path()).read_only()).unwrap();
    assert_eq!(State::of(&db), expected);
    drop(db);
    for (name, bytes) in &before {
        let now = fs::read(dir.path().join(name)).unwrap();
        assert!(&now == bytes, "{name} changed");
    }
    assert_eq!(
        listing(dir.path()),
        before.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>()
    );

    // Not even a missing folder is created.
    let missing = dir.path().join("missing");
    match Db::open(config(&missing).read_only()) {
        Err(Error::Log(strata_wal::Error::NotFound { .. })) => {}
        other => panic!("expected NotFound, got {:?}", other.err()),
    }
    assert!(!missing.exists());
}

#[test]
fn a_missing_folder_is_created_unless_told_not_to() {
    let dir = temp_dir();
    let missing = dir.path().join("a").join("b");
    match Db::open(config(&missing).create(false)) {
        Err(Error::Log(strata_wal::Error::NotFound { .. })) => {}
        other => panic!("expected NotFound, got {:?}", other.err()),
    }
    assert!(!missing.exists(), "create(false) creates nothing");

    let mut db = Db::open(config(&missing)).unwrap();
    db.files.insert(1, "a.md".into()).unwrap();
    drop(db);
    let db = Db::open(config(&missing).create(false)).unwrap();
    assert_eq!(
        db.files.len(),
        1,
        "an existing folder opens with create(false)"
    );
}

#[test]
fn a_database_is_shared_between_threads_behind_a_lock() {
    let dir = temp_dir();
    let db = std::sync::RwLock::new(open(dir.path()));
    std::thread::scope(|scope| {
        for t in 0..4u64 {
            let db = &db;
            scope.spawn(move || {
                for i in 0..25 {
                    let id = t * 100 + i;
                    db.write()
                        .unwrap()
                        .files
                        .insert(id, format!("{id}.md"))
                        .unwrap();
                    assert!(db.read().unwrap().files.get(&id).is_some());
                }
            });
        }
    });
    let db = db.into_inner().unwrap();
    assert_eq!(db.files.len(), 100);
    let db = super::reopen(db, dir.path());
    assert_eq!(db.files.len(), 100);
}
