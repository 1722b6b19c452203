//! Typed tables over every ordered engine: keys come back in their natural
//! order, values as they went in, after a reopen too; tables and the rest
//! of the store keep apart.

use serde::{Deserialize, Serialize};
use strata::{Capability, Engine, Error, ErrorKind, Options, Store, Table};

use crate::harness::{create, store_path};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Reading {
    station: String,
    celsius: f64,
    tags: Vec<String>,
}

fn reading(station: &str, celsius: f64) -> Reading {
    Reading {
        station: station.into(),
        celsius,
        tags: vec!["hourly".into()],
    }
}

fn tables_keep_order_and_values(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let store = create(dir.path(), engine, Options::default());
    if !engine.capabilities().contains(Capability::OrderedScans) {
        let e = Table::<u64, String>::open(&store, "t").unwrap_err();
        assert!(
            matches!(
                e,
                Error::Unsupported {
                    capability: Capability::OrderedScans,
                    ..
                }
            ),
            "{e}"
        );
        return;
    }
    // Signed integers: negatives first.
    let by_time: Table<i64, Reading> = Table::open(&store, "by-time").unwrap();
    for (t, c) in [
        (5, 1.5),
        (-3, -2.0),
        (0, 0.0),
        (i64::MIN, -40.0),
        (i64::MAX, 40.0),
        (-1, 9.5),
    ] {
        by_time.insert(&t, &reading("oslo", c)).unwrap();
    }
    let times: Vec<i64> = by_time.iter().unwrap().map(|r| r.unwrap().0).collect();
    assert_eq!(times, [i64::MIN, -3, -1, 0, 5, i64::MAX]);
    let window: Vec<i64> = by_time
        .range(-3..5)
        .unwrap()
        .map(|r| r.unwrap().0)
        .collect();
    assert_eq!(window, [-3, -1, 0]);
    assert_eq!(by_time.get(&-1).unwrap(), Some(reading("oslo", 9.5)));

    // Strings and tuples: by the first part, then the next.
    let visits: Table<(String, u32), bool> = Table::open(&store, "visits").unwrap();
    for (who, day) in [
        ("bob", 3),
        ("ada", 10),
        ("ada", 2),
        ("", 7),
        ("ada\0", 1),
        ("b", 1),
    ] {
        visits.insert(&(who.to_string(), day), &true).unwrap();
    }
    let order: Vec<(String, u32)> = visits.iter().unwrap().map(|r| r.unwrap().0).collect();
    let expected: Vec<(String, u32)> = [
        ("", 7),
        ("ada", 2),
        ("ada", 10),
        ("ada\0", 1),
        ("b", 1),
        ("bob", 3),
    ]
    .into_iter()
    .map(|(w, d)| (w.to_string(), d))
    .collect();
    assert_eq!(order, expected);
    let ada: Vec<u32> = visits
        .range(("ada".to_string(), 0)..=("ada".to_string(), u32::MAX))
        .unwrap()
        .map(|r| r.unwrap().0.1)
        .collect();
    assert_eq!(ada, [2, 10]);

    // Byte arrays, and removal.
    let blobs: Table<[u8; 4], Vec<u8>> = Table::open(&store, "blobs").unwrap();
    blobs.insert(&[0, 0, 1, 0], &vec![1]).unwrap();
    blobs.insert(&[0, 0, 0, 255], &vec![2]).unwrap();
    blobs.remove(&[0, 0, 1, 0]).unwrap();
    assert_eq!(blobs.len().unwrap(), 1);

    // Tables keep apart from each other, and everything is there after a reopen.
    assert_eq!(by_time.len().unwrap(), 6);
    assert_eq!(visits.len().unwrap(), 6);
    // Tables share the store: it closes when the last of them goes.
    drop((by_time, visits, blobs));
    store.close().unwrap();
    let store = Store::open(store_path(dir.path(), engine)).unwrap();
    let by_time: Table<i64, Reading> = Table::open(&store, "by-time").unwrap();
    assert_eq!(
        by_time.get(&i64::MIN).unwrap(),
        Some(reading("oslo", -40.0))
    );
    assert_eq!(by_time.len().unwrap(), 6);

    // Reading a table with the wrong types is an error, never a panic.
    let wrong: Table<String, Reading> = Table::open(&store, "by-time").unwrap();
    let e = wrong.iter().unwrap().next().unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    let wrong: Table<i64, u8> = Table::open(&store, "by-time").unwrap();
    let e = wrong.get(&0).unwrap_err();
    assert!(
        matches!(e, Error::Value { ref table, .. } if table == "by-time"),
        "{e}"
    );
}
crate::per_engine!(tables_keep_order_and_values);
