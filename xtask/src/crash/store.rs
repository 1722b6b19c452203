//! `strata::Store` under the crash runner: each engine through the one API, with its group
//! commit (the flat file's and Bitcask's are `strata`'s own), opened again after each kill by
//! what is on disk alone.
//!
//! A database exists once `Store::create` has returned. A kill inside `create` can leave a
//! half-made one (an empty directory, a file shorter than its first pages) that is nobody's
//! data yet, so the adapter, like an application, notes in a file of its own that creation
//! finished, and until then starts afresh.

use std::path::{Path, PathBuf};

use strata::{Batch, Capability, Engine as StoreEngine, Options};

use super::engine::Engine;
use super::workload::{Change, Map, Op, Profile};
use crate::Result;

/// A `strata::Store` of the engine `strata::Engine::ALL[E]`, every write synced.
pub struct Store<const E: usize>;

/// The engines' places in `strata::Engine::ALL`.
pub const FLAT_FILE: usize = 0;
pub const WAL: usize = 1;
pub const BITCASK: usize = 2;
pub const BPTREE: usize = 3;

const fn profile(batches: bool) -> Profile {
    Profile {
        max_batch: if batches { 8 } else { 1 },
        max_value: 200,
        maintenance: &[],
        maintenance_one_in: 1,
    }
}

impl<const E: usize> Store<E> {
    fn engine() -> StoreEngine {
        StoreEngine::ALL[E]
    }

    fn path(dir: &Path) -> PathBuf {
        dir.join("db")
    }
}

impl<const E: usize> Engine for Store<E> {
    type Db = strata::Store;

    // Bitcask is the one engine of the four without atomic batches.
    const PROFILE: Profile = profile(E != BITCASK);

    fn open(dir: &Path) -> Result<Self::Db> {
        let (path, created) = (Self::path(dir), dir.join("created"));
        if created.exists() {
            return Ok(strata::Store::open(&path)?);
        }
        // Whatever an interrupted create left is not a database yet.
        let _ = std::fs::remove_dir_all(&path);
        let _ = std::fs::remove_file(&path);
        let store = strata::Store::create(&path, Self::engine(), Options::default())?;
        std::fs::write(&created, "")?;
        Ok(store)
    }

    fn apply(db: &mut Self::Db, op: &Op) -> Result<()> {
        let Op::Write(changes) = op else {
            return Err(format!("a strata store does no maintenance, asked for {op:?}").into());
        };
        match changes.as_slice() {
            [Change::Put(key, value)] => db.put(key, value)?,
            [Change::Delete(key)] => db.delete(key)?,
            changes => {
                let batch = changes
                    .iter()
                    .fold(Batch::new(), |batch, change| match change {
                        Change::Put(key, value) => batch.put(key.clone(), value.clone()),
                        Change::Delete(key) => batch.delete(key.clone()),
                    });
                db.write(&batch)?;
            }
        }
        Ok(())
    }

    fn state(db: &Self::Db) -> Result<Map> {
        if db.capabilities().contains(Capability::OrderedScans) {
            return Ok(db.range(..)?.collect::<strata::Result<Map>>()?);
        }
        // Bitcask keeps no order: its keys come from the chapter's own crate.
        let cask = strata::bitcask::Bitcask::open_read_only(
            db.path(),
            strata::bitcask::Options::default(),
        )?;
        let mut map = Map::new();
        for key in cask.keys() {
            if let Some(value) = db.get(&key)? {
                map.insert(key, value);
            }
        }
        Ok(map)
    }
}
