//! [`Options`] for opening and creating a [`Store`](crate::Store).

/// When a store's writes reach the disk.
///
/// Every policy survives a crash of the process for the engines that hand
/// each write to the operating system (the log, Bitcask, the B+tree); they
/// differ in what survives a power cut.
///
/// ```
/// use strata::{Options, SyncPolicy};
/// assert_eq!(Options::default().sync, SyncPolicy::Always);
/// let fast = Options::new().sync(SyncPolicy::OnFlush); // then flush at the points that matter
/// assert_eq!(fast.sync, SyncPolicy::OnFlush);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SyncPolicy {
    /// Every write is on disk before the call that made it returns.
    /// Concurrent writers share syncs (group commit), so many threads
    /// writing at once pay far less than one sync each. The default.
    #[default]
    Always,
    /// Writes reach the disk at [`flush`](crate::KeyValue::flush) and
    /// [`close`](crate::Store::close). Fast; a power cut loses what was
    /// written since the last flush. A flat file keeps its changes in memory
    /// until then, so for it a crash of the process loses them too.
    OnFlush,
}

/// How to open or create a [`Store`](crate::Store).
///
/// ```
/// use strata::{Options, SyncPolicy};
/// let options = Options::new().sync(SyncPolicy::OnFlush).bucket("widgets");
/// assert_eq!(options.sync, SyncPolicy::OnFlush);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Options {
    /// When writes reach the disk. Default: [`SyncPolicy::Always`].
    pub sync: SyncPolicy,
    /// Open to read only: nothing on disk is changed, created or locked
    /// for writing, and every write is [`Error::ReadOnly`](crate::Error::ReadOnly).
    /// The flat file and the log are read whole at open, without their
    /// lock (a writer may go on beside; the store shows the moment it was
    /// opened); Bitcask opens its files read-only beside any writer, and, as
    /// Riak's does, leaves out the file a live writer is appending to; the
    /// B+tree takes bbolt's shared lock, so it waits for a writer in
    /// another process as bbolt does. Default: off. Only for
    /// [`Store::open_with`](crate::Store::open_with) and
    /// [`Store::open_as`](crate::Store::open_as).
    pub read_only: bool,
    /// The B+tree only: the bucket the store's keys live in (bbolt files
    /// keep every key in a bucket). Default: `strata`.
    pub bucket: Vec<u8>,
    /// Bitcask's own options (file size, expiry, merge triggers, clock),
    /// for what the common ones leave out. Its sync strategy and
    /// `create_if_missing` are set from [`sync`](Options::sync) and from
    /// whether the store is opened or created.
    #[cfg(feature = "bitcask")]
    pub bitcask: strata_bitcask::Options,
    /// The B+tree's own options (page size, lock timeout, freelist), for
    /// what the common ones leave out. Its `read_only` is set from
    /// [`read_only`](Options::read_only), and `no_sync` from
    /// [`sync`](Options::sync).
    #[cfg(feature = "bptree")]
    pub bptree: strata_bptree::Options,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            sync: SyncPolicy::Always,
            read_only: false,
            bucket: b"strata".to_vec(),
            #[cfg(feature = "bitcask")]
            bitcask: strata_bitcask::Options::default(),
            #[cfg(feature = "bptree")]
            bptree: strata_bptree::Options::default(),
        }
    }
}

impl Options {
    /// The default options.
    ///
    /// ```
    /// use strata::{Options, SyncPolicy};
    /// let options = Options::new();
    /// assert_eq!(options, Options::default());
    /// assert_eq!((options.sync, options.read_only), (SyncPolicy::Always, false));
    /// assert_eq!(options.bucket, b"strata");
    /// ```
    pub fn new() -> Options {
        Options::default()
    }

    /// These options with another sync policy.
    ///
    /// ```
    /// use strata::{Options, SyncPolicy};
    /// assert_eq!(Options::new().sync(SyncPolicy::OnFlush).sync, SyncPolicy::OnFlush);
    /// ```
    pub fn sync(mut self, sync: SyncPolicy) -> Options {
        self.sync = sync;
        self
    }

    /// These options, read-only or not (see [`Options::read_only`]).
    ///
    /// ```
    /// # #[cfg(feature = "flat-file")] {
    /// use strata::{Engine, ErrorKind, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("notes");
    /// Store::create(&path, Engine::FlatFile, Options::default())?.put("k", "v")?;
    /// let store = Store::open_with(&path, Options::new().read_only(true))?;
    /// assert_eq!(store.get("k")?.as_deref(), Some(&b"v"[..]));
    /// assert_eq!(store.put("k", "w").unwrap_err().kind(), ErrorKind::InvalidInput);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_only(mut self, read_only: bool) -> Options {
        self.read_only = read_only;
        self
    }

    /// These options with another bucket (the B+tree only).
    ///
    /// ```
    /// # #[cfg(feature = "bptree")] {
    /// use strata::{Engine, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("app.db");
    /// let store = Store::create(&path, Engine::Bptree, Options::new().bucket("widgets"))?;
    /// store.put("k", "v")?;
    /// store.close()?;
    /// // The same file, another bucket: none of the first one's keys.
    /// let other = Store::open_with(&path, Options::new().bucket("gadgets"))?;
    /// assert_eq!(other.get("k")?, None);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bucket(mut self, name: impl Into<Vec<u8>>) -> Options {
        self.bucket = name.into();
        self
    }
}
