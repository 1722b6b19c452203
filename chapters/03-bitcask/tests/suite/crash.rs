//! Torn writes and damaged bytes: a prefix survives, and a read never returns
//! wrong data.

use std::collections::BTreeMap;
use std::fs;

use super::{contents, data_files, hint_of, open};
use crate::bitcask::Error;

type State = Vec<(Vec<u8>, Vec<u8>)>;

/// Writes operations into one data file; returns it, where each operation's
/// entry ends, and the contents after each operation.
fn operations(dir: &std::path::Path) -> (std::path::PathBuf, Vec<u64>, Vec<State>) {
    let mut db = crate::bitcask::Bitcask::open(
        dir,
        crate::bitcask::Options {
            max_file_size: 1 << 20,
            ..super::options()
        },
    )
    .unwrap();
    let mut model = BTreeMap::new();
    let mut states = vec![Vec::new()];
    let mut ends = Vec::new();
    let mut len = 0u64;
    let ops: [(&[u8], Option<&[u8]>); 6] = [
        (b"apple", Some(b"red")),
        (b"fig", Some(b"purple")),
        (b"apple", Some(b"green")),
        (b"fig", None),
        (b"", Some(b"")),
        (b"kiwi", Some(&[0xab; 100])),
    ];
    for (key, value) in ops {
        match value {
            Some(v) => {
                db.put(key, v).unwrap();
                model.insert(key.to_vec(), v.to_vec());
                len += 14 + key.len() as u64 + v.len() as u64;
            }
            None => {
                db.delete(key).unwrap();
                model.remove(key);
                len += 14 + key.len() as u64 + 22;
            }
        }
        ends.push(len);
        states.push(model.clone().into_iter().collect());
    }
    drop(db); // a crash: buffered entries reach the OS, the hint gets no trailer
    let file = data_files(dir).pop().unwrap();
    assert_eq!(fs::metadata(&file).unwrap().len(), len);
    (file, ends, states)
}

#[test]
fn truncation_at_every_byte_keeps_exactly_a_prefix() {
    let source = tempfile::tempdir().unwrap();
    let (file, ends, states) = operations(source.path());
    let bytes = fs::read(&file).unwrap();
    for cut in 0..=bytes.len() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("1.bitcask.data"), &bytes[..cut]).unwrap();
        let db = open(dir.path());
        let complete = ends.iter().filter(|&&e| e as usize <= cut).count();
        assert_eq!(contents(&db), states[complete], "cut at {cut}");
        let torn = db.open_report().torn_tails.first().map_or(0, |t| t.1);
        let boundary = if complete == 0 {
            0
        } else {
            ends[complete - 1] as usize
        };
        assert_eq!(torn as usize, cut - boundary, "cut at {cut}: torn bytes");
    }
}

#[test]
fn every_flipped_bit_is_skipped_or_refused_never_misread() {
    let source = tempfile::tempdir().unwrap();
    let (file, _, states) = operations(source.path());
    let bytes = fs::read(&file).unwrap();
    let every_value: Vec<(Vec<u8>, Vec<u8>)> = states.concat();
    for bit in 0..bytes.len() * 8 {
        let dir = tempfile::tempdir().unwrap();
        let mut damaged = bytes.clone();
        damaged[bit / 8] ^= 1 << (bit % 8);
        fs::write(dir.path().join("1.bitcask.data"), &damaged).unwrap();
        let db = open(dir.path());
        for key in db.keys() {
            let value = db.get(&key).unwrap().unwrap();
            assert!(
                every_value.contains(&(key.clone(), value)),
                "bit {bit}: a value never written"
            );
        }
    }
}

#[test]
fn a_damaged_value_under_a_trusted_hint_is_an_error_on_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(b"k", b"valuable").unwrap();
    db.close().unwrap();
    let file = &data_files(dir.path())[0];
    let mut bytes = fs::read(file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    fs::write(file, &bytes).unwrap();
    assert!(hint_of(file).exists());
    let db = open(dir.path());
    assert_eq!(
        db.open_report().from_hints,
        1,
        "a valid hint is trusted, as Riak trusts it"
    );
    assert!(matches!(
        db.get(b"k"),
        Err(Error::Corrupt { offset: 0, .. })
    ));
}

#[test]
fn a_hostile_length_is_a_torn_tail_not_an_allocation() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path());
    db.put(b"k", b"v").unwrap();
    drop(db);
    let file = &data_files(dir.path())[0];
    let mut bytes = fs::read(file).unwrap();
    // A header claiming a 4 GiB value, and nothing after it.
    bytes.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0xff, 0xff, 0xff, 0xff]);
    fs::write(file, &bytes).unwrap();
    let db = open(dir.path());
    assert_eq!(db.get(b"k").unwrap(), Some(b"v".to_vec()));
    assert_eq!(db.open_report().torn_tails, [(1, 14)]);
}
