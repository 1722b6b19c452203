//! Chapter 5 under the crash runner: one ordered table, written by single inserts and removes
//! and by transactions of several (all or nothing), with compactions both explicit and in the
//! background once the log grows.

use std::path::Path;

use strata_schema::{Config, OrderedTable, SyncPolicy};

use super::engine::Engine;
use super::workload::{Change, Maintenance, Map, Op, Profile};
use crate::Result;

/// The schema the runner writes: one table holding the workload's keys.
#[derive(strata_schema::Schema)]
pub struct CrashDb {
    /// The workload's keys and values.
    entries: OrderedTable<Vec<u8>, Vec<u8>>,
}

/// strata-schema with [`CrashDb`], every write fsynced before it returns.
pub struct Schema;

/// Small, so that the log passes it often and compacts in the background during a run.
const COMPACT_ABOVE: u64 = 8 << 10;

impl Engine for Schema {
    type Db = CrashDb;

    const PROFILE: Profile = Profile {
        max_batch: 6,
        max_value: 200,
        maintenance: &[Maintenance::Compact],
        maintenance_one_in: 12,
    };

    fn open(dir: &Path) -> Result<CrashDb> {
        let config = Config::in_folder(dir)
            .sync(SyncPolicy::Always)
            .compact_above(COMPACT_ABOVE);
        Ok(CrashDb::open(config)?)
    }

    fn apply(db: &mut CrashDb, op: &Op) -> Result<()> {
        match op {
            // One change is written on its own, several in one transaction.
            Op::Write(changes) => match changes.as_slice() {
                [change] => write(db, change)?,
                _ => db.transaction(|tx| changes.iter().try_for_each(|c| write(tx, c)))?,
            },
            Op::Maintain(Maintenance::Compact) => db.compact()?,
            Op::Maintain(other) => return Err(format!("schema does no {other:?}").into()),
        }
        Ok(())
    }

    fn state(db: &CrashDb) -> Result<Map> {
        Ok(db
            .entries
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }
}

fn write(db: &mut CrashDb, change: &Change) -> strata_schema::Result<()> {
    match change {
        Change::Put(key, value) => db.entries.insert(key.clone(), value.clone())?,
        Change::Delete(key) => db.entries.remove(key)?,
    };
    Ok(())
}
