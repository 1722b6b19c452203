//! Damaged and hostile files: each gives its own clear error, never a panic.

use std::path::Path;

use super::sample;
use crate::flat_file::{Error, format};

fn decode(bytes: &[u8]) -> Result<crate::flat_file::Map, Error> {
    format::decode(Path::new("damaged.strata"), bytes)
}

/// Writes a file with a correct header and checksum around `records`, as a
/// buggy or hostile writer could.
fn forge(count: u64, records: &[u8]) -> Vec<u8> {
    let mut bytes = format::MAGIC.to_vec();
    bytes.extend_from_slice(&format::VERSION.to_le_bytes());
    bytes.extend_from_slice(&count.to_le_bytes());
    bytes.extend_from_slice(records);
    let checksum = crc32fast::hash(&bytes);
    bytes.extend_from_slice(&checksum.to_le_bytes());
    bytes
}

#[test]
fn wrong_magic_is_bad_magic() {
    let mut bytes = format::encode(&sample());
    bytes[0] = b'X';
    assert!(matches!(decode(&bytes), Err(Error::BadMagic { .. })));
    assert!(matches!(
        decode(b"PK\x03\x04 a zip file"),
        Err(Error::BadMagic { .. })
    ));
}

#[test]
fn another_version_is_unsupported() {
    let mut bytes = format::encode(&sample());
    bytes[8..12].copy_from_slice(&7u32.to_le_bytes());
    match decode(&bytes) {
        Err(Error::UnsupportedVersion {
            found: 7,
            supported,
            ..
        }) => {
            assert_eq!(supported, format::VERSION)
        }
        other => panic!("expected UnsupportedVersion, got {other:?}"),
    }
}

#[test]
fn truncation_at_every_offset_is_reported_as_truncation() {
    let bytes = format::encode(&sample());
    for len in 0..bytes.len() {
        match decode(&bytes[..len]) {
            Err(Error::Truncated { len: reported, .. }) => assert_eq!(reported, len as u64),
            other => panic!("cut at {len}: expected Truncated, got {other:?}"),
        }
    }
}

#[test]
fn a_changed_value_byte_is_a_checksum_mismatch() {
    let mut bytes = format::encode(&sample());
    let at = bytes.len() - 10; // inside the last value
    bytes[at] ^= 0x01;
    assert!(matches!(
        decode(&bytes),
        Err(Error::ChecksumMismatch { .. })
    ));
}

#[test]
fn every_single_bit_flip_is_detected() {
    let bytes = format::encode(&sample());
    for bit in 0..bytes.len() * 8 {
        let mut damaged = bytes.clone();
        damaged[bit / 8] ^= 1 << (bit % 8);
        assert!(
            decode(&damaged).is_err(),
            "flip of bit {bit} went unnoticed"
        );
    }
}

#[test]
fn errors_name_the_file() {
    let err = decode(b"STRATA").unwrap_err();
    assert!(err.to_string().contains("damaged.strata"), "{err}");
}

#[test]
fn a_huge_record_count_does_not_allocate() {
    // 2^60 records claimed, two present: must fail fast, not reserve memory.
    let bytes = forge(1 << 60, &[0, 0, 0, 0]);
    assert!(matches!(decode(&bytes), Err(Error::Corrupt { .. })));
}

#[test]
fn a_huge_key_length_does_not_allocate() {
    // A varint key length of u64::MAX, with a valid checksum.
    let mut record = vec![253];
    record.extend_from_slice(&u64::MAX.to_le_bytes());
    let bytes = forge(1, &record);
    assert!(matches!(decode(&bytes), Err(Error::Corrupt { .. })));
}

#[test]
fn keys_out_of_order_are_corrupt() {
    let bytes = forge(2, &[1, b'b', 0, 1, b'a', 0]);
    assert!(matches!(
        decode(&bytes),
        Err(Error::Corrupt { offset: 23, .. })
    ));
}

#[test]
fn duplicate_keys_are_corrupt() {
    let bytes = forge(2, &[1, b'a', 0, 1, b'a', 0]);
    assert!(matches!(decode(&bytes), Err(Error::Corrupt { .. })));
}

#[test]
fn bytes_after_the_last_record_are_corrupt() {
    let bytes = forge(1, &[1, b'a', 0, 9, 9]);
    assert!(matches!(
        decode(&bytes),
        Err(Error::Corrupt { offset: 23, .. })
    ));
}

#[test]
fn a_forged_but_well_formed_file_decodes() {
    // The same bytes an honest writer produces decode, so the forger above is fair.
    let bytes = forge(2, &[1, b'a', 1, b'x', 1, b'b', 0]);
    let map = decode(&bytes).unwrap();
    assert_eq!(map.get(&b"a"[..]), Some(&b"x".to_vec()));
    assert_eq!(map.get(&b"b"[..]), Some(&Vec::new()));
}
