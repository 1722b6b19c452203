//! Random operations against a model: nested `BTreeMap`s of values,
//! buckets and sequences.
//!
//! Puts and deletes (single keys and ranges, values from empty to several
//! pages), bucket creation and deletion, sequences, commits, rollbacks,
//! reopens, commits that fail at a random step, and read transactions kept
//! open and compared later; some runs store no freelist. After every commit
//! the database must equal the model and `check()` must find nothing; a
//! write transaction must see its own changes; a reader must keep seeing the
//! state it started on.

use std::ops::Range;

use proptest::prelude::*;

use super::{
    Contents, assert_consistent, read_contents, small_pages, temp_file, value, with_bucket,
};
use crate::bptree::{CommitStep, DB, Error, Options, ReadTx, WriteTx};

/// The buckets operations act on; a put creates the missing ones on its path.
const PATHS: [&[&[u8]]; 4] = [&[b"a"], &[b"b"], &[b"a", b"sub"], &[b"a", b"sub", b"deep"]];

#[derive(Debug, Clone)]
enum Op {
    Put {
        bucket: usize,
        key: u16,
        len: usize,
    },
    Delete {
        bucket: usize,
        key: u16,
    },
    PutRange {
        bucket: usize,
        keys: Range<u16>,
        len: usize,
    },
    DeleteRange {
        bucket: usize,
        keys: Range<u16>,
    },
    CreateBucket(usize),
    DeleteBucket(usize),
    SetSequence(usize, u64),
    Commit,
    Rollback,
    Reopen,
    /// Commit, stopped at `CommitStep::ALL[i]` as a crash would stop it.
    FailCommit(usize),
    /// Start a read transaction, to compare with its snapshot later.
    OpenReader,
}

fn op() -> impl Strategy<Value = Op> {
    let bucket = || 0..PATHS.len();
    let key = || 0..300u16;
    let len = prop_oneof![8 => 0..120usize, 1 => 400..3000usize];
    let keys = || (0..300u16, 1..150u16).prop_map(|(start, n)| start..start + n);
    prop_oneof![
        10 => (bucket(), key(), len).prop_map(|(bucket, key, len)| Op::Put { bucket, key, len }),
        4 => (bucket(), key()).prop_map(|(bucket, key)| Op::Delete { bucket, key }),
        3 => (bucket(), keys(), 10..80usize)
            .prop_map(|(bucket, keys, len)| Op::PutRange { bucket, keys, len }),
        2 => (bucket(), keys()).prop_map(|(bucket, keys)| Op::DeleteRange { bucket, keys }),
        2 => bucket().prop_map(Op::CreateBucket),
        1 => bucket().prop_map(Op::DeleteBucket),
        1 => (bucket(), any::<u64>()).prop_map(|(b, n)| Op::SetSequence(b, n)),
        4 => Just(Op::Commit),
        1 => Just(Op::Rollback),
        1 => Just(Op::Reopen),
        1 => (0..CommitStep::ALL.len()).prop_map(Op::FailCommit),
        1 => Just(Op::OpenReader),
    ]
}

fn key_bytes(key: u16) -> Vec<u8> {
    format!("k{key:04}").into_bytes()
}

/// Applies a write operation to the transaction and the model alike.
fn apply(tx: &mut WriteTx<'_>, model: &mut Contents, op: &Op, salt: u32) {
    match op {
        Op::Put { bucket, key, len } => {
            let path = PATHS[*bucket];
            let (k, v) = (key_bytes(*key), value(u32::from(*key), salt, *len));
            with_bucket(tx, path, true, |b| b.put(&k, &v)).unwrap();
            model.create_path(path).values.insert(k, v);
        }
        Op::PutRange { bucket, keys, len } => {
            let path = PATHS[*bucket];
            let pairs: Vec<_> = keys
                .clone()
                .map(|key| (key_bytes(key), value(u32::from(key), salt, *len)))
                .collect();
            with_bucket(tx, path, true, |b| {
                pairs.iter().try_for_each(|(k, v)| b.put(k, v))
            })
            .unwrap();
            model.create_path(path).values.extend(pairs);
        }
        Op::Delete { bucket, key } => {
            let keys = *key..*key + 1;
            delete_range(tx, model, *bucket, keys);
        }
        Op::DeleteRange { bucket, keys } => delete_range(tx, model, *bucket, keys.clone()),
        Op::CreateBucket(bucket) => {
            let (name, parent) = PATHS[*bucket].split_last().unwrap();
            let result = if parent.is_empty() {
                tx.create_bucket(name).map(|_| ())
            } else {
                with_bucket(tx, parent, true, |b| b.create_bucket(name).map(|_| ())).map(|_| ())
            };
            let parent = model.create_path(parent);
            if parent.buckets.contains_key(*name) {
                assert!(matches!(result, Err(Error::BucketExists)), "{result:?}");
            } else {
                result.unwrap();
                parent.buckets.insert(name.to_vec(), Contents::default());
            }
        }
        Op::DeleteBucket(bucket) => {
            let (name, parent) = PATHS[*bucket].split_last().unwrap();
            let result = if parent.is_empty() {
                tx.delete_bucket(name).map(Some)
            } else {
                with_bucket(tx, parent, false, |b| b.delete_bucket(name))
            };
            match model.get_mut(parent) {
                None => assert!(matches!(result, Ok(None)), "{result:?}"),
                Some(parent) => {
                    if parent.buckets.remove(*name).is_some() {
                        assert!(matches!(result, Ok(Some(()))), "{result:?}");
                    } else {
                        assert!(matches!(result, Err(Error::BucketNotFound)), "{result:?}");
                    }
                }
            }
        }
        Op::SetSequence(bucket, n) => {
            let path = PATHS[*bucket];
            with_bucket(tx, path, true, |b| b.set_sequence(*n)).unwrap();
            model.create_path(path).sequence = *n;
        }
        _ => unreachable!("not a write: {op:?}"),
    }
}

fn delete_range(tx: &mut WriteTx<'_>, model: &mut Contents, bucket: usize, keys: Range<u16>) {
    let path = PATHS[bucket];
    let result = with_bucket(tx, path, false, |b| {
        keys.clone().try_for_each(|key| b.delete(&key_bytes(key)))
    })
    .unwrap();
    match model.get_mut(path) {
        None => assert!(result.is_none(), "the bucket exists, the model says not"),
        Some(contents) => {
            assert!(result.is_some(), "the bucket is missing");
            for key in keys {
                contents.values.remove(&key_bytes(key));
            }
        }
    }
}

/// The latest commit equals `expected` and passes every check.
fn verify(db: &DB, expected: &Contents) -> Result<(), TestCaseError> {
    let tx = db.begin_read();
    prop_assert_eq!(&read_contents(&tx.root()), expected);
    assert_consistent(&tx);
    Ok(())
}

fn verify_readers(readers: &[(ReadTx, Contents)]) -> Result<(), TestCaseError> {
    for (tx, contents) in readers {
        prop_assert_eq!(
            &read_contents(&tx.root()),
            contents,
            "reader of txid {}",
            tx.id()
        );
    }
    Ok(())
}

/// Runs `ops`; with `no_freelist_sync` the file stores no freelist, and every
/// open rebuilds it from the pages the trees do not reach.
fn run(ops: Vec<Op>, no_freelist_sync: bool) -> Result<(), TestCaseError> {
    let options = Options {
        no_freelist_sync,
        ..small_pages()
    };
    let (_dir, path) = temp_file();
    let mut committed = Contents::default();
    let mut ops = ops.into_iter();
    let mut salt = 0;
    loop {
        let db = DB::open(&path, options.clone()).unwrap();
        verify(&db, &committed)?;
        let mut readers: Vec<(ReadTx, Contents)> = Vec::new();
        let mut work = committed.clone();
        let mut tx: Option<WriteTx<'_>> = None;
        let reopen = loop {
            let Some(op) = ops.next() else { break false };
            salt += 1;
            match op {
                Op::Commit => {
                    if let Some(mut t) = tx.take() {
                        prop_assert_eq!(&super::write_contents(&mut t), &work, "before commit");
                        t.commit().unwrap();
                    }
                    committed = work.clone();
                    verify(&db, &committed)?;
                    verify_readers(&readers)?;
                }
                Op::Rollback => {
                    if let Some(t) = tx.take() {
                        t.rollback();
                    }
                    work = committed.clone();
                    verify(&db, &committed)?;
                }
                Op::Reopen => break true,
                Op::FailCommit(i) => {
                    let step = CommitStep::ALL[i];
                    let t = match tx.take() {
                        Some(t) => t,
                        None => db.begin_write().unwrap(),
                    };
                    let result = t.commit_with(|at| {
                        if at == step {
                            Err(std::io::Error::other("crash"))
                        } else {
                            Ok(())
                        }
                    });
                    prop_assert!(matches!(result, Err(Error::Io { .. })), "{:?}", result);
                    if step == CommitStep::MetaWritten {
                        // The meta reached the file; the database refuses
                        // writes until it is opened again.
                        prop_assert!(matches!(db.begin_write(), Err(Error::Poisoned)));
                        committed = work.clone();
                        break true;
                    }
                    work = committed.clone();
                    verify(&db, &committed)?;
                }
                Op::OpenReader => {
                    readers.push((db.begin_read(), committed.clone()));
                    if readers.len() > 3 {
                        verify_readers(&readers[..1])?;
                        readers.remove(0);
                    }
                }
                write => {
                    let t = match &mut tx {
                        Some(t) => t,
                        None => tx.insert(db.begin_write().unwrap()),
                    };
                    apply(t, &mut work, &write, salt);
                }
            }
        };
        drop(tx);
        verify_readers(&readers)?;
        if !reopen {
            return verify(&db, &committed);
        }
    }
}

proptest! {
    #![proptest_config(super::proptest_config(48))]

    #[test]
    fn the_database_behaves_like_nested_btreemaps(
        ops in prop::collection::vec(op(), 1..60),
        no_freelist_sync in prop::bool::weighted(0.2),
    ) {
        run(ops, no_freelist_sync)?;
    }
}
