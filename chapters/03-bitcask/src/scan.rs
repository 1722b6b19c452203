//! Reading a data file from start to end, as opening (without a valid hint)
//! and merging do, with Riak's rules for damage:
//!
//! - an entry cut short at the end of the file (a torn write) ends the scan
//!   silently: the file's last, incomplete entry never happened;
//! - an entry whose CRC fails is skipped, using the lengths in its header;
//!   after 20 such entries the rest of the file is abandoned.
//!
//! No length in a file is trusted: an entry that claims more bytes than the
//! file has left is treated as torn, so a hostile length never allocates.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use crate::entry::{self, HEADER_LEN, Header};
use crate::{Error, Result};

/// Riak abandons a file after this many entries with a bad CRC.
pub const MAX_BAD_ENTRIES: u32 = 20;

/// An intact entry found by [`scan`], owning its bytes.
#[derive(Debug)]
pub struct ScannedEntry {
    /// Where it starts.
    pub offset: u64,
    /// Its total size.
    pub entry_len: u32,
    /// When it was written.
    pub tstamp: u32,
    /// The key.
    pub key: Vec<u8>,
    /// The value.
    pub value: Vec<u8>,
}

/// What a scan found besides entries.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScanReport {
    /// Entries skipped for a bad CRC.
    pub bad_entries: u32,
    /// Bytes at the end that did not form a complete entry (a torn write).
    pub torn_bytes: u64,
    /// Whether the scan gave up after [`MAX_BAD_ENTRIES`].
    pub abandoned: bool,
}

/// Calls `visit` for every intact entry of the data file at `path`, in order.
pub fn scan(path: &Path, visit: impl FnMut(ScannedEntry) -> Result<()>) -> Result<ScanReport> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    scan_file(&file, path, visit)
}

// ANCHOR: scan
/// Calls `visit` for every intact entry of `file` (the data file at `path`),
/// in order, reading from its start.
pub fn scan_file(
    mut file: &File,
    path: &Path,
    mut visit: impl FnMut(ScannedEntry) -> Result<()>,
) -> Result<ScanReport> {
    let io_err = |e| Error::io(path, e);
    let size = file.metadata().map_err(io_err)?.len();
    file.rewind().map_err(io_err)?;
    let mut reader = BufReader::with_capacity(256 * 1024, file);
    let mut report = ScanReport::default();
    let mut offset = 0u64;
    let mut header_bytes = [0u8; HEADER_LEN];
    let mut body = Vec::new();
    while offset < size {
        if size - offset < HEADER_LEN as u64 {
            report.torn_bytes = size - offset;
            break;
        }
        reader.read_exact(&mut header_bytes).map_err(io_err)?;
        let Some(header) = Header::parse(&header_bytes) else {
            break;
        };
        let entry_len = header.entry_len();
        if entry_len > size - offset {
            report.torn_bytes = size - offset;
            break;
        }
        body.clear();
        body.extend_from_slice(&header_bytes);
        body.resize(entry_len as usize, 0);
        reader.read_exact(&mut body[HEADER_LEN..]).map_err(io_err)?;
        // An entry's total size must fit the u32 hints and the keydir keep it
        // in; a larger one (only a hostile file has it) counts as damaged.
        match entry::decode(&body).ok().zip(u32::try_from(entry_len).ok()) {
            Some((entry, entry_len)) => visit(ScannedEntry {
                offset,
                entry_len,
                tstamp: entry.tstamp,
                key: entry.key.to_vec(),
                value: entry.value.to_vec(),
            })?,
            None => {
                report.bad_entries += 1;
                if report.bad_entries >= MAX_BAD_ENTRIES {
                    report.abandoned = true;
                    break;
                }
            }
        }
        offset += entry_len;
    }
    Ok(report)
}
// ANCHOR_END: scan
