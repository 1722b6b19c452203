//! Cursors: walking a bucket's tree in key order, in both directions.
//!
//! A cursor keeps the path from the root to its current leaf element as a
//! stack of (page, index). Moving past the end of a leaf climbs to the first
//! ancestor with a next child and descends to that child's first leaf.

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

    fn id(&self) -> u64 {
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
            NodeRef::Page(p) => {
                let found = p.search(key)?;
                if p.is_leaf() {
                    return Ok(found);
                }
                let exact = found < usize::from(p.count) && p.key(found)? == key;
                Ok(if exact {
                    found
                } else {
                    found.saturating_sub(1)
                })
            }
            NodeRef::Dirty(DirtyNode::Leaf { inodes, .. }) => {
                Ok(inodes.partition_point(|i| compare_keys(&i.key, key).is_lt()))
            }
            NodeRef::Dirty(DirtyNode::Branch(elems)) => Ok(DirtyNode::branch_index(elems, key)),
        }
    }

    #[inline]
    fn check(self) -> Result<NodeRef<'t>> {
        if let NodeRef::Page(page) = self {
            if !page.is_leaf() && !page.is_branch() {
                return Err(Error::corrupt(
                    page.id,
                    format!(
                        "expected a branch or leaf page, found flags {:#x}",
                        page.flags
                    ),
                ));
            }
            if page.is_branch() && page.count == 0 {
                return Err(Error::corrupt(page.id, "an empty branch page"));
            }
        }
        Ok(self)
    }
}

// ANCHOR: lookup
/// The leaf element for `key` in the tree at `root`, if there is one: a
/// lookup without a cursor's stack.
#[inline]
pub fn lookup<'t>(pages: Pages<'t>, root: Root<'t>, key: &[u8]) -> Result<Option<LeafElement<'t>>> {
    let mut node = root_node(pages, root)?;
    for _ in 0..MAX_DEPTH {
        let index = node.search(key)?;
        if node.is_leaf() {
            if index < node.count() {
                let e = node.leaf(index)?;
                if e.key == key {
                    return Ok(Some(e));
                }
            }
            return Ok(None);
        }
        node = node.child(index, &pages)?.check()?;
    }
    Err(Error::corrupt(
        node.id(),
        "the tree is deeper than any real one: a page cycle?",
    ))
}
// ANCHOR_END: lookup

#[inline]
fn root_node<'t>(pages: Pages<'t>, root: Root<'t>) -> Result<NodeRef<'t>> {
    match root {
        Root::Page(id) => NodeRef::Page(pages.page(id)?).check(),
        Root::Inline(page) => NodeRef::Page(page).check(),
        Root::Node(node) => Ok(NodeRef::Dirty(node)),
    }
}

/// Deeper than any real tree: a deeper path means a page cycle in a damaged file.
const MAX_DEPTH: usize = 64;

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

/// A position in a bucket; see the module docs.
#[derive(Debug, Clone)]
pub struct Cursor<'t> {
    pages: Pages<'t>,
    root: Root<'t>,
    stack: Vec<(NodeRef<'t>, usize)>,
}

impl<'t> Cursor<'t> {
    pub(crate) fn new(pages: Pages<'t>, root: Root<'t>) -> Cursor<'t> {
        Cursor {
            pages,
            root,
            stack: Vec::new(),
        }
    }

    fn push(&mut self, node: NodeRef<'t>, index: usize) -> Result<()> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Error::corrupt(
                node.id(),
                "the tree is deeper than any real one: a page cycle?",
            ));
        }
        self.stack.push((node.check()?, index));
        Ok(())
    }

    /// From the top of the stack, descends to the first (or last) leaf element.
    fn descend(&mut self, last: bool) -> Result<()> {
        loop {
            let Some(&(node, index)) = self.stack.last() else {
                return Ok(());
            };
            if node.is_leaf() {
                return Ok(());
            }
            let child = node.child(index, &self.pages)?;
            let start = if last {
                child.count().saturating_sub(1)
            } else {
                0
            };
            self.push(child, start)?;
        }
    }

    /// The entry at the current position, if it is on an element.
    #[inline]
    fn current(&self) -> Result<Option<Entry<'t>>> {
        match self.stack.last() {
            Some(&(node, index)) if index < node.count() => Ok(Some(node.leaf(index)?.into())),
            _ => Ok(None),
        }
    }

    /// The first entry.
    pub fn first(&mut self) -> Result<Option<Entry<'t>>> {
        self.stack.clear();
        let root = root_node(self.pages, self.root)?;
        self.push(root, 0)?;
        self.descend(false)?;
        // An empty leaf (an empty bucket, or one left by deletes) has no entry here.
        if self.current()?.is_none() {
            return self.next();
        }
        self.current()
    }

    /// The last entry.
    pub fn last(&mut self) -> Result<Option<Entry<'t>>> {
        self.stack.clear();
        let root = root_node(self.pages, self.root)?;
        let start = root.count().saturating_sub(1);
        self.push(root, start)?;
        self.descend(true)?;
        if self.current()?.is_none() {
            return self.prev();
        }
        self.current()
    }

    /// The entry after the current one.
    // bbolt's name. A cursor moves both ways and seeks, so it is not an `Iterator`.
    // ANCHOR: next
    #[allow(clippy::should_implement_trait)]
    #[inline]
    pub fn next(&mut self) -> Result<Option<Entry<'t>>> {
        // Most steps stay in the same leaf.
        if let Some((node, index)) = self.stack.last_mut()
            && node.is_leaf()
            && *index + 1 < node.count()
        {
            *index += 1;
            return node.leaf(*index).map(|e| Some(Entry::from(e)));
        }
        loop {
            // Climb to the deepest level that has a next element.
            while let Some(&(node, index)) = self.stack.last() {
                if index + 1 < node.count() {
                    break;
                }
                self.stack.pop();
            }
            let Some(top) = self.stack.last_mut() else {
                return Ok(None);
            };
            top.1 += 1;
            self.descend(false)?;
            if let Some(entry) = self.current()? {
                return Ok(Some(entry));
            }
        }
    }
    // ANCHOR_END: next

    /// The entry before the current one.
    pub fn prev(&mut self) -> Result<Option<Entry<'t>>> {
        loop {
            while let Some(&(_, index)) = self.stack.last() {
                if index > 0 {
                    break;
                }
                self.stack.pop();
            }
            let Some(top) = self.stack.last_mut() else {
                return Ok(None);
            };
            top.1 -= 1;
            self.descend(true)?;
            if let Some(entry) = self.current()? {
                return Ok(Some(entry));
            }
        }
    }

    // ANCHOR: seek
    /// The first entry whose key is ≥ `key`.
    pub fn seek(&mut self, key: &[u8]) -> Result<Option<Entry<'t>>> {
        self.stack.clear();
        let mut node = root_node(self.pages, self.root)?;
        loop {
            let index = node.search(key)?;
            self.push(node, index)?;
            if node.is_leaf() {
                break;
            }
            node = node.child(index, &self.pages)?;
        }
        match self.current()? {
            Some(entry) => Ok(Some(entry)),
            None => self.next(),
        }
    }
    // ANCHOR_END: seek
}
