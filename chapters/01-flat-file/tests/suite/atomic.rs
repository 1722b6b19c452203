//! A crash at any step of a save leaves the old file or the new one, never a mix.

use std::fs;
use std::io;

use super::{assert_bytes, sample};
use crate::flat_file::{FlatFile, SaveStep, format, write_atomic, write_atomic_with};

fn crash_at(step: SaveStep) -> impl FnMut(SaveStep) -> io::Result<()> {
    move |now| {
        if now == step {
            Err(io::Error::other(format!("crash at {now:?}")))
        } else {
            Ok(())
        }
    }
}

#[test]
fn a_crash_at_every_step_leaves_old_or_new() {
    let old = format::encode(&sample());
    let mut changed = sample();
    changed.insert(b"date".to_vec(), b"brown".to_vec());
    let new = format::encode(&changed);

    for step in SaveStep::ALL {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.strata");
        write_atomic(&path, &old).unwrap();
        let result = write_atomic_with(&path, &new, crash_at(step));
        assert!(
            result.is_err(),
            "{step:?}: the crash must surface as an error"
        );

        let on_disk = fs::read(&path).unwrap();
        let expected = if step >= SaveStep::Renamed {
            &new
        } else {
            &old
        };
        assert_bytes(
            &on_disk,
            expected,
            format!("after a crash at {step:?}, the file is not the expected one"),
        );
        // The survivor always opens cleanly, whatever temporary file was left.
        let reopened = FlatFile::open(&path).unwrap();
        let expected_len = if step >= SaveStep::Renamed { 5 } else { 4 };
        assert_eq!(reopened.len(), expected_len, "after a crash at {step:?}");
    }
}

#[test]
fn a_crash_before_the_first_save_leaves_no_file() {
    for step in [
        SaveStep::Created,
        SaveStep::HalfWritten,
        SaveStep::Written,
        SaveStep::Synced,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.strata");
        let mut db = FlatFile::open(&path).unwrap();
        db.put("k", "v");
        assert!(db.save_with(crash_at(step)).is_err());
        assert!(
            !path.exists(),
            "{step:?}: a half-done first save must not create the file"
        );
        assert!(FlatFile::open(&path).unwrap().is_empty());
    }
}

#[test]
fn a_stale_temporary_file_is_ignored_and_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.strata");
    let mut db = FlatFile::open(&path).unwrap();
    db.put("k", "v");
    db.save().unwrap();
    // A crash mid-save left garbage in the temporary file.
    fs::write(dir.path().join(".db.strata.tmp"), b"half a file").unwrap();

    let mut db = FlatFile::open(&path).unwrap();
    assert_eq!(db.get(b"k"), Some(&b"v"[..]));
    db.put("k2", "v2");
    db.save().unwrap();
    assert_eq!(FlatFile::open(&path).unwrap().len(), 2);
}

#[test]
fn save_leaves_only_the_file_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.strata");
    let mut db = FlatFile::open(&path).unwrap();
    db.put("k", "v");
    db.save().unwrap();
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["db.strata"]);
}
