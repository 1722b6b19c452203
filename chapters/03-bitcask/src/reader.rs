//! Reading entries from data files.
//!
//! A closed data file never changes, so it is memory-mapped: a read is then a
//! copy out of the operating system's page cache, with no system call. On a
//! machine where a `pread` costs most of a microsecond, that is the difference
//! between a few hundred thousand reads a second and a few million. The file
//! being written is read with `pread` instead (its end keeps moving).
//!
//! This is the only module of the crate with `unsafe` code: creating a map.

#![allow(unsafe_code)]

use std::borrow::Cow;
use std::fs::File;
use std::io;
use std::path::Path;

use memmap2::Mmap;

use crate::files;

/// A way to read a data file's bytes at an offset.
#[derive(Debug)]
pub enum Reader {
    /// A closed, immutable file, mapped into memory.
    Mapped(Mmap),
    /// A file still growing, read with positioned reads.
    Growing(File),
}

impl Reader {
    /// Maps the closed data file at `path`.
    pub fn map(path: &Path) -> io::Result<Reader> {
        Reader::map_file(&File::open(path)?)
    }

    /// A reader on an open data file of `size` bytes: mapped, unless it is
    /// empty (an empty file cannot be mapped).
    pub fn of_file(file: File, size: u64) -> io::Result<Reader> {
        if size == 0 {
            Ok(Reader::Growing(file))
        } else {
            Reader::map_file(&file)
        }
    }

    /// Maps an open, closed-for-writing data file.
    fn map_file(file: &File) -> io::Result<Reader> {
        // SAFETY: a mapping is only sound while nothing truncates or rewrites
        // the file's mapped bytes. We map only closed data files, which bitcask
        // never rewrites or shrinks: this crate appends only to its active file
        // (never mapped), and so does Riak, whose one truncation (`un_write`)
        // also applies only to its active file, which is locked and which
        // readers leave out. A file removed by a merge stays mapped until the
        // map is dropped (unlinking does not affect existing mappings).
        let map = unsafe { Mmap::map(file)? };
        Ok(Reader::Mapped(map))
    }

    /// Opens the growing data file at `path` for positioned reads.
    pub fn growing(path: &Path) -> io::Result<Reader> {
        Ok(Reader::Growing(File::open(path)?))
    }

    /// The `len` bytes at `offset`: borrowed from a mapped file, read into a
    /// new buffer from a growing one. Reading past the end is an
    /// `UnexpectedEof` error, never a panic.
    pub fn bytes(&self, offset: u64, len: usize) -> io::Result<Cow<'_, [u8]>> {
        match self {
            Reader::Mapped(map) => {
                let start = usize::try_from(offset).map_err(|_| io::ErrorKind::UnexpectedEof)?;
                let end = start.checked_add(len).ok_or(io::ErrorKind::UnexpectedEof)?;
                map.get(start..end)
                    .map(Cow::Borrowed)
                    .ok_or_else(|| io::ErrorKind::UnexpectedEof.into())
            }
            Reader::Growing(file) => {
                let mut bytes = vec![0; len];
                files::read_at(file, &mut bytes, offset)?;
                Ok(Cow::Owned(bytes))
            }
        }
    }
}
