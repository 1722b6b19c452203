//! Chapter 4's freelist page, and the freelist built from its ids.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_bptree::freelist::{self, Freelist};
use strata_bptree::page::Page;

fuzz_target!(|bytes: &[u8]| {
    let Ok(page) = Page::parse(2, bytes) else {
        return;
    };
    let Ok(ids) = freelist::decode(&page) else {
        return;
    };
    // Every id was read from the page: no more ids than it holds.
    assert!(ids.len().saturating_mul(8) <= bytes.len());

    // The ids, sorted, encode to a page that decodes to them.
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    let mut out = vec![0; freelist::encoded_len(sorted.len())];
    freelist::encode_into(&sorted, &mut out);
    let written = Page::parse(2, &out).expect("a written freelist has a header");
    assert_eq!(
        freelist::decode(&written).expect("a written freelist decodes"),
        sorted
    );

    // In memory: each id once, and an allocated run is no longer free.
    let mut list = Freelist::from_ids(ids);
    sorted.dedup();
    assert_eq!(list.all_ids(), sorted);
    for n in 1..=3 {
        if let Some(first) = list.allocate(n) {
            assert!(!list.all_ids().contains(&first));
            assert_eq!(list.free_count(), sorted.len() - n);
            let last = first + (n as u64 - 1);
            sorted.retain(|&id| !(first..=last).contains(&id));
        }
    }
});
