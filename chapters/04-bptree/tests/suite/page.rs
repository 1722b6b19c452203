//! Pages: the 16-byte header, branch and leaf elements whose `pos` counts
//! from the element, and bounds checks on everything read from a page.
//!
//! The pages here are laid out by hand from the format's rules, so decoding
//! is checked against the format rather than against the crate's encoder.

use crate::bptree::node::{Inode, Node};
use crate::bptree::page::{self, Page};
use crate::bptree::{DB, Error};

/// One element of a hand-made page: flags (leaf only), key, value (leaf) or
/// child page id (branch).
pub(super) struct Element<'a> {
    flags: u32,
    key: &'a [u8],
    value: &'a [u8],
    child: u64,
}

pub(super) fn leaf_element<'a>(flags: u32, key: &'a [u8], value: &'a [u8]) -> Element<'a> {
    Element {
        flags,
        key,
        value,
        child: 0,
    }
}

pub(super) fn branch_element(key: &[u8], child: u64) -> Element<'_> {
    Element {
        flags: 0,
        key,
        value: &[],
        child,
    }
}

/// A page of `size` bytes laid out as bbolt does: header, packed elements,
/// then each key (and value) in element order, `pos` counted from the element.
pub(super) fn hand_made(id: u64, leaf: bool, elements: &[Element<'_>], size: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; size];
    bytes[0..8].copy_from_slice(&id.to_le_bytes());
    let flags: u16 = if leaf { 0x02 } else { 0x01 };
    bytes[8..10].copy_from_slice(&flags.to_le_bytes());
    bytes[10..12].copy_from_slice(&(elements.len() as u16).to_le_bytes());
    let mut data = 16 + 16 * elements.len();
    for (i, e) in elements.iter().enumerate() {
        let at = 16 + 16 * i;
        let pos = (data - at) as u32;
        let ksize = e.key.len() as u32;
        if leaf {
            bytes[at..at + 4].copy_from_slice(&e.flags.to_le_bytes());
            bytes[at + 4..at + 8].copy_from_slice(&pos.to_le_bytes());
            bytes[at + 8..at + 12].copy_from_slice(&ksize.to_le_bytes());
            bytes[at + 12..at + 16].copy_from_slice(&(e.value.len() as u32).to_le_bytes());
        } else {
            bytes[at..at + 4].copy_from_slice(&pos.to_le_bytes());
            bytes[at + 4..at + 8].copy_from_slice(&ksize.to_le_bytes());
            bytes[at + 8..at + 16].copy_from_slice(&e.child.to_le_bytes());
        }
        bytes[data..data + e.key.len()].copy_from_slice(e.key);
        data += e.key.len();
        bytes[data..data + e.value.len()].copy_from_slice(e.value);
        data += e.value.len();
    }
    bytes
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

#[test]
fn a_leaf_page_decodes_as_bbolt_lays_it_out() {
    let bucket_value = [0u8; 32];
    let elements = [
        leaf_element(0, b"apple", b"red"),
        leaf_element(1, b"basket", &bucket_value),
        leaf_element(0, b"cherry", b""),
    ];
    let bytes = hand_made(9, true, &elements, 1024);
    let page = Page::parse(9, &bytes).unwrap();
    assert_eq!(
        (page.id, page.flags, page.count, page.overflow),
        (9, 0x02, 3, 0)
    );
    assert!(page.is_leaf() && !page.is_branch());
    for (i, expected) in elements.iter().enumerate() {
        let e = page.leaf(i).unwrap();
        assert_eq!(
            (e.flags, e.key, e.value),
            (expected.flags, expected.key, expected.value)
        );
        assert_eq!(e.is_bucket(), expected.flags & page::BUCKET_LEAF_FLAG != 0);
        assert_eq!(page.key(i).unwrap(), expected.key);
    }
}

#[test]
fn a_branch_page_decodes_as_bbolt_lays_it_out() {
    let elements = [
        branch_element(b"a", 12),
        branch_element(b"mango", 40),
        branch_element(b"zz", u64::from(u32::MAX) + 7),
    ];
    let bytes = hand_made(30, false, &elements, 4096);
    let page = Page::parse(30, &bytes).unwrap();
    assert_eq!((page.id, page.flags, page.count), (30, 0x01, 3));
    assert!(page.is_branch() && !page.is_leaf());
    for (i, expected) in elements.iter().enumerate() {
        let e = page.branch(i).unwrap();
        assert_eq!((e.key, e.child), (expected.key, expected.child));
        assert_eq!(page.key(i).unwrap(), expected.key);
    }
}

#[test]
fn the_header_fields_are_read_little_endian() {
    let mut bytes = vec![0u8; 64];
    bytes[0..8].copy_from_slice(&0x0102_0304_0506_0708u64.to_le_bytes());
    bytes[8..10].copy_from_slice(&0x10u16.to_le_bytes());
    bytes[10..12].copy_from_slice(&0xABCDu16.to_le_bytes());
    bytes[12..16].copy_from_slice(&0x0A0B_0C0Du32.to_le_bytes());
    let page = Page::parse(5, &bytes).unwrap();
    assert_eq!(
        page.id, 0x0102_0304_0506_0708,
        "the id as stored, not the id asked for"
    );
    assert_eq!(
        (page.flags, page.count, page.overflow),
        (0x10, 0xABCD, 0x0A0B_0C0D)
    );
    assert!(!page.is_leaf() && !page.is_branch());
}

#[test]
fn fewer_than_16_bytes_is_not_a_page() {
    for len in 0..16 {
        assert!(
            matches!(Page::parse(4, &vec![0; len]), Err(Error::Corrupt { .. })),
            "{len} bytes"
        );
    }
    assert!(Page::parse(4, &[0; 16]).is_ok());
}

#[test]
fn encoded_positions_match_a_file_go_wrote() {
    // From a file Go's bbolt wrote: ten elements with 6-byte keys and
    // 8-byte values have pos 160 for the first and 142 for the last.
    let node = Node {
        is_leaf: true,
        inodes: (0..10)
            .map(|i| Inode {
                flags: 0,
                key: format!("key{i:03}").into_bytes(),
                value: vec![i as u8; 8],
                child: 0,
            })
            .collect(),
    };
    let mut bytes = vec![0; 4096];
    node.write(&mut bytes);
    assert_eq!(u32_at(&bytes, 16 + 4), 160);
    assert_eq!(u32_at(&bytes, 16 + 9 * 16 + 4), 142);
}

#[test]
fn encoding_lays_out_every_field() {
    // Varied sizes (an empty value, a bucket flag), so each pos differs.
    let leaf = Node {
        is_leaf: true,
        inodes: [
            (0u32, "a", 5usize),
            (1, "bcd", 32),
            (0, "efghij", 0),
            (0, "k", 300),
        ]
        .into_iter()
        .map(|(flags, k, v)| Inode {
            flags,
            key: k.as_bytes().to_vec(),
            value: vec![0xEE; v],
            child: 0,
        })
        .collect(),
    };
    let mut bytes = vec![0; 1024];
    leaf.write(&mut bytes);
    assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), 0x02);
    assert_eq!(u16::from_le_bytes([bytes[10], bytes[11]]), 4);
    let n = leaf.inodes.len();
    let mut before = 0;
    for (i, inode) in leaf.inodes.iter().enumerate() {
        let at = 16 + 16 * i;
        assert_eq!(u32_at(&bytes, at), inode.flags, "flags of {i}");
        let pos = u32_at(&bytes, at + 4) as usize;
        assert_eq!(pos, 16 * n - 16 * i + before, "pos of {i}");
        assert_eq!(u32_at(&bytes, at + 8) as usize, inode.key.len());
        assert_eq!(u32_at(&bytes, at + 12) as usize, inode.value.len());
        assert_eq!(&bytes[at + pos..at + pos + inode.key.len()], inode.key);
        let v = at + pos + inode.key.len();
        assert_eq!(&bytes[v..v + inode.value.len()], inode.value);
        before += inode.key.len() + inode.value.len();
    }
    assert_eq!(leaf.size(), 16 + 16 * n + before);
    assert!(
        bytes[leaf.size()..].iter().all(|&b| b == 0),
        "nothing past the data"
    );

    let branch = Node {
        is_leaf: false,
        inodes: [("a", 7u64), ("mm", 1 << 40), ("zzz", 9)]
            .into_iter()
            .map(|(k, child)| Inode {
                flags: 0,
                key: k.as_bytes().to_vec(),
                value: Vec::new(),
                child,
            })
            .collect(),
    };
    let mut bytes = vec![0; 1024];
    branch.write(&mut bytes);
    assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), 0x01);
    let mut before = 0;
    for (i, inode) in branch.inodes.iter().enumerate() {
        let at = 16 + 16 * i;
        let pos = u32_at(&bytes, at) as usize;
        assert_eq!(pos, 16 * 3 - 16 * i + before, "pos of {i}");
        assert_eq!(u32_at(&bytes, at + 4) as usize, inode.key.len());
        assert_eq!(
            u64::from_le_bytes(bytes[at + 8..at + 16].try_into().unwrap()),
            inode.child
        );
        assert_eq!(&bytes[at + pos..at + pos + inode.key.len()], inode.key);
        before += inode.key.len();
    }
    assert_eq!(branch.size(), 16 + 16 * 3 + before);
}

#[test]
fn a_hand_made_page_reads_back_as_the_same_node() {
    let elements = [
        leaf_element(0, b"k1", b"v1"),
        leaf_element(0, b"k2", &[7; 100]),
        leaf_element(1, b"k3", &[0; 16]),
    ];
    let bytes = hand_made(3, true, &elements, 1024);
    let node = Node::read(&Page::parse(3, &bytes).unwrap()).unwrap();
    assert!(node.is_leaf);
    let read: Vec<_> = node
        .inodes
        .iter()
        .map(|i| (i.flags, i.key.as_slice(), i.value.as_slice()))
        .collect();
    let expected: Vec<_> = elements.iter().map(|e| (e.flags, e.key, e.value)).collect();
    assert_eq!(read, expected);
    // And writing it again gives the same bytes.
    let mut again = vec![0; 1024];
    again[0..8].copy_from_slice(&3u64.to_le_bytes());
    node.write(&mut again);
    assert_eq!(again, bytes);
}

/// A one-element leaf page of 64 bytes whose element fields are `fields`
/// (flags, pos, ksize, vsize).
fn leaf_with(fields: [u32; 4]) -> Vec<u8> {
    let mut bytes = vec![0u8; 64];
    bytes[8..10].copy_from_slice(&0x02u16.to_le_bytes());
    bytes[10..12].copy_from_slice(&1u16.to_le_bytes());
    for (i, f) in fields.iter().enumerate() {
        bytes[16 + 4 * i..20 + 4 * i].copy_from_slice(&f.to_le_bytes());
    }
    bytes
}

#[test]
fn leaf_elements_that_leave_the_page_are_errors() {
    // 64 bytes: header, one element (16..32), data 32..64.
    let fine = leaf_with([0, 16, 8, 24]);
    let page = Page::parse(0, &fine).unwrap();
    assert_eq!(
        page.leaf(0).unwrap().value.len(),
        24,
        "exactly to the end is fine"
    );

    for (what, fields) in [
        ("key past the end", [0, 16, 33, 0]),
        ("value past the end", [0, 16, 8, 25]),
        ("pos past the end", [0, 48, 1, 0]),
        ("pos near u32::MAX", [0, u32::MAX, 1, 1]),
        ("key size near u32::MAX", [0, 16, u32::MAX, 0]),
        ("value size near u32::MAX", [0, 16, 1, u32::MAX]),
    ] {
        let bytes = leaf_with(fields);
        let page = Page::parse(0, &bytes).unwrap();
        assert!(
            matches!(page.leaf(0), Err(Error::Corrupt { .. })),
            "{what}: {:?}",
            page.leaf(0)
        );
        assert!(page.key(0).is_err() || what.starts_with("value"), "{what}");
    }

    // A count larger than the page holds: elements 3 and 4 lie past it.
    let mut bytes = leaf_with([0, 16, 8, 24]);
    bytes[10..12].copy_from_slice(&5u16.to_le_bytes());
    let page = Page::parse(0, &bytes).unwrap();
    assert!(page.leaf(0).is_ok());
    for i in 3..5 {
        assert!(
            matches!(page.leaf(i), Err(Error::Corrupt { .. })),
            "element {i}"
        );
    }
    assert!(
        page.search(b"zzz").is_err(),
        "a search that touches them fails too"
    );
}

#[test]
fn branch_elements_that_leave_the_page_are_errors() {
    let elements = [branch_element(b"abc", 5)];
    let good = hand_made(0, false, &elements, 64);
    assert_eq!(
        Page::parse(0, &good).unwrap().branch(0).unwrap().key,
        b"abc"
    );
    for (pos, ksize) in [(u32::MAX, 1), (16, u32::MAX), (16, 33), (49, 0)] {
        let mut bytes = good.clone();
        bytes[16..20].copy_from_slice(&pos.to_le_bytes());
        bytes[20..24].copy_from_slice(&ksize.to_le_bytes());
        let page = Page::parse(0, &bytes).unwrap();
        assert!(
            matches!(page.branch(0), Err(Error::Corrupt { .. })),
            "pos {pos} ksize {ksize}"
        );
    }
    let mut bytes = good;
    bytes[10..12].copy_from_slice(&0xFFFFu16.to_le_bytes());
    let page = Page::parse(0, &bytes).unwrap();
    assert!(page.branch(3).is_err());
    assert!(page.branch(0xFFFE).is_err());
}

#[test]
fn search_finds_the_first_key_not_below() {
    let elements = [
        leaf_element(0, b"b", b""),
        leaf_element(0, b"d", b""),
        leaf_element(0, b"f", b""),
        leaf_element(0, b"f\0", b""),
    ];
    let bytes = hand_made(0, true, &elements, 256);
    let page = Page::parse(0, &bytes).unwrap();
    for (key, index) in [
        (&b"a"[..], 0),
        (b"b", 0),
        (b"b\0", 1),
        (b"c", 1),
        (b"d", 1),
        (b"e", 2),
        (b"f", 2),
        (b"f\0", 3),
        (b"f\0\0", 4),
        (b"g", 4),
        (b"\xff\xff", 4),
    ] {
        assert_eq!(page.search(key).unwrap(), index, "{key:?}");
    }
    let empty = hand_made(0, true, &[], 64);
    assert_eq!(Page::parse(0, &empty).unwrap().search(b"x").unwrap(), 0);

    // Branch pages are searched the same way.
    let elements = [branch_element(b"b", 5), branch_element(b"m", 6)];
    let bytes = hand_made(0, false, &elements, 128);
    let page = Page::parse(0, &bytes).unwrap();
    assert_eq!(page.search(b"a").unwrap(), 0);
    assert_eq!(page.search(b"c").unwrap(), 1);
    assert_eq!(page.search(b"m").unwrap(), 1);
    assert_eq!(page.search(b"n").unwrap(), 2);
}

#[test]
fn pages_outside_the_high_water_mark_cannot_be_read() {
    let (_dir, path) = super::temp_file();
    std::fs::write(&path, crate::bptree::db::initial_file(4096)).unwrap();
    let db = DB::open(&path, crate::bptree::Options::read_only()).unwrap();
    let tx = db.begin_read();
    let pages = tx.pages();
    assert!(pages.page(3).unwrap().is_leaf());
    assert_eq!(pages.page(2).unwrap().flags, 0x10);
    for id in [0, 1, 4, 5, 1 << 40, u64::MAX] {
        assert!(
            matches!(pages.page(id), Err(Error::Corrupt { .. })),
            "page {id}"
        );
    }
}

#[test]
fn a_page_whose_header_names_another_page_is_corrupt() {
    let (_dir, path) = super::temp_file();
    let mut bytes = crate::bptree::db::initial_file(4096);
    bytes[3 * 4096] = 7; // page 3's header now says it is page 7
    std::fs::write(&path, bytes).unwrap();
    let db = DB::open(&path, crate::bptree::Options::read_only()).unwrap();
    let tx = db.begin_read();
    assert!(matches!(
        tx.pages().page(3),
        Err(Error::Corrupt { page: 3, .. })
    ));
}

#[test]
fn a_page_whose_overflow_runs_past_the_high_water_mark_is_corrupt() {
    let (_dir, path) = super::temp_file();
    let mut bytes = crate::bptree::db::initial_file(4096);
    bytes[3 * 4096 + 12] = 1; // page 3 (the last in use) claims a second page
    std::fs::write(&path, bytes).unwrap();
    let db = DB::open(&path, crate::bptree::Options::read_only()).unwrap();
    let tx = db.begin_read();
    assert!(matches!(
        tx.pages().page(3),
        Err(Error::Corrupt { page: 3, .. })
    ));
    assert!(tx.root().cursor().first().is_err());
}
