//! Chapter 3's read-only open of a directory holding one fuzzed data file and
//! maybe its hint file (see [`CaskDir`] for the input's layout), then a read
//! of every key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_bitcask::files::{data_path, hint_path};
use strata_bitcask::{Bitcask, Options};
use strata_fuzz::CaskDir;

fuzz_target!(|bytes: &[u8]| {
    let input = CaskDir::parse(bytes);
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(data_path(dir.path(), 1), &input.data).expect("writing the data file");
    if let Some(hint) = &input.hint {
        std::fs::write(hint_path(dir.path(), 1), hint).expect("writing the hint file");
    }
    // Any error is fine; a panic, a hang or an abort is a bug.
    let Ok(cask) = Bitcask::open_read_only(dir.path(), Options::default()) else {
        return;
    };
    for key in cask.keys() {
        let _ = cask.get(&key);
    }
    let _ = cask.fold(|_, _| Ok::<(), strata_bitcask::Error>(()));
});
