//! Sync policies: when a write is durable, observed through the store's counters.

use std::time::{Duration, Instant};

use super::temp_dir;
use crate::wal::{Options, Store, SyncPolicy};

#[test]
fn always_is_durable_before_put_returns() {
    let dir = temp_dir();
    let db = Store::open(dir.path(), Options::new(SyncPolicy::Always)).unwrap();
    for i in 0..5 {
        db.put(format!("k{i}"), "v").unwrap();
        let stats = db.stats();
        assert_eq!(stats.durable_seq, stats.last_seq, "after put {i}");
    }
    assert!(db.stats().log_syncs >= 1);
}

#[test]
fn never_leaves_syncing_to_sync() {
    let dir = temp_dir();
    let db = Store::open(dir.path(), Options::new(SyncPolicy::Never)).unwrap();
    for i in 0..5 {
        db.put(format!("k{i}"), "v").unwrap();
    }
    let stats = db.stats();
    assert_eq!(
        (stats.last_seq, stats.durable_seq, stats.log_syncs),
        (5, 0, 0)
    );
    db.sync().unwrap();
    let stats = db.stats();
    assert_eq!((stats.durable_seq, stats.log_syncs), (5, 1));
}

#[test]
fn interval_syncs_in_the_background() {
    let dir = temp_dir();
    let db = Store::open(
        dir.path(),
        Options::new(SyncPolicy::Interval(Duration::from_millis(5))),
    )
    .unwrap();
    for i in 0..5 {
        db.put(format!("k{i}"), "v").unwrap();
    }
    // A guard against hanging, not a speed test: a healthy flusher syncs in milliseconds.
    let deadline = Instant::now() + Duration::from_secs(120);
    while db.stats().durable_seq < 5 {
        assert!(
            Instant::now() < deadline,
            "the flusher never synced: {:?}",
            db.stats()
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(db.stats().log_syncs >= 1);
}

#[test]
fn close_makes_everything_durable() {
    let dir = temp_dir();
    let db = Store::open(dir.path(), Options::new(SyncPolicy::Never)).unwrap();
    db.put("k", "v").unwrap();
    db.close().unwrap();
    let db = Store::open(dir.path(), Options::new(SyncPolicy::Never)).unwrap();
    let stats = db.stats();
    assert_eq!(
        (stats.last_seq, stats.durable_seq),
        (1, 1),
        "recovered records count as durable"
    );
}

#[test]
fn concurrent_always_writers_are_all_durable() {
    let dir = temp_dir();
    let db = Store::open(dir.path(), Options::new(SyncPolicy::Always)).unwrap();
    std::thread::scope(|s| {
        for t in 0..4 {
            let db = &db;
            s.spawn(move || {
                for i in 0..25 {
                    db.put(format!("{t}/{i}"), "v").unwrap();
                }
            });
        }
    });
    let stats = db.stats();
    assert_eq!((stats.last_seq, stats.durable_seq), (100, 100));
    assert!(
        stats.log_syncs <= 100,
        "never more than one fsync per write: {stats:?}"
    );
}
