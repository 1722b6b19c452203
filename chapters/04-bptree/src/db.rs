//! Opening a bbolt file and choosing its meta.
//!
//! This first part of the chapter reads: [`DB::open`] with `read_only` maps
//! the file, picks the newer valid meta page, and hands out read
//! transactions. Writing (copy-on-write commits) builds on it.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use memmap2::Mmap;

use crate::meta::{Meta, NO_FREELIST};
use crate::tx::ReadTx;
use crate::{Error, Result};

/// Options for [`DB::open`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Open for reading only, beside other readers (a shared file lock).
    pub read_only: bool,
}

/// An open bbolt file.
#[derive(Debug)]
pub struct DB {
    path: PathBuf,
    _file: File,
    map: Arc<Mmap>,
    meta: Meta,
}

impl DB {
    /// Opens the file at `path`.
    ///
    /// # Errors
    /// [`Error::Locked`] if a writer has it open; [`Error::Invalid`] if neither
    /// meta page is valid.
    pub fn open(path: impl AsRef<Path>, options: Options) -> Result<DB> {
        let path = path.as_ref().to_path_buf();
        if !options.read_only {
            return Err(Error::Io {
                path,
                source: std::io::Error::new(
                    std::io::ErrorKind::Unsupported,
                    "writing is not implemented yet: open read-only",
                ),
            });
        }
        let file = File::open(&path).map_err(|e| Error::io(&path, e))?;
        match file.try_lock_shared() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(Error::Locked { path }),
            Err(TryLockError::Error(e)) => return Err(Error::io(path, e)),
        }
        let map = crate::mmap::map(&file).map_err(|e| Error::io(&path, e))?;
        let meta = choose_meta(&map).map_err(|reason| Error::Invalid {
            path: path.clone(),
            reason,
        })?;
        Ok(DB {
            path,
            _file: file,
            map: Arc::new(map),
            meta,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The page size.
    pub fn page_size(&self) -> u32 {
        self.meta.page_size
    }

    /// Starts a read transaction on the latest committed state.
    pub fn begin_read(&self) -> ReadTx {
        ReadTx::new(Arc::clone(&self.map), self.meta)
    }

    /// Runs `f` in a read transaction.
    pub fn view<T>(&self, f: impl FnOnce(&ReadTx) -> Result<T>) -> Result<T> {
        f(&self.begin_read())
    }
}

/// The bytes bbolt writes to start an empty file: meta 0 (txid 0) and meta 1
/// (txid 1), an empty freelist at page 2, and the root bucket's empty leaf at
/// page 3; the root is page 3, the freelist page 2, and four pages are in use.
pub fn initial_file(page_size: u32) -> Vec<u8> {
    let size = page_size as usize;
    let mut file = Vec::with_capacity(4 * size);
    for txid in 0..2 {
        let meta = Meta {
            page_size,
            flags: 0,
            root: 3,
            sequence: 0,
            freelist: 2,
            pgid: 4,
            txid,
        };
        file.extend_from_slice(&meta.encode());
    }
    for (id, flags) in [(2u64, crate::page::FREELIST), (3, crate::page::LEAF)] {
        let mut page = vec![0; size];
        page[0..8].copy_from_slice(&id.to_le_bytes());
        page[8..10].copy_from_slice(&flags.to_le_bytes());
        file.extend_from_slice(&page);
    }
    file
}

/// The newer of the two valid metas (meta 0 when their txids are equal).
///
/// Meta 0 says the page size, and so where meta 1 is. If meta 0 is damaged,
/// meta 1 is looked for at every power-of-two page size from 512 bytes to
/// 64 KiB.
pub fn choose_meta(file: &[u8]) -> Result<Meta, String> {
    let sane = |m: Meta| -> Result<Meta, String> {
        let size = u64::from(m.page_size);
        if !m.page_size.is_power_of_two() || !(512..=65536).contains(&m.page_size) {
            return Err(format!("implausible page size {}", m.page_size));
        }
        if m.pgid < 4
            || m.root < 2
            || m.root >= m.pgid
            || (m.freelist != NO_FREELIST && (m.freelist < 2 || m.freelist >= m.pgid))
        {
            return Err(format!(
                "root {} or freelist {} outside the {} pages in use",
                m.root, m.freelist, m.pgid
            ));
        }
        if m.pgid.saturating_mul(size) > file.len() as u64 {
            return Err(format!(
                "{} pages of {size} bytes do not fit in the {}-byte file",
                m.pgid,
                file.len()
            ));
        }
        Ok(m)
    };
    let meta0 = Meta::decode(file).and_then(sane);
    let meta1 = match &meta0 {
        Ok(m) => file
            .get(m.page_size as usize..)
            .ok_or("file too short for meta 1".to_string())
            .and_then(Meta::decode)
            .and_then(sane),
        Err(_) => (9..=16)
            .filter_map(|shift| file.get(1usize << shift..))
            .map(|bytes| Meta::decode(bytes).and_then(sane))
            .find(Result::is_ok)
            .unwrap_or_else(|| Err("no valid meta 1 at any page size".into())),
    };
    match (meta0, meta1) {
        (Ok(a), Ok(b)) => Ok(if b.txid > a.txid { b } else { a }),
        (Ok(a), Err(_)) => Ok(a),
        (Err(_), Ok(b)) => Ok(b),
        (Err(a), Err(b)) => Err(format!("meta 0: {a}; meta 1: {b}")),
    }
}
