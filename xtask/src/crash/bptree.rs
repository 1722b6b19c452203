//! Chapter 4 under the crash runner: each write is one transaction of several puts and deletes
//! in one bucket, with values up to a few pages long (so that leaves split and some values take
//! overflow pages). A recovered file must also pass the B+tree's own consistency check.
//!
//! The database holds an advisory lock on its file; a kill releases it with the process.

use std::path::Path;

use strata_bptree::{DB, Options};

use super::engine::Engine;
use super::workload::{Change, Map, Op, Profile};
use crate::Result;

/// strata-bptree's [`DB`], every commit synced before it returns.
pub struct Bptree;

/// The bucket every key is written in.
const BUCKET: &[u8] = b"data";

impl Engine for Bptree {
    type Db = DB;

    const PROFILE: Profile = Profile {
        max_batch: 8,
        max_value: 6000,
        maintenance: &[],
        maintenance_one_in: 1,
    };

    fn open(dir: &Path) -> Result<DB> {
        let options = Options {
            no_sync: false,
            ..Options::default()
        };
        Ok(DB::open(dir.join("data.db"), options)?)
    }

    fn apply(db: &mut DB, op: &Op) -> Result<()> {
        let Op::Write(changes) = op else {
            return Err(format!("bptree does no maintenance, asked for {op:?}").into());
        };
        db.update(|tx| {
            let mut bucket = tx.create_bucket_if_not_exists(BUCKET)?;
            for change in changes {
                match change {
                    Change::Put(key, value) => bucket.put(key, value)?,
                    Change::Delete(key) => bucket.delete(key)?,
                }
            }
            Ok(())
        })?;
        Ok(())
    }

    fn state(db: &DB) -> Result<Map> {
        let map = db.view(|tx| {
            let mut map = Map::new();
            if let Some(bucket) = tx.bucket(BUCKET)? {
                bucket.for_each(|key, value| {
                    map.insert(key.to_vec(), value.unwrap_or_default().to_vec());
                    Ok(())
                })?;
            }
            Ok(map)
        })?;
        Ok(map)
    }

    fn check(db: &DB) -> Vec<String> {
        db.begin_read().check()
    }
}
