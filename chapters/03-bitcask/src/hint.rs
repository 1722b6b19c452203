//! Hint files: the keydir's contents for one data file, so that opening need
//! not read the values.
//!
//! ```text
//! offset  size  field (big-endian)
//! 0       4     tstamp (copied from the data entry)
//! 4       2     key size
//! 6       4     total size of the data entry (14 + key + value)
//! 10      8     top bit: tombstone flag; low 63 bits: offset of the entry's start
//! 18      ksz   key
//! ```
//!
//! The file ends with an 18-byte trailer shaped like a record: tstamp 0, key
//! size 0, the CRC-32 of every hint byte before it in the total-size slot, and
//! offset 2^63 − 1. A hint without a valid trailer (its writer crashed) is
//! ignored and the data file is scanned instead.

/// A record's fixed fields.
pub const RECORD_HEADER_LEN: usize = 18;
/// The trailer's length (a record with an empty key).
pub const TRAILER_LEN: usize = RECORD_HEADER_LEN;
/// The top bit of the offset word marks a tombstone.
pub const TOMBSTONE_BIT: u64 = 1 << 63;
/// The offset that marks the trailer.
pub const TRAILER_OFFSET: u64 = TOMBSTONE_BIT - 1;

/// One hint record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HintRecord<'a> {
    /// The data entry's tstamp.
    pub tstamp: u32,
    /// The key.
    pub key: &'a [u8],
    /// The data entry's total size.
    pub entry_len: u32,
    /// Where the data entry starts in its data file.
    pub offset: u64,
    /// Whether the entry is a tombstone.
    pub tombstone: bool,
}

// ANCHOR: encode
/// Appends `record` to `out`.
pub fn encode(record: &HintRecord<'_>, out: &mut Vec<u8>) {
    let flag = if record.tombstone { TOMBSTONE_BIT } else { 0 };
    out.extend_from_slice(&record.tstamp.to_be_bytes());
    out.extend_from_slice(&(record.key.len() as u16).to_be_bytes());
    out.extend_from_slice(&record.entry_len.to_be_bytes());
    out.extend_from_slice(&(record.offset | flag).to_be_bytes());
    out.extend_from_slice(record.key);
}

/// Appends the trailer for a hint file whose bytes so far have CRC-32 `crc`.
pub fn encode_trailer(crc: u32, out: &mut Vec<u8>) {
    encode(
        &HintRecord {
            tstamp: 0,
            key: &[],
            entry_len: crc,
            offset: TRAILER_OFFSET,
            tombstone: false,
        },
        out,
    );
}
// ANCHOR_END: encode

/// The records of a hint file, without its trailer, if the trailer is valid.
pub fn validated(bytes: &[u8]) -> Option<&[u8]> {
    let split = bytes.len().checked_sub(TRAILER_LEN)?;
    let (records, trailer) = bytes.split_at(split);
    let (header, _) = parse_header(trailer)?;
    let is_trailer = header.tstamp == 0
        && header.key_len == 0
        && header.offset_word & !TOMBSTONE_BIT == TRAILER_OFFSET;
    (is_trailer && header.entry_len == crc32fast::hash(records)).then_some(records)
}

struct RecordHeader {
    tstamp: u32,
    key_len: u16,
    entry_len: u32,
    offset_word: u64,
}

fn parse_header(bytes: &[u8]) -> Option<(RecordHeader, &[u8])> {
    let (h, rest) = bytes.split_first_chunk::<RECORD_HEADER_LEN>()?;
    let header = RecordHeader {
        tstamp: u32::from_be_bytes([h[0], h[1], h[2], h[3]]),
        key_len: u16::from_be_bytes([h[4], h[5]]),
        entry_len: u32::from_be_bytes([h[6], h[7], h[8], h[9]]),
        offset_word: u64::from_be_bytes([h[10], h[11], h[12], h[13], h[14], h[15], h[16], h[17]]),
    };
    Some((header, rest))
}

// ANCHOR: records
/// The records in `bytes` (a validated hint file without its trailer), in
/// order. Iteration stops early at a record cut short.
pub fn records(mut bytes: &[u8]) -> impl Iterator<Item = HintRecord<'_>> {
    std::iter::from_fn(move || {
        let (header, rest) = parse_header(bytes)?;
        let (key, rest) = rest.split_at_checked(usize::from(header.key_len))?;
        bytes = rest;
        Some(HintRecord {
            tstamp: header.tstamp,
            key,
            entry_len: header.entry_len,
            offset: header.offset_word & !TOMBSTONE_BIT,
            tombstone: header.offset_word & TOMBSTONE_BIT != 0,
        })
    })
}
// ANCHOR_END: records
