//! What a log record says: put one key, delete one key, or a batch of changes
//! that must be applied all together or not at all.
//!
//! Records borrow their keys and values: encoding writes straight from the
//! caller's slices, and replay decodes straight from the file's bytes.

use serde::{Deserialize, Serialize};

use crate::Map;
use crate::codec;

// ANCHOR: op
/// One operation, as logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op<'a> {
    /// Set `key` to `value`.
    Put {
        /// The key.
        #[serde(serialize_with = "codec::bytes")]
        key: &'a [u8],
        /// The value.
        #[serde(serialize_with = "codec::bytes")]
        value: &'a [u8],
    },
    /// Remove `key`.
    Delete {
        /// The key.
        #[serde(serialize_with = "codec::bytes")]
        key: &'a [u8],
    },
    /// Several changes, applied atomically: recovery applies all or none.
    Batch(#[serde(borrow)] Vec<Change<'a>>),
}

/// One change inside a [`Op::Batch`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change<'a> {
    /// Set `key` to `value`.
    Put {
        /// The key.
        #[serde(serialize_with = "codec::bytes")]
        key: &'a [u8],
        /// The value.
        #[serde(serialize_with = "codec::bytes")]
        value: &'a [u8],
    },
    /// Remove `key`.
    Delete {
        /// The key.
        #[serde(serialize_with = "codec::bytes")]
        key: &'a [u8],
    },
}
// ANCHOR_END: op

impl Op<'_> {
    /// Applies this operation to `map`.
    pub fn apply(&self, map: &mut Map) {
        match self {
            Op::Put { key, value } => {
                map.insert(key.to_vec(), value.to_vec());
            }
            Op::Delete { key } => {
                map.remove(*key);
            }
            Op::Batch(changes) => changes.iter().for_each(|c| c.apply(map)),
        }
    }
}

impl Change<'_> {
    /// Applies this change to `map`.
    pub fn apply(&self, map: &mut Map) {
        match self {
            Change::Put { key, value } => {
                map.insert(key.to_vec(), value.to_vec());
            }
            Change::Delete { key } => {
                map.remove(*key);
            }
        }
    }
}

/// Changes collected to be written as one atomic record by
/// [`Store::write`](crate::Store::write).
///
/// ```
/// use strata_wal::Batch;
/// let batch = Batch::new().put("a", "1").put("b", "2").delete("c");
/// assert_eq!(batch.len(), 3);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use = "a batch does nothing until it is passed to Store::write"]
pub struct Batch {
    changes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds "set `key` to `value`".
    pub fn put(mut self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) -> Self {
        self.changes.push((key.into(), Some(value.into())));
        self
    }

    /// Adds "remove `key`".
    pub fn delete(mut self, key: impl Into<Vec<u8>>) -> Self {
        self.changes.push((key.into(), None));
        self
    }

    /// The number of changes.
    pub fn len(&self) -> usize {
        self.changes.len()
    }

    /// Whether the batch has no changes.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The batch as a loggable operation, borrowing its keys and values.
    pub fn as_op(&self) -> Op<'_> {
        Op::Batch(
            self.changes
                .iter()
                .map(|(key, value)| match value {
                    Some(value) => Change::Put { key, value },
                    None => Change::Delete { key },
                })
                .collect(),
        )
    }
}
