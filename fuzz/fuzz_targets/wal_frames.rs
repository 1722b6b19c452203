//! Chapter 2's frame decoding, frame after frame, as replay reads a segment.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_fuzz::fix_wal_checksums;
use strata_wal::record::{self, Frame, HEADER_LEN};

fuzz_target!(|bytes: &[u8]| {
    frames(bytes);
    let mut fixed = bytes.to_vec();
    fix_wal_checksums(&mut fixed);
    frames(&fixed);
});

/// Decodes the frames at the front of `bytes` until one is not a record.
/// Each record found takes the bytes it says, and encodes to a frame that
/// decodes to the same record.
fn frames(mut bytes: &[u8]) {
    while let Frame::Record { record, len } = record::decode(bytes) {
        assert!((HEADER_LEN..=bytes.len()).contains(&len), "length {len}");
        let mut again = Vec::new();
        record::encode(record.seq, &record.op, &mut again).expect("a decoded record encodes");
        match record::decode(&again) {
            Frame::Record {
                record: decoded,
                len,
            } => {
                assert_eq!(decoded, record);
                assert_eq!(len, again.len());
            }
            other => panic!("a re-encoded record decodes as {other:?}"),
        }
        bytes = &bytes[len..];
    }
}
