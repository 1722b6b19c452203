//! Mapping the file into memory, the only `unsafe` code in this crate.
//!
//! Reads are zero-copy: keys and values handed out by a transaction are slices
//! of the map, valid for as long as the transaction.

#![allow(unsafe_code)]

use std::fs::File;
use std::io;

use memmap2::{Advice, Mmap, MmapOptions};

/// Maps the first `len` bytes of `file` read-only (`len` may pass the end of
/// the file, so that the map need not change each time the file grows).
pub fn map(file: &File, len: usize) -> io::Result<Mmap> {
    // SAFETY: a map is sound while no one truncates the file or rewrites the
    // mapped bytes behind our back. The file lock keeps other processes'
    // writers out while we have it open (a read-only open holds a shared lock,
    // a writer an exclusive one). Our own writer never rewrites a page that a
    // live transaction can see: copy-on-write commits only write pages that
    // were free, and a page is freed for reuse only once no reader can still
    // reach it. The file only grows while open. Bytes of the map past the
    // end of the file would fault if touched; every read is bounded by the
    // file's length (`Snapshot::pages`), never by the map's.
    let map = unsafe { MmapOptions::new().len(len).map(file)? };
    // Tree lookups jump around the file: read-ahead would only waste I/O.
    let _ = map.advise(Advice::Random);
    Ok(map)
}
