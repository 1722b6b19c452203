//! Chapter 3's hint files: the trailer's validation and the records before it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_bitcask::hint;
use strata_fuzz::fix_hint_checksum;

fuzz_target!(|bytes: &[u8]| {
    // Records are read only behind a valid trailer, so most inputs get one.
    let mut fixed = bytes.to_vec();
    fix_hint_checksum(&mut fixed);
    for file in [bytes, &fixed] {
        if let Some(records) = hint::validated(file) {
            check_records(records);
        }
    }
    // The records of any bytes, as if validated.
    check_records(bytes);
});

/// Reads the records in `bytes`: together they are exactly a prefix of
/// `bytes`, as encoding them again writes it.
fn check_records(bytes: &[u8]) {
    let mut again = Vec::new();
    for record in hint::records(bytes) {
        hint::encode(&record, &mut again);
    }
    assert!(
        bytes.starts_with(&again),
        "the records are not a prefix of the file"
    );
}
