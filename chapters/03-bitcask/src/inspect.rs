//! Explaining a bitcask directory's bytes, field by field (for the book and
//! for debugging). Damaged files are described as far as they go.

use strata_flat_file::hexdump::{HexDump, show_bytes};

use crate::entry::{HEADER_LEN, Header, Tombstone};
use crate::hint::{RECORD_HEADER_LEN, TOMBSTONE_BIT, TRAILER_OFFSET};

/// An annotated hex dump of a data file's bytes.
pub fn annotate_data(bytes: &[u8]) -> String {
    let mut dump = HexDump::new();
    let mut rest = bytes;
    let mut offset = 0;
    while !rest.is_empty() {
        let header = Header::parse(rest).filter(|h| h.entry_len() <= rest.len() as u64);
        let Some(header) = header else {
            dump.field(rest, "incomplete entry (a torn write)");
            break;
        };
        let (entry, after) = rest.split_at(header.entry_len() as usize);
        let (head, body) = entry.split_at(HEADER_LEN);
        let (key, value) = body.split_at(usize::from(header.key_len));
        dump.field(
            &head[0..4],
            format!("entry at {offset}: CRC-32 of the rest of the entry"),
        );
        dump.field(&head[4..8], format!("  tstamp {}", header.tstamp));
        dump.field(&head[8..10], format!("  key size {}", header.key_len));
        dump.field(&head[10..14], format!("  value size {}", header.value_len));
        dump.field(key, format!("  key {}", show_bytes(key)));
        let what = match Tombstone::parse(value) {
            Some(Tombstone::V2(id)) => format!("  value: v2 tombstone, deleted value in file {id}"),
            Some(Tombstone::V1(id)) => {
                format!("  value: v1 tombstone, deleted value before file {id}")
            }
            Some(Tombstone::V0) => "  value: v0 tombstone".to_string(),
            None => format!("  value {}", show_bytes(value)),
        };
        dump.field(value, what);
        offset += entry.len();
        rest = after;
    }
    dump.finish()
}

/// An annotated hex dump of a hint file's bytes.
pub fn annotate_hint(bytes: &[u8]) -> String {
    let mut dump = HexDump::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let Some((h, after_header)) = rest.split_first_chunk::<RECORD_HEADER_LEN>() else {
            dump.field(rest, "incomplete record");
            break;
        };
        let key_len = usize::from(u16::from_be_bytes([h[4], h[5]]));
        let Some(key) = after_header.get(..key_len) else {
            dump.field(rest, "incomplete record");
            break;
        };
        let size = u32::from_be_bytes([h[6], h[7], h[8], h[9]]);
        let word = u64::from_be_bytes([h[10], h[11], h[12], h[13], h[14], h[15], h[16], h[17]]);
        let tstamp = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
        if word & !TOMBSTONE_BIT == TRAILER_OFFSET && key_len == 0 && tstamp == 0 {
            dump.field(&h[0..4], "trailer: tstamp 0");
            dump.field(&h[4..6], "  key size 0");
            dump.field(
                &h[6..10],
                format!("  CRC-32 {size:#010x} of all hint bytes above"),
            );
            dump.field(&h[10..18], "  offset 2^63-1 marks the trailer");
        } else {
            let tombstone = if word & TOMBSTONE_BIT != 0 {
                ", tombstone"
            } else {
                ""
            };
            dump.field(&h[0..4], format!("record: tstamp {tstamp}"));
            dump.field(&h[4..6], format!("  key size {key_len}"));
            dump.field(&h[6..10], format!("  entry size {size}"));
            dump.field(
                &h[10..18],
                format!("  entry offset {}{tombstone}", word & !TOMBSTONE_BIT),
            );
            dump.field(key, format!("  key {}", show_bytes(key)));
        }
        rest = &after_header[key_len..];
    }
    dump.finish()
}
