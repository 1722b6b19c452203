//! [`Batch`]: changes meant to be applied together.

/// One change in a [`Batch`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BatchOp {
    /// Set `key` to `value`.
    Put {
        /// The key.
        key: Vec<u8>,
        /// The value.
        value: Vec<u8>,
    },
    /// Remove `key` (nothing happens if it is not there).
    Delete {
        /// The key.
        key: Vec<u8>,
    },
}

impl BatchOp {
    /// The key the change is about.
    pub fn key(&self) -> &[u8] {
        match self {
            BatchOp::Put { key, .. } | BatchOp::Delete { key } => key,
        }
    }
}

/// Changes applied in order, all or nothing, by
/// [`KeyValue::write`](crate::KeyValue::write) on the engines with
/// [`Capability::AtomicBatches`](crate::Capability::AtomicBatches).
///
/// ```
/// use strata::Batch;
/// let batch = Batch::new().put("fig", "purple").delete("apple");
/// assert_eq!(batch.len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Batch {
    ops: Vec<BatchOp>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Batch {
        Batch::default()
    }

    /// This batch, then a put of `key`.
    pub fn put(mut self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) -> Batch {
        self.push(BatchOp::Put {
            key: key.into(),
            value: value.into(),
        });
        self
    }

    /// This batch, then a delete of `key`.
    pub fn delete(mut self, key: impl Into<Vec<u8>>) -> Batch {
        self.push(BatchOp::Delete { key: key.into() });
        self
    }

    /// Adds `op` at the end.
    pub fn push(&mut self, op: BatchOp) {
        self.ops.push(op);
    }

    /// The changes, in order.
    pub fn ops(&self) -> &[BatchOp] {
        &self.ops
    }

    /// How many changes the batch holds.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether the batch holds no change.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

impl FromIterator<BatchOp> for Batch {
    fn from_iter<I: IntoIterator<Item = BatchOp>>(iter: I) -> Batch {
        Batch {
            ops: iter.into_iter().collect(),
        }
    }
}
