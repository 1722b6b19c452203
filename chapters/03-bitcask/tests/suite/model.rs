//! Random operations, reopens, merges and crashes against a `BTreeMap`.
//!
//! A crash drops the cask without closing it and throws away everything
//! written after some earlier operation (since the last open or merge): later
//! files are deleted and the file then being written is cut back to its length
//! at that moment, its hint left without a trailer. The cask must then hold
//! exactly the state after that operation. (Cuts at arbitrary bytes are the
//! truncation test's business, in `crash`.)

use std::collections::BTreeMap;
use std::fs;

use proptest::prelude::*;

use super::{contents, data_files, hint_of};
use crate::bitcask::{Bitcask, Options};

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

#[derive(Debug, Clone)]
enum Step {
    Put(u8, Vec<u8>),
    Delete(u8),
    Reopen,
    Merge,
    /// Crash, going back to one of the points since the last open or merge.
    Crash(prop::sample::Index),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (0..12u8, prop::collection::vec(any::<u8>(), 0..40)).prop_map(|(k, v)| Step::Put(k, v)),
        3 => (0..12u8).prop_map(Step::Delete),
        1 => Just(Step::Reopen),
        1 => Just(Step::Merge),
        2 => any::<prop::sample::Index>().prop_map(Step::Crash),
    ]
}

fn key(k: u8) -> Vec<u8> {
    format!("key-{k:02}").into_bytes()
}

fn options() -> Options {
    Options {
        max_file_size: 200,
        ..super::options()
    }
}

fn as_vec(model: &Model) -> Vec<(Vec<u8>, Vec<u8>)> {
    model.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// A moment a crash can go back to: the state then, and the file being
/// written then with its length.
struct Point {
    model: Model,
    active: Option<(u32, u64)>,
    files: usize,
}

fn point(model: &Model, db: &Bitcask, dir: &std::path::Path) -> Point {
    Point {
        model: model.clone(),
        active: db.active_file(),
        files: data_files(dir).len(),
    }
}

proptest! {
    #![proptest_config(super::proptest_config(40))]

    #[test]
    fn the_cask_behaves_like_a_btreemap(steps in prop::collection::vec(step(), 1..50)) {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Some(Bitcask::open(dir.path(), options()).unwrap());
        let mut model = Model::new();
        let mut points = vec![point(&model, db.as_ref().unwrap(), dir.path())];

        for step in steps {
            let cask = db.as_mut().unwrap();
            match step {
                Step::Put(k, v) => {
                    cask.put(&key(k), &v).unwrap();
                    model.insert(key(k), v);
                }
                Step::Delete(k) => {
                    cask.delete(&key(k)).unwrap();
                    model.remove(&key(k));
                }
                Step::Merge => {
                    cask.merge().unwrap();
                    points.clear();
                }
                Step::Reopen => {
                    db.take().unwrap().close().unwrap();
                    db = Some(Bitcask::open(dir.path(), options()).unwrap());
                    points.clear();
                }
                Step::Crash(index) => {
                    drop(db.take());
                    let back = &points[index.index(points.len())];
                    // Files created after that point never were; the one then
                    // being written is cut back to its length then.
                    for later in &data_files(dir.path())[back.files..] {
                        fs::remove_file(later).unwrap();
                        let _ = fs::remove_file(hint_of(later));
                    }
                    if let Some((id, len)) = back.active {
                        let file = dir.path().join(format!("{id}.bitcask.data"));
                        fs::OpenOptions::new().write(true).open(file).unwrap().set_len(len).unwrap();
                    }
                    model = back.model.clone();
                    db = Some(Bitcask::open(dir.path(), options()).unwrap());
                    points.clear();
                }
            }
            let cask = db.as_ref().unwrap();
            prop_assert_eq!(contents(cask), as_vec(&model));
            points.push(point(&model, cask, dir.path()));
        }
    }
}
