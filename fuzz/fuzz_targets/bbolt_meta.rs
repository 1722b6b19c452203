//! Chapter 4's meta pages: one decoded, and the newer valid one of a file's
//! two chosen (looking for meta 1 at every page size when meta 0 is damaged).
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_bptree::db::choose_meta;
use strata_bptree::meta::Meta;
use strata_fuzz::fix_meta_checksums;

fuzz_target!(|bytes: &[u8]| {
    let mut fixed = bytes.to_vec();
    fix_meta_checksums(&mut fixed);
    for file in [bytes, &fixed] {
        decode(file);
        choose(file);
    }
});

/// Decodes the meta at the front of `file`; one with a plausible page size
/// encodes to a page that decodes to it.
fn decode(file: &[u8]) {
    let Ok(meta) = Meta::decode(file) else {
        return;
    };
    // `encode` is the writer's: it trusts the page size it is given.
    if meta.page_size.is_power_of_two() && (512..=65536).contains(&meta.page_size) {
        let page = meta.encode();
        assert_eq!(Meta::decode(&page), Ok(meta));
    }
}

/// Chooses a meta for `file`: the one chosen has a page size from 512 bytes
/// to 64 KiB, and its pages fit in the file.
fn choose(file: &[u8]) {
    let Ok(meta) = choose_meta(file) else {
        return;
    };
    assert!(meta.page_size.is_power_of_two() && (512..=65536).contains(&meta.page_size));
    let pages = meta.pgid.checked_mul(u64::from(meta.page_size));
    assert!(
        pages.is_some_and(|len| len <= file.len() as u64),
        "{meta:?}"
    );
}
