//! A bucket's tree inside a write transaction: the pages it has not touched
//! stay in the map, the nodes it changes live in memory.
//!
//! A write turns every page on the path from the root to its leaf into a
//! [`DirtyNode`] (the page is freed at that moment: it is rewritten elsewhere
//! at commit, copy-on-write). Untouched subtrees stay [`Child::Clean`] page
//! ids. bbolt splits only at commit, so a large transaction of random writes
//! keeps inserting into ever larger sorted arrays; here a node that grows past
//! a few pages is split at once, which keeps every insert cheap.
//!
//! Branch keys of dirty nodes may go stale inside a transaction (a delete can
//! raise a child's first key, an insert before everything lowers child 0's);
//! they stay valid lower bounds for search, and [`crate::spill`] rewrites
//! each one to its child's first key as bbolt's format demands.

use crate::freelist::Freelist;
use crate::node::{Inode, Node, split_lengths};
use crate::page::{BUCKET_LEAF_FLAG, ELEMENT_LEN, HEADER_LEN, LeafElement, Page, compare_keys};
use crate::tx::Pages;
use crate::{Error, Result};

/// A node larger than this many pages is split as soon as it grows.
const EAGER_SPLIT_PAGES: usize = 4;

/// A child of a branch, or the root of a bucket's tree.
#[derive(Debug)]
pub enum Child {
    /// A page of the committed tree, not touched by this transaction.
    Clean(u64),
    /// A node this transaction has changed.
    Dirty(Box<DirtyNode>),
}

/// One element of a dirty branch.
#[derive(Debug)]
pub struct BranchElem {
    /// A lower bound of the child's keys (its first key, once spilled).
    pub key: Vec<u8>,
    /// The child.
    pub child: Child,
}

/// A node changed by a write transaction.
#[derive(Debug)]
pub enum DirtyNode {
    /// A leaf: its elements and their size on a page, header included.
    Leaf {
        /// The elements, in key order.
        inodes: Vec<Inode>,
        /// 16 + Σ(16 + key + value), kept up to date.
        size: usize,
        /// It lost an element in this transaction: only such nodes are
        /// rebalanced at commit, as bbolt does.
        deleted: bool,
    },
    /// A branch.
    Branch(Vec<BranchElem>),
}

/// The context a tree edit needs: the committed pages to read, the freelist
/// to free materialised pages to, the transaction id they are pending under.
pub struct Edit<'a, 't> {
    /// The pages of the snapshot the transaction started from.
    pub pages: Pages<'t>,
    /// The freelist.
    pub freelist: &'a mut Freelist,
    /// The writing transaction.
    pub txid: u64,
    /// The fill percent of the bucket being edited, for eager splits.
    pub fill_percent: f64,
}

impl DirtyNode {
    /// An empty leaf, the root of a new bucket.
    pub fn empty_leaf() -> DirtyNode {
        DirtyNode::Leaf {
            inodes: Vec::new(),
            size: HEADER_LEN,
            deleted: false,
        }
    }

    /// A leaf holding `inodes`.
    pub fn leaf(inodes: Vec<Inode>) -> DirtyNode {
        let size = HEADER_LEN + inodes.iter().map(Node::element_size).sum::<usize>();
        DirtyNode::Leaf {
            inodes,
            size,
            deleted: false,
        }
    }

    /// Reads a branch or leaf page (or an inline bucket's page) into a node.
    pub fn read(page: &Page<'_>) -> Result<DirtyNode> {
        page.check_tree_page()?;
        let node = Node::read(page)?;
        Ok(if node.is_leaf {
            DirtyNode::leaf(node.inodes)
        } else {
            DirtyNode::Branch(
                node.inodes
                    .into_iter()
                    .map(|i| BranchElem {
                        key: i.key,
                        child: Child::Clean(i.child),
                    })
                    .collect(),
            )
        })
    }

    /// Whether this is a leaf.
    pub fn is_leaf(&self) -> bool {
        matches!(self, DirtyNode::Leaf { .. })
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        match self {
            DirtyNode::Leaf { inodes, .. } => inodes.len(),
            DirtyNode::Branch(elems) => elems.len(),
        }
    }

    /// Whether it has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Its size on a page, header included.
    pub fn size(&self) -> usize {
        match self {
            DirtyNode::Leaf { size, .. } => *size,
            DirtyNode::Branch(elems) => {
                HEADER_LEN
                    + elems
                        .iter()
                        .map(|e| ELEMENT_LEN + e.key.len())
                        .sum::<usize>()
            }
        }
    }

    /// The first key, if any.
    pub fn first_key(&self) -> Option<&[u8]> {
        match self {
            DirtyNode::Leaf { inodes, .. } => inodes.first().map(|i| &i.key[..]),
            DirtyNode::Branch(elems) => elems.first().map(|e| &e.key[..]),
        }
    }

    /// The index of the child whose keys may hold `key`: the last element
    /// whose key is ≤ `key`, or the first.
    pub fn branch_index(elems: &[BranchElem], key: &[u8]) -> usize {
        elems
            .partition_point(|e| compare_keys(&e.key, key).is_le())
            .saturating_sub(1)
    }

    /// Cuts the node into pieces that each fit a page, by bbolt's rule.
    fn split(self, page_size: usize, fill_percent: f64) -> Vec<DirtyNode> {
        match self {
            DirtyNode::Leaf { mut inodes, .. } => {
                let lengths = split_lengths(
                    inodes.iter().map(Node::element_size),
                    page_size,
                    fill_percent,
                );
                let mut pieces = Vec::with_capacity(lengths.len());
                for &len in lengths.iter().rev() {
                    pieces.push(DirtyNode::leaf(inodes.split_off(inodes.len() - len)));
                }
                pieces.reverse();
                pieces
            }
            DirtyNode::Branch(mut elems) => {
                let sizes = elems.iter().map(|e| ELEMENT_LEN + e.key.len());
                let lengths = split_lengths(sizes, page_size, fill_percent);
                let mut pieces = Vec::with_capacity(lengths.len());
                for &len in lengths.iter().rev() {
                    pieces.push(DirtyNode::Branch(elems.split_off(elems.len() - len)));
                }
                pieces.reverse();
                pieces
            }
        }
    }

    /// Appends `other`'s elements (its right neighbour at the same level).
    fn absorb(&mut self, other: DirtyNode) -> Result<()> {
        match (self, other) {
            (DirtyNode::Leaf { inodes, size, .. }, DirtyNode::Leaf { inodes: more, .. }) => {
                *size += more.iter().map(Node::element_size).sum::<usize>();
                inodes.extend(more);
            }
            (DirtyNode::Branch(elems), DirtyNode::Branch(more)) => elems.extend(more),
            _ => {
                return Err(Error::corrupt(
                    0,
                    "sibling pages at one level are not both leaves or both branches",
                ));
            }
        }
        Ok(())
    }
}

// ANCHOR: materialise
/// Makes `child` dirty, reading and freeing its page if it was clean.
pub fn materialise<'c>(child: &'c mut Child, edit: &mut Edit<'_, '_>) -> Result<&'c mut DirtyNode> {
    if let Child::Clean(id) = *child {
        let page = edit.pages.page(id)?;
        let node = DirtyNode::read(&page)?;
        edit.freelist
            .free(edit.txid, id, u64::from(page.overflow) + 1)?;
        *child = Child::Dirty(Box::new(node));
    }
    match child {
        Child::Dirty(node) => Ok(node),
        Child::Clean(id) => Err(Error::corrupt(*id, "materialising failed")),
    }
}
// ANCHOR_END: materialise

// ANCHOR: put
/// Puts `key` → `value` (with leaf `flags`) into the tree at `child`,
/// splitting any node on the path that grew past a few pages.
///
/// # Errors
/// [`Error::IncompatibleValue`] when `key` holds a bucket and `flags` a value,
/// or the other way round; corruption found on the path.
pub fn put(
    child: &mut Child,
    edit: &mut Edit<'_, '_>,
    key: &[u8],
    value: Vec<u8>,
    flags: u32,
) -> Result<()> {
    let node = materialise(child, edit)?;
    match node {
        DirtyNode::Leaf { inodes, size, .. } => {
            let index = inodes.partition_point(|i| compare_keys(&i.key, key).is_lt());
            match inodes.get_mut(index) {
                Some(old) if old.key == key => {
                    if (old.flags ^ flags) & BUCKET_LEAF_FLAG != 0 {
                        return Err(Error::IncompatibleValue);
                    }
                    *size = *size + value.len() - old.value.len();
                    old.value = value;
                    old.flags = flags;
                }
                _ => {
                    let inode = Inode {
                        flags,
                        key: key.to_vec(),
                        value,
                        child: 0,
                    };
                    *size += Node::element_size(&inode);
                    inodes.insert(index, inode);
                }
            }
        }
        DirtyNode::Branch(elems) => {
            let index = DirtyNode::branch_index(elems, key);
            put(&mut elems[index].child, edit, key, value, flags)?;
            split_child_if_large(elems, index, edit)?;
        }
    }
    Ok(())
}
// ANCHOR_END: put

// ANCHOR: eager_split
/// Splits child `index` of a branch in place if it grew past a few pages.
fn split_child_if_large(
    elems: &mut Vec<BranchElem>,
    index: usize,
    edit: &Edit<'_, '_>,
) -> Result<()> {
    let page_size = edit.pages.page_size();
    let Child::Dirty(node) = &mut elems[index].child else {
        return Ok(());
    };
    if node.size() <= EAGER_SPLIT_PAGES * page_size {
        return Ok(());
    }
    let node = std::mem::replace(node.as_mut(), DirtyNode::empty_leaf());
    let pieces = node.split(page_size, edit.fill_percent);
    if pieces.len() == 1 {
        // A few huge values: it stays whole and spans several pages.
        elems[index].child = Child::Dirty(Box::new(
            pieces
                .into_iter()
                .next()
                .unwrap_or_else(DirtyNode::empty_leaf),
        ));
        return Ok(());
    }
    let first_key = std::mem::take(&mut elems[index].key);
    let new: Vec<BranchElem> = pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| BranchElem {
            // The first piece keeps the old key: it is a valid lower bound.
            key: if i == 0 {
                first_key.clone()
            } else {
                piece.first_key().unwrap_or_default().to_vec()
            },
            child: Child::Dirty(Box::new(piece)),
        })
        .collect();
    elems.splice(index..=index, new);
    Ok(())
}
// ANCHOR_END: eager_split

/// After a put at the root: if the root grew past a few pages, grows the
/// tree by one level, a new root branch over the pieces.
pub fn split_root_if_large(root: &mut Child, edit: &Edit<'_, '_>) -> Result<()> {
    let is_large = matches!(root, Child::Dirty(node) if node.size() > EAGER_SPLIT_PAGES * edit.pages.page_size());
    if is_large {
        let old = std::mem::replace(root, Child::Dirty(Box::new(DirtyNode::empty_leaf())));
        let key = match &old {
            Child::Dirty(node) => node.first_key().unwrap_or_default().to_vec(),
            Child::Clean(_) => Vec::new(),
        };
        let mut elems = vec![BranchElem { key, child: old }];
        split_child_if_large(&mut elems, 0, edit)?;
        *root = Child::Dirty(Box::new(DirtyNode::Branch(elems)));
        if let Child::Dirty(node) = root
            && let DirtyNode::Branch(elems) = node.as_mut()
            && elems.len() == 1
        {
            // It would not split (a few huge values): keep the leaf as root.
            if let Some(only) = elems.pop() {
                *root = only.child;
            }
        }
    }
    Ok(())
}

/// Removes `key` from the tree at `child`, returning its element. The caller
/// has checked that it is there (so that a miss dirties nothing).
pub fn delete(child: &mut Child, edit: &mut Edit<'_, '_>, key: &[u8]) -> Result<Option<Inode>> {
    let node = materialise(child, edit)?;
    match node {
        DirtyNode::Leaf {
            inodes,
            size,
            deleted,
        } => {
            let index = inodes.partition_point(|i| compare_keys(&i.key, key).is_lt());
            if inodes.get(index).is_some_and(|i| i.key == key) {
                let old = inodes.remove(index);
                *size -= Node::element_size(&old);
                *deleted = true;
                return Ok(Some(old));
            }
            Ok(None)
        }
        DirtyNode::Branch(elems) => {
            let index = DirtyNode::branch_index(elems, key);
            delete(&mut elems[index].child, edit, key)
        }
    }
}

/// Whether a node is small enough to merge, by bbolt's rule: at most a
/// quarter page, or too few elements (one for a leaf, two for a branch).
fn underfull(node: &DirtyNode, page_size: usize) -> bool {
    let min_keys = if node.is_leaf() { 1 } else { 2 };
    node.size() <= page_size / 4 || node.len() <= min_keys
}

// ANCHOR: rebalance
/// Rebalances the dirty part of the tree at `root` before it is written:
/// empty nodes are removed, small ones merged into a sibling, and a root
/// branch left with one child is replaced by that child.
pub fn rebalance(root: &mut Child, edit: &mut Edit<'_, '_>) -> Result<()> {
    let Child::Dirty(node) = root else {
        return Ok(());
    };
    rebalance_children(node, edit)?;
    // Collapse a root branch with a single child, and an emptied one.
    loop {
        let Child::Dirty(node) = root else {
            return Ok(());
        };
        match node.as_mut() {
            DirtyNode::Branch(elems) if elems.len() == 1 => {
                if let Some(only) = elems.pop() {
                    *root = only.child;
                }
            }
            DirtyNode::Branch(elems) if elems.is_empty() => {
                **node = DirtyNode::empty_leaf();
            }
            _ => return Ok(()),
        }
    }
}

/// Rebalances `node`'s dirty children; returns whether `node` itself lost
/// an element (so that its parent considers merging it).
fn rebalance_children(node: &mut DirtyNode, edit: &mut Edit<'_, '_>) -> Result<bool> {
    let elems = match node {
        DirtyNode::Leaf { deleted, .. } => return Ok(*deleted),
        DirtyNode::Branch(elems) => elems,
    };
    // Which children lost elements, innermost first.
    let mut lost = Vec::with_capacity(elems.len());
    for elem in elems.iter_mut() {
        lost.push(match &mut elem.child {
            Child::Dirty(child) => rebalance_children(child, edit)?,
            Child::Clean(_) => false,
        });
    }
    let page_size = edit.pages.page_size();
    let before = elems.len();
    let mut i = 0;
    while i < elems.len() {
        let (empty, small) = match &elems[i].child {
            Child::Dirty(child) => (child.is_empty(), lost[i] && underfull(child, page_size)),
            Child::Clean(_) => (false, false),
        };
        if empty {
            elems.remove(i);
            lost.remove(i);
        } else if !small || elems.len() == 1 {
            i += 1;
        } else if i == 0 {
            // The first child absorbs its right sibling.
            let right = elems.remove(1);
            lost.remove(1);
            let mut right_child = right.child;
            let right_node = std::mem::replace(
                materialise(&mut right_child, edit)?,
                DirtyNode::empty_leaf(),
            );
            if let Child::Dirty(left) = &mut elems[0].child {
                left.absorb(right_node)?;
            }
            i += 1;
        } else {
            // Any other child is appended to its left sibling.
            let this = elems.remove(i);
            lost.remove(i);
            if let Child::Dirty(node) = this.child {
                let left = materialise(&mut elems[i - 1].child, edit)?;
                left.absorb(*node)?;
            }
        }
    }
    Ok(elems.len() < before)
}
// ANCHOR_END: rebalance

/// A bucket found inside a freed tree: its name and its value.
pub type NestedBucket = (Vec<u8>, Vec<u8>);

/// Frees every page of the subtree at `child` (a deleted bucket's tree) and
/// returns the buckets found in it, whose trees the caller frees in turn.
pub fn free_tree(child: &Child, edit: &mut Edit<'_, '_>) -> Result<Vec<NestedBucket>> {
    let mut nested = Vec::new();
    match child {
        Child::Dirty(node) => free_dirty(node, edit, &mut nested)?,
        Child::Clean(id) => free_clean(*id, edit, &mut nested, 0)?,
    }
    Ok(nested)
}

fn free_dirty(
    node: &DirtyNode,
    edit: &mut Edit<'_, '_>,
    nested: &mut Vec<NestedBucket>,
) -> Result<()> {
    match node {
        DirtyNode::Leaf { inodes, .. } => nested.extend(
            inodes
                .iter()
                .filter(|i| i.flags & BUCKET_LEAF_FLAG != 0)
                .map(|i| (i.key.clone(), i.value.clone())),
        ),
        DirtyNode::Branch(elems) => {
            for elem in elems {
                match &elem.child {
                    Child::Dirty(node) => free_dirty(node, edit, nested)?,
                    Child::Clean(id) => free_clean(*id, edit, nested, 0)?,
                }
            }
        }
    }
    Ok(())
}

/// Deeper than any real tree: a deeper path means a page cycle.
const MAX_DEPTH: usize = 64;

fn free_clean(
    id: u64,
    edit: &mut Edit<'_, '_>,
    nested: &mut Vec<NestedBucket>,
    depth: usize,
) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(Error::corrupt(
            id,
            "the tree is deeper than any real one: a page cycle?",
        ));
    }
    let page = edit.pages.page(id)?;
    edit.freelist
        .free(edit.txid, id, u64::from(page.overflow) + 1)?;
    for i in 0..usize::from(page.count) {
        if page.is_branch() {
            free_clean(page.branch(i)?.child, edit, nested, depth + 1)?;
        } else {
            let LeafElement { flags, key, value } = page.leaf(i)?;
            if flags & BUCKET_LEAF_FLAG != 0 {
                nested.push((key.to_vec(), value.to_vec()));
            }
        }
    }
    Ok(())
}
