//! What a cursor stands on and keeps: nodes (pages or dirty nodes), the
//! stack from the root to the current element, and the entries it returns.
//! Moving the cursor is in the parent module.

use crate::page::{LeafElement, Page, compare_keys};
use crate::tree::{Child, DirtyNode};
use crate::tx::{Pages, Root};
use crate::{Error, Result};

/// A node a cursor can stand on: a page of the map, or a node a write
/// transaction changed. Read transactions only ever see pages.
#[derive(Debug, Clone, Copy)]
pub enum NodeRef<'t> {
    /// A committed page (or an inline bucket's page).
    Page(Page<'t>),
    /// A dirty node of a write transaction.
    Dirty(&'t DirtyNode),
}

impl<'t> NodeRef<'t> {
    /// Whether it is a leaf.
    #[inline]
    pub fn is_leaf(&self) -> bool {
        match self {
            NodeRef::Page(p) => p.is_leaf(),
            NodeRef::Dirty(n) => n.is_leaf(),
        }
    }

    /// Its number of elements.
    #[inline]
    pub fn count(&self) -> usize {
        match self {
            NodeRef::Page(p) => usize::from(p.count),
            NodeRef::Dirty(n) => n.len(),
        }
    }

    pub(super) fn id(&self) -> u64 {
        match self {
            NodeRef::Page(p) => p.id,
            NodeRef::Dirty(_) => 0,
        }
    }

    /// Leaf element `i`.
    #[inline]
    pub fn leaf(&self, i: usize) -> Result<LeafElement<'t>> {
        match *self {
            NodeRef::Page(p) => p.leaf(i),
            NodeRef::Dirty(DirtyNode::Leaf { inodes, .. }) => inodes
                .get(i)
                .map(|inode| LeafElement {
                    flags: inode.flags,
                    key: &inode.key,
                    value: &inode.value,
                })
                .ok_or_else(|| Error::corrupt(0, "leaf index out of range")),
            NodeRef::Dirty(DirtyNode::Branch(_)) => Err(Error::corrupt(0, "not a leaf")),
        }
    }

    /// Child `i` of a branch.
    #[inline]
    pub fn child(&self, i: usize, pages: &Pages<'t>) -> Result<NodeRef<'t>> {
        match *self {
            NodeRef::Page(p) => Ok(NodeRef::Page(pages.page(p.branch(i)?.child)?)),
            NodeRef::Dirty(DirtyNode::Branch(elems)) => match elems.get(i).map(|e| &e.child) {
                Some(Child::Clean(id)) => Ok(NodeRef::Page(pages.page(*id)?)),
                Some(Child::Dirty(node)) => Ok(NodeRef::Dirty(node)),
                None => Err(Error::corrupt(0, "branch index out of range")),
            },
            NodeRef::Dirty(DirtyNode::Leaf { .. }) => Err(Error::corrupt(0, "not a branch")),
        }
    }

    /// In a leaf, the index of the first element ≥ `key`; in a branch, the
    /// child whose subtree may hold `key` (bbolt's step back unless exact).
    #[inline]
    pub fn search(&self, key: &[u8]) -> Result<usize> {
        match *self {
            NodeRef::Page(p) if p.is_leaf() => p.search(key),
            // The last element ≤ `key`: bbolt's "first ≥, step back unless
            // exact", in one binary search.
            NodeRef::Page(p) => Ok(p.search_after(key)?.saturating_sub(1)),
            NodeRef::Dirty(DirtyNode::Leaf { inodes, .. }) => {
                Ok(inodes.partition_point(|i| compare_keys(&i.key, key).is_lt()))
            }
            NodeRef::Dirty(DirtyNode::Branch(elems)) => Ok(DirtyNode::branch_index(elems, key)),
        }
    }

    #[inline]
    pub(super) fn check(self) -> Result<NodeRef<'t>> {
        if let NodeRef::Page(page) = self {
            page.check_tree_page()?;
        }
        Ok(self)
    }
}

#[inline]
pub(super) fn root_node<'t>(pages: Pages<'t>, root: Root<'t>) -> Result<NodeRef<'t>> {
    match root {
        Root::Page(id) => NodeRef::Page(pages.page(id)?).check(),
        Root::Inline(page) => NodeRef::Page(page).check(),
        Root::Node(node) => Ok(NodeRef::Dirty(node)),
    }
}

/// Deeper than any real tree: a deeper path means a page cycle in a damaged file.
pub(super) const MAX_DEPTH: usize = 64;

/// An entry a cursor points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'t> {
    /// The key.
    pub key: &'t [u8],
    /// The value, or the bucket header (and inline page) for a nested bucket.
    pub value: &'t [u8],
    flags: u32,
}

impl Entry<'_> {
    /// Whether the entry is a nested bucket.
    pub fn is_bucket(&self) -> bool {
        LeafElement {
            flags: self.flags,
            key: &[],
            value: &[],
        }
        .is_bucket()
    }
}

impl<'t> From<LeafElement<'t>> for Entry<'t> {
    #[inline]
    fn from(e: LeafElement<'t>) -> Self {
        Entry {
            key: e.key,
            value: e.value,
            flags: e.flags,
        }
    }
}

/// A position in a bucket; see the [`cursor`](crate::cursor) module docs.
#[derive(Debug, Clone)]
pub struct Cursor<'t> {
    pub(super) pages: Pages<'t>,
    pub(super) root: Root<'t>,
    pub(super) stack: Vec<(NodeRef<'t>, usize)>,
}

impl<'t> Cursor<'t> {
    pub(crate) fn new(pages: Pages<'t>, root: Root<'t>) -> Cursor<'t> {
        Cursor {
            pages,
            root,
            stack: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, node: NodeRef<'t>, index: usize) -> Result<()> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Error::corrupt(
                node.id(),
                "the tree is deeper than any real one: a page cycle?",
            ));
        }
        self.stack.push((node.check()?, index));
        Ok(())
    }

    /// The entry at the current position, if it is on an element.
    #[inline]
    pub(super) fn current(&self) -> Result<Option<Entry<'t>>> {
        match self.stack.last() {
            Some(&(node, index)) if index < node.count() => Ok(Some(node.leaf(index)?.into())),
            _ => Ok(None),
        }
    }
}
