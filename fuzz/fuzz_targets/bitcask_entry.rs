//! Chapter 3's decoding of one data-file entry, and of tombstones.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_bitcask::entry::{self, Header, Tombstone};
use strata_fuzz::fix_bitcask_checksums;

fuzz_target!(|bytes: &[u8]| {
    decode(bytes);
    let mut fixed = bytes.to_vec();
    fix_bitcask_checksums(&mut fixed);
    decode(&fixed);
    let _ = Tombstone::parse(bytes);
});

/// Decodes `bytes` as one entry: an entry read is exactly the bytes that
/// encoding it again writes.
fn decode(bytes: &[u8]) {
    if let Some(header) = Header::parse(bytes) {
        assert!(header.entry_len() >= entry::HEADER_LEN as u64);
    }
    let Ok(entry) = entry::decode(bytes) else {
        return;
    };
    let _ = Tombstone::parse(entry.value);
    let mut again = Vec::new();
    entry::encode(entry.tstamp, entry.key, entry.value, &mut again);
    assert_eq!(again, bytes);
}
