//! Chapter 2 under the crash runner: single puts and deletes, atomic batches, and checkpoints
//! (in the foreground and in the background) to crash in the middle of.

use std::path::Path;

use strata_wal::{Batch, Options, Store, SyncPolicy};

use super::engine::Engine;
use super::workload::{Change, Maintenance, Map, Op, Profile};
use crate::Result;

/// strata-wal's [`Store`], every write fsynced before it returns.
pub struct Wal;

impl Engine for Wal {
    type Db = Store;

    const PROFILE: Profile = Profile {
        max_batch: 6,
        max_value: 200,
        maintenance: &[Maintenance::Checkpoint, Maintenance::BackgroundCheckpoint],
        maintenance_one_in: 8,
    };

    fn open(dir: &Path) -> Result<Store> {
        Ok(Store::open(dir, Options::new(SyncPolicy::Always))?)
    }

    fn apply(db: &mut Store, op: &Op) -> Result<()> {
        match op {
            // One change goes through `put` or `delete`, several through one batch, so both
            // paths are crashed.
            Op::Write(changes) => match changes.as_slice() {
                [Change::Put(key, value)] => db.put(key, value)?,
                [Change::Delete(key)] => {
                    db.delete(key)?;
                }
                _ => db.write(batch(changes))?,
            },
            Op::Maintain(Maintenance::Checkpoint) => db.checkpoint()?,
            // Acknowledged once started: the thread goes on beside the next writes.
            Op::Maintain(Maintenance::BackgroundCheckpoint) => {
                db.checkpoint_in_background()?;
            }
            Op::Maintain(other) => return Err(format!("wal does no {other:?}").into()),
        }
        Ok(())
    }

    fn state(db: &Store) -> Result<Map> {
        let view = db.read();
        Ok(view.iter().map(|(k, v)| (k.to_vec(), v.to_vec())).collect())
    }
}

fn batch(changes: &[Change]) -> Batch {
    changes
        .iter()
        .fold(Batch::new(), |batch, change| match change {
            Change::Put(key, value) => batch.put(key.clone(), value.clone()),
            Change::Delete(key) => batch.delete(key.clone()),
        })
}
