//! Two engines side by side: the same operations, and after every one the
//! same answers and the same contents. Where the model test asks "does this
//! engine behave like a map?", this asks "do two engines behave alike?",
//! which catches a difference neither model check would call wrong on its
//! own (the same read answered differently, say).

use proptest::prelude::*;
use strata::{Capability, Engine, KeyRange, SyncPolicy};

use crate::model::{Op, Subject, op};

/// Every key the operations can name (`a`..`ddd`).
fn all_keys() -> Vec<Vec<u8>> {
    let mut keys = vec![];
    for len in 1..=3u32 {
        for n in 0..4usize.pow(len) {
            let key = (0..len)
                .map(|i| b'a' + (n / 4usize.pow(i) % 4) as u8)
                .collect();
            keys.push(key);
        }
    }
    keys
}

/// Everything `subject` holds, read the way its engine can.
fn contents(subject: &Subject, keys: &[Vec<u8>]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let store = subject.store();
    if subject
        .engine
        .capabilities()
        .contains(Capability::OrderedScans)
    {
        return store
            .range(KeyRange::all())
            .unwrap()
            .map(Result::unwrap)
            .collect();
    }
    let mut found: Vec<_> = keys
        .iter()
        .filter_map(|k| store.get(k).unwrap().map(|v| (k.clone(), v)))
        .collect();
    found.sort();
    found
}

// ANCHOR: mirror
/// Runs `ops` on both engines, comparing after each.
fn mirror(a: Engine, b: Engine, ops: &[Op]) {
    let keys = all_keys();
    // Every write synced: a crash then loses nothing on any engine, so the
    // two must agree across crashes too.
    let (mut left, mut right) = (
        Subject::new(a, SyncPolicy::Always),
        Subject::new(b, SyncPolicy::Always),
    );
    for (i, op) in ops.iter().enumerate() {
        assert_eq!(
            left.run(op),
            right.run(op),
            "step {i}, {op:?}: {a} and {b} answered differently"
        );
        assert_eq!(
            contents(&left, &keys),
            contents(&right, &keys),
            "step {i}, {op:?}: {a} and {b} hold different things"
        );
    }
}
// ANCHOR_END: mirror

/// Operations both engines can run.
fn common_ops(a: Engine, b: Engine) -> impl Strategy<Value = Vec<Op>> {
    // The poorer engine's operations are the ones both can run.
    let poorer = if a.capabilities().iter().count() <= b.capabilities().iter().count() {
        a
    } else {
        b
    };
    prop::collection::vec(op(poorer), 1..40)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[cfg(all(feature = "flat-file", feature = "wal"))]
    #[test]
    fn flat_file_mirrors_wal(ops in common_ops(Engine::FlatFile, Engine::Wal)) {
        mirror(Engine::FlatFile, Engine::Wal, &ops);
    }

    #[cfg(all(feature = "wal", feature = "bptree"))]
    #[test]
    fn wal_mirrors_bptree(ops in common_ops(Engine::Wal, Engine::Bptree)) {
        mirror(Engine::Wal, Engine::Bptree, &ops);
    }

    #[cfg(all(feature = "bitcask", feature = "bptree"))]
    #[test]
    fn bitcask_mirrors_bptree(ops in common_ops(Engine::Bitcask, Engine::Bptree)) {
        mirror(Engine::Bitcask, Engine::Bptree, &ops);
    }
}
