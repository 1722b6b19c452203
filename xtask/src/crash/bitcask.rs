//! Chapter 3 under the crash runner: puts and deletes (each atomic on its own; Bitcask has no
//! batches), small data files so that writes roll over to new ones, and merges.
//!
//! A killed writer leaves `bitcask.write.lock` behind, naming its dead process: the next open
//! must take it over as stale, and a failure to do so is a finding like any other.

use std::path::Path;

use strata_bitcask::{Options, SyncStrategy};

use super::engine::Engine;
use super::workload::{Change, Maintenance, Map, Op, Profile};
use crate::Result;

/// strata-bitcask's [`Bitcask`](strata_bitcask::Bitcask), every write fsynced before it returns.
pub struct Bitcask;

/// Small files, so that a short run fills several and a merge has work to do.
const MAX_FILE_SIZE: u64 = 2048;

impl Engine for Bitcask {
    type Db = strata_bitcask::Bitcask;

    const PROFILE: Profile = Profile {
        max_batch: 1,
        max_value: 200,
        maintenance: &[Maintenance::Merge],
        maintenance_one_in: 10,
    };

    fn open(dir: &Path) -> Result<Self::Db> {
        let options = Options {
            sync: SyncStrategy::Always,
            max_file_size: MAX_FILE_SIZE,
            ..Options::default()
        };
        Ok(strata_bitcask::Bitcask::open(dir, options)?)
    }

    fn apply(db: &mut Self::Db, op: &Op) -> Result<()> {
        match op {
            Op::Write(changes) => {
                for change in changes {
                    match change {
                        Change::Put(key, value) => db.put(key, value)?,
                        Change::Delete(key) => db.delete(key)?,
                    }
                }
            }
            Op::Maintain(Maintenance::Merge) => {
                db.merge()?;
            }
            Op::Maintain(other) => return Err(format!("bitcask does no {other:?}").into()),
        }
        Ok(())
    }

    fn state(db: &Self::Db) -> Result<Map> {
        let mut map = Map::new();
        db.fold(|key, value| {
            map.insert(key.to_vec(), value.to_vec());
            Ok::<(), strata_bitcask::Error>(())
        })?;
        Ok(map)
    }
}
