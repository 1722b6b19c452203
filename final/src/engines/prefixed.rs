//! A keyspace inside a store that has only one: its keys are the store's
//! keys that start with `name ‖ 0x00`, as chapter 5 keeps each table's
//! entries in its one log.
//!
//! The B+tree has real keyspaces (buckets) and does not need this. The other
//! engines share one keyspace between the store itself and every named one,
//! so a scan of the whole store also sees the named keyspaces' entries,
//! under their prefix.

use std::ops::Bound;
use std::path::Path;

use super::Backend;
use crate::kv::Stats;
use crate::{
    Batch, BatchOp, Capability, Engine, Entry, KeyRange, KeyValue, Keys, Ordered, Result, Scan,
    Store,
};

#[derive(Debug)]
pub(crate) struct Prefixed {
    parent: Store,
    prefix: Vec<u8>,
}

impl Prefixed {
    pub(crate) fn new(parent: Store, name: &[u8]) -> Prefixed {
        let mut prefix = name.to_vec();
        prefix.push(0);
        Prefixed { parent, prefix }
    }

    fn key(&self, key: &[u8]) -> Vec<u8> {
        [&self.prefix[..], key].concat()
    }

    /// `range` of this keyspace, as a range of the parent's keys.
    fn parent_range(&self, range: &KeyRange) -> KeyRange {
        let within = KeyRange::prefix(&self.prefix);
        // An open end of the keyspace's range is the end of its prefix.
        let bound = |bound: Bound<&[u8]>, whole: Bound<&[u8]>| match bound {
            Bound::Unbounded => whole.map(<[u8]>::to_vec),
            bound => bound.map(|k| self.key(k)),
        };
        let start = bound(range.start(), within.start());
        let end = bound(range.end(), within.end());
        KeyRange::new(
            start.as_ref().map(Vec::as_slice),
            end.as_ref().map(Vec::as_slice),
        )
    }

    /// `batch` with every key in this keyspace.
    fn prefixed(&self, batch: &Batch) -> Batch {
        batch
            .ops()
            .iter()
            .map(|op| match op {
                BatchOp::Put { key, value } => BatchOp::Put {
                    key: self.key(key),
                    value: value.clone(),
                },
                BatchOp::Delete { key } => BatchOp::Delete { key: self.key(key) },
            })
            .collect()
    }

    fn strip(&self, (key, value): Entry) -> Entry {
        (key[self.prefix.len()..].to_vec(), value)
    }
}

impl KeyValue for Prefixed {
    fn engine(&self) -> Engine {
        self.parent.engine()
    }

    fn capabilities(&self) -> crate::Capabilities {
        // Transactions belong to the whole store, not to a part of it.
        let mut caps: Vec<Capability> = self.parent.capabilities().iter().collect();
        caps.retain(|c| *c != Capability::Transactions);
        crate::Capabilities::of(&caps)
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.parent.get(self.key(key))
    }

    fn put(&self, key: &[u8], value: &[u8]) -> Result<()> {
        self.parent.put(self.key(key), value)
    }

    fn delete(&self, key: &[u8]) -> Result<()> {
        self.parent.delete(self.key(key))
    }

    fn write(&self, batch: &Batch) -> Result<()> {
        self.parent.write(&self.prefixed(batch))
    }

    fn write_each(&self, batch: &Batch) -> Result<()> {
        self.parent.write_each(&self.prefixed(batch))
    }

    fn flush(&self) -> Result<()> {
        self.parent.flush()
    }

    /// Counts the keyspace's keys with a scan (the engine counts only its own).
    fn len(&self) -> Result<u64> {
        self.entries()?.try_fold(0, |n, entry| entry.map(|_| n + 1))
    }

    /// The parent's keys under the prefix, stripped of it (a range where
    /// the parent keeps order, a filter of all its keys where not).
    fn keys(&self) -> Result<Keys<'_>> {
        if self.parent.as_key_value().as_ordered().is_ok() {
            let entries = self.range(KeyRange::all())?;
            return Ok(Keys::new(entries.map(|entry| entry.map(|(key, _)| key))));
        }
        let keys = self.parent.keys()?;
        Ok(Keys::new(keys.filter_map(|key| match key {
            Ok(key) if !key.starts_with(&self.prefix) => None,
            Ok(key) => Some(Ok(key[self.prefix.len()..].to_vec())),
            Err(e) => Some(Err(e)),
        })))
    }

    /// The parent's entries under the prefix: a range where the parent
    /// keeps order, a filter of all its entries where it does not.
    fn entries(&self) -> Result<Scan<'_>> {
        if self.parent.as_key_value().as_ordered().is_ok() {
            return self.range(KeyRange::all());
        }
        let scan = self.parent.entries()?;
        Ok(Scan::new(scan.filter_map(|entry| match entry {
            Ok((key, _)) if !key.starts_with(&self.prefix) => None,
            entry => Some(entry.map(|e| self.strip(e))),
        })))
    }

    fn stats(&self) -> Result<Stats> {
        Ok(Stats {
            keys: self.len()?,
            ..self.parent.stats()?
        })
    }

    fn as_ordered(&self) -> Result<&dyn Ordered> {
        self.parent.as_key_value().as_ordered()?;
        Ok(self)
    }
}

impl Ordered for Prefixed {
    fn range(&self, range: KeyRange) -> Result<Scan<'_>> {
        let scan = self.parent.range(self.parent_range(&range))?;
        Ok(Scan::new(scan.map(|entry| entry.map(|e| self.strip(e)))))
    }
}

impl Backend for Prefixed {
    fn path(&self) -> &Path {
        self.parent.path()
    }

    fn close(self: Box<Self>) -> Result<()> {
        self.parent.flush()
    }
}
