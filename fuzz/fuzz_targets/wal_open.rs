//! Chapter 2's whole store, opened from fuzzed files on the simulated disk: a
//! segment and maybe a snapshot (see [`WalDir`] for the input's layout).
#![no_main]

use std::path::Path;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use strata_flat_file::simfs::SimFs;
use strata_fuzz::WalDir;
use strata_wal::fs::Dir;
use strata_wal::segment::{segment_path, snapshot_path};
use strata_wal::{Map, Options, Store};

fuzz_target!(|bytes: &[u8]| {
    let input = WalDir::parse(bytes);
    let disk = SimFs::new();
    let folder = Path::new("db");
    if let Some((seq, snapshot)) = &input.snapshot {
        disk.put_durable(&snapshot_path(folder, *seq), snapshot);
    }
    disk.put_durable(&segment_path(folder, input.segment_seq()), &input.segment);
    let dir = Dir::on(Arc::new(disk), folder);
    let options = Options::default().recovery(input.recovery());

    // Any error is fine; a panic, a hang or an abort is a bug.
    let Ok(store) = Store::open_in(&dir, options.clone()) else {
        return;
    };
    let mut expected = contents(&store);
    // A store that opened takes a write, and a reopen shows what it showed
    // then, with that write.
    store
        .put(b"fuzz key", b"fuzz value")
        .expect("a put to an opened store");
    expected.insert(b"fuzz key".to_vec(), b"fuzz value".to_vec());
    store.close().expect("closing an opened store");
    let store = Store::open_in(&dir, options).expect("reopening a store that opened");
    assert_eq!(contents(&store), expected);
});

/// Everything `store` holds.
fn contents(store: &Store) -> Map {
    let view = store.read();
    view.iter().map(|(k, v)| (k.to_vec(), v.to_vec())).collect()
}
