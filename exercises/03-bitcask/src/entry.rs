//! A data file entry, exactly as Riak's bitcask 2.1.0 writes it.
//! **Yours to write: `encode` and `decode`.**
//!
//! ```text
//! offset   size  field (all integers big-endian)
//! 0        4     CRC-32 of bytes 4 .. end of entry
//! 4        4     tstamp: seconds since the Unix epoch
//! 8        2     key size
//! 10       4     value size
//! 14       ksz   key
//! 14+ksz   vsz   value
//! ```
//!
//! A data file is these entries back to back, with no header and no footer.
//! A delete is an entry whose value is a *tombstone*: any value that starts
//! with `bitcask_tombstone`. We write the v2 form, which names the file that
//! held the deleted value.

use crate::{Error, Result};

/// CRC, tstamp, key size, value size.
pub const HEADER_LEN: usize = 14;
/// The largest key: its size is a `u16`.
pub const MAX_KEY_LEN: usize = u16::MAX as usize;
/// Every tombstone's value starts with these bytes.
pub const TOMBSTONE_PREFIX: &[u8] = b"bitcask_tombstone";
/// The v2 tombstone: this prefix, then the u32 id of the file holding the deleted value.
pub const TOMBSTONE_V2_PREFIX: &[u8] = b"bitcask_tombstone2";
/// The length of a v2 tombstone value.
pub const TOMBSTONE_V2_LEN: usize = TOMBSTONE_V2_PREFIX.len() + 4;

/// The total size of the entry for a key and value of these lengths, if it
/// fits the `u32` that hint files and the keydir keep it in.
pub fn entry_len(key_len: usize, value_len: usize) -> Result<u32> {
    if key_len > MAX_KEY_LEN {
        return Err(Error::KeyTooLarge {
            len: key_len,
            max: MAX_KEY_LEN,
        });
    }
    let total = HEADER_LEN as u64 + key_len as u64 + value_len as u64;
    u32::try_from(total).map_err(|_| Error::ValueTooLarge {
        len: value_len as u64,
        max: u32::MAX as u64 - HEADER_LEN as u64 - key_len as u64,
    })
}

/// Appends the entry for `key` = `value` written at `tstamp` to `out`.
/// The caller has checked the sizes with [`entry_len`].
///
/// Hints: the layout is in the module docs, and every integer is
/// big-endian. The CRC covers everything after its own field, to the end of
/// the entry, so it is the last thing you can compute, though it comes
/// first. `out` may already hold other entries: append, and checksum this
/// entry's bytes only. Checked by `suite::entry`, against the bytes Riak's
/// bitcask wrote: one wrong byte fails it.
///
/// <details><summary>Stuck?</summary>
///
/// Remember where the entry starts in `out` and push four placeholder bytes
/// for the CRC. Then the tstamp, the key size (a `u16`: the caller checked
/// it fits) and the value size (a `u32`), each `to_be_bytes`, the key and
/// the value. Last, `crc32fast::hash` of the bytes from four past the start,
/// written over the placeholder.
///
/// </details>
pub fn encode(tstamp: u32, key: &[u8], value: &[u8], out: &mut Vec<u8>) {
    todo!("chapter 3, step 1: write the header (big-endian), key and value, then the CRC")
}

/// The fixed fields at the start of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The stored CRC-32.
    pub crc: u32,
    /// Seconds since the Unix epoch when the entry was written.
    pub tstamp: u32,
    /// The key's length.
    pub key_len: u16,
    /// The value's length.
    pub value_len: u32,
}

impl Header {
    /// Reads the header at the front of `bytes`, if there are enough of them.
    pub fn parse(bytes: &[u8]) -> Option<Header> {
        let h: &[u8; HEADER_LEN] = bytes.first_chunk()?;
        Some(Header {
            crc: u32::from_be_bytes([h[0], h[1], h[2], h[3]]),
            tstamp: u32::from_be_bytes([h[4], h[5], h[6], h[7]]),
            key_len: u16::from_be_bytes([h[8], h[9]]),
            value_len: u32::from_be_bytes([h[10], h[11], h[12], h[13]]),
        })
    }

    /// The entry's total length: header, key and value.
    pub fn entry_len(&self) -> u64 {
        HEADER_LEN as u64 + u64::from(self.key_len) + u64::from(self.value_len)
    }
}

/// An entry read from a data file, borrowing its key and value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    /// When it was written.
    pub tstamp: u32,
    /// The key.
    pub key: &'a [u8],
    /// The value (a tombstone for a delete).
    pub value: &'a [u8],
}

/// Decodes the entry that fills `bytes` exactly, checking its CRC.
///
/// Hints: `Header::parse` reads the fixed fields. The entry must be exactly
/// `header.entry_len()` bytes, no fewer and no more, and the CRC of
/// everything after the CRC field must equal the stored one; otherwise
/// return an `Err` saying what is wrong. Only then split the rest into key
/// and value. Checked by `suite::entry` (`decode_reads_riaks_entries`,
/// `decode_checks_the_crc_and_the_length`).
pub fn decode(bytes: &[u8]) -> Result<Entry<'_>, String> {
    todo!("chapter 3, step 1: parse the header, check the length and the CRC, split key and value")
}

/// Whether `value` marks a delete (any of the three tombstone forms).
pub fn is_tombstone(value: &[u8]) -> bool {
    value.starts_with(TOMBSTONE_PREFIX)
}

/// The v2 tombstone for a value held in file `file_id`.
pub fn tombstone_v2(file_id: u32) -> [u8; TOMBSTONE_V2_LEN] {
    let mut value = [0; TOMBSTONE_V2_LEN];
    value[..TOMBSTONE_V2_PREFIX.len()].copy_from_slice(TOMBSTONE_V2_PREFIX);
    value[TOMBSTONE_V2_PREFIX.len()..].copy_from_slice(&file_id.to_be_bytes());
    value
}

/// The three tombstone forms and the file id the v1 and v2 forms carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tombstone {
    /// `bitcask_tombstone`: says nothing about where the deleted value was.
    V0,
    /// `bitcask_tombstone1` + id: the deleted value is in a file before this id.
    V1(u32),
    /// `bitcask_tombstone2` + id: the deleted value is in this file.
    V2(u32),
}

impl Tombstone {
    /// Which tombstone `value` is, if it is one. A tombstone prefix followed by
    /// anything else counts as the legacy form, as Riak treats it.
    pub fn parse(value: &[u8]) -> Option<Tombstone> {
        let rest = value.strip_prefix(TOMBSTONE_PREFIX)?;
        let id = |r: &[u8]| -> Option<u32> { Some(u32::from_be_bytes(*r.first_chunk::<4>()?)) };
        Some(match rest {
            [b'1', tail @ ..] if tail.len() == 4 => Tombstone::V1(id(tail)?),
            [b'2', tail @ ..] if tail.len() == 4 => Tombstone::V2(id(tail)?),
            _ => Tombstone::V0,
        })
    }
}
