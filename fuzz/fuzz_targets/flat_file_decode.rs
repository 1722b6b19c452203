//! Chapter 1's decoding of file bytes: a whole flat file, and the codec's
//! serde decoding of values (which must refuse a huge length, not allocate it).
#![no_main]

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use strata_flat_file::{codec, format};
use strata_fuzz::fix_flat_file_checksum;

/// An enum with every kind of variant, as an application's value type might be.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum Shape {
    Unit,
    Newtype(u64),
    Tuple(String, Vec<u8>),
    Struct {
        name: String,
        tags: Vec<String>,
        size: Option<u32>,
    },
}

fuzz_target!(|bytes: &[u8]| {
    decode_file(bytes);
    let mut fixed = bytes.to_vec();
    fix_flat_file_checksum(&mut fixed);
    decode_file(&fixed);

    round_trip::<String>(bytes);
    round_trip::<Vec<String>>(bytes);
    round_trip::<Shape>(bytes);
    round_trip::<BTreeMap<String, u64>>(bytes);
});

/// Decodes `bytes` as a flat file: an error names the file; a map read is the
/// map that encoding it again gives back.
fn decode_file(bytes: &[u8]) {
    let path = Path::new("fuzz.strata");
    match format::decode(path, bytes) {
        Ok(map) => {
            let again = format::encode(&map);
            let decoded = format::decode(path, &again).expect("a re-encoded map decodes");
            assert_eq!(decoded, map);
        }
        Err(e) => assert!(e.to_string().contains("fuzz.strata"), "no path in: {e}"),
    }
}

/// Decodes `bytes` as a `T`; a value read encodes to bytes that decode to it.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(bytes: &[u8]) {
    if let Ok(value) = codec::from_slice::<T>(bytes) {
        let again = codec::to_vec(&value).expect("a decoded value encodes");
        assert_eq!(codec::from_slice::<T>(&again), Ok(value));
    }
}
