//! The keydir on its own: inserts, updates, removals, growth, compaction and
//! its memory cost per key. (Unit tests of the reference crate only: the
//! keydir is given to the learner, not written by them.)

use strata_bitcask::keydir::{Keydir, Location, MAX_OFFSET};

fn loc(n: u64) -> Location {
    Location {
        file_id: n as u32,
        offset: n * 1000,
        entry_len: n as u32 + 14,
        tstamp: 7,
    }
}

#[test]
fn inserts_updates_and_removes() {
    let mut keydir = Keydir::new();
    assert_eq!(keydir.insert(b"a", loc(1)), None);
    assert_eq!(keydir.insert(b"", loc(2)), None);
    assert_eq!(keydir.insert(b"a", loc(3)), Some(loc(1)));
    assert_eq!(keydir.get(b"a"), Some(loc(3)));
    assert_eq!(keydir.get(b""), Some(loc(2)));
    assert_eq!(keydir.remove(b"a"), Some(loc(3)));
    assert_eq!(keydir.get(b"a"), None);
    assert_eq!(keydir.remove(b"a"), None);
    assert_eq!(keydir.len(), 1);
}

#[test]
fn many_keys_survive_growth_and_compaction() {
    let mut keydir = Keydir::new();
    let key = |i: u64| format!("key-{i:08}").into_bytes();
    for i in 0..200_000 {
        keydir.insert(&key(i), loc(i));
    }
    for i in (0..200_000).filter(|i| i % 4 != 0) {
        assert_eq!(keydir.remove(&key(i)), Some(loc(i)));
    }
    assert_eq!(keydir.len(), 50_000);
    for i in 0..200_000 {
        let expected = (i % 4 == 0).then(|| loc(i));
        assert_eq!(keydir.get(&key(i)), expected, "key {i}");
    }
    let mut keys: Vec<Vec<u8>> = keydir.iter().map(|(k, _)| k.to_vec()).collect();
    keys.sort();
    assert_eq!(keys.len(), 50_000);
    assert_eq!(keys[1], key(4));
}

#[test]
fn the_largest_key_and_offset_fit() {
    let mut keydir = Keydir::new();
    let big = vec![9u8; u16::MAX as usize];
    let location = Location {
        file_id: u32::MAX,
        offset: MAX_OFFSET,
        entry_len: u32::MAX,
        tstamp: u32::MAX,
    };
    keydir.insert(&big, location);
    keydir.insert(b"small", loc(1));
    assert_eq!(keydir.get(&big), Some(location));
    assert_eq!(keydir.get(b"small"), Some(loc(1)));
}

#[test]
fn overhead_per_key_is_at_most_32_bytes() {
    let mut keydir = Keydir::new();
    let n = 1_000_000u64;
    for i in 0..n {
        keydir.insert(format!("key-{i:012}").as_bytes(), loc(i));
    }
    let overhead = (keydir.heap_bytes() - keydir.key_bytes()) as f64 / n as f64;
    assert!(
        overhead <= 32.0,
        "{overhead:.1} bytes per key beyond the key"
    );
}

/// The keydir's memory per key at several sizes, for 16-byte keys, as the book
/// shows it. The figures are exact (they count allocated bytes, not time), so
/// a snapshot pins them.
#[test]
fn memory_per_key_table() {
    let mut table = String::from("keys        bytes per key beyond the key\n");
    let mut keydir = Keydir::new();
    let mut inserted = 0u64;
    for n in [1_000u64, 10_000, 100_000, 1_000_000] {
        while inserted < n {
            keydir.insert(format!("key-{inserted:012}").as_bytes(), loc(inserted));
            inserted += 1;
        }
        let overhead = (keydir.heap_bytes() - keydir.key_bytes()) as f64 / n as f64;
        table.push_str(&format!("{n:>9}   {overhead:>6.1}\n"));
    }
    insta::assert_snapshot!("keydir_bytes_per_key", table);
}
