//! Spilling: writing a transaction's dirty nodes to newly allocated pages.
//! **Yours to write: `PageWriter::write_node`, `spill_tree` (and the three
//! functions it builds on, `spill`, `branch_node` and `write_split`) and
//! `inlineable`.**
//!
//! Children are spilled before their parents, so that a branch can point at
//! its children's new pages and take each child's first key as its own key
//! for it (the invariant Go relies on). Every node is split to fit a page by
//! bbolt's rule first; a root that splits gets a new root branch above it.
//!
//! Given, shared with the reference crate: [`PageWriter`] and its
//! `allocate(n)`, which hands out `n` contiguous pages (from the freelist
//! first, else at the end of the file), and the bucket values
//! ([`bucket_value`], [`empty_bucket_value`]). The commit in `commit.rs`
//! calls your `spill_tree` for every changed bucket, nested buckets before
//! their parents, and `inlineable` to decide whether a bucket is stored in its
//! parent's value.

use crate::Result;
use crate::node::{Inode, Node};
use crate::tree::{Child, DirtyNode};

#[path = "../../../chapters/04-bptree/src/spill/pages.rs"]
mod pages;

pub use pages::{PageBuf, PageWriter, bucket_value, empty_bucket_value};

impl PageWriter<'_> {
    /// Allocates pages for `node` and lays it out in them; returns the id.
    ///
    /// Hints: a node gets `node.pages_needed(self.page_size)` contiguous
    /// pages, at least one, from `self.allocate`; its bytes span all of them
    /// and start zeroed, as [`Node::write`] (step 2) expects. The two header
    /// fields `Node::write` leaves to you are the page id and the overflow
    /// (the pages beyond the first): [`Header`](crate::page::Header) reads
    /// and writes a page's header. The commit writes out whatever is in `self.pages`, as
    /// (id, bytes). A page's count is a `u16`: nodes are split long before
    /// they reach 0xFFFF elements, and the reference asserts it. Checked by
    /// `suite::write::huge_values_span_several_pages` and
    /// `huge_keys_make_branch_pages_span_pages`.
    ///
    /// <details><summary>Stuck?</summary>
    ///
    /// Allocate, make a zeroed `Vec<u8>` of that many pages, let `node.write`
    /// fill it in, then write the header again with the id and overflow
    /// filled in (`Header::read`, change two fields, `Header::write`), and
    /// push the pair.
    ///
    /// </details>
    pub fn write_node(&mut self, node: &Node) -> Result<u64> {
        todo!("chapter 4, step 4: allocate, set id and overflow, Node::write, keep the bytes")
    }
}

/// Spills the tree at `root` and returns its new root page id.
///
/// Hints: a clean root (`Child::Clean`) was not changed and keeps its page. A
/// dirty one is spilled with `spill`, which returns one (first key, page id)
/// per page the root became. While that is more than one page, the tree has
/// grown a level: make a branch over them (`branch_node`) and write it split
/// (`write_split`), which may itself give several pages when there are very
/// many. Checked by every test that commits; `suite::write::smoke` and
/// `suite::buckets::many_top_level_buckets_give_the_root_bucket_a_tree` are
/// good first ones, and the suite's `tree_pages` function asserts the branch
/// key rule on every tree it walks.
pub fn spill_tree(root: Child, out: &mut PageWriter<'_>, fill_percent: f64) -> Result<u64> {
    todo!("chapter 4, step 4: spill the root, then add root branches until one page is left")
}

/// Spills a node and its dirty descendants; returns the (first key, page id)
/// of each page the node became.
///
/// Hints (bbolt's `node.spill`): a leaf becomes a [`Node`] as it is. A branch
/// first spills each dirty child, in key order, and collects the (first key,
/// page id) of every page the children became; a clean child keeps its key and
/// page, and a dirty child left empty by deletes is dropped. The branch over
/// those pairs is then written like a leaf, with `write_split`. Checked by
/// `suite::write::keys_before_the_first_key_update_every_branch_key` and
/// `deleting_collapses_a_tree_back_to_one_leaf`.
fn spill(node: DirtyNode, out: &mut PageWriter<'_>, fill: f64) -> Result<Vec<(Vec<u8>, u64)>> {
    todo!("chapter 4, step 4: children first, then this node, split")
}

/// A branch node over (first key, page id) pairs.
///
/// Hints: one branch [`Inode`] per pair: flags 0, an empty value.
fn branch_node(children: Vec<(Vec<u8>, u64)>) -> Node {
    todo!("chapter 4, step 4: a branch Inode per child")
}

/// Writes `node` split to fit pages (step 2's [`Node::split`]); returns the
/// (first key, page id) of each piece.
///
/// Hints: each piece's first key is what its parent's branch element must
/// hold: bbolt's files, and Go reading them, rely on a branch key being
/// exactly its child's first key.
fn write_split(node: Node, out: &mut PageWriter<'_>, fill: f64) -> Result<Vec<(Vec<u8>, u64)>> {
    todo!("chapter 4, step 4: write each piece and remember its first key")
}

/// Whether a bucket whose root is `node` is stored inline, by bbolt's rule:
/// a leaf, holding no buckets, of at most a quarter page.
///
/// Hints (bbolt's `Bucket.inlineable`): a dirty leaf knows its size (header
/// and elements, as `Node::size` counts them); a branch is never inline, and
/// neither is a leaf holding a nested bucket (`BUCKET_LEAF_FLAG`). At exactly a
/// quarter page it is still inline. Checked by
/// `suite::buckets::a_bucket_is_inline_up_to_exactly_a_quarter_page`,
/// `a_bucket_moves_to_pages_and_back_inline` and
/// `a_bucket_holding_a_bucket_is_never_inline`.
pub fn inlineable(node: &DirtyNode, page_size: usize) -> bool {
    todo!("chapter 4, step 4: leaf, no buckets, size <= page_size / 4")
}
