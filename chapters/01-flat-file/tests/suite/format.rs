//! Encoding a map and decoding it back.

use std::path::Path;

use proptest::prelude::*;

use super::sample;
use crate::flat_file::{Map, format};

#[test]
fn encode_then_decode_gives_back_the_map() {
    let map = sample();
    let bytes = format::encode(&map);
    assert_eq!(format::decode(Path::new("t"), &bytes).unwrap(), map);
}

#[test]
fn an_empty_map_is_a_header_and_a_checksum() {
    let bytes = format::encode(&Map::new());
    assert_eq!(bytes.len(), format::HEADER_LEN + format::CHECKSUM_LEN);
    assert_eq!(&bytes[..8], &format::MAGIC);
    assert!(format::decode(Path::new("t"), &bytes).unwrap().is_empty());
}

#[test]
fn the_header_holds_magic_version_and_count() {
    let bytes = format::encode(&sample());
    assert_eq!(&bytes[..8], b"STRATAFF");
    assert_eq!(bytes[8..12], format::VERSION.to_le_bytes());
    assert_eq!(bytes[12..20], 4u64.to_le_bytes());
}

#[test]
fn the_checksum_covers_every_byte_before_it() {
    let bytes = format::encode(&sample());
    let (content, stored) = bytes.split_at(bytes.len() - 4);
    assert_eq!(stored, crc32fast::hash(content).to_le_bytes());
}

proptest! {
    #![proptest_config(super::proptest_config(256))]

    #[test]
    fn any_map_round_trips(map in prop::collection::btree_map(
        prop::collection::vec(any::<u8>(), 0..40),
        prop::collection::vec(any::<u8>(), 0..300),
        0..40,
    )) {
        let bytes = format::encode(&map);
        prop_assert_eq!(format::decode(Path::new("t"), &bytes).unwrap(), map);
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        // Garbage is an error, never a panic, with or without our magic in front
        // (random bytes matching a CRC-32 by chance are a 1-in-4-billion event).
        prop_assert!(format::decode(Path::new("t"), &bytes).is_err());
        let mut with_magic = format::MAGIC.to_vec();
        with_magic.extend_from_slice(&bytes);
        prop_assert!(format::decode(Path::new("t"), &with_magic).is_err());
    }
}
