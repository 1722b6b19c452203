//! Cursors: walking a bucket's tree in key order, in both directions.
//! **Yours to write: `lookup`, and the cursor's moves `first`, `last`,
//! `next`, `prev` and `seek`.**
//!
//! A cursor keeps the path from the root to its current leaf element as a
//! stack of (page, index). Moving past the end of a leaf climbs to the first
//! ancestor with a next child and descends to that child's first leaf.
//!
//! Given, shared with the reference crate: [`NodeRef`], which lets the same
//! code walk committed pages and a write transaction's dirty nodes (its
//! `search` already steps back in a branch, as bbolt's does), [`Entry`], and
//! the `Cursor` struct with two methods to build on. `Cursor::push` puts a
//! (node, index) on the stack after checking that the node is a branch or a
//! leaf and that the stack is not deeper than `MAX_DEPTH` (a damaged file can
//! make a cycle of pages). It also counts the pages the cursor has stood on,
//! so that a damaged tree whose pages are reachable along many paths ends in
//! an error rather than an endless walk: put every node on the stack through
//! it. `Cursor::current` is the entry under the top of
//! the stack, or `None` when its index is past the end of its leaf. And
//! `root_node(pages, root)` is the tree's root as a `NodeRef`, checked.

use crate::page::LeafElement;
use crate::tx::{Pages, Root};
use crate::{Error, Result};

#[path = "../../../chapters/04-bptree/src/cursor/stack.rs"]
mod stack;

pub use stack::{Cursor, Entry, NodeRef};
use stack::{MAX_DEPTH, root_node};

/// The leaf element for `key` in the tree at `root`, if there is one: a
/// lookup without a cursor's stack.
///
/// Hints: descend from the root (`root_node(pages, root)`), following at
/// each level the index `NodeRef::search` gives (in a branch, the child
/// whose subtree may hold `key`). In the leaf, that index is where `key` is
/// or would be: the element there is the answer only if there is one (the
/// index may be `count`) and its key is `key`. Each child you step onto is
/// checked (`NodeRef::check`) before you read it, and a damaged file may
/// hold a cycle of pages: give up after `MAX_DEPTH` levels with
/// `Error::corrupt` rather than loop forever. Every `get` and every bucket
/// opened goes through here: `suite::write` and `suite::buckets` check it,
/// once commits work (step 4); `suite::hostile` checks the depth limit.
///
/// <details><summary>Stuck?</summary>
///
/// A `for` loop of at most `MAX_DEPTH` turns, holding the current node:
/// search, return from the leaf, or replace the node with its checked child
/// (`node.child(index, &pages)`). After the loop, the error names the node
/// it stopped at.
///
/// </details>
#[inline]
pub fn lookup<'t>(pages: Pages<'t>, root: Root<'t>, key: &[u8]) -> Result<Option<LeafElement<'t>>> {
    todo!("chapter 4, step 3: descend by node.search until a leaf, then compare the key")
}

impl<'t> Cursor<'t> {
    /// From the top of the stack, descends to the first (or last) leaf element.
    ///
    /// Hints: while the top of the stack is a branch, push the child at its
    /// index, standing on the child's first element (index 0) or, with `last`,
    /// on its last (`count - 1`, or 0 for an empty node). An empty stack has
    /// nothing to descend from.
    fn descend(&mut self, last: bool) -> Result<()> {
        todo!("chapter 4, step 3: push children until the top is a leaf")
    }

    /// The first entry.
    ///
    /// Hints: clear the stack, push the root at index 0, descend. The leaf you
    /// reach may be empty (an empty bucket, or a leaf a write transaction
    /// emptied by deletes): then the first entry, if any, is the next one.
    pub fn first(&mut self) -> Result<Option<Entry<'t>>> {
        todo!("chapter 4, step 3: root, descend to the first leaf, skip an empty leaf")
    }

    /// The last entry.
    ///
    /// Hints: as `first`, standing on the root's last element and descending
    /// with `last`; an empty leaf there means the previous entry.
    pub fn last(&mut self) -> Result<Option<Entry<'t>>> {
        todo!("chapter 4, step 3: root, descend to the last leaf, skip an empty leaf")
    }

    /// The entry after the current one.
    ///
    /// Hints (bbolt's `Cursor.next`): pop the stack up to the deepest level
    /// whose index can still move forwards, move it one step, and descend to
    /// that subtree's first leaf. If that leaf is empty, do it again; if the
    /// stack empties, there is no next entry and the cursor stays past the end.
    /// Most steps stay in the same leaf: that case can skip the loop. Checked by
    /// `suite::cursor::a_read_cursor_walks_every_key_both_ways`,
    /// `a_cursor_turns_around_at_every_position` and
    /// `a_write_cursor_sees_a_half_changed_tree`.
    // bbolt's name. A cursor moves both ways and seeks, so it is not an `Iterator`.
    #[allow(clippy::should_implement_trait)]
    #[inline]
    pub fn next(&mut self) -> Result<Option<Entry<'t>>> {
        todo!("chapter 4, step 3: climb to a level that can move on, step, descend")
    }

    /// The entry before the current one.
    ///
    /// Hints: the mirror of `next`: climb to the deepest level whose index is
    /// above 0, step back, and descend to the subtree's *last* leaf element.
    pub fn prev(&mut self) -> Result<Option<Entry<'t>>> {
        todo!("chapter 4, step 3: climb to a level that can move back, step, descend last")
    }

    /// The first entry whose key is ≥ `key`.
    ///
    /// Hints: clear the stack, then from the root push every node on the way
    /// down with the index `node.search(key)` gives, as `lookup` walks. In the
    /// leaf, the index may be past its last element (every key there is
    /// smaller): then the answer is the next entry. Checked by
    /// `suite::cursor::a_read_cursor_seeks_present_and_missing_keys` (present
    /// keys, missing ones, before the first, after the last) and
    /// `empty_buckets_have_no_first_last_or_seek`.
    pub fn seek(&mut self, key: &[u8]) -> Result<Option<Entry<'t>>> {
        todo!("chapter 4, step 3: push the search path, then current or next")
    }
}
