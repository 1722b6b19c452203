//! Nodes: a page's elements decoded into owned, editable form, and written
//! back exactly as bbolt lays them out. **Yours to write: `Node::read`,
//! `Node::write`, `Node::split` and `split_lengths`.**
//!
//! A write transaction turns the pages it changes into nodes, edits them, and
//! at commit splits each node that outgrew a page and writes it to new pages
//! (copy-on-write). The layout written is bbolt's, byte for byte: elements
//! after the header, then each element's key (and value) in element order,
//! with `pos` counted from the element.
//!
//! The `Node` and `Inode` types and their sizes (`Node::size`,
//! `Node::pages_needed`) are given, shared with the reference crate.

use crate::Result;
use crate::page::{self, ELEMENT_LEN, HEADER_LEN, Page};

#[path = "../../../chapters/04-bptree/src/node/types.rs"]
mod types;

use types::MIN_KEYS_PER_PAGE;
pub use types::{Inode, Node};

impl Node {
    /// Decodes a branch or leaf page.
    ///
    /// Hints: one [`Inode`] per element, `0..page.count`, from [`Page::leaf`]
    /// or [`Page::branch`] (step 1), copying keys and values into `Vec`s. A
    /// leaf inode keeps the element's flags and has child 0; a branch inode has
    /// flags 0, an empty value and the child page id. Pass on the first error:
    /// collecting an iterator of `Result`s into `Result<Vec<_>>` does that.
    /// Checked by `suite::page::a_hand_made_page_reads_back_as_the_same_node`
    /// and `suite::node::a_written_leaf_reads_back_with_bbolts_positions`.
    pub fn read(page: &Page<'_>) -> Result<Node> {
        todo!("chapter 4, step 2: one Inode per element of the page")
    }

    /// Writes the node's header (flags and count), elements, keys and values
    /// into `out`, which is at least [`size`](Node::size) bytes and zeroed. The
    /// page id and overflow are the caller's to set.
    ///
    /// Hints (bbolt's `node.write`): the layout is in the [`page`] docs. The
    /// header's flags ([`page::LEAF`] or [`page::BRANCH`]) and count are
    /// yours (at [`page::header::FLAGS`] and [`page::header::COUNT`]; leave
    /// the id and overflow alone, the caller sets them); the elements come packed after the header, one per inode in
    /// order; then the data area, holding each element's key (and, in a
    /// leaf, its value) in element order. The invariant bbolt's readers rely
    /// on: an element's `pos` is the distance from *that element* to its
    /// key, not from the page's start. Everything is little-endian. Checked
    /// byte by byte by `suite::page::encoding_lays_out_every_field` and
    /// against a file Go wrote by
    /// `suite::page::encoded_positions_match_a_file_go_wrote`.
    ///
    /// <details><summary>Stuck?</summary>
    ///
    /// Keep a running offset into the data area, starting just after the
    /// last element (`HEADER_LEN + ELEMENT_LEN * count`). For element `i`, at
    /// `HEADER_LEN + ELEMENT_LEN * i`, `pos` is the running offset minus that;
    /// write the element's fields, copy the key (and value) at the running
    /// offset, and move the offset past them.
    ///
    /// </details>
    pub fn write(&self, out: &mut [u8]) {
        todo!("chapter 4, step 2: header, then elements, then keys and values")
    }

    /// Splits the node into nodes that each fit a page, as bbolt does at commit;
    /// see [`split_lengths`] for where the cuts fall.
    ///
    /// Hints: [`split_lengths`] decides where the cuts fall, given each
    /// element's size (`Node::element_size`); cut `self.inodes` into pieces
    /// of those lengths, in order, each piece a node of the same kind. The
    /// keys and values are moved, never copied. Checked by
    /// `suite::node::split_keeps_every_element_in_order` and
    /// `branch_nodes_split_and_read_back_too`.
    ///
    /// <details><summary>Stuck?</summary>
    ///
    /// `Vec::split_off` cuts a `Vec` without copying its elements; cutting
    /// from the end keeps each cut cheap (take the last piece first, then
    /// reverse the list of pieces).
    ///
    /// </details>
    pub fn split(mut self, page_size: usize, fill_percent: f64) -> Vec<Node> {
        todo!("chapter 4, step 2: cut the inodes into pieces of split_lengths' lengths")
    }
}

/// Where bbolt cuts a node whose elements take `sizes` bytes each (element
/// header included): the lengths of the pieces, in order.
///
/// A node of at most four elements, or smaller than a page, stays whole.
/// Otherwise the first piece ends where the running size (from the 16-byte
/// header) would pass `page_size × fill_percent` (clamped to 0.1..=1), never
/// leaving fewer than two elements on either side; the rest is cut again. A
/// piece that still exceeds a page (a few huge values) spans several pages.
///
/// Hints (bbolt's `node.split`, `splitTwo` and `splitIndex`; the book's
/// "where bbolt cuts"). Files must match bbolt's page for page, so the
/// edges are exact:
/// - what is left stays whole when it has at most `MIN_KEYS_PER_PAGE * 2`
///   elements, or when its size (16 + the sum of its sizes) is *below*
///   `page_size`: at exactly a page, bbolt splits;
/// - the threshold is `page_size × fill_percent`, the percent clamped to
///   0.1..=1, as a whole number of bytes (truncated);
/// - the cut falls at the first element that would take the running size
///   (from 16) *past* the threshold (filling it exactly is allowed), but
///   never before element `MIN_KEYS_PER_PAGE`;
/// - the scan never looks at the last `MIN_KEYS_PER_PAGE` elements, and
///   when no element passes the threshold, bbolt's cut falls at the last
///   element it looked at, which goes to the next piece.
///
/// The tests check each edge: `suite::node::small_nodes_are_never_split`,
/// `a_node_of_exactly_a_page_is_split_one_byte_less_is_not`,
/// `a_piece_may_fill_the_threshold_exactly`,
/// `huge_values_stay_whole_and_span_pages`, and
/// `split_lengths_follows_the_rule_for_any_sizes` with random sizes.
///
/// <details><summary>Stuck?</summary>
///
/// Collect the sizes into a `Vec`, and loop over the part not yet cut (a
/// slice): if it stays whole, push its length and return. Otherwise scan
/// its indices up to (not including) the last `MIN_KEYS_PER_PAGE`, keeping
/// the running size and the index last visited; stop at the first index
/// of at least `MIN_KEYS_PER_PAGE` whose element does not fit. That index
/// is the piece's length; push it, and go on with the slice after it.
///
/// </details>
pub fn split_lengths(
    sizes: impl IntoIterator<Item = usize>,
    page_size: usize,
    fill_percent: f64,
) -> Vec<usize> {
    todo!("chapter 4, step 2: bbolt's split rule, piece by piece")
}
