//! The codec never allocates more than its input holds, whatever a length
//! prefix claims. (Reference crate only: the codec is given to the learner.)

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::de::{Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use strata_flat_file::codec::{DecodeError, decode_borrowed, from_slice, to_vec};

/// bincode's `standard` varint for 2^40: marker 253, then eight bytes, little-endian.
const TERABYTE: [u8; 9] = [253, 0, 0, 0, 0, 0, 1, 0, 0];

/// The encoding of a value of some type, followed by a length prefix claiming
/// 2^40 bytes: what a hostile record with a valid checksum can hold.
fn claiming_a_terabyte(before: &[u8]) -> Vec<u8> {
    let mut bytes = before.to_vec();
    bytes.extend_from_slice(&TERABYTE);
    bytes.extend_from_slice(b"only a few bytes follow");
    bytes
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct File {
    id: u64,
    name: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum Event {
    Renamed(String),
    Moved { from: String, to: String },
}

/// Asks for an owned byte buffer, as `serde_bytes::ByteBuf` does.
#[derive(Debug, PartialEq)]
struct Buf(Vec<u8>);

impl<'de> Deserialize<'de> for Buf {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Buf, D::Error> {
        struct BufVisitor;
        impl Visitor<'_> for BufVisitor {
            type Value = Buf;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Buf, E> {
                Ok(Buf(v.to_vec()))
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Buf, E> {
                Ok(Buf(v))
            }
        }
        d.deserialize_byte_buf(BufVisitor)
    }
}

fn assert_ran_out<T: std::fmt::Debug>(result: Result<T, String>) {
    let error = result.expect_err("a length past the input must not decode");
    assert!(error.contains("end"), "unexpected error: {error}");
}

#[test]
fn an_owned_string_claiming_a_terabyte_is_an_error_not_an_allocation() {
    assert_ran_out(from_slice::<String>(&claiming_a_terabyte(&[])));
}

#[test]
fn an_owned_byte_buffer_claiming_a_terabyte_is_an_error() {
    assert_ran_out(from_slice::<Buf>(&claiming_a_terabyte(&[])));
}

#[test]
fn strings_inside_structs_enums_options_and_containers_are_bounded_too() {
    // A struct's second field.
    assert_ran_out(from_slice::<File>(&claiming_a_terabyte(&[7])));
    // An enum's newtype variant (index 0) and struct variant (index 1).
    assert_ran_out(from_slice::<Event>(&claiming_a_terabyte(&[0])));
    assert_ran_out(from_slice::<Event>(&claiming_a_terabyte(&[1, 1, b'a'])));
    // `Some` (tag 1), then the string.
    assert_ran_out(from_slice::<Option<String>>(&claiming_a_terabyte(&[1])));
    // A vector of one string; a map of one entry, its value; a tuple's second.
    assert_ran_out(from_slice::<Vec<String>>(&claiming_a_terabyte(&[1])));
    assert_ran_out(from_slice::<HashMap<u8, String>>(&claiming_a_terabyte(&[
        1, 5,
    ])));
    assert_ran_out(from_slice::<(u8, Box<str>)>(&claiming_a_terabyte(&[5])));
}

#[test]
fn containers_claiming_a_terabyte_of_elements_fail_without_reserving_them() {
    assert_ran_out(from_slice::<Vec<u64>>(&claiming_a_terabyte(&[])));
    assert_ran_out(from_slice::<BTreeMap<u64, u64>>(&claiming_a_terabyte(&[])));
}

#[test]
fn the_borrowed_decode_of_an_owned_type_is_bounded_as_well() {
    let result = decode_borrowed::<File>(&claiming_a_terabyte(&[7]));
    assert_eq!(result.map(|(file, _)| file), Err(DecodeError::RanOut));
}

#[test]
fn values_of_every_shape_still_round_trip() {
    let file = File {
        id: 42,
        name: "notes.txt".into(),
    };
    assert_eq!(from_slice::<File>(&to_vec(&file).unwrap()), Ok(file));
    let events = vec![
        Event::Renamed("a".into()),
        Event::Moved {
            from: "a".into(),
            to: "b".repeat(300),
        },
    ];
    assert_eq!(
        from_slice::<Vec<Event>>(&to_vec(&events).unwrap()),
        Ok(events)
    );
    let map = BTreeMap::from([(1u64, Some("one".to_string())), (2, None)]);
    assert_eq!(from_slice(&to_vec(&map).unwrap()), Ok(map));
    let bytes = to_vec(&serde_bytes_like(b"raw")).unwrap();
    assert_eq!(from_slice::<Buf>(&bytes), Ok(Buf(b"raw".to_vec())));
}

/// Encodes bytes as one length-prefixed run, as `serde_bytes` does.
fn serde_bytes_like(bytes: &[u8]) -> impl Serialize + '_ {
    struct Raw<'a>(&'a [u8]);
    impl Serialize for Raw<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }
    Raw(bytes)
}
