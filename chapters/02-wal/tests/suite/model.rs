//! Random operations, reopens, checkpoints and crashes, checked against a
//! `BTreeMap`. A crash drops the store and cuts the newest segment at a random
//! byte after the last point known durable: the reopened store must hold the
//! durable state plus exactly a prefix of the writes made since.

use std::collections::BTreeMap;
use std::fs;

use proptest::prelude::*;

use super::{contents, open, segments, temp_dir};
use crate::wal::{Batch, Store};

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

#[derive(Debug, Clone)]
enum Step {
    Put(u8, Vec<u8>),
    Delete(u8),
    Batch(Vec<(u8, Option<Vec<u8>>)>),
    Sync,
    Checkpoint,
    Reopen,
    /// Crash, keeping this fraction (out of 256) of the bytes written since the
    /// last durable point.
    Crash(u8),
}

fn step() -> impl Strategy<Value = Step> {
    let value = prop::collection::vec(any::<u8>(), 0..12);
    prop_oneof![
        6 => (0..16u8, value.clone()).prop_map(|(k, v)| Step::Put(k, v)),
        2 => (0..16u8).prop_map(Step::Delete),
        2 => prop::collection::vec((0..16u8, prop::option::of(value)), 1..5).prop_map(Step::Batch),
        1 => Just(Step::Sync),
        1 => Just(Step::Checkpoint),
        1 => Just(Step::Reopen),
        2 => any::<u8>().prop_map(Step::Crash),
    ]
}

fn key(k: u8) -> Vec<u8> {
    format!("key-{k:02}").into_bytes()
}

fn to_vec(model: &Model) -> Vec<(Vec<u8>, Vec<u8>)> {
    model.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

proptest! {
    #![proptest_config(super::proptest_config(48))]

    #[test]
    fn the_store_behaves_like_a_btreemap(steps in prop::collection::vec(step(), 1..60)) {
        let dir = temp_dir();
        let mut db: Option<Store> = Some(open(dir.path()));
        // The state known durable, the log length then, and the states after
        // each write since (any one of which a crash may leave).
        let mut durable = Model::new();
        let mut durable_len = 0u64;
        let mut since: Vec<Model> = Vec::new();
        let mut model = Model::new();

        for step in steps {
            let store = db.as_ref().unwrap();
            match step {
                Step::Put(k, v) => {
                    store.put(key(k), &v).unwrap();
                    model.insert(key(k), v);
                    since.push(model.clone());
                }
                Step::Delete(k) => {
                    let existed = store.delete(key(k)).unwrap();
                    prop_assert_eq!(existed, model.remove(&key(k)).is_some());
                    if existed {
                        since.push(model.clone());
                    }
                }
                Step::Batch(changes) => {
                    let mut batch = Batch::new();
                    for (k, v) in changes {
                        match v {
                            Some(v) => { batch = batch.put(key(k), v.clone()); model.insert(key(k), v); }
                            None => { batch = batch.delete(key(k)); model.remove(&key(k)); }
                        }
                    }
                    store.write(batch).unwrap();
                    since.push(model.clone());
                }
                Step::Sync | Step::Checkpoint | Step::Reopen => {
                    match step {
                        Step::Sync => store.sync().unwrap(),
                        Step::Checkpoint => store.checkpoint().unwrap(),
                        _ => {
                            db.take().unwrap().close().unwrap();
                            db = Some(open(dir.path()));
                        }
                    }
                    durable = model.clone();
                    durable_len = db.as_ref().unwrap().stats().log_len;
                    since.clear();
                }
                Step::Crash(keep) => {
                    drop(db.take());
                    let newest = segments(dir.path()).pop().unwrap();
                    let len = fs::metadata(&newest).unwrap().len();
                    let cut = durable_len + (len - durable_len) * u64::from(keep) / 255;
                    fs::OpenOptions::new().write(true).open(&newest).unwrap().set_len(cut).unwrap();
                    let reopened = open(dir.path());
                    let found = contents(&reopened);
                    let candidates: Vec<&Model> = std::iter::once(&durable).chain(&since).collect();
                    let survived = candidates.iter().rposition(|m| to_vec(m) == found);
                    prop_assert!(survived.is_some(), "after a crash keeping {cut} of {len} bytes, {found:?} is no prefix");
                    model = candidates[survived.unwrap()].clone();
                    durable = model.clone();
                    durable_len = reopened.stats().log_len;
                    since.clear();
                    db = Some(reopened);
                }
            }
            prop_assert_eq!(contents(db.as_ref().unwrap()), to_vec(&model));
        }
    }
}
