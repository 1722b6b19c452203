//! Spilling: writing a transaction's dirty nodes to newly allocated pages.
//!
//! Children are spilled before their parents, so that a branch can point at
//! its children's new pages and take each child's first key as its own key
//! for it (the invariant Go relies on). Every node is split to fit a page by
//! bbolt's rule first; a root that splits gets a new root branch above it.

use crate::Result;
use crate::node::{Inode, Node};
use crate::page::Header;
use crate::tree::{Child, DirtyNode};

mod pages;

pub use pages::{PageBuf, PageWriter, bucket_value, empty_bucket_value};

impl PageWriter<'_> {
    /// Allocates pages for `node` and lays it out in them; returns the id.
    pub fn write_node(&mut self, node: &Node) -> Result<u64> {
        // A page's count is a u16, and bbolt reads 0xFFFF as "the count is in
        // the first element". Nodes are split to a few pages long before that:
        // at most 4 pages of 64 KiB, of elements of at least 17 bytes.
        assert!(
            node.inodes.len() < 0xFFFF,
            "a node of {} elements: nodes are split long before 65,535",
            node.inodes.len()
        );
        let pages = node.pages_needed(self.page_size).max(1);
        let id = self.allocate(pages);
        let mut bytes = vec![0; pages * self.page_size];
        node.write(&mut bytes);
        let header = Header {
            id,
            overflow: (pages - 1) as u32,
            ..Header::read(&bytes)
        };
        header.write(&mut bytes);
        self.pages.push((id, bytes));
        Ok(id)
    }
}

// ANCHOR: spill
/// Spills the tree at `root` and returns its new root page id.
pub fn spill_tree(root: Child, out: &mut PageWriter<'_>, fill_percent: f64) -> Result<u64> {
    let mut level = match root {
        Child::Clean(id) => return Ok(id),
        Child::Dirty(node) => spill(*node, out, fill_percent)?,
    };
    // A root that split needs a new root branch above the pieces (which may
    // split again, when the root branch itself is too large).
    while level.len() > 1 {
        let branch = branch_node(level);
        level = write_split(branch, out, fill_percent)?;
    }
    let (_, root) = level
        .pop()
        .expect("spilling a node writes at least one page, even an empty leaf");
    Ok(root)
}

/// Spills a node and its dirty descendants; returns the (first key, page id)
/// of each page the node became.
fn spill(node: DirtyNode, out: &mut PageWriter<'_>, fill: f64) -> Result<Vec<(Vec<u8>, u64)>> {
    let node = match node {
        DirtyNode::Leaf { inodes, .. } => Node {
            is_leaf: true,
            inodes,
        },
        DirtyNode::Branch(elems) => {
            let mut children = Vec::with_capacity(elems.len());
            for elem in elems {
                match elem.child {
                    // An untouched child's key is its first key already.
                    Child::Clean(id) => children.push((elem.key, id)),
                    Child::Dirty(child) => {
                        if child.is_empty() {
                            continue;
                        }
                        children.extend(spill(*child, out, fill)?);
                    }
                }
            }
            branch_node(children)
        }
    };
    write_split(node, out, fill)
}
// ANCHOR_END: spill

/// A branch node over (first key, page id) pairs.
fn branch_node(children: Vec<(Vec<u8>, u64)>) -> Node {
    Node {
        is_leaf: false,
        inodes: children
            .into_iter()
            .map(|(key, child)| Inode {
                flags: 0,
                key,
                value: Vec::new(),
                child,
            })
            .collect(),
    }
}

fn write_split(node: Node, out: &mut PageWriter<'_>, fill: f64) -> Result<Vec<(Vec<u8>, u64)>> {
    let mut written = Vec::new();
    for piece in node.split(out.page_size, fill) {
        let id = out.write_node(&piece)?;
        let key = piece
            .inodes
            .into_iter()
            .next()
            .map(|i| i.key)
            .unwrap_or_default();
        written.push((key, id));
    }
    Ok(written)
}

// ANCHOR: inlineable
/// Whether a bucket whose root is `node` is stored inline, by bbolt's rule:
/// a leaf, holding no buckets, of at most a quarter page.
pub fn inlineable(node: &DirtyNode, page_size: usize) -> bool {
    match node {
        DirtyNode::Leaf { inodes, size, .. } => {
            *size <= page_size / 4
                && inodes
                    .iter()
                    .all(|i| i.flags & crate::page::BUCKET_LEAF_FLAG == 0)
        }
        DirtyNode::Branch(_) => false,
    }
}
// ANCHOR_END: inlineable
