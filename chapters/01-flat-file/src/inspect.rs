//! Explaining a flat file's bytes, field by field (for the book and for
//! debugging). This reads the layout on its own, leniently: it describes
//! damaged files as far as they go instead of refusing them.

use crate::codec;
use crate::format::{CHECKSUM_LEN, HEADER_LEN};
use crate::hexdump::{HexDump, show_bytes};

/// An annotated hex dump of a flat file's bytes.
pub fn annotate(bytes: &[u8]) -> String {
    let mut dump = HexDump::new();
    if bytes.len() < HEADER_LEN + CHECKSUM_LEN {
        dump.field(bytes, "too short to be a flat file");
        return dump.finish();
    }
    let (header, rest) = bytes.split_at(HEADER_LEN);
    let (mut records, checksum) = rest.split_at(rest.len() - CHECKSUM_LEN);
    dump.field(&header[..8], format!("magic {}", show_bytes(&header[..8])));
    let version = u32::from_le_bytes([header[8], header[9], header[10], header[11]]);
    dump.field(&header[8..12], format!("format version {version}"));
    let mut count = [0; 8];
    count.copy_from_slice(&header[12..20]);
    dump.field(
        &header[12..20],
        format!("record count {}", u64::from_le_bytes(count)),
    );
    let mut index = 0;
    while !records.is_empty() {
        let Ok(((key, value), used)) = codec::decode_borrowed::<(&[u8], &[u8])>(records) else {
            dump.field(records, "not a valid record");
            break;
        };
        let key_header = used - key.len() - value.len() - varint_len(value.len());
        let (record, rest) = records.split_at(used);
        let (key_len, after) = record.split_at(key_header);
        let (key_bytes, after) = after.split_at(key.len());
        let (value_len, value_bytes) = after.split_at(after.len() - value.len());
        dump.field(key_len, format!("record {index}: key length {}", key.len()));
        dump.field(key_bytes, format!("  key {}", show_bytes(key)));
        dump.field(value_len, format!("  value length {}", value.len()));
        dump.field(value_bytes, format!("  value {}", show_bytes(value)));
        records = rest;
        index += 1;
    }
    let stored = u32::from_le_bytes([checksum[0], checksum[1], checksum[2], checksum[3]]);
    dump.field(
        checksum,
        format!("CRC-32 {stored:#010x} of all bytes above"),
    );
    dump.finish()
}

/// How many bytes bincode's varint takes for a length.
fn varint_len(n: usize) -> usize {
    match n {
        0..=250 => 1,
        251..=0xffff => 3,
        0x1_0000..=0xffff_ffff => 5,
        _ => 9,
    }
}
