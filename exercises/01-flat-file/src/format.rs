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
/// Hints: follow the layout in the module docs from top to bottom. Every
/// integer is little-endian. A record is the pair (key, value) as two byte
/// slices, encoded by the crate's `codec`: [`decode`] reads back that same
/// type, so encode exactly it. The map iterates in key order, the order the
/// format requires, so there is nothing to sort. The checksum covers every
/// byte before it, the header included. Checked by `suite::format` (round
/// trips, the header, the checksum) and, byte for byte against the
/// reference, by `suite::snapshot::tiny_file_bytes`.
///
/// <details><summary>Stuck?</summary>
///
/// Build everything in one `Vec<u8>`: [`MAGIC`], [`VERSION`] and the record
/// count (a `u64`), each with `to_le_bytes`; then each record with
/// `codec::encode_into`, the pair given as `(&[u8], &[u8])`; then
/// `crc32fast::hash` of all the bytes so far, appended like the other
/// integers.
///
/// </details>
pub fn encode(map: &Map) -> Vec<u8> {
    todo!("chapter 1, step 1: encode the header, the records and the checksum")
}

/// Decodes the complete bytes of a flat file; `path` only names the file in errors.
///
/// Hints: nothing in `bytes` is trusted, and each error must say what
/// happened, so the checks run in this order:
/// - the magic ([`Error::BadMagic`]); but a file shorter than the magic whose
///   bytes match as far as they go is one of ours, cut short: it falls
///   through to the next check;
/// - shorter than a header and a checksum: [`Error::Truncated`];
/// - the version ([`Error::UnsupportedVersion`]);
/// - the CRC-32 of every byte but the last four. A mismatch means either a
///   file cut short ([`Error::Truncated`]) or bytes that changed
///   ([`Error::ChecksumMismatch`]): tell the two apart before answering;
/// - only then the records: one that does not decode, keys not strictly
///   increasing, or bytes left after the last record are [`Error::Corrupt`],
///   whose `offset` is where the bad record (or the extra bytes) starts in
///   the file.
///
/// The pitfall is memory: a hostile file can claim 2^60 records, or a key
/// of 2^60 bytes, behind a valid checksum. Never reserve memory for the
/// claimed count beyond what the bytes present could hold (a record is at
/// least 2 bytes), and decode records by borrowing from `bytes`
/// (`codec::decode_borrowed`), which fails on a length that runs past the
/// end instead of allocating it. Checked by `suite::corruption`:
/// `truncation_at_every_offset_is_reported_as_truncation` cuts the file at
/// every length, `every_single_bit_flip_is_detected` flips every bit, and
/// the `a_huge_…` and `…_are_corrupt` tests forge files with a valid
/// checksum.
///
/// <details><summary>Stuck?</summary>
///
/// A file cut short ends inside its records or its checksum. So on a
/// mismatch, step over the records the header claims, from the end of the
/// header through the rest of the bytes (checksum included), without
/// copying them: `codec::decode_borrowed::<(&[u8], &[u8])>` returns how many
/// bytes each took. If one runs out of bytes ([`DecodeError::RanOut`]), or
/// fewer than four bytes are left after the last, the file was cut short;
/// anything else means the bytes changed. A small private function of your
/// own for this walk keeps `decode` readable.
///
/// For the records themselves, decode from the bytes between the header and
/// the checksum, keeping an offset; compare each key with the previous one,
/// and copy a key and its value into the map only once the record has
/// decoded whole.
///
/// </details>
pub fn decode(path: &Path, bytes: &[u8]) -> Result<Map> {
    todo!("chapter 1, step 1: check magic, version and checksum, then decode the records")
}
