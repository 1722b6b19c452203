//! Tables larger than memory: a `DiskTable` keeps what the log no longer holds
//! in a B+tree file of its own, beside tables in memory in the same schema.

use std::fs;
use std::path::Path;

use super::temp_dir;
use crate::schema::{Config, DiskTable, Error, LookupTable, SyncPolicy};

/// A schema with a table in memory and one on disk.
#[derive(crate::schema::Schema)]
#[schema(crate = "crate::schema")]
pub struct Archive {
    pub names: LookupTable<u64, String>,
    pub blobs: DiskTable<u64, Vec<u8>>,
}

fn config(dir: &Path) -> Config {
    Config::in_folder(dir).sync(SyncPolicy::Never)
}

fn open(dir: &Path) -> Archive {
    Archive::open(config(dir)).unwrap()
}

fn blob(i: u64) -> Vec<u8> {
    vec![i as u8; 100 + i as usize % 50]
}

#[test]
fn a_disk_table_reads_and_writes_like_a_lookup_table() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    assert_eq!(db.blobs.insert(1, blob(1)).unwrap(), None);
    assert_eq!(db.blobs.insert(1, blob(2)).unwrap(), Some(blob(1)));
    db.blobs.insert(3, blob(3)).unwrap();
    assert_eq!(db.blobs.get(&1).unwrap(), Some(blob(2)));
    assert!(db.blobs.contains_key(&3).unwrap());
    assert_eq!(db.blobs.remove(&3).unwrap(), Some(blob(3)));
    assert_eq!(db.blobs.remove(&3).unwrap(), None);
    assert_eq!(db.blobs.get(&3).unwrap(), None);

    drop(db);
    let db = open(dir.path());
    assert_eq!(db.blobs.get(&1).unwrap(), Some(blob(2)));
    assert_eq!(db.blobs.get(&3).unwrap(), None);
}

/// After a compaction the disk table's entries are in its file, not in the
/// log: without the file they are gone, while the table in memory is whole.
#[test]
fn compaction_moves_a_disk_table_into_its_file() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    for i in 0..200 {
        db.names.insert(i, format!("name {i}")).unwrap();
        db.blobs.insert(i, blob(i)).unwrap();
    }
    db.blobs.remove(&7).unwrap();
    db.compact().unwrap();
    // Changed after the compaction: in the log again, and in the file too.
    db.blobs.insert(7, blob(70)).unwrap();
    db.blobs.insert(8, blob(80)).unwrap();
    drop(db);

    let db = open(dir.path());
    for i in 0..200 {
        let expected = match i {
            7 => blob(70),
            8 => blob(80),
            i => blob(i),
        };
        assert_eq!(db.blobs.get(&i).unwrap(), Some(expected), "key {i}");
    }
    drop(db);

    let file = dir.path().join("blobs.bbolt");
    assert!(file.exists(), "the disk table's file");
    fs::remove_file(&file).unwrap();
    let db = open(dir.path());
    assert_eq!(db.names.get(&5).map(String::as_str), Some("name 5"));
    assert_eq!(db.blobs.get(&5).unwrap(), None, "only in the file");
    assert_eq!(db.blobs.get(&7).unwrap(), Some(blob(70)), "logged since");
}

#[test]
fn a_rolled_back_transaction_leaves_a_disk_table_as_it_was() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    db.blobs.insert(1, blob(1)).unwrap();
    db.blobs.insert(2, blob(2)).unwrap();
    db.compact().unwrap();
    let failed: Result<(), Error> = db.transaction(|db| {
        db.blobs.insert(1, blob(10))?;
        db.blobs.remove(&2)?;
        db.blobs.insert(3, blob(3))?;
        Err(Error::ReadOnly)
    });
    assert!(failed.is_err());
    assert_eq!(db.blobs.get(&1).unwrap(), Some(blob(1)));
    assert_eq!(db.blobs.get(&2).unwrap(), Some(blob(2)));
    assert_eq!(db.blobs.get(&3).unwrap(), None);
    drop(db);
    let db = open(dir.path());
    assert_eq!(db.blobs.get(&1).unwrap(), Some(blob(1)));
    assert_eq!(db.blobs.get(&2).unwrap(), Some(blob(2)));
    assert_eq!(db.blobs.get(&3).unwrap(), None);
}

/// Automatic compaction runs in the background, from the log's files: it
/// must leave the disk table's entries out only once its file holds them.
#[test]
fn automatic_compaction_loses_no_disk_table_entry() {
    let dir = temp_dir();
    let config = || config(dir.path()).compact_above(4096);
    let mut db = Archive::open(config()).unwrap();
    for i in 0..500 {
        db.blobs.insert(i % 300, blob(i)).unwrap();
        db.names.insert(i % 10, format!("name {i}")).unwrap();
    }
    db.finish_compaction().unwrap();
    drop(db);
    let db = Archive::open(config()).unwrap();
    for i in 0..300 {
        let last = if i < 200 { i + 300 } else { i };
        assert_eq!(db.blobs.get(&i).unwrap(), Some(blob(last)), "key {i}");
    }
    assert_eq!(db.names.get(&3).map(String::as_str), Some("name 493"));
}

#[test]
fn a_read_only_database_reads_a_disk_table_from_its_file() {
    let dir = temp_dir();
    let mut db = open(dir.path());
    db.blobs.insert(1, blob(1)).unwrap();
    db.compact().unwrap();
    db.blobs.insert(2, blob(2)).unwrap();
    drop(db);
    let mut db = Archive::open(config(dir.path()).read_only()).unwrap();
    assert_eq!(db.blobs.get(&1).unwrap(), Some(blob(1)), "from the file");
    assert_eq!(db.blobs.get(&2).unwrap(), Some(blob(2)), "from the log");
    assert!(matches!(db.blobs.insert(3, blob(3)), Err(Error::ReadOnly)));
}

/// The same, one compaction per write. The write that starts a compaction is
/// logged but not yet in its table when the compaction leaves the disk
/// table's entries out of the log: the log must put it in the table's file
/// itself, or it is lost once the database closes.
#[test]
fn a_write_that_starts_a_compaction_is_kept() {
    let dir = temp_dir();
    let config = || config(dir.path()).compact_above(1);
    let mut db = Archive::open(config()).unwrap();
    for i in 0..20 {
        db.blobs.insert(i, blob(i)).unwrap();
        db.finish_compaction().unwrap();
    }
    drop(db);
    let db = Archive::open(config()).unwrap();
    for i in 0..20 {
        assert_eq!(db.blobs.get(&i).unwrap(), Some(blob(i)), "key {i}");
    }
}
