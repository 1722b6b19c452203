//! The schema is code, so it changes between runs: a database written with
//! one version of the struct is opened with another.

use std::path::Path;

use super::{config, temp_dir};
use crate::schema::{Error, List, LookupTable, Single};

/// The first version.
mod v1 {
    use super::*;

    #[derive(crate::schema::Schema)]
    #[schema(crate = "crate::schema")]
    pub struct App {
        pub owner: Single<String>,
        pub files: LookupTable<u64, String>,
    }
}

/// Adds a table.
mod v2 {
    use super::*;

    #[derive(crate::schema::Schema)]
    #[schema(crate = "crate::schema")]
    pub struct App {
        pub owner: Single<String>,
        pub files: LookupTable<u64, String>,
        pub events: List<String>,
    }
}

/// Renames `files` to `documents` in the code only.
mod renamed {
    use super::*;

    #[derive(crate::schema::Schema)]
    #[schema(crate = "crate::schema")]
    pub struct App {
        pub owner: Single<String>,
        pub documents: LookupTable<u64, String>,
    }
}

/// Renames the field, keeping the stored name.
mod renamed_kept {
    use super::*;

    #[derive(crate::schema::Schema)]
    #[schema(crate = "crate::schema")]
    pub struct App {
        pub owner: Single<String>,
        #[table(name = "files")]
        pub documents: LookupTable<u64, String>,
    }
}

/// Changes `files`' values from text to flags, with no migration.
mod retyped {
    use super::*;

    #[derive(crate::schema::Schema)]
    #[schema(crate = "crate::schema")]
    pub struct App {
        pub owner: Single<String>,
        pub files: LookupTable<u64, bool>,
    }
}

/// A database written with [`v1`].
fn written_with_v1(dir: &Path) {
    let mut db = v1::App::open(config(dir)).unwrap();
    db.owner.insert("ada".into()).unwrap();
    db.files.insert(1, "a.md".into()).unwrap();
    db.files.insert(2, "b.md".into()).unwrap();
}

#[test]
fn a_table_added_to_the_schema_starts_empty() {
    let dir = temp_dir();
    written_with_v1(dir.path());
    let mut db = v2::App::open(config(dir.path())).unwrap();
    assert_eq!(db.owner.get().map(String::as_str), Some("ada"));
    assert_eq!(db.files.len(), 2);
    assert!(db.events.is_empty());
    db.events.push("upgraded".into()).unwrap();
    db.files.insert(3, "c.md".into()).unwrap();
    drop(db);
    let db = v2::App::open(config(dir.path())).unwrap();
    assert_eq!(db.events.data(), ["upgraded"]);
    assert_eq!(db.files.len(), 3);
}

#[test]
fn a_table_the_schema_lost_is_an_error_naming_it() {
    let dir = temp_dir();
    written_with_v1(dir.path());
    let mut db = v2::App::open(config(dir.path())).unwrap();
    db.events.push("upgraded".into()).unwrap();
    drop(db);
    // Going back to v1, which has no `events`.
    match v1::App::open(config(dir.path())) {
        Err(Error::UnknownTable { name }) => assert_eq!(name, "events"),
        other => panic!("expected UnknownTable, got {:?}", other.err()),
    }
}

#[test]
fn a_table_renamed_in_the_code_is_an_unknown_table() {
    let dir = temp_dir();
    written_with_v1(dir.path());
    let error = renamed::App::open(config(dir.path())).err();
    match &error {
        Some(Error::UnknownTable { name }) => assert_eq!(name, "files", "the old name"),
        other => panic!("expected UnknownTable, got {other:?}"),
    }
    let message = error.unwrap().to_string();
    assert!(message.contains("`files`"), "{message}");
    // Nothing was changed by the failed open: the old schema still reads it all.
    let db = v1::App::open(config(dir.path())).unwrap();
    assert_eq!(db.files.len(), 2);
}

#[test]
fn a_stored_name_keeps_reading_a_renamed_field() {
    let dir = temp_dir();
    written_with_v1(dir.path());
    let mut db = renamed_kept::App::open(config(dir.path())).unwrap();
    assert_eq!(db.documents.get(&1).map(String::as_str), Some("a.md"));
    assert_eq!(db.documents.len(), 2);
    db.documents.insert(3, "c.md".into()).unwrap();
    db.documents.remove(&1).unwrap();
    drop(db);
    // The new writes are stored under the old name too.
    let db = v1::App::open(config(dir.path())).unwrap();
    assert_eq!(db.files.get(&1), None);
    assert_eq!(db.files.get(&3).map(String::as_str), Some("c.md"));
    assert_eq!(db.owner.get().map(String::as_str), Some("ada"));
}

#[test]
fn a_table_whose_types_changed_is_a_decode_error_naming_it() {
    let dir = temp_dir();
    written_with_v1(dir.path());
    let error = retyped::App::open(config(dir.path())).err();
    match &error {
        Some(Error::Decode { table, .. }) => assert_eq!(table, "files"),
        other => panic!("expected Decode, got {other:?}"),
    }
    let message = error.unwrap().to_string();
    assert!(message.contains("`files`"), "{message}");
}
