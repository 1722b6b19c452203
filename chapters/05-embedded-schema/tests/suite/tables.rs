//! Every table type's operations, each checked against what std's collection
//! would say, and each followed by a reopen that must show the same data.

use std::collections::HashSet;
use std::ops::Bound;

use super::{Settings, State, open, reopen, temp_dir};
use crate::schema::Error;

fn settings(owner: &str, quota: u32) -> Settings {
    Settings {
        owner: owner.into(),
        quota,
    }
}

#[test]
fn a_fresh_database_is_empty() {
    let dir = temp_dir();
    let db = open(dir.path());
    assert_eq!(State::of(&db), State::default());
    let db = reopen(db, dir.path());
    assert_eq!(State::of(&db), State::default());
}

#[test]
fn single_insert_get_clear() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    assert_eq!(db.settings.get(), None);
    assert_eq!(db.settings.insert(settings("ada", 10)).unwrap(), None);
    assert_eq!(db.settings.get(), Some(&settings("ada", 10)));
    let mut db = reopen(db, dir.path());
    assert_eq!(db.settings.get(), Some(&settings("ada", 10)));

    assert_eq!(
        db.settings.insert(settings("bob", 20)).unwrap(),
        Some(settings("ada", 10)),
        "insert returns the old value"
    );
    let mut db = reopen(db, dir.path());
    assert_eq!(db.settings.get(), Some(&settings("bob", 20)));

    assert_eq!(db.settings.clear().unwrap(), Some(settings("bob", 20)));
    assert_eq!(db.settings.get(), None);
    assert_eq!(db.settings.clear().unwrap(), None, "clearing twice");
    let db = reopen(db, dir.path());
    assert_eq!(db.settings.get(), None, "the clear is logged too");
}

#[test]
fn lookup_table_insert_get_remove_clear() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    assert!(db.files.is_empty());
    for (k, v) in [(3, "c.md"), (1, "a.md"), (2, "b.md")] {
        assert_eq!(db.files.insert(k, v.into()).unwrap(), None);
    }
    assert_eq!(
        db.files.insert(2, "b2.md".into()).unwrap(),
        Some("b.md".into())
    );
    assert_eq!(db.files.len(), 3);
    assert_eq!(db.files.get(&2).map(String::as_str), Some("b2.md"));
    assert!(db.files.contains_key(&1));
    assert_eq!(db.files.get(&9), None);

    let mut db = reopen(db, dir.path());
    let mut all: Vec<(u64, String)> = db.files.iter().map(|(k, v)| (*k, v.clone())).collect();
    all.sort();
    assert_eq!(
        all,
        [(1, "a.md".into()), (2, "b2.md".into()), (3, "c.md".into())]
    );

    assert_eq!(db.files.remove(&1).unwrap(), Some("a.md".into()));
    assert_eq!(db.files.remove(&1).unwrap(), None, "removing twice");
    assert_eq!(db.files.len(), 2);
    let mut db = reopen(db, dir.path());
    assert_eq!(db.files.get(&1), None, "the remove is logged");
    assert_eq!(db.files.len(), 2);

    db.files.clear().unwrap();
    assert!(db.files.is_empty());
    assert_eq!(db.files.iter().count(), 0);
    let mut db = reopen(db, dir.path());
    assert!(db.files.is_empty(), "the clear is logged");
    db.files.insert(7, "after.md".into()).unwrap();
    let db = reopen(db, dir.path());
    assert_eq!(db.files.len(), 1, "a cleared table takes new keys");
}

#[test]
fn ordered_table_keeps_key_order() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    for (i, path) in ["m/x", "a/b", "z", "a/a", "b"].iter().enumerate() {
        db.paths.insert(path.to_string(), i as u64).unwrap();
    }
    assert_eq!(db.paths.insert("z".into(), 9).unwrap(), Some(2));
    let db = reopen(db, dir.path());
    let keys: Vec<&str> = db.paths.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["a/a", "a/b", "b", "m/x", "z"]);
    assert_eq!(db.paths.get(&"z".to_string()), Some(&9));
    assert_eq!(db.paths.len(), 5);

    let mut db = db;
    assert_eq!(db.paths.remove(&"b".to_string()).unwrap(), Some(4));
    let mut db = reopen(db, dir.path());
    assert_eq!(db.paths.len(), 4);
    assert!(!db.paths.contains_key(&"b".to_string()));
    db.paths.clear().unwrap();
    let db = reopen(db, dir.path());
    assert!(db.paths.is_empty());
}

#[test]
fn ordered_table_range_and_prefix_queries() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    let paths = ["docs/a", "docs/b", "docsx", "img/1", "img/2", "readme"];
    for (i, path) in paths.iter().enumerate() {
        db.paths.insert(path.to_string(), i as u64).unwrap();
    }
    let db = reopen(db, dir.path());
    let keys = |it: &mut dyn Iterator<Item = (&String, &u64)>| -> Vec<String> {
        it.map(|(k, _)| k.clone()).collect()
    };

    let s = |text: &str| text.to_string();
    // Keys ≥ "img": from the first key at or after it.
    assert_eq!(
        keys(&mut db.paths.range(s("img")..)),
        ["img/1", "img/2", "readme"]
    );
    // Keys ≤ "docsx", the bound included.
    assert_eq!(
        keys(&mut db.paths.range(..=s("docsx"))),
        ["docs/a", "docs/b", "docsx"]
    );
    // Between, the upper bound excluded and then included.
    assert_eq!(
        keys(&mut db.paths.range(s("docs/b")..s("img/2"))),
        ["docs/b", "docsx", "img/1"]
    );
    assert_eq!(
        keys(&mut db.paths.range(s("docs/b")..=s("img/2"))),
        ["docs/b", "docsx", "img/1", "img/2"]
    );
    assert_eq!(keys(&mut db.paths.range(s("s")..)), Vec::<String>::new());
    // Borrowed bounds, without building a `String`.
    let from_img = (Bound::Excluded("img/1"), Bound::Unbounded);
    assert_eq!(
        keys(&mut db.paths.range::<str, _>(from_img)),
        ["img/2", "readme"]
    );

    // Prefixes: "docs/" is not "docsx"; "docs" is both.
    assert_eq!(keys(&mut db.paths.prefix("docs/")), ["docs/a", "docs/b"]);
    assert_eq!(
        keys(&mut db.paths.prefix("docs")),
        ["docs/a", "docs/b", "docsx"]
    );
    assert_eq!(keys(&mut db.paths.prefix("")).len(), paths.len());
    assert_eq!(keys(&mut db.paths.prefix("nothing")), Vec::<String>::new());
    let values: Vec<u64> = db.paths.prefix("img/").map(|(_, v)| *v).collect();
    assert_eq!(values, [3, 4]);
}

#[test]
fn list_push_pop_remove_set_clear() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    for e in ["a", "b", "c", "d"] {
        db.events.push(e.into()).unwrap();
    }
    assert_eq!(db.events.len(), 4);
    assert_eq!(db.events.get(1).map(String::as_str), Some("b"));
    assert_eq!(db.events.get(4), None);
    let mut db = reopen(db, dir.path());
    assert_eq!(db.events.data(), ["a", "b", "c", "d"]);

    assert_eq!(db.events.pop().unwrap().as_deref(), Some("d"));
    assert_eq!(db.events.remove(0).unwrap(), "a");
    assert_eq!(db.events.set(1, "C".into()).unwrap(), "c");
    let mut db = reopen(db, dir.path());
    assert_eq!(db.events.data(), ["b", "C"]);
    let collected: Vec<&String> = db.events.iter().collect();
    assert_eq!(collected, ["b", "C"]);

    // Pushing after removals appends after what is left, across reopens too.
    db.events.push("e".into()).unwrap();
    let mut db = reopen(db, dir.path());
    db.events.push("f".into()).unwrap();
    let mut db = reopen(db, dir.path());
    assert_eq!(db.events.data(), ["b", "C", "e", "f"]);

    // Removing the last element, then pushing, after a reopen in between.
    assert_eq!(db.events.remove(3).unwrap(), "f");
    let mut db = reopen(db, dir.path());
    db.events.push("g".into()).unwrap();
    assert_eq!(db.events.remove(1).unwrap(), "C");
    let mut db = reopen(db, dir.path());
    assert_eq!(db.events.data(), ["b", "e", "g"]);

    db.events.clear().unwrap();
    assert!(db.events.is_empty());
    assert_eq!(db.events.pop().unwrap(), None);
    let mut db = reopen(db, dir.path());
    assert!(db.events.is_empty(), "the clear is logged");
    db.events.push("h".into()).unwrap();
    let db = reopen(db, dir.path());
    assert_eq!(db.events.data(), ["h"]);
}

#[test]
fn list_index_past_the_end_is_an_error_that_changes_nothing() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    db.events.push("only".into()).unwrap();
    assert!(matches!(
        db.events.remove(1),
        Err(Error::OutOfRange {
            table: "events",
            index: 1,
            len: 1
        })
    ));
    assert!(matches!(
        db.events.set(5, "x".into()),
        Err(Error::OutOfRange { index: 5, .. })
    ));
    let db = reopen(db, dir.path());
    assert_eq!(db.events.data(), ["only"]);
}

#[test]
fn lookup_list_push_get_remove_key() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    let (ada, bob) = ("ada".to_string(), "bob".to_string());
    for (owner, file) in [(&ada, 3), (&bob, 1), (&ada, 1), (&ada, 2)] {
        db.by_owner.push(owner.clone(), file).unwrap();
    }
    assert_eq!(db.by_owner.get(&ada), [3, 1, 2], "in push order");
    assert_eq!(db.by_owner.get(&"eve".to_string()), [0u64; 0]);
    assert_eq!(db.by_owner.len(), 2);
    let mut db = reopen(db, dir.path());
    assert_eq!(
        db.by_owner.get(&ada),
        [3, 1, 2],
        "in push order after a reopen"
    );
    assert_eq!(db.by_owner.get(&bob), [1]);

    assert_eq!(db.by_owner.remove_key(&ada).unwrap(), [3, 1, 2]);
    assert_eq!(db.by_owner.remove_key(&ada).unwrap(), Vec::<u64>::new());
    assert!(!db.by_owner.contains_key(&ada));
    let mut db = reopen(db, dir.path());
    assert_eq!(db.by_owner.get(&ada), [0u64; 0], "the removal is logged");
    assert_eq!(db.by_owner.len(), 1);

    db.by_owner.push(ada.clone(), 9).unwrap();
    db.by_owner.push(bob.clone(), 4).unwrap();
    let db = reopen(db, dir.path());
    assert_eq!(db.by_owner.get(&ada), [9]);
    assert_eq!(db.by_owner.get(&bob), [1, 4]);
    let mut all: Vec<(String, Vec<u64>)> = db
        .by_owner
        .iter()
        .map(|(k, v)| (k.clone(), v.to_vec()))
        .collect();
    all.sort();
    assert_eq!(all, [(ada, vec![9]), (bob, vec![1, 4])]);
}

#[test]
fn lookup_set_insert_remove_contains_get_remove_key() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    let (a, b, c) = ("ada".to_string(), "bob".to_string(), "cy".to_string());
    assert!(db.shares.insert(1, a.clone()).unwrap());
    assert!(db.shares.insert(1, b.clone()).unwrap());
    assert!(!db.shares.insert(1, a.clone()).unwrap(), "already there");
    assert!(db.shares.insert(2, c.clone()).unwrap());
    assert!(db.shares.contains(&1, &a));
    assert!(!db.shares.contains(&2, &a));
    let mut db = reopen(db, dir.path());
    assert_eq!(
        db.shares.get(&1),
        Some(&HashSet::from([a.clone(), b.clone()]))
    );
    assert_eq!(db.shares.get(&2), Some(&HashSet::from([c.clone()])));
    assert_eq!(db.shares.get(&3), None);
    assert_eq!(db.shares.len(), 2);

    assert!(db.shares.remove(&1, &a).unwrap());
    assert!(!db.shares.remove(&1, &a).unwrap(), "removing twice");
    assert!(db.shares.remove(&2, &c).unwrap());
    assert_eq!(db.shares.get(&2), None, "an emptied set goes");
    let mut db = reopen(db, dir.path());
    assert!(!db.shares.contains(&1, &a));
    assert!(db.shares.contains(&1, &b));
    assert_eq!(db.shares.len(), 1);

    db.shares.insert(1, c.clone()).unwrap();
    assert_eq!(
        db.shares.remove_key(&1).unwrap(),
        HashSet::from([b.clone(), c.clone()])
    );
    assert_eq!(db.shares.remove_key(&1).unwrap(), HashSet::new());
    db.shares.insert(5, a.clone()).unwrap();
    let db = reopen(db, dir.path());
    assert_eq!(db.shares.get(&1), None, "remove_key is logged");
    let all: Vec<(u64, Vec<String>)> = db
        .shares
        .iter()
        .map(|(k, set)| (*k, set.iter().cloned().collect()))
        .collect();
    assert_eq!(all, [(5, vec![a])]);
}

#[test]
fn tables_with_equal_keys_do_not_mix() {
    // Every table's entries are prefixed by its name: the same key in two
    // tables is two entries.
    let dir = temp_dir();
    let mut db = open(dir.path());
    db.files.insert(1, "file".into()).unwrap();
    db.shares.insert(1, "file".into()).unwrap();
    db.files.remove(&1).unwrap();
    let db = reopen(db, dir.path());
    assert!(db.files.is_empty());
    assert!(db.shares.contains(&1, &"file".to_string()));
}
