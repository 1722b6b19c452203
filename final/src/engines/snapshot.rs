//! A read-only store over a map loaded once: how the flat file and the log
//! open with [`Options::read_only`](crate::Options::read_only).
//!
//! Both keep their whole state in memory anyway, and both can be read
//! without the writer's lock (chapter 1's [`read_map`](strata_flat_file::read_map)
//! reads a file that is only ever replaced whole; chapter 2's
//! [`read_replaying`](strata_wal::read_replaying) pins the files it reads).
//! So a read-only open reads the state as it is at that moment, takes no
//! lock, creates no file, repairs nothing, and serves every read from the
//! map. A writer may go on beside it; the snapshot does not follow.

use std::path::{Path, PathBuf};

use super::Backend;
use crate::chunked::Chunked;
use crate::kv::Stats;
use crate::{Batch, Engine, Entry, Error, KeyRange, KeyValue, Ordered, Result, Scan};

/// The map of a flat file or a log, as it was when opened.
#[derive(Debug)]
pub(crate) struct Snapshot {
    engine: Engine,
    path: PathBuf,
    map: strata_flat_file::Map,
    disk_bytes: u64,
}

impl Snapshot {
    pub(crate) fn new(
        engine: Engine,
        path: &Path,
        map: strata_flat_file::Map,
        disk_bytes: u64,
    ) -> Snapshot {
        Snapshot {
            engine,
            path: path.to_path_buf(),
            map,
            disk_bytes,
        }
    }

    fn read_only(&self) -> Error {
        Error::ReadOnly {
            engine: self.engine,
        }
    }
}

impl KeyValue for Snapshot {
    fn engine(&self) -> Engine {
        self.engine
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.map.get(key).cloned())
    }

    fn put(&self, _key: &[u8], _value: &[u8]) -> Result<()> {
        Err(self.read_only())
    }

    fn delete(&self, _key: &[u8]) -> Result<()> {
        Err(self.read_only())
    }

    fn write(&self, _batch: &Batch) -> Result<()> {
        Err(self.read_only())
    }

    /// Nothing is ever unsaved.
    fn flush(&self) -> Result<()> {
        Ok(())
    }

    fn len(&self) -> Result<u64> {
        Ok(self.map.len() as u64)
    }

    fn stats(&self) -> Result<Stats> {
        Ok(Stats {
            keys: self.map.len() as u64,
            disk_bytes: self.disk_bytes,
            ..Stats::default()
        })
    }

    fn as_ordered(&self) -> Result<&dyn Ordered> {
        Ok(self)
    }
}

impl Ordered for Snapshot {
    fn range(&self, range: KeyRange) -> Result<Scan<'_>> {
        Ok(Scan::new(Chunked::new(range, |range, n| {
            Ok(first_entries(&self.map, range, n))
        })))
    }
}

impl Backend for Snapshot {
    fn path(&self) -> &Path {
        &self.path
    }

    fn close(self: Box<Self>) -> Result<()> {
        Ok(())
    }
}

/// The first `n` entries of `range` in `map`, copied out.
pub(crate) fn first_entries(map: &strata_flat_file::Map, range: &KeyRange, n: usize) -> Vec<Entry> {
    if range.is_empty() {
        // `BTreeMap::range` panics on some empty ranges.
        return Vec::new();
    }
    map.range::<[u8], _>((range.start(), range.end()))
        .take(n)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
