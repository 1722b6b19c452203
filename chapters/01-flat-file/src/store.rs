//! [`FlatFile`]: a sorted map in memory, saved whole to one file.
//!
//! Reads and writes touch only memory; nothing reaches the disk until
//! [`FlatFile::save`], which rewrites the entire file. That is the chapter's
//! point and its cost: changing one key costs as much as changing them all.

use std::io::{self, ErrorKind};
use std::ops::RangeBounds;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Error, Map, Result, SaveStep, atomic, codec, format};

/// Reads the map saved at `path`; `Ok(None)` if there is no file.
pub fn read_map(path: &Path) -> Result<Option<Map>> {
    match std::fs::read(path) {
        Ok(bytes) => format::decode(path, &bytes).map(Some),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Saves `map` to `path` atomically: durable when this returns, and a crash at
/// any point leaves either the old file or the new one.
pub fn write_map(path: &Path, map: &Map) -> Result<()> {
    atomic::write_atomic(path, &format::encode(map))
}

/// [`write_map`] on the file system `fs` (see [`Fs`](crate::fs::Fs)).
pub fn write_map_in<F: crate::fs::Fs>(fs: &F, path: &Path, map: &Map) -> Result<()> {
    atomic::write_atomic_in(fs, path, &format::encode(map), |_| Ok(()))
}

/// What [`FlatFile::open_with`] does when the file does not exist.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IfMissing {
    /// Start with an empty map; the file is created by the first save.
    #[default]
    Empty,
    /// Fail with [`Error::NotFound`].
    Error,
}

/// Options for [`FlatFile::open_with`].
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// What to do when the file does not exist.
    pub if_missing: IfMissing,
}

// ANCHOR: flat_file
/// A byte-keyed map held in memory and saved whole to one file.
///
/// Changes live in memory until [`save`](FlatFile::save); dropping a `FlatFile`
/// with unsaved changes discards them. The file on disk is replaced atomically,
/// so it always holds some complete saved version.
///
/// One process at a time should own a file: two `FlatFile`s saving the same
/// path each overwrite the other's saves (the next chapters lock their files).
#[derive(Debug)]
pub struct FlatFile {
    path: PathBuf,
    map: Map,
    unsaved: bool,
}
// ANCHOR_END: flat_file

impl FlatFile {
    /// Opens the file at `path`; a missing file is an empty map.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path, OpenOptions::default())
    }

    /// Opens the file at `path` with `options`.
    ///
    /// # Errors
    /// A damaged file is an error that says how: [`Error::BadMagic`],
    /// [`Error::UnsupportedVersion`], [`Error::Truncated`],
    /// [`Error::ChecksumMismatch`] or [`Error::Corrupt`].
    pub fn open_with(path: impl AsRef<Path>, options: OpenOptions) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let map = match (read_map(&path)?, options.if_missing) {
            (Some(map), _) => map,
            (None, IfMissing::Empty) => Map::new(),
            (None, IfMissing::Error) => return Err(Error::NotFound { path }),
        };
        Ok(FlatFile {
            path,
            map,
            unsaved: false,
        })
    }

    /// The file this map is saved to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    // ANCHOR: map_ops
    /// The value of `key`, if any.
    pub fn get(&self, key: &[u8]) -> Option<&[u8]> {
        self.map.get(key).map(Vec::as_slice)
    }

    /// Sets `key` to `value` in memory, returning the previous value.
    pub fn put(&mut self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) -> Option<Vec<u8>> {
        self.unsaved = true;
        self.map.insert(key.into(), value.into())
    }

    /// Removes `key` in memory, returning its value.
    pub fn delete(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        let old = self.map.remove(key);
        self.unsaved |= old.is_some();
        old
    }
    // ANCHOR_END: map_ops

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Whether there are changes that [`save`](FlatFile::save) has not written.
    pub fn has_unsaved_changes(&self) -> bool {
        self.unsaved
    }

    /// All entries in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&[u8], &[u8])> {
        self.map.iter().map(|(k, v)| (k.as_slice(), v.as_slice()))
    }

    /// The entries whose keys fall in `range`, in key order:
    /// `db.range("a".."m")`, `db.range(b"k".as_slice()..)`.
    pub fn range<K: AsRef<[u8]> + ?Sized>(
        &self,
        range: impl RangeBounds<K>,
    ) -> impl DoubleEndedIterator<Item = (&[u8], &[u8])> {
        self.map
            .range::<[u8], _>(crate::byte_range(&range))
            .map(|(k, v)| (k.as_slice(), v.as_slice()))
    }

    /// The in-memory map.
    pub fn as_map(&self) -> &Map {
        &self.map
    }

    // ANCHOR: typed
    /// Stores any serde value under `key`, encoded with the crate's codec.
    pub fn put_as<T: Serialize + ?Sized>(
        &mut self,
        key: impl Into<Vec<u8>>,
        value: &T,
    ) -> Result<()> {
        let key = key.into();
        let bytes = codec::to_vec(value).map_err(|reason| value_error(&key, reason))?;
        self.put(key, bytes);
        Ok(())
    }

    /// Reads the value of `key` as a `T` stored by [`put_as`](FlatFile::put_as).
    pub fn get_as<T: DeserializeOwned>(&self, key: &[u8]) -> Result<Option<T>> {
        self.get(key)
            .map(|bytes| codec::from_slice(bytes).map_err(|reason| value_error(key, reason)))
            .transpose()
    }
    // ANCHOR_END: typed

    // ANCHOR: save
    /// Writes the whole map to the file, atomically. When this returns `Ok` the
    /// saved contents are durable; on error, the file still holds the previous save.
    pub fn save(&mut self) -> Result<()> {
        self.save_with(|_| Ok(()))
    }

    /// [`save`](FlatFile::save), calling `after` after each [`SaveStep`]: an
    /// error from `after` stops the save there, as a crash would (for tests).
    pub fn save_with(&mut self, after: impl FnMut(SaveStep) -> io::Result<()>) -> Result<()> {
        atomic::write_atomic_with(&self.path, &format::encode(&self.map), after)?;
        self.unsaved = false;
        Ok(())
    }
    // ANCHOR_END: save
}

fn value_error(key: &[u8], reason: String) -> Error {
    Error::Value {
        key: String::from_utf8_lossy(key).into_owned(),
        reason,
    }
}
