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

/// The first page that the tree at `root` reaches a second time, if any: a
/// walk that marks every page it steps onto, in time linear in the pages.
fn page_reached_twice(pages: Pages<'_>, root: Root<'_>) -> Result<Option<u64>> {
    let table_len = usize::try_from(pages.pgid())
        .map_err(|_| Error::corrupt(0, "more pages than this machine can count"))?;
    let mut seen = vec![false; table_len];
    let mut to_visit = vec![root_node(pages, root)?];
    while let Some(node) = to_visit.pop() {
        if let NodeRef::Page(page) = node {
            // An inline bucket's page is not in the file: its id is 0.
            if page.id != 0 {
                let slot = seen
                    .get_mut(page.id as usize)
                    .ok_or_else(|| Error::corrupt(page.id, "beyond the high-water mark"))?;
                if *slot {
                    return Ok(Some(page.id));
                }
                *slot = true;
            }
        }
        if !node.is_leaf() {
            for i in 0..node.count() {
                to_visit.push(node.child(i, &pages)?.check()?);
            }
        }
    }
    Ok(None)
}

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
    /// Pages pushed so far; see [`Cursor::push`].
    pushed: u64,
    /// What the walk of the whole tree found, once `pushed` passed the
    /// file's page count.
    tree: TreeCheck,
}

/// Whether a cursor's tree has been walked to make sure that it reaches no
/// page twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TreeCheck {
    NotYet,
    Passed,
    /// This page is reachable along two paths.
    Failed(u64),
}

impl<'t> Cursor<'t> {
    pub(crate) fn new(pages: Pages<'t>, root: Root<'t>) -> Cursor<'t> {
        Cursor {
            pages,
            root,
            stack: Vec::new(),
            pushed: 0,
            tree: TreeCheck::NotYet,
        }
    }

    // ANCHOR: push
    /// Steps onto `node`, at element `index`.
    ///
    /// A walk in one direction steps onto each page of a sound tree once, so
    /// a cursor that has stepped onto more pages than the file holds has
    /// either turned round, or is in a damaged file whose tree reaches pages
    /// along more than one path (forty pages can make 2^40 paths). Then, and
    /// only once, the whole tree is walked to tell the two apart.
    #[inline]
    pub(super) fn push(&mut self, node: NodeRef<'t>, index: usize) -> Result<()> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Error::corrupt(
                node.id(),
                "the tree is deeper than any real one: a page cycle?",
            ));
        }
        if let NodeRef::Page(_) = node {
            self.pushed += 1;
            if self.pushed > self.pages.pgid() {
                self.check_tree()?;
            }
        }
        self.stack.push((node.check()?, index));
        Ok(())
    }
    // ANCHOR_END: push

    /// Walks the whole tree once (the first time it is called) and fails if
    /// a page is reachable twice.
    #[cold]
    fn check_tree(&mut self) -> Result<()> {
        if self.tree == TreeCheck::NotYet {
            self.tree = match page_reached_twice(self.pages, self.root)? {
                Some(id) => TreeCheck::Failed(id),
                None => TreeCheck::Passed,
            };
        }
        match self.tree {
            TreeCheck::Failed(id) => Err(Error::corrupt(id, "reachable twice in one tree")),
            _ => Ok(()),
        }
    }

    /// The entry at the current position, if it is on an element.
    #[inline]
    pub(super) fn current(&self) -> Result<Option<Entry<'t>>> {
        match self.stack.last() {
            Some(&(node, index)) if index < node.count() => Ok(Some(node.leaf(index)?.into())),
            _ => Ok(None),
        }
    }

    /// Walks the whole tree from its first key, calling `f` with each key and
    /// its value (`None` for a nested bucket); the first error stops the walk.
    /// The `for_each` of both kinds of bucket.
    pub fn for_each(
        mut self,
        mut f: impl FnMut(&'t [u8], Option<&'t [u8]>) -> Result<()>,
    ) -> Result<()> {
        let mut entry = self.first()?;
        while let Some(e) = entry {
            f(e.key, (!e.is_bucket()).then_some(e.value))?;
            entry = self.next()?;
        }
        Ok(())
    }
}
