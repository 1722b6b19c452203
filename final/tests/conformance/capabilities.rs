//! What each engine says it can do is what it does; what it cannot is a
//! typed error naming the engine and the capability.

use strata::{
    Batch, Capability, Engine, Error, ErrorKind, KeyRange, KeyValue, Options, Ordered, Store,
};

use crate::harness::create;

/// Every capability an engine claims works; every other one is refused
/// with `Error::Unsupported` naming it, and changes nothing.
fn claims_match_behaviour(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let store = create(dir.path(), engine, Options::default());
    store.put("a", "1").unwrap();
    let caps = store.capabilities();
    assert_eq!(caps, engine.capabilities());

    let batch = store.write(&Batch::new().put("b", "2").delete("a"));
    let ordered = store.range(KeyRange::all()).map(|scan| scan.count());
    let transactions = store.begin_read().map(|_| ());
    for (capability, outcome) in [
        (Capability::AtomicBatches, batch.map(|()| 0)),
        (Capability::OrderedScans, ordered),
        (Capability::Transactions, transactions.map(|()| 0)),
    ] {
        match (caps.contains(capability), outcome) {
            (true, Ok(_)) => {}
            (
                false,
                Err(Error::Unsupported {
                    engine: e,
                    capability: c,
                }),
            ) => {
                assert_eq!((e, c), (engine, capability));
            }
            (claimed, outcome) => {
                panic!("{engine} claims {capability}: {claimed}, but got {outcome:?}")
            }
        }
    }
    if !caps.contains(Capability::AtomicBatches) {
        assert_eq!(
            store.get("a").unwrap().as_deref(),
            Some(&b"1"[..]),
            "a refused batch wrote"
        );
        assert_eq!(store.get("b").unwrap(), None, "a refused batch wrote");
    }
}
crate::per_engine!(claims_match_behaviour);

/// The base and ordered traits work as trait objects, and a `Store` is one.
fn traits_are_object_safe(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let store = create(dir.path(), engine, Options::default());
    let boxed: Box<dyn KeyValue> = Box::new(store.clone());
    boxed.put(b"k", b"v").unwrap();
    assert_eq!(boxed.get(b"k").unwrap().as_deref(), Some(&b"v"[..]));
    assert_eq!(boxed.engine(), engine);
    match boxed.as_ordered() {
        Ok(ordered) => {
            let ordered: &dyn Ordered = ordered;
            let keys: Vec<_> = ordered
                .prefix(b"k")
                .unwrap()
                .map(|e| e.unwrap().0)
                .collect();
            assert_eq!(keys, [b"k".to_vec()]);
        }
        Err(e) => assert_eq!(e.kind(), ErrorKind::Unsupported),
    }
}
crate::per_engine!(traits_are_object_safe);

/// A read transaction sees the store as it was when it began, while
/// writers go on; a scan started before a write does not see it.
fn snapshots_stay_still(engine: Engine) {
    if !engine.capabilities().contains(Capability::Transactions) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = create(dir.path(), engine, Options::default());
    store.put("a", "old").unwrap();
    store.put("b", "old").unwrap();
    let tx = store.begin_read().unwrap();
    let mut scan = store.range(KeyRange::all()).unwrap();
    let first = scan.next().unwrap().unwrap();
    store.put("a", "new").unwrap();
    store.put("b", "new").unwrap();
    store.put("c", "new").unwrap();
    assert_eq!(tx.get(b"a").unwrap().as_deref(), Some(&b"old"[..]));
    let seen: Vec<_> = tx
        .range(KeyRange::all())
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        seen,
        [
            (b"a".to_vec(), b"old".to_vec()),
            (b"b".to_vec(), b"old".to_vec())
        ]
    );
    let rest: Vec<_> = scan.map(Result::unwrap).collect();
    assert_eq!(
        (first.1, rest),
        (b"old".to_vec(), vec![(b"b".to_vec(), b"old".to_vec())])
    );
    drop(tx);
    let tx = store.begin_read().unwrap();
    assert_eq!(tx.get(b"a").unwrap().as_deref(), Some(&b"new"[..]));
}
crate::per_engine!(snapshots_stay_still);

/// Threads sharing one store each write their own keys; every write is
/// there afterwards, and after a reopen.
fn threads_share_a_store(engine: Engine) {
    const THREADS: usize = 4;
    const EACH: usize = 50;
    let dir = tempfile::tempdir().unwrap();
    let store = create(dir.path(), engine, Options::default());
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let store = store.clone();
            s.spawn(move || {
                for i in 0..EACH {
                    store.put(format!("{t}/{i:03}"), format!("{i}")).unwrap();
                    // Reads beside the writes see every write already made.
                    assert_eq!(
                        store.get(format!("{t}/{i:03}")).unwrap(),
                        Some(format!("{i}").into_bytes())
                    );
                }
            });
        }
    });
    let stats = store.stats().unwrap();
    assert_eq!(stats.keys, (THREADS * EACH) as u64);
    assert_eq!(stats.writes, (THREADS * EACH) as u64);
    assert!(stats.syncs >= 1 && stats.syncs <= stats.writes, "{stats:?}");
    let path = store.path().to_path_buf();
    store.close().unwrap();
    let store = Store::open(&path).unwrap();
    assert_eq!(store.len().unwrap(), (THREADS * EACH) as u64);
    for t in 0..THREADS {
        for i in 0..EACH {
            assert_eq!(
                store.get(format!("{t}/{i:03}")).unwrap(),
                Some(format!("{i}").into_bytes())
            );
        }
    }
}
crate::per_engine!(threads_share_a_store);

/// A second open of a store in use is refused as locked, by every engine.
fn a_second_writer_is_locked_out(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let store = create(dir.path(), engine, Options::default());
    store.put("k", "v").unwrap();
    let second = Store::open(store.path()).expect_err("a second writer opened the store");
    assert_eq!(second.kind(), ErrorKind::Locked, "{second}");
    let path = store.path().to_path_buf();
    store.close().unwrap();
    Store::open(&path).expect("the lock is released at close");
}
crate::per_engine!(a_second_writer_is_locked_out);

/// Creating where a database is already is refused; so is opening where
/// nothing, or something no engine wrote, is.
fn paths_are_checked(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let store = create(dir.path(), engine, Options::default());
    let path = store.path().to_path_buf();
    store.close().unwrap();
    let e = Store::create(&path, engine, Options::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AlreadyExists, "{e}");
    assert!(
        e.to_string().contains(&format!("a {engine} database")),
        "{e}"
    );
    let e = Store::open(dir.path().join("nothing")).unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
}
crate::per_engine!(paths_are_checked);

#[test]
fn a_store_is_clone_send_sync_and_its_scans_are_send() {
    fn shared<T: Clone + Send + Sync + 'static>() {}
    fn send<T: Send>(_: &T) {}
    shared::<Store>();
    let dir = tempfile::tempdir().unwrap();
    for engine in crate::harness::engines() {
        let store = create(dir.path(), engine, Options::default());
        if let Ok(scan) = store.range(..) {
            send(&scan);
        }
    }
}

#[test]
fn unknown_files_and_directories_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "dear diary").unwrap();
    let e = Store::open(&file).unwrap_err();
    assert!(matches!(e, Error::Unrecognized { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("not a strata database: a file starting with"),
        "{e}"
    );

    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let e = Store::open(&empty).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("not a strata database: an empty directory"),
        "{e}"
    );

    std::fs::write(dir.path().join("zero"), "").unwrap();
    let e = Store::open(dir.path().join("zero")).unwrap_err();
    assert!(e.to_string().ends_with("an empty file"), "{e}");
}

/// `keys` lists what `entries` does, in the same order, for the store and
/// for a keyspace of it (Bitcask's without reading a value).
fn keys_are_the_entries_keys(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let store = create(dir.path(), engine, Options::default());
    let space = store.keyspace("fruit").unwrap();
    for i in 0..50u32 {
        store.put(i.to_be_bytes(), "v").unwrap();
        space.put(format!("f{i}"), "w").unwrap();
    }
    for db in [&store, &space] {
        let keys: Vec<Vec<u8>> = db.keys().unwrap().map(Result::unwrap).collect();
        let entries: Vec<Vec<u8>> = db.entries().unwrap().map(|e| e.unwrap().0).collect();
        assert_eq!(keys, entries);
    }
    assert_eq!(space.keys().unwrap().count(), 50);
}
crate::per_engine!(keys_are_the_entries_keys);

/// A store used through the trait (`&dyn KeyValue`) does what the store does:
/// every method reaches the engine, none falls back to the trait's default
/// (which would refuse `entries` on Bitcask, or put one key at a time).
fn the_store_as_a_key_value_is_the_store(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let store = create(dir.path(), engine, Options::default());
    let kv: &dyn strata::KeyValue = &store;
    assert!(kv.is_empty().unwrap());
    let batch = (0..20u32).fold(strata::Batch::new(), |batch, i| {
        batch.put(i.to_be_bytes(), "v")
    });
    kv.write_each(&batch).unwrap();
    assert!(!kv.is_empty().unwrap());
    let direct: Vec<_> = store.entries().unwrap().map(Result::unwrap).collect();
    let through: Vec<_> = kv.entries().unwrap().map(Result::unwrap).collect();
    assert_eq!(through, direct);
    assert_eq!(through.len(), 20);
    let keys: Vec<_> = kv.keys().unwrap().map(Result::unwrap).collect();
    assert_eq!(keys.len(), 20);
}
crate::per_engine!(the_store_as_a_key_value_is_the_store);
