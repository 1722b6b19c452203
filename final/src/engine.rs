//! The engines `strata` can run, and what each can promise.
//!
//! Every engine stores bytes under byte keys and can get, put, delete and make
//! its writes durable. Beyond that they differ, because their designs do: a
//! Bitcask's keydir is a hash table, so it cannot list keys in order; only the
//! B+tree keeps old versions alive for a reader while a writer works. Those
//! differences are [`Capability`]s, discoverable at run time with
//! [`KeyValue::capabilities`](crate::KeyValue::capabilities); asking an engine
//! for one it lacks is [`Error::Unsupported`](crate::Error::Unsupported).
//!
//! These types are always compiled, whatever features are on, so a program
//! can name an engine its build leaves out (and get
//! [`Error::FeatureDisabled`](crate::Error::FeatureDisabled) when it asks for it).

use std::fmt;

/// One of the storage engines of the book.
///
/// ```
/// use strata::{Capability, Engine};
/// // The engines with ordered scans, from the engines' own descriptions:
/// let ordered: Vec<Engine> = Engine::ALL
///     .into_iter()
///     .filter(|e| e.capabilities().contains(Capability::OrderedScans))
///     .collect();
/// assert_eq!(ordered, [Engine::FlatFile, Engine::Wal, Engine::Bptree]);
/// assert_eq!(Engine::Bitcask.to_string(), "bitcask");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Engine {
    /// Chapter 1: a map in memory, saved whole to one checksummed file.
    FlatFile,
    /// Chapter 2: a map in memory, made durable by a write-ahead log.
    Wal,
    /// Chapter 3: append-only data files and an in-memory hash of the keys,
    /// in Riak's bitcask format.
    Bitcask,
    /// Chapter 4: a copy-on-write B+tree in one file, in Go bbolt's format.
    Bptree,
}

impl Engine {
    /// Every engine, in the order of the book.
    ///
    /// ```
    /// let names: Vec<&str> = strata::Engine::ALL.iter().map(|e| e.name()).collect();
    /// assert_eq!(names, ["flat-file", "wal", "bitcask", "bptree"]);
    /// ```
    pub const ALL: [Engine; 4] = [
        Engine::FlatFile,
        Engine::Wal,
        Engine::Bitcask,
        Engine::Bptree,
    ];

    /// The engine's name, as the Cargo feature that builds it spells it.
    ///
    /// ```
    /// assert_eq!(strata::Engine::FlatFile.name(), "flat-file");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Engine::FlatFile => "flat-file",
            Engine::Wal => "wal",
            Engine::Bitcask => "bitcask",
            Engine::Bptree => "bptree",
        }
    }

    // ANCHOR: capabilities
    /// What the engine can do beyond the base [`KeyValue`](crate::KeyValue) operations.
    ///
    /// ```
    /// use strata::{Capability, Engine};
    /// assert!(Engine::Bptree.capabilities().contains(Capability::Transactions));
    /// assert!(!Engine::Bitcask.capabilities().contains(Capability::OrderedScans));
    /// ```
    pub fn capabilities(self) -> Capabilities {
        use Capability::{AtomicBatches, OrderedScans, Transactions};
        match self {
            Engine::FlatFile | Engine::Wal => Capabilities::of(&[AtomicBatches, OrderedScans]),
            Engine::Bitcask => Capabilities::of(&[]),
            Engine::Bptree => Capabilities::of(&[AtomicBatches, OrderedScans, Transactions]),
        }
    }
    // ANCHOR_END: capabilities

    /// Whether this build of `strata` includes the engine (its feature is on).
    ///
    /// ```
    /// use strata::{Engine, Error, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let created = Store::create(dir.path().join("cask"), Engine::Bitcask, Options::default());
    /// if Engine::Bitcask.is_enabled() {
    ///     assert!(created.is_ok());
    /// } else {
    ///     assert!(matches!(created, Err(Error::FeatureDisabled { engine: Engine::Bitcask })));
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_enabled(self) -> bool {
        match self {
            Engine::FlatFile => cfg!(feature = "flat-file"),
            Engine::Wal => cfg!(feature = "wal"),
            Engine::Bitcask => cfg!(feature = "bitcask"),
            Engine::Bptree => cfg!(feature = "bptree"),
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Something only some engines can do.
///
/// ```
/// use strata::{Capability, Engine};
/// let wal = Engine::Wal.capabilities();
/// assert!(wal.contains(Capability::AtomicBatches) && !wal.contains(Capability::Transactions));
/// assert_eq!(Capability::OrderedScans.to_string(), "ordered scans");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Capability {
    /// [`KeyValue::write`](crate::KeyValue::write) applies a whole
    /// [`Batch`](crate::Batch) or none of it, even across a crash.
    AtomicBatches,
    /// [`Ordered`](crate::Ordered): keys come back in byte order, by range or prefix.
    OrderedScans,
    /// [`Transactional`](crate::Transactional): read transactions that see one
    /// snapshot while writers go on, and write transactions that read their
    /// own writes and commit all or nothing.
    Transactions,
}

impl Capability {
    /// Every capability.
    ///
    /// ```
    /// use strata::{Capability, Engine};
    /// // Only the B+tree has them all.
    /// let all: Vec<Engine> = Engine::ALL
    ///     .into_iter()
    ///     .filter(|e| Capability::ALL.iter().all(|c| e.capabilities().contains(*c)))
    ///     .collect();
    /// assert_eq!(all, [Engine::Bptree]);
    /// ```
    pub const ALL: [Capability; 3] = [
        Capability::AtomicBatches,
        Capability::OrderedScans,
        Capability::Transactions,
    ];

    /// A short description, as errors and tables show it.
    ///
    /// ```
    /// use strata::{Capability, Engine, Error};
    /// assert_eq!(Capability::Transactions.describe(), "transactions with snapshot reads");
    /// let e = Error::Unsupported { engine: Engine::Wal, capability: Capability::Transactions };
    /// assert_eq!(e.to_string(), "the wal engine does not offer transactions with snapshot reads");
    /// ```
    pub fn describe(self) -> &'static str {
        match self {
            Capability::AtomicBatches => "atomic batches",
            Capability::OrderedScans => "ordered scans",
            Capability::Transactions => "transactions with snapshot reads",
        }
    }

    fn bit(self) -> u8 {
        match self {
            Capability::AtomicBatches => 1,
            Capability::OrderedScans => 2,
            Capability::Transactions => 4,
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// A set of [`Capability`]s.
///
/// ```
/// use strata::{Capabilities, Capability, Engine};
/// let set = Capabilities::of(&[Capability::OrderedScans, Capability::AtomicBatches]);
/// assert_eq!(set, Engine::FlatFile.capabilities());
/// assert_eq!(format!("{set:?}"), "{AtomicBatches, OrderedScans}");
/// assert_eq!(Capabilities::default(), Engine::Bitcask.capabilities()); // none
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Capabilities(u8);

impl Capabilities {
    /// The set holding `list`.
    ///
    /// ```
    /// use strata::{Capabilities, Capability};
    /// let set = Capabilities::of(&[Capability::Transactions, Capability::Transactions]);
    /// assert_eq!(set.iter().count(), 1); // a set: each capability once
    /// ```
    pub fn of(list: &[Capability]) -> Capabilities {
        Capabilities(list.iter().fold(0, |bits, c| bits | c.bit()))
    }

    /// Whether the set holds `capability`.
    ///
    /// ```
    /// use strata::{Capability, Engine};
    /// assert!(Engine::Bptree.capabilities().contains(Capability::Transactions));
    /// assert!(!Engine::Wal.capabilities().contains(Capability::Transactions));
    /// ```
    pub fn contains(self, capability: Capability) -> bool {
        self.0 & capability.bit() != 0
    }

    /// The capabilities in the set, in [`Capability::ALL`]'s order.
    ///
    /// ```
    /// use strata::{Capability, Engine};
    /// let wal: Vec<Capability> = Engine::Wal.capabilities().iter().collect();
    /// assert_eq!(wal, [Capability::AtomicBatches, Capability::OrderedScans]);
    /// ```
    pub fn iter(self) -> impl Iterator<Item = Capability> {
        Capability::ALL
            .into_iter()
            .filter(move |c| self.contains(*c))
    }
}

impl fmt::Debug for Capabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}
