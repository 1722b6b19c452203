//! Cursors: walking a bucket's tree in key order, in both directions.
//!
//! A cursor keeps the path from the root to its current leaf element as a
//! stack of (page, index). Moving past the end of a leaf climbs to the first
//! ancestor with a next child and descends to that child's first leaf.

use crate::page::{LeafElement, Page};
use crate::tx::{Pages, Root};
use crate::{Error, Result};

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

/// A position in a bucket; see the module docs.
#[derive(Debug, Clone)]
pub struct Cursor<'t> {
    pages: Pages<'t>,
    root: Root<'t>,
    stack: Vec<(Page<'t>, usize)>,
}

impl<'t> Cursor<'t> {
    pub(crate) fn new(pages: Pages<'t>, root: Root<'t>) -> Cursor<'t> {
        Cursor {
            pages,
            root,
            stack: Vec::new(),
        }
    }

    fn root_page(&self) -> Result<Page<'t>> {
        match self.root {
            Root::Page(id) => self.pages.page(id),
            Root::Inline(page) => Ok(page),
        }
    }

    fn push(&mut self, page: Page<'t>, index: usize) -> Result<()> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Error::corrupt(
                page.id,
                "the tree is deeper than any real one: a page cycle?",
            ));
        }
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
        self.stack.push((page, index));
        Ok(())
    }

    /// From the top of the stack, descends to the first (or last) leaf element.
    fn descend(&mut self, last: bool) -> Result<()> {
        loop {
            let Some(&(page, index)) = self.stack.last() else {
                return Ok(());
            };
            if page.is_leaf() {
                return Ok(());
            }
            let child = self.pages.page(page.branch(index)?.child)?;
            let start = if last {
                usize::from(child.count).saturating_sub(1)
            } else {
                0
            };
            self.push(child, start)?;
        }
    }

    /// The entry at the current position, if it is on an element.
    fn current(&self) -> Result<Option<Entry<'t>>> {
        match self.stack.last() {
            Some(&(page, index)) if index < usize::from(page.count) => {
                let e = page.leaf(index)?;
                Ok(Some(Entry {
                    key: e.key,
                    value: e.value,
                    flags: e.flags,
                }))
            }
            _ => Ok(None),
        }
    }

    /// The first entry.
    pub fn first(&mut self) -> Result<Option<Entry<'t>>> {
        self.stack.clear();
        let root = self.root_page()?;
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
        let root = self.root_page()?;
        let start = usize::from(root.count).saturating_sub(1);
        self.push(root, start)?;
        self.descend(true)?;
        if self.current()?.is_none() {
            return self.prev();
        }
        self.current()
    }

    /// The entry after the current one.
    // bbolt's name. A cursor moves both ways and seeks, so it is not an `Iterator`.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Entry<'t>>> {
        loop {
            // Climb to the deepest level that has a next element.
            while let Some(&(page, index)) = self.stack.last() {
                if index + 1 < usize::from(page.count) {
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

    /// The first entry whose key is ≥ `key`.
    pub fn seek(&mut self, key: &[u8]) -> Result<Option<Entry<'t>>> {
        self.stack.clear();
        let mut page = self.root_page()?;
        loop {
            let found = page.search(key)?;
            if page.is_leaf() {
                self.push(page, found)?;
                break;
            }
            // Branch: step back unless the key matches exactly (clamped at 0).
            let exact = found < usize::from(page.count) && page.key(found)? == key;
            let index = if exact {
                found
            } else {
                found.saturating_sub(1)
            };
            self.push(page, index)?;
            page = self.pages.page(page.branch(index)?.child)?;
        }
        match self.current()? {
            Some(entry) => Ok(Some(entry)),
            None => self.next(),
        }
    }
}
