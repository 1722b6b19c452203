//! Chapter 4's page decoding: the header, every element, key search, and a
//! branch or leaf page read into a node.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_bptree::node::Node;
use strata_bptree::page::{ELEMENT_LEN, HEADER_LEN, Page};

fuzz_target!(|bytes: &[u8]| {
    let Ok(page) = Page::parse(2, bytes) else {
        return;
    };
    let count = usize::from(page.count);
    // A page claims up to 65,535 elements; past the first whose fixed part
    // lies outside the bytes every element fails the same way, so stop one
    // past those that fit (each failure builds an error message, which would
    // otherwise dominate the run time).
    let fit = bytes.len().saturating_sub(HEADER_LEN) / ELEMENT_LEN;
    for i in 0..count.min(fit + 1) {
        let _ = page.leaf(i);
        let _ = page.branch(i);
        let _ = page.key(i);
    }
    for probe in [&b""[..], b"m", b"\xff\xff\xff\xff\xff\xff\xff\xff\xff"] {
        if let Ok(at) = page.search(probe) {
            assert!(at <= count);
        }
        if let Ok(at) = page.search_after(probe) {
            assert!(at <= count);
        }
    }
    // A node read from the page is written back as bbolt lays it out, and
    // that page reads as the same node.
    if let Ok(node) = Node::read(&page) {
        let mut out = vec![0; node.size()];
        node.write(&mut out);
        let written = Page::parse(2, &out).expect("a written node has a header");
        assert_eq!(Node::read(&written).expect("a written node reads"), node);
    }
});
