//! Cursors: walking a bucket's tree in key order, in both directions.
//!
//! A cursor keeps the path from the root to its current leaf element as a
//! stack of (page, index). Moving past the end of a leaf climbs to the first
//! ancestor with a next child and descends to that child's first leaf.

use crate::page::LeafElement;
use crate::tx::{Pages, Root};
use crate::{Error, Result};

mod stack;

pub use stack::{Cursor, Entry, NodeRef};
use stack::{MAX_DEPTH, root_node};

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

impl<'t> Cursor<'t> {
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
