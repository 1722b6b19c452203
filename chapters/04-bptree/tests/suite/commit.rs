//! A crash at every step of a commit, and a torn meta page.
//!
//! A commit writes its pages to free pages only, syncs, and then writes the
//! meta page that makes them current: until that meta is on disk the
//! previous transaction's state is untouched. `commit_with` stops a commit
//! at a [`CommitStep`] as a crash would; reopening the file must then give
//! exactly the previous state, and the database must go on working.

use std::fs;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;

use super::{Contents, assert_consistent, committed, create, key, small_pages, value};
use crate::bptree::{CommitStep, DB, Error, WriteTx};

/// The committed state every scenario starts from, in 1 KiB pages: a tree of
/// several levels, a nested bucket, an inline bucket, a sequence.
fn base() -> (tempfile::TempDir, std::path::PathBuf, DB) {
    let (dir, path, db) = create(small_pages());
    db.update(|tx| {
        let mut data = tx.create_bucket(b"data")?;
        for i in 0..600 {
            data.put(&key(i), &value(i, 0, 30))?;
        }
        let mut nested = data.create_bucket(b"nested")?;
        for i in 0..100 {
            nested.put(&key(i), &value(i, 1, 30))?;
        }
        data.set_sequence(7)?;
        tx.create_bucket(b"small")?.put(b"k", b"v")
    })
    .unwrap();
    (dir, path, db)
}

/// A transaction that rewrites every leaf (freeing all of them), grows the
/// file, deletes and creates buckets. What it leaves depends only on `salt`,
/// whether it runs on [`base`] or after another change.
fn change(tx: &mut WriteTx<'_>, salt: u32) -> crate::bptree::Result<()> {
    let mut data = tx.bucket(b"data")?.unwrap();
    for i in 0..1400 {
        data.put(&key(i), &value(i, salt + 10, 30))?;
    }
    if data.bucket(b"nested")?.is_some() {
        data.delete_bucket(b"nested")?;
    }
    data.set_sequence(u64::from(salt) + 100)?;
    if tx.bucket(b"small")?.is_some() {
        tx.delete_bucket(b"small")?;
    }
    tx.create_bucket_if_not_exists(b"made")?
        .put(b"salt", &salt.to_le_bytes())
}

/// What [`change`] leaves, from a clean run.
fn changed_state(salt: u32) -> Contents {
    let (_dir, _path, db) = base();
    db.update(|tx| change(tx, salt)).unwrap();
    committed(&db)
}

fn fail_at(step: CommitStep) -> impl FnMut(CommitStep) -> io::Result<()> {
    move |at| {
        if at == step {
            Err(io::Error::other(format!("crash after {at:?}")))
        } else {
            Ok(())
        }
    }
}

fn reopen(path: &Path) -> DB {
    DB::open(path, small_pages()).unwrap()
}

#[test]
fn a_crash_before_the_meta_leaves_the_previous_state() {
    let after = changed_state(0);
    for step in [
        CommitStep::Grown,
        CommitStep::PagesWritten,
        CommitStep::PagesSynced,
    ] {
        let (_dir, path, db) = base();
        let before = committed(&db);
        let pgid = super::pgid(&db);
        let mut tx = db.begin_write().unwrap();
        change(&mut tx, 0).unwrap();
        let result = tx.commit_with(fail_at(step));
        assert!(
            matches!(result, Err(Error::Io { .. })),
            "{step:?}: {result:?}"
        );
        assert_eq!(super::pgid(&db), pgid, "{step:?}: nothing published");
        drop(db); // the crash

        let db = reopen(&path);
        assert_eq!(committed(&db), before, "{step:?}");
        assert_consistent(&db.begin_read());
        // And the file takes the same transaction again.
        db.update(|tx| change(tx, 0)).unwrap();
        assert_eq!(committed(&db), after, "{step:?}");
        assert_consistent(&db.begin_read());
    }
}

#[test]
fn the_next_transaction_after_a_failed_commit_works() {
    let after = changed_state(0);
    for step in [
        CommitStep::Grown,
        CommitStep::PagesWritten,
        CommitStep::PagesSynced,
    ] {
        let (_dir, path, db) = base();
        let before = committed(&db);
        for attempt in 0..3 {
            // Fails again and again: each failure gives back what it took.
            let mut tx = db.begin_write().unwrap();
            change(&mut tx, 0).unwrap();
            assert!(tx.commit_with(fail_at(step)).is_err());
            assert_eq!(committed(&db), before, "{step:?} attempt {attempt}");
            assert_consistent(&db.begin_read());
        }
        db.update(|tx| change(tx, 0)).unwrap();
        assert_eq!(committed(&db), after, "{step:?}");
        assert_consistent(&db.begin_read());
        // Several more commits: no page was lost or handed out twice.
        for salt in 1..4 {
            db.update(|tx| change(tx, salt)).unwrap();
            assert_consistent(&db.begin_read());
        }
        drop(db);
        let db = reopen(&path);
        assert_eq!(committed(&db), changed_state(3), "{step:?}");
        assert_consistent(&db.begin_read());
    }
}

#[test]
fn a_failed_meta_write_poisons_the_database_until_reopened() {
    // The meta write may or may not have reached the disk: reopening finds
    // either the new state (it did) or the previous one (it did not).
    let after = changed_state(0);
    for lost in [false, true] {
        let (_dir, path, db) = base();
        let before = committed(&db);
        let old_metas = fs::read(&path).unwrap()[..2048].to_vec();
        let mut tx = db.begin_write().unwrap();
        change(&mut tx, 0).unwrap();
        let result = tx.commit_with(|step| {
            if step != CommitStep::MetaWritten {
                return Ok(());
            }
            if lost {
                // The crash took the unsynced meta write with it.
                let file = fs::OpenOptions::new().write(true).open(&path)?;
                file.write_all_at(&old_metas, 0)?;
            }
            Err(io::Error::other("crash after the meta write"))
        });
        assert!(matches!(result, Err(Error::Io { .. })));
        assert!(matches!(db.begin_write(), Err(Error::Poisoned)));
        assert!(matches!(db.update(|_| Ok(())), Err(Error::Poisoned)));
        drop(db);

        let db = reopen(&path);
        let expected = if lost { &before } else { &after };
        assert_eq!(&committed(&db), expected, "meta lost: {lost}");
        assert_consistent(&db.begin_read());
        db.update(|tx| change(tx, 5)).unwrap();
        assert_eq!(committed(&db), changed_state(5));
        assert_consistent(&db.begin_read());
    }
}

#[test]
fn a_crash_in_the_first_commit_leaves_an_empty_file() {
    for step in CommitStep::ALL {
        let (_dir, path, db) = create(small_pages());
        let mut tx = db.begin_write().unwrap();
        tx.create_bucket(b"b").unwrap().put(b"k", b"v").unwrap();
        assert!(tx.commit_with(fail_at(step)).is_err());
        drop(db);
        let file = fs::OpenOptions::new().write(true).open(&path).unwrap();
        if step == CommitStep::MetaWritten {
            // Lost with the crash: the meta slot of transaction 2 as it was.
            file.write_all_at(&crate::bptree::db::initial_file(1024)[..1024], 0)
                .unwrap();
        }
        let db = reopen(&path);
        assert_eq!(committed(&db), Contents::default(), "{step:?}");
        assert_consistent(&db.begin_read());
        db.update(|tx| tx.create_bucket(b"b")?.put(b"k", b"v"))
            .unwrap();
        assert_consistent(&db.begin_read());
    }
}

#[test]
fn a_torn_meta_page_falls_back_to_the_previous_transaction() {
    let mut rng = super::Rng::new(99);
    for damage in ["garbage", "half written", "zeroed", "one bit"] {
        let (_dir, path, db) = base();
        let before = committed(&db);
        db.update(|tx| change(tx, 0)).unwrap();
        let txid = db.begin_read().id();
        drop(db);

        let slot = (txid % 2) as usize;
        let mut bytes = fs::read(&path).unwrap();
        let meta = &mut bytes[slot * 1024..(slot + 1) * 1024];
        match damage {
            "garbage" => meta.iter_mut().for_each(|b| *b = rng.next_u64() as u8),
            "half written" => meta[48..].fill(0),
            "zeroed" => meta.fill(0),
            _ => meta[60] ^= 0x10,
        }
        fs::write(&path, &bytes).unwrap();

        let db = reopen(&path);
        assert_eq!(db.begin_read().id(), txid - 1, "{damage}");
        assert_eq!(committed(&db), before, "{damage}");
        assert_consistent(&db.begin_read());
        // Writing goes on from there, and rewrites the damaged slot.
        db.update(|tx| change(tx, 1)).unwrap();
        assert_eq!(db.begin_read().id(), txid);
        drop(db);
        let db = reopen(&path);
        assert_eq!(committed(&db), changed_state(1), "{damage}");
        assert_consistent(&db.begin_read());
    }
}
