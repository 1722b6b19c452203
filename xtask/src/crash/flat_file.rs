//! Chapter 1 under the crash runner: each write is a set of changes and one `save`, which
//! replaces the whole file atomically.

use std::path::Path;

use super::engine::Engine;
use super::workload::{Change, Map, Op, Profile};
use crate::Result;

/// strata-flat-file's [`FlatFile`](strata_flat_file::FlatFile), in one file of the directory.
pub struct FlatFile;

impl Engine for FlatFile {
    type Db = strata_flat_file::FlatFile;

    // A save writes the whole map, so every write is a batch: the changes since the last save.
    const PROFILE: Profile = Profile {
        max_batch: 8,
        max_value: 200,
        maintenance: &[],
        maintenance_one_in: 1,
    };

    fn open(dir: &Path) -> Result<Self::Db> {
        Ok(strata_flat_file::FlatFile::open(dir.join("data.strata"))?)
    }

    fn apply(db: &mut Self::Db, op: &Op) -> Result<()> {
        let Op::Write(changes) = op else {
            return Err(format!("flat-file does no maintenance, asked for {op:?}").into());
        };
        for change in changes {
            match change {
                Change::Put(key, value) => {
                    db.put(key.clone(), value.clone());
                }
                Change::Delete(key) => {
                    db.delete(key);
                }
            }
        }
        // `save` fsyncs the new file and its directory before it returns.
        Ok(db.save()?)
    }

    fn state(db: &Self::Db) -> Result<Map> {
        Ok(db.as_map().clone())
    }
}
