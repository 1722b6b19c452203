//! [`Batch`]: changes meant to be applied together.

/// One change in a [`Batch`].
///
/// ```
/// use strata::{Batch, BatchOp};
/// let batch = Batch::new().put("k", "v").delete("old");
/// assert_eq!(batch.ops()[1], BatchOp::Delete { key: b"old".to_vec() });
/// ```
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
    ///
    /// ```
    /// let batch = strata::Batch::new().put("a", "1").delete("b");
    /// let keys: Vec<&[u8]> = batch.ops().iter().map(|op| op.key()).collect();
    /// assert_eq!(keys, [b"a", b"b"]);
    /// ```
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
    ///
    /// ```
    /// assert!(strata::Batch::new().is_empty());
    /// ```
    pub fn new() -> Batch {
        Batch::default()
    }

    /// This batch, then a put of `key`.
    ///
    /// ```
    /// use strata::{Batch, BatchOp};
    /// let batch = Batch::new().put("k", "v").put(vec![0u8, 1], [2u8]);
    /// assert_eq!(batch.ops()[0], BatchOp::Put { key: b"k".to_vec(), value: b"v".to_vec() });
    /// assert_eq!(batch.ops()[1].key(), [0, 1]);
    /// ```
    pub fn put(mut self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) -> Batch {
        self.push(BatchOp::Put {
            key: key.into(),
            value: value.into(),
        });
        self
    }

    /// This batch, then a delete of `key`.
    ///
    /// ```
    /// use strata::{Batch, BatchOp};
    /// let batch = Batch::new().delete("k");
    /// assert_eq!(batch.ops(), [BatchOp::Delete { key: b"k".to_vec() }]);
    /// ```
    pub fn delete(mut self, key: impl Into<Vec<u8>>) -> Batch {
        self.push(BatchOp::Delete { key: key.into() });
        self
    }

    /// Adds `op` at the end.
    ///
    /// ```
    /// use strata::{Batch, BatchOp};
    /// let mut batch = Batch::new();
    /// for key in ["a", "b"] {
    ///     batch.push(BatchOp::Delete { key: key.into() });
    /// }
    /// assert_eq!(batch, Batch::new().delete("a").delete("b"));
    /// ```
    pub fn push(&mut self, op: BatchOp) {
        self.ops.push(op);
    }

    /// The changes, in order.
    ///
    /// ```
    /// use strata::{Batch, BatchOp};
    /// let batch = Batch::new().put("k", "1").put("k", "2"); // applied in order: "2" wins
    /// assert!(matches!(&batch.ops()[1], BatchOp::Put { value, .. } if value == b"2"));
    /// ```
    pub fn ops(&self) -> &[BatchOp] {
        &self.ops
    }

    /// How many changes the batch holds.
    ///
    /// ```
    /// assert_eq!(strata::Batch::new().put("k", "v").put("k", "w").len(), 2); // each change counts
    /// ```
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether the batch holds no change.
    ///
    /// ```
    /// let batch = strata::Batch::new();
    /// assert!(batch.is_empty() && !batch.put("k", "v").is_empty());
    /// ```
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
