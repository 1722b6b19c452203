//! The bytes of a flat file.
//!
//! ```text
//! offset  size  field
//! 0       8     magic: "STRATAFF"
//! 8       4     format version, u32 little-endian (1)
//! 12      8     record count, u64 little-endian
//! 20      ...   records, in key order, each (key, value) encoded by `codec`:
//!               varint key length, key bytes, varint value length, value bytes
//! end-4   4     CRC-32 (IEEE) of every byte before it, u32 little-endian
//! ```
//!
//! This module turns a map into those bytes and back; it does no I/O, so it can
//! be tested on bytes alone. Nothing in a file is trusted: every length is
//! checked against the bytes present before it is used.

use std::path::Path;

use crate::codec::{self, DecodeError};
use crate::{Error, Map, Result};

/// The first eight bytes of every flat file.
pub const MAGIC: [u8; 8] = *b"STRATAFF";
/// The format version this build writes and reads.
pub const VERSION: u32 = 1;
/// Magic, version and record count.
pub const HEADER_LEN: usize = 8 + 4 + 8;
/// The CRC-32 at the end of the file.
pub const CHECKSUM_LEN: usize = 4;
/// The smallest record: an empty key and an empty value, one length byte each.
const MIN_RECORD_LEN: usize = 2;

// ANCHOR: encode
/// Encodes `map` as the complete bytes of a flat file.
pub fn encode(map: &Map) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + encoded_len_hint(map) + CHECKSUM_LEN);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(map.len() as u64).to_le_bytes());
    for (key, value) in map {
        codec::encode_into(&(key.as_slice(), value.as_slice()), &mut out);
    }
    let checksum = crc32fast::hash(&out);
    out.extend_from_slice(&checksum.to_le_bytes());
    out
}
// ANCHOR_END: encode

/// Roughly how many bytes the records take, so `encode` allocates once.
fn encoded_len_hint(map: &Map) -> usize {
    map.iter().map(|(k, v)| k.len() + v.len() + 2).sum()
}

// ANCHOR: decode
/// Decodes the complete bytes of a flat file; `path` only names the file in errors.
///
/// The checks run in an order that makes each error say what happened:
/// magic (is this our file?), version (can we read it?), checksum (is it
/// intact?), and only then the records. When the checksum fails we look once
/// more to tell a file that was cut short from one whose bytes were changed.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<Map> {
    let magic_len = bytes.len().min(MAGIC.len());
    if bytes[..magic_len] != MAGIC[..magic_len] {
        let found = bytes[..magic_len].to_vec();
        return Err(Error::BadMagic {
            path: path.into(),
            found,
        });
    }
    if bytes.len() < HEADER_LEN + CHECKSUM_LEN {
        return Err(truncated(path, bytes));
    }
    let version = u32::from_le_bytes(array(&bytes[8..12]));
    if version != VERSION {
        return Err(Error::UnsupportedVersion {
            path: path.into(),
            found: version,
            supported: VERSION,
        });
    }
    let count = u64::from_le_bytes(array(&bytes[12..20]));

    let (content, stored) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
    let stored = u32::from_le_bytes(array(stored));
    let computed = crc32fast::hash(content);
    if stored != computed {
        // If the records run past the end of the file, it was cut short.
        return Err(match walk_records(&bytes[HEADER_LEN..], count) {
            Err(Stop::RanOut) => truncated(path, bytes),
            _ => Error::ChecksumMismatch {
                path: path.into(),
                stored,
                computed,
            },
        });
    }

    let records = &content[HEADER_LEN..];
    let corrupt = |offset: usize, reason: String| Error::Corrupt {
        path: path.into(),
        offset: (HEADER_LEN + offset) as u64,
        reason,
    };
    // A hostile count must not make us allocate: never reserve more records
    // than the bytes present could hold.
    let capacity = usize::try_from(count)
        .unwrap_or(usize::MAX)
        .min(records.len() / MIN_RECORD_LEN);
    let mut entries: Vec<(Vec<u8>, Vec<u8>)> = Vec::with_capacity(capacity);
    let mut offset = 0;
    for _ in 0..count {
        let ((key, value), used) = codec::decode_borrowed::<(&[u8], &[u8])>(&records[offset..])
            .map_err(|e| corrupt(offset, format!("record {}: {e}", entries.len())))?;
        if let Some((previous, _)) = entries.last()
            && previous.as_slice() >= key
        {
            return Err(corrupt(
                offset,
                "keys are not in strictly increasing order".into(),
            ));
        }
        entries.push((key.to_vec(), value.to_vec()));
        offset += used;
    }
    if offset != records.len() {
        let extra = records.len() - offset;
        return Err(corrupt(
            offset,
            format!("{extra} bytes follow the last record"),
        ));
    }
    // The entries are sorted, so the map is built in one pass.
    Ok(entries.into_iter().collect())
}
// ANCHOR_END: decode

/// Why a walk over the records stopped early.
enum Stop {
    /// The bytes ended inside a record: the file was cut short.
    RanOut,
    /// A record is not valid.
    Invalid,
}

/// Steps over `count` records without copying them, then over the checksum.
fn walk_records(mut bytes: &[u8], count: u64) -> std::result::Result<(), Stop> {
    for _ in 0..count {
        match codec::decode_borrowed::<(&[u8], &[u8])>(bytes) {
            Ok((_, used)) => bytes = &bytes[used..],
            Err(DecodeError::RanOut) => return Err(Stop::RanOut),
            Err(DecodeError::Invalid(_)) => return Err(Stop::Invalid),
        }
    }
    if bytes.len() < CHECKSUM_LEN {
        return Err(Stop::RanOut);
    }
    Ok(())
}

fn truncated(path: &Path, bytes: &[u8]) -> Error {
    Error::Truncated {
        path: path.into(),
        len: bytes.len() as u64,
    }
}

/// Copies a slice whose length the caller has already checked into an array.
fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0; N];
    out.copy_from_slice(&bytes[..N]);
    out
}
