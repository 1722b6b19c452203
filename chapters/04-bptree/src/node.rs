//! Nodes: a page's elements decoded into owned, editable form, and written
//! back exactly as bbolt lays them out.
//!
//! A write transaction turns the pages it changes into nodes, edits them, and
//! at commit splits each node that outgrew a page and writes it to new pages
//! (copy-on-write). The layout written is bbolt's, byte for byte: elements
//! after the header, then each element's key (and value) in element order,
//! with `pos` counted from the element.

use crate::Result;
use crate::page::{self, BUCKET_LEAF_FLAG, ELEMENT_LEN, HEADER_LEN, Page};

/// bbolt never leaves fewer than this many elements in a split-off node.
const MIN_KEYS_PER_PAGE: usize = 2;

/// One element of a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inode {
    /// Leaf element flags ([`BUCKET_LEAF_FLAG`]); 0 in a branch.
    pub flags: u32,
    /// The key (in a branch: the first key of the child's subtree).
    pub key: Vec<u8>,
    /// The value, in a leaf.
    pub value: Vec<u8>,
    /// The child page, in a branch.
    pub child: u64,
}

/// A branch or leaf node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Whether this is a leaf.
    pub is_leaf: bool,
    /// Its elements, in key order.
    pub inodes: Vec<Inode>,
}

impl Node {
    /// Decodes a branch or leaf page.
    pub fn read(page: &Page<'_>) -> Result<Node> {
        let count = usize::from(page.count);
        let inodes = (0..count)
            .map(|i| {
                if page.is_leaf() {
                    let e = page.leaf(i)?;
                    Ok(Inode {
                        flags: e.flags,
                        key: e.key.to_vec(),
                        value: e.value.to_vec(),
                        child: 0,
                    })
                } else {
                    let e = page.branch(i)?;
                    Ok(Inode {
                        flags: 0,
                        key: e.key.to_vec(),
                        value: Vec::new(),
                        child: e.child,
                    })
                }
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Node {
            is_leaf: page.is_leaf(),
            inodes,
        })
    }

    fn element_size(inode: &Inode) -> usize {
        ELEMENT_LEN + inode.key.len() + inode.value.len()
    }

    /// The bytes the node takes on a page, header included.
    pub fn size(&self) -> usize {
        HEADER_LEN + self.inodes.iter().map(Node::element_size).sum::<usize>()
    }

    /// How many contiguous pages of `page_size` bytes the node needs.
    pub fn pages_needed(&self, page_size: usize) -> usize {
        self.size().div_ceil(page_size)
    }

    // ANCHOR: write
    /// Writes the node's header (flags and count), elements, keys and values
    /// into `out`, which is at least [`size`](Node::size) bytes and zeroed. The
    /// page id and overflow are the caller's to set.
    pub fn write(&self, out: &mut [u8]) {
        let flags = if self.is_leaf {
            page::LEAF
        } else {
            page::BRANCH
        };
        out[8..10].copy_from_slice(&flags.to_le_bytes());
        out[10..12].copy_from_slice(&(self.inodes.len() as u16).to_le_bytes());
        let mut data = HEADER_LEN + ELEMENT_LEN * self.inodes.len();
        for (i, inode) in self.inodes.iter().enumerate() {
            let at = HEADER_LEN + ELEMENT_LEN * i;
            let pos = (data - at) as u32;
            let e = &mut out[at..at + ELEMENT_LEN];
            if self.is_leaf {
                e[0..4].copy_from_slice(&inode.flags.to_le_bytes());
                e[4..8].copy_from_slice(&pos.to_le_bytes());
                e[8..12].copy_from_slice(&(inode.key.len() as u32).to_le_bytes());
                e[12..16].copy_from_slice(&(inode.value.len() as u32).to_le_bytes());
            } else {
                e[0..4].copy_from_slice(&pos.to_le_bytes());
                e[4..8].copy_from_slice(&(inode.key.len() as u32).to_le_bytes());
                e[8..16].copy_from_slice(&inode.child.to_le_bytes());
            }
            out[data..data + inode.key.len()].copy_from_slice(&inode.key);
            data += inode.key.len();
            out[data..data + inode.value.len()].copy_from_slice(&inode.value);
            data += inode.value.len();
        }
    }
    // ANCHOR_END: write

    /// Whether any element is a nested bucket.
    pub fn has_buckets(&self) -> bool {
        self.inodes.iter().any(|i| i.flags & BUCKET_LEAF_FLAG != 0)
    }

    // ANCHOR: split
    /// Splits the node into nodes that each fit a page, as bbolt does at commit:
    /// a node of more than four elements and at least a page is cut where the
    /// running size would pass `page_size × fill_percent` (clamped to 0.1..=1),
    /// never leaving fewer than two elements on either side; the rest is split
    /// again. A node that still exceeds a page (a few huge values) stays whole
    /// and spans several pages.
    pub fn split(self, page_size: usize, fill_percent: f64) -> Vec<Node> {
        let threshold = (page_size as f64 * fill_percent.clamp(0.1, 1.0)) as usize;
        let mut nodes = Vec::new();
        let mut rest = self;
        loop {
            if rest.inodes.len() <= MIN_KEYS_PER_PAGE * 2 || rest.size() < page_size {
                nodes.push(rest);
                return nodes;
            }
            let mut size = HEADER_LEN;
            let mut index = 0;
            for (i, inode) in rest.inodes[..rest.inodes.len() - MIN_KEYS_PER_PAGE]
                .iter()
                .enumerate()
            {
                index = i;
                let element = Node::element_size(inode);
                if i >= MIN_KEYS_PER_PAGE && size + element > threshold {
                    break;
                }
                size += element;
            }
            let right = rest.inodes.split_off(index);
            nodes.push(Node {
                is_leaf: rest.is_leaf,
                inodes: std::mem::take(&mut rest.inodes),
            });
            rest = Node {
                is_leaf: rest.is_leaf,
                inodes: right,
            };
        }
    }
    // ANCHOR_END: split
}
