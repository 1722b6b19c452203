//! The node types, and the sizes a node takes on a page. Reading, writing
//! and splitting nodes is in the parent module.

use crate::page::{BUCKET_LEAF_FLAG, ELEMENT_LEN, HEADER_LEN};

/// bbolt never leaves fewer than this many elements in a split-off node.
pub(super) const MIN_KEYS_PER_PAGE: usize = 2;

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
    pub(crate) fn element_size(inode: &Inode) -> usize {
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

    /// Whether any element is a nested bucket.
    pub fn has_buckets(&self) -> bool {
        self.inodes.iter().any(|i| i.flags & BUCKET_LEAF_FLAG != 0)
    }
}
