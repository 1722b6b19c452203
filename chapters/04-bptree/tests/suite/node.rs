//! Nodes: a page's elements in editable form, written back in bbolt's
//! layout, and bbolt's split rule: a node of at most four elements or
//! smaller than a page stays whole; otherwise pieces are cut where the
//! running size would pass `page size × fill percent` (clamped to 0.1..=1),
//! never leaving fewer than two elements on a side. (That rewritten pages
//! equal Go's bytes exactly is checked on Go's own files in `interop.rs`.)

use crate::bptree::node::{Inode, Node, split_lengths};
use crate::bptree::page::Page;

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

fn lengths(nodes: &[Node]) -> Vec<usize> {
    nodes.iter().map(|n| n.inodes.len()).collect()
}

#[test]
fn a_node_of_exactly_a_page_is_split_one_byte_less_is_not() {
    // 8 elements of 16 + 4 + 490 = 510 bytes: 16 + 8 × 510 = 4096.
    let exact = leaf(&[490; 8]);
    assert_eq!(exact.size(), 4096);
    assert_eq!(exact.pages_needed(4096), 1);
    // Half a page (2048) holds 16 + 3 × 510 = 1546; a 4th would pass it.
    assert_eq!(lengths(&exact.split(4096, 0.5)), [3, 5]);

    let under = leaf(&[490, 490, 490, 490, 490, 490, 490, 489]);
    assert_eq!(under.size(), 4095);
    assert_eq!(lengths(&under.split(4096, 0.5)), [8]);

    let over = leaf(&[490, 490, 490, 490, 490, 490, 490, 491]);
    assert_eq!(over.pages_needed(4096), 2);
}

#[test]
fn every_fill_percent_keeps_at_least_two_elements_per_piece() {
    // 20 elements of 320 bytes.
    let at = |fill| lengths(&leaf(&[300; 20]).split(4096, fill));
    // 10%: 409 bytes hold one element, but a piece takes at least two; the
    // remainder stays whole once it is smaller than a page (12 × 320 + 16).
    assert_eq!(at(0.1), [2, 2, 2, 2, 12]);
    assert_eq!(at(0.5), [6, 6, 8]);
    assert_eq!(at(1.0), [12, 8]);
    // Out-of-range fill percents are clamped to 0.1..=1.
    assert_eq!(at(0.0), at(0.1));
    assert_eq!(at(-3.0), at(0.1));
    assert_eq!(at(7.0), at(1.0));
}

#[test]
fn split_keeps_every_element_in_order() {
    let sizes: Vec<usize> = (0..200).map(|i| (i * 37) % 500).collect();
    let node = leaf(&sizes);
    for fill in [0.1, 0.25, 0.5, 0.9, 1.0] {
        let pieces = node.clone().split(1024, fill);
        assert!(pieces.len() > 1);
        let joined: Vec<Inode> = pieces.iter().flat_map(|n| n.inodes.clone()).collect();
        assert_eq!(joined, node.inodes, "fill {fill}");
        let mut left = node.inodes.len();
        for (i, piece) in pieces.iter().enumerate() {
            left -= piece.inodes.len();
            assert!(piece.is_leaf);
            assert!(piece.inodes.len() >= 2, "fill {fill}: piece {i} too small");
            if i + 1 < pieces.len() {
                // A piece ends where the next element would pass the threshold.
                let threshold = (1024.0 * fill) as usize;
                let next = &pieces[i + 1].inodes[0];
                assert!(
                    piece.inodes.len() == 2 || piece.size() <= threshold,
                    "fill {fill}: piece {i} passes the threshold"
                );
                // (Unless the scan ran out: it stops three elements short.)
                assert!(
                    left == 3 || piece.size() + 16 + next.key.len() + next.value.len() > threshold,
                    "fill {fill}: piece {i} could have taken one more"
                );
            }
        }
    }
}

#[test]
fn split_lengths_follows_the_rule_for_any_sizes() {
    assert_eq!(split_lengths([], 4096, 0.5), [0]);
    assert_eq!(split_lengths([5000, 5000, 5000, 5000], 4096, 0.5), [4]);
    assert_eq!(split_lengths([5000; 5], 4096, 0.5), [2, 3]);
    assert_eq!(
        split_lengths([100; 40], 4096, 1.0),
        [40],
        "16 + 4000 < 4096"
    );
    // bbolt's scan stops two elements short of the end: when nothing passes
    // the threshold before that, the cut falls there, leaving three.
    assert_eq!(split_lengths([100; 41], 4096, 1.0), [38, 3]);
}

#[test]
fn branch_nodes_split_and_read_back_too() {
    let node = Node {
        is_leaf: false,
        inodes: (0..300u64)
            .map(|i| Inode {
                flags: 0,
                key: format!("branch-key-{i:05}").into_bytes(),
                value: Vec::new(),
                child: 1000 + i,
            })
            .collect(),
    };
    // 300 × (16 + 16) + 16 = 9616 bytes.
    let pieces = node.clone().split(4096, 0.5);
    assert!(pieces.len() >= 4);
    for piece in &pieces {
        assert!(!piece.is_leaf);
        assert!(piece.size() <= 4096);
        let mut bytes = vec![0; 4096];
        piece.write(&mut bytes);
        let page = Page::parse(0, &bytes).unwrap();
        assert!(page.is_branch());
        assert_eq!(&Node::read(&page).unwrap(), piece);
    }
    let joined: Vec<Inode> = pieces.into_iter().flat_map(|n| n.inodes).collect();
    assert_eq!(joined, node.inodes);
}

#[test]
fn a_piece_may_fill_the_threshold_exactly() {
    // Elements of 16 + 4 + 488 = 508 bytes: 16 + 4 × 508 is exactly half of
    // 4096, so four fit; one byte more in the fourth and only three do.
    assert_eq!(lengths(&leaf(&[488; 10]).split(4096, 0.5)), [4, 6]);
    let mut sizes = [488; 10];
    sizes[3] = 489;
    assert_eq!(lengths(&leaf(&sizes).split(4096, 0.5)), [3, 7]);
}
