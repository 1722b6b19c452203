//! A save under power loss: on a simulated disk ([`SimFs`]) that drops
//! whatever was not fsynced, a save that returned must survive, and a save
//! cut short at any step must leave the old file or the new one. A kill -9
//! cannot test this (the kernel keeps the page cache); these tests fail if
//! either fsync of a save is missing.

use std::io;
use std::path::Path;

use super::{difference, sample};
use crate::flat_file::simfs::{PAGE, SimFs};
use crate::flat_file::{Map, SaveStep, format, write_atomic_in};

const PATH: &str = "data/db.strata";

/// The old and the new contents of a save: different lengths, several pages.
fn old_and_new() -> (Vec<u8>, Vec<u8>) {
    let old = format::encode(&sample());
    let mut changed: Map = sample();
    for i in 0..40u32 {
        changed.insert(i.to_be_bytes().to_vec(), vec![b'v'; 300]);
    }
    let new = format::encode(&changed);
    assert!(new.len() > 2 * PAGE);
    (old, new)
}

fn crash_at(step: SaveStep) -> impl FnMut(SaveStep) -> io::Result<()> {
    move |now| {
        if now == step {
            Err(io::Error::other(format!("power cut at {now:?}")))
        } else {
            Ok(())
        }
    }
}

/// What the file holds after the power came back, decoded, or why not.
fn survivor(disk: &SimFs) -> Result<Vec<u8>, String> {
    let bytes = disk.read(Path::new(PATH)).map_err(|e| e.to_string())?;
    format::decode(Path::new(PATH), &bytes).map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// Panics unless the file at `PATH` after the cut opens and holds `expected`,
/// showing where the bytes differ rather than all of them.
#[track_caller]
fn expect_survivor(disk: &SimFs, expected: &[u8], context: &str) {
    match survivor(disk) {
        Ok(found) => {
            if let Some(difference) = difference(&found, expected) {
                panic!("{context}: {difference}");
            }
        }
        Err(e) => panic!("{context}: {e}"),
    }
}

#[test]
fn a_save_that_returned_survives_a_power_cut() {
    let (old, new) = old_and_new();
    let disk = SimFs::new();
    disk.put_durable(Path::new(PATH), &old);
    write_atomic_in(&disk, Path::new(PATH), &new, |_| Ok(())).unwrap();
    disk.lose_power();
    expect_survivor(
        &disk,
        &new,
        "a save that returned Ok was lost: is the temporary file fsynced before \
         the rename, and the directory after it?",
    );
}

#[test]
fn a_first_save_that_returned_survives_a_power_cut() {
    let (_, new) = old_and_new();
    let disk = SimFs::new();
    write_atomic_in(&disk, Path::new(PATH), &new, |_| Ok(())).unwrap();
    disk.lose_power();
    expect_survivor(&disk, &new, "the new file's name was not made durable");
}

#[test]
fn a_power_cut_at_any_step_leaves_the_old_file_or_the_new() {
    let (old, new) = old_and_new();
    for step in SaveStep::ALL {
        let disk = SimFs::new();
        disk.put_durable(Path::new(PATH), &old);
        let result = write_atomic_in(&disk, Path::new(PATH), &new, crash_at(step));
        assert!(
            result.is_err(),
            "{step:?}: the cut must surface as an error"
        );
        disk.lose_power();
        let expected = if step >= SaveStep::DirSynced {
            &new
        } else {
            &old
        };
        expect_survivor(&disk, expected, &format!("after a power cut at {step:?}"));
    }
}

/// A disk may have written any of the unsynced pages and names before the
/// cut: every combination of the new file's first pages and of the changes
/// to names, at every step, still leaves exactly the old file or the new.
#[test]
fn a_power_cut_that_keeps_some_unsynced_pages_leaves_the_old_file_or_the_new() {
    let (old, new) = old_and_new();
    for step in SaveStep::ALL {
        for kept in 0..16u32 {
            let disk = SimFs::new();
            disk.put_durable(Path::new(PATH), &old);
            let result = write_atomic_in(&disk, Path::new(PATH), &new, crash_at(step));
            assert!(result.is_err());
            // The bits of `kept` choose among the first pages and the
            // first changes to names (the temporary file's creation, the rename).
            disk.lose_power_keeping(
                |_, page| page < 4 && kept & (1 << page) != 0,
                |n| n < 2 && kept & (1 << (n + 2)) != 0,
            );
            let context = format!("a cut at {step:?} keeping pages {kept:#06b}");
            if step >= SaveStep::DirSynced {
                expect_survivor(&disk, &new, &context);
            } else {
                let found = survivor(&disk);
                if found.as_ref() != Ok(&old) && found.as_ref() != Ok(&new) {
                    let against_new = match &found {
                        Ok(bytes) => difference(bytes, &new).unwrap_or_default(),
                        Err(e) => e.clone(),
                    };
                    panic!(
                        "{context}: neither the old file nor the new; against the new: {against_new}"
                    );
                }
            }
        }
    }
}
