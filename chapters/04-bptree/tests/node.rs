//! Nodes: bbolt's layout and its split rule. (That rewritten pages equal Go's
//! bytes exactly is checked on Go's own files in `interop.rs`.)

use strata_bptree::node::{Inode, Node};
use strata_bptree::page::Page;

fn leaf(sizes: &[usize]) -> Node {
    let inodes = sizes
        .iter()
        .enumerate()
        .map(|(i, &size)| Inode {
            flags: 0,
            key: format!("k{i:03}").into_bytes(),
            value: vec![7; size],
            child: 0,
        })
        .collect();
    Node {
        is_leaf: true,
        inodes,
    }
}

#[test]
fn a_written_leaf_reads_back_with_bbolts_positions() {
    let node = leaf(&[8, 0, 20]);
    let mut bytes = vec![0; 4096];
    node.write(&mut bytes);
    let page = Page::parse(0, &bytes).unwrap();
    assert_eq!(Node::read(&page).unwrap(), node);
    // pos is counted from each element: 3 elements of 16 bytes, then the data.
    assert_eq!(
        u32::from_le_bytes(bytes[16 + 4..16 + 8].try_into().unwrap()),
        48
    );
    assert_eq!(
        u32::from_le_bytes(bytes[32 + 4..32 + 8].try_into().unwrap()),
        48 - 16 + 4 + 8
    );
    assert_eq!(node.size(), 16 + 3 * 16 + 3 * 4 + 28);
}

#[test]
fn small_nodes_are_never_split() {
    assert_eq!(
        leaf(&[3000, 3000, 3000, 3000]).split(4096, 0.5).len(),
        1,
        "four elements stay together"
    );
    assert_eq!(
        leaf(&[10; 100]).split(4096, 0.5).len(),
        1,
        "under a page stays whole"
    );
}

#[test]
fn splits_follow_the_fill_percent() {
    // 20 elements of 16 + 4 + 300 bytes: 320 bytes each.
    let parts = leaf(&[300; 20]).split(4096, 0.5);
    let lens: Vec<usize> = parts.iter().map(|n| n.inodes.len()).collect();
    // Half a page holds 16 + 6 × 320 = 1936 bytes; a 7th would pass 2048.
    assert_eq!(lens, [6, 6, 8]);
    let full = leaf(&[300; 20]).split(4096, 1.0);
    assert_eq!(
        full.iter().map(|n| n.inodes.len()).collect::<Vec<_>>(),
        [12, 8]
    );
    for node in parts.iter().chain(&full) {
        assert_eq!(node.pages_needed(4096), 1);
    }
}

#[test]
fn huge_values_stay_whole_and_span_pages() {
    let parts = leaf(&[10_000, 10_000, 10_000, 10_000, 10_000]).split(4096, 0.5);
    assert!(
        parts.iter().all(|n| n.inodes.len() >= 2),
        "never fewer than two per side"
    );
    assert!(parts.iter().any(|n| n.pages_needed(4096) > 1));
}
