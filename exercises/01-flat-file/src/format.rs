//! The bytes of a flat file. **Yours to write: `encode` and `decode`.**
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

/// Encodes `map` as the complete bytes of a flat file.
///
/// Hints: write the header fields with `to_le_bytes`; encode each record with
/// `codec::encode_into(&(key.as_slice(), value.as_slice()), &mut out)`; finish
/// with `crc32fast::hash` of everything written so far.
pub fn encode(map: &Map) -> Vec<u8> {
    todo!("chapter 1, step 1: encode the header, the records and the checksum")
}

/// Decodes the complete bytes of a flat file; `path` only names the file in errors.
///
/// Hints, in the order the checks must run:
/// - the magic ([`Error::BadMagic`]); a file shorter than the magic whose bytes
///   match as far as they go was cut short ([`Error::Truncated`]);
/// - shorter than header + checksum: [`Error::Truncated`];
/// - the version ([`Error::UnsupportedVersion`]);
/// - the CRC-32 of all bytes but the last four. On a mismatch, step over the
///   records with `codec::decode_borrowed::<(&[u8], &[u8])>`: if that runs out
///   of bytes ([`DecodeError::RanOut`]) the file was cut short
///   ([`Error::Truncated`]), otherwise it is an [`Error::ChecksumMismatch`];
/// - then the records: a record that does not decode, keys not strictly
///   increasing, or bytes left after the last record are [`Error::Corrupt`].
///
/// Never reserve memory for the claimed record count: a hostile file can claim
/// 2^60 records. Cap it by what the bytes present could hold (2 bytes a record).
pub fn decode(path: &Path, bytes: &[u8]) -> Result<Map> {
    todo!("chapter 1, step 1: check magic, version and checksum, then decode the records")
}
