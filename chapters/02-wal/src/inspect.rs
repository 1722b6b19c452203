//! Explaining a log segment's bytes, frame by frame (for the book and for
//! debugging). It describes damaged segments as far as they go.

use strata_flat_file::hexdump::{HexDump, show_bytes};

use crate::op::{Change, Op};
use crate::record::{self, Frame, HEADER_LEN};

/// An annotated hex dump of a log segment's bytes.
pub fn annotate(bytes: &[u8]) -> String {
    let mut dump = HexDump::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let Frame::Record { record, len } = record::decode(rest) else {
            dump.field(rest, "not an intact record (a torn tail, or damage)");
            break;
        };
        let (frame, after) = rest.split_at(len);
        let (header, payload) = frame.split_at(HEADER_LEN);
        dump.field(
            &header[..4],
            format!("record {}: payload length {}", record.seq, payload.len()),
        );
        dump.field(&header[4..], "  CRC-32 of the payload");
        dump.field(
            payload,
            format!("  payload: seq {}, {}", record.seq, describe(&record.op)),
        );
        rest = after;
    }
    dump.finish()
}

/// A one-line description of an operation.
pub fn describe(op: &Op<'_>) -> String {
    match op {
        Op::Put { key, value } => format!("put {} = {}", show_bytes(key), show_bytes(value)),
        Op::Delete { key } => format!("delete {}", show_bytes(key)),
        Op::Batch(changes) => {
            let parts: Vec<String> = changes
                .iter()
                .map(|c| match c {
                    Change::Put { key, value } => {
                        format!("put {} = {}", show_bytes(key), show_bytes(value))
                    }
                    Change::Delete { key } => format!("delete {}", show_bytes(key)),
                })
                .collect();
            format!("batch [{}]", parts.join(", "))
        }
    }
}
