//! The bytes of an entry, checked against bytes Riak's bitcask wrote.

use crate::bitcask::entry::{self, Tombstone};
use crate::bitcask::hint;

/// `1.bitcask.data` as Riak's bitcask 2.1.0 wrote it with its clock pinned to
/// 1700000000, for: put k1=v1, put k2=value2, delete k1.
pub const RIAK_DATA: [u8; 78] = [
    0x07, 0xae, 0x3b, 0x4e, 0x65, 0x53, 0xf1, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x6b, 0x31,
    0x76, 0x31, 0x7b, 0xd1, 0x56, 0x9f, 0x65, 0x53, 0xf1, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x06,
    0x6b, 0x32, 0x76, 0x61, 0x6c, 0x75, 0x65, 0x32, 0x87, 0x1d, 0xaf, 0x7b, 0x65, 0x53, 0xf1, 0x00,
    0x00, 0x02, 0x00, 0x00, 0x00, 0x16, 0x6b, 0x31, 0x62, 0x69, 0x74, 0x63, 0x61, 0x73, 0x6b, 0x5f,
    0x74, 0x6f, 0x6d, 0x62, 0x73, 0x74, 0x6f, 0x6e, 0x65, 0x32, 0x00, 0x00, 0x00, 0x01,
];

/// The `1.bitcask.hint` Riak wrote beside it.
pub const RIAK_HINT: [u8; 78] = [
    0x65, 0x53, 0xf1, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x6b, 0x31, 0x65, 0x53, 0xf1, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x6b, 0x32, 0x65, 0x53, 0xf1, 0x00, 0x00, 0x02, 0x00, 0x00,
    0x00, 0x26, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x28, 0x6b, 0x31, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x30, 0x5c, 0xf0, 0xc4, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
];

#[test]
fn encode_writes_the_bytes_riak_writes() {
    let mut out = Vec::new();
    entry::encode(super::T0, b"k1", b"v1", &mut out);
    entry::encode(super::T0, b"k2", b"value2", &mut out);
    entry::encode(super::T0, b"k1", &entry::tombstone_v2(1), &mut out);
    assert_eq!(out, RIAK_DATA);
}

#[test]
fn decode_reads_riaks_entries() {
    let first = entry::decode(&RIAK_DATA[..18]).unwrap();
    assert_eq!(
        (first.tstamp, first.key, first.value),
        (super::T0, &b"k1"[..], &b"v1"[..])
    );
    let third = entry::decode(&RIAK_DATA[40..]).unwrap();
    assert_eq!(third.key, b"k1");
    assert_eq!(Tombstone::parse(third.value), Some(Tombstone::V2(1)));
}

#[test]
fn decode_checks_the_crc_and_the_length() {
    for i in 0..18 * 8 {
        let mut damaged = RIAK_DATA[..18].to_vec();
        damaged[i / 8] ^= 1 << (i % 8);
        assert!(
            entry::decode(&damaged).is_err(),
            "flipped bit {i} went unnoticed"
        );
    }
    assert!(entry::decode(&RIAK_DATA[..17]).is_err(), "cut short");
    assert!(entry::decode(&RIAK_DATA[..19]).is_err(), "a byte too many");
    assert!(entry::decode(&[]).is_err());
}

#[test]
fn empty_keys_and_values_round_trip() {
    let mut out = Vec::new();
    entry::encode(7, b"", b"", &mut out);
    assert_eq!(out.len(), entry::HEADER_LEN);
    let e = entry::decode(&out).unwrap();
    assert_eq!((e.tstamp, e.key, e.value), (7, &b""[..], &b""[..]));
}

#[test]
fn tombstones_in_all_three_forms_survive_encoding() {
    for (value, form) in [
        (&b"bitcask_tombstone"[..], Tombstone::V0),
        (&b"bitcask_tombstone1\0\0\0\x09"[..], Tombstone::V1(9)),
        (&entry::tombstone_v2(258)[..], Tombstone::V2(258)),
    ] {
        let mut out = Vec::new();
        entry::encode(1, b"gone", value, &mut out);
        let decoded = entry::decode(&out).unwrap();
        assert_eq!(Tombstone::parse(decoded.value), Some(form));
        assert!(entry::is_tombstone(decoded.value));
    }
}

#[test]
fn hint_records_match_riaks() {
    // The sizes and offsets come from the entries as this crate encodes them.
    let mut data = Vec::new();
    let mut ends = Vec::new();
    for (key, value) in [
        (&b"k1"[..], &b"v1"[..]),
        (b"k2", b"value2"),
        (b"k1", &entry::tombstone_v2(1)[..]),
    ] {
        entry::encode(super::T0, key, value, &mut data);
        ends.push(data.len() as u64);
    }
    let rec = |key, start: u64, end: u64, tombstone| hint::HintRecord {
        tstamp: super::T0,
        key,
        entry_len: (end - start) as u32,
        offset: start,
        tombstone,
    };
    let records = [
        rec(b"k1", 0, ends[0], false),
        rec(b"k2", ends[0], ends[1], false),
        rec(b"k1", ends[1], ends[2], true),
    ];
    let mut out = Vec::new();
    for r in &records {
        hint::encode(r, &mut out);
    }
    let crc = crc32fast::hash(&out);
    hint::encode_trailer(crc, &mut out);
    assert_eq!(out, RIAK_HINT);
    let read: Vec<_> = hint::records(hint::validated(&RIAK_HINT).unwrap()).collect();
    assert_eq!(read, records);
}
