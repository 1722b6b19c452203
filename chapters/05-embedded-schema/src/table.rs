//! What every table type shares: a name, the log, and how it is loaded,
//! committed and rolled back.
//!
//! A table's entries in the log are keyed `name ‖ 0x00 ‖ rest`, where the
//! rest is table-specific (nothing for a [`Single`](crate::Single), the
//! encoded key for a [`LookupTable`](crate::LookupTable), ...).

use crate::log::Log;
use crate::{Error, Result, codec};
// For the links in the docs.
#[cfg(doc)]
use crate::log::Recorder;
use serde::Serialize;

// ANCHOR: table_state
/// The part of a table the database drives without knowing its types: at
/// open, every logged entry is loaded; a rolled-back transaction is undone by
/// loading the entries it overwrote and unloading those it added.
pub trait TableState {
    /// Loads one entry: `rest` is its key without the table's prefix.
    fn load(&mut self, rest: &[u8], value: &[u8]) -> Result<()>;
    /// Removes the entry keyed `rest`.
    fn unload(&mut self, rest: &[u8]) -> Result<()>;
    /// Calls `out` with every entry the table holds, full key and value:
    /// the table's part of a compacted log.
    fn dump(&self, out: &mut dyn FnMut(Vec<u8>, Vec<u8>)) -> Result<()>;
}
// ANCHOR_END: table_state

/// A table type: what `#[derive(Schema)]` accepts as a field.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a strata-schema table",
    label = "every field of a `#[derive(Schema)]` struct must be a table",
    note = "the tables are Single, LookupTable, OrderedTable, List, LookupList, LookupSet and DiskTable"
)]
pub trait Table: TableState + Sized {
    /// An empty table named `name` that logs through `log`.
    fn create(name: &'static str, log: Log) -> Self;
    /// The log it writes through.
    fn log(&self) -> &Log;
    /// This table, as the database drives it.
    fn state_mut(&mut self) -> &mut dyn TableState {
        self
    }
}

/// A table's name and log, and the keys of its entries.
#[derive(Debug, Clone)]
pub(crate) struct Handle {
    pub name: &'static str,
    pub log: Log,
}

impl Handle {
    /// The key of an entry whose table-specific part is `parts`, encoded in turn.
    pub fn key(&self, parts: &[&dyn ErasedSerialize]) -> Result<Vec<u8>> {
        let mut key = Vec::with_capacity(self.name.len() + 16);
        encode_key(self.name, parts, &mut key)?;
        Ok(key)
    }

    /// Logs one put of the entry keyed by `key`, whose value now is `old`
    /// (see [`Recorder::put`]).
    pub fn put<V: Serialize>(
        &self,
        key: &[&dyn ErasedSerialize],
        value: &V,
        old: Option<&V>,
    ) -> Result<()> {
        self.log
            .record(self.name, |changes| changes.put(key, value, old))
    }

    /// Logs one delete of the entry keyed by `key`, whose value now is `old`.
    pub fn delete<V: Serialize>(
        &self,
        key: &[&dyn ErasedSerialize],
        old: Option<&V>,
    ) -> Result<()> {
        self.log
            .record(self.name, |changes| changes.delete(key, old))
    }

    /// A value encoded for the log.
    pub fn value<T: Serialize>(&self, value: &T) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        codec::encode_into(self.name, value, &mut out)?;
        Ok(out)
    }

    /// An error for an entry whose key does not parse.
    pub fn bad_key(&self, why: &str) -> Error {
        Error::Decode {
            table: self.name.to_string(),
            reason: format!("an entry's key {why}"),
        }
    }
}

// ANCHOR: encode_key
/// Appends the key of `table`'s entry whose table-specific part is `parts`:
/// the table's name, a zero byte, then each part, encoded in turn.
pub(crate) fn encode_key(
    table: &'static str,
    parts: &[&dyn ErasedSerialize],
    out: &mut Vec<u8>,
) -> Result<()> {
    out.extend_from_slice(table.as_bytes());
    out.push(0);
    parts.iter().try_for_each(|part| part.encode(table, out))
}
// ANCHOR_END: encode_key

/// One part of an entry's key: `Serialize`, made object-safe so that a key
/// can be a list of parts of different types.
pub trait ErasedSerialize {
    /// Appends the encoding of `self` to `out`; `table` names the table in an error.
    fn encode(&self, table: &'static str, out: &mut Vec<u8>) -> Result<()>;
}

impl<T: Serialize> ErasedSerialize for T {
    fn encode(&self, table: &'static str, out: &mut Vec<u8>) -> Result<()> {
        codec::encode_into(table, self, out)
    }
}

/// An 8-byte big-endian id: entries of one list sort in the order they were added.
pub(crate) struct Id(pub u64);

impl ErasedSerialize for Id {
    fn encode(&self, _: &'static str, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(&self.0.to_be_bytes());
        Ok(())
    }
}

/// Reads the 8-byte id at the end of a key's rest.
pub(crate) fn read_id(handle: &Handle, rest: &[u8]) -> Result<u64> {
    let bytes: [u8; 8] = rest
        .try_into()
        .map_err(|_| handle.bad_key("does not end in an 8-byte id"))?;
    Ok(u64::from_be_bytes(bytes))
}
