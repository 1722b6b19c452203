//! The crate's one error type.

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The log (chapter 2's write-ahead log) failed: I/O, a lock, damage.
    #[error(transparent)]
    Log(#[from] strata_wal::Error),

    /// A value could not be encoded for the log.
    #[error("table `{table}`: cannot encode a value: {reason}")]
    Encode {
        /// The table.
        table: &'static str,
        /// What the encoder said.
        reason: String,
    },

    /// A logged entry does not decode as the table's types: the schema
    /// changed a table's types without a migration, or the log is damaged.
    #[error("table `{table}`: a logged entry does not decode: {reason}")]
    Decode {
        /// The table.
        table: String,
        /// What is wrong.
        reason: String,
    },

    /// The log holds a table this schema does not have: it was removed or
    /// renamed. (Name it with `#[table(name = "...")]` to keep reading it.)
    #[error("the log holds table `{name}`, which this schema does not have (renamed or removed?)")]
    UnknownTable {
        /// The table's stored name.
        name: String,
    },

    /// The B+tree file of a [`DiskTable`](crate::DiskTable) could not be
    /// opened, read or written.
    #[error("table `{table}`: its file: {source}")]
    DiskTable {
        /// The table.
        table: String,
        /// What chapter 4's B+tree said.
        source: strata_bptree::Error,
    },

    /// A change to a database opened read-only.
    #[error("the database is open read-only")]
    ReadOnly,

    /// Compacting inside a transaction: the tables hold changes that are not
    /// committed, so a snapshot of them could outlive a rollback.
    #[error("cannot compact inside a transaction; compact after it commits")]
    InTransaction,

    /// An index past the end of a list.
    #[error("table `{table}`: index {index} is past the end (length {len})")]
    OutOfRange {
        /// The table.
        table: &'static str,
        /// The index given.
        index: usize,
        /// The list's length.
        len: usize,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
