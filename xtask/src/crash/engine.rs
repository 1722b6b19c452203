//! What the crash runner needs from an engine, and the list of engines it knows.
//!
//! Owns the [`Engine`] trait and the names on the command line; each engine's adapter (in its
//! own module) owns how the workload's ops map onto that engine's public API.

use std::path::Path;

use super::store::{BITCASK, BPTREE, FLAT_FILE, Store, WAL};
use super::workload::{Map, Op, Profile};
use super::{bitcask, bptree, flat_file, schema, wal};
use crate::Result;

/// One engine, driven by the crash runner through its public API only.
pub trait Engine {
    /// The open database.
    type Db;

    /// The shape of the engine's workload: batch size, value sizes, maintenance.
    const PROFILE: Profile;

    /// Opens the database in `dir` for writing, with its strictest sync policy, recovering
    /// from a crash if there was one.
    fn open(dir: &Path) -> Result<Self::Db>;

    /// Performs `op`; when this returns, the op is durable.
    fn apply(db: &mut Self::Db, op: &Op) -> Result<()>;

    /// Every key and value `db` holds.
    fn state(db: &Self::Db) -> Result<Map>;

    /// Problems a consistency check of the files finds (none by default: only the B+tree has
    /// such a check).
    fn check(_db: &Self::Db) -> Vec<String> {
        Vec::new()
    }
}

/// The engines, by their names on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Chapter 1, strata-flat-file.
    FlatFile,
    /// Chapter 2, strata-wal.
    Wal,
    /// Chapter 3, strata-bitcask.
    Bitcask,
    /// Chapter 4, strata-bptree.
    Bptree,
    /// Chapter 5, strata-schema.
    Schema,
    /// `strata::Store` over each engine, with its group commit.
    StoreFlatFile,
    StoreWal,
    StoreBitcask,
    StoreBptree,
}

impl Kind {
    /// Every engine, in chapter order.
    pub const ALL: [Kind; 9] = [
        Kind::FlatFile,
        Kind::Wal,
        Kind::Bitcask,
        Kind::Bptree,
        Kind::Schema,
        Kind::StoreFlatFile,
        Kind::StoreWal,
        Kind::StoreBitcask,
        Kind::StoreBptree,
    ];

    /// The engine's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Kind::FlatFile => "flat-file",
            Kind::Wal => "wal",
            Kind::Bitcask => "bitcask",
            Kind::Bptree => "bptree",
            Kind::Schema => "schema",
            Kind::StoreFlatFile => "store-flat-file",
            Kind::StoreWal => "store-wal",
            Kind::StoreBitcask => "store-bitcask",
            Kind::StoreBptree => "store-bptree",
        }
    }

    /// The engine called `name`, if there is one.
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// Calls the visitor with the engine's adapter type: the one place that maps a name to code.
    pub fn visit<V: Visit>(self, visitor: V) -> V::Output {
        match self {
            Kind::FlatFile => visitor.visit::<flat_file::FlatFile>(),
            Kind::Wal => visitor.visit::<wal::Wal>(),
            Kind::Bitcask => visitor.visit::<bitcask::Bitcask>(),
            Kind::Bptree => visitor.visit::<bptree::Bptree>(),
            Kind::Schema => visitor.visit::<schema::Schema>(),
            Kind::StoreFlatFile => visitor.visit::<Store<FLAT_FILE>>(),
            Kind::StoreWal => visitor.visit::<Store<WAL>>(),
            Kind::StoreBitcask => visitor.visit::<Store<BITCASK>>(),
            Kind::StoreBptree => visitor.visit::<Store<BPTREE>>(),
        }
    }
}

/// Something done with an engine's adapter type, chosen at run time by [`Kind::visit`].
pub trait Visit {
    /// What it gives back.
    type Output;
    /// Does it with engine `E`.
    fn visit<E: Engine>(self) -> Self::Output;
}
