//! Pages: the 16-byte header and the elements of branch and leaf pages.
//! **Yours to write: `parse`, `leaf`, `branch`, `key`, `search` and
//! `search_after`.**
//!
//! ```text
//! page header (16 bytes, little-endian)
//! 0   u64  id        the page's position: file offset = id × page size
//! 8   u16  flags     branch 0x01, leaf 0x02, meta 0x04, freelist 0x10
//! 10  u16  count     elements on the page
//! 12  u32  overflow  extra contiguous pages this page spans
//!
//! branch element (16 bytes)    leaf element (16 bytes)
//! 0  u32 pos                   0  u32 flags (0x01: the value is a bucket)
//! 4  u32 key size              4  u32 pos
//! 8  u64 child page id         8  u32 key size
//!                              12 u32 value size
//! ```
//!
//! Elements follow the header, packed; then the keys and values, in element
//! order. `pos` is the distance from the *element* to its key; a leaf's value
//! follows its key. Nothing read from a page is trusted: every element, key and
//! value is bounds-checked against the page before it is returned.
//!
//! The constants, the `Page` and element types, the little-endian readers
//! (`u16_at`, `u32_at`, `u64_at`) and writers (`put_u16`, ...), and the
//! page `Header` with its field offsets ([`header`]) are given, shared with
//! the reference crate.

use crate::{Error, Result};

#[path = "../../../chapters/04-bptree/src/page/layout.rs"]
mod layout;

pub use layout::{
    BRANCH, BUCKET_LEAF_FLAG, BranchElement, ELEMENT_LEN, FREELIST, HEADER_LEN, Header, LEAF,
    LeafElement, META, Page, compare_keys, header, put_u16, put_u32, put_u64, u16_at, u32_at,
    u64_at,
};

impl<'a> Page<'a> {
    /// Reads the header at the start of `bytes` (which hold the whole page).
    ///
    /// Hints: fewer than [`HEADER_LEN`] bytes is `Error::corrupt(id, …)`, never
    /// a panic. Otherwise the four header fields are [`Header::read`]'s to
    /// read (or read them yourself at the offsets of [`header`]), and keep
    /// `bytes`: the elements are read from it later. The `id` argument is
    /// only for the error; the page's id is the one in its header. Checked by
    /// `suite::page::the_header_fields_are_read_little_endian` and
    /// `fewer_than_16_bytes_is_not_a_page`.
    #[inline]
    pub fn parse(id: u64, bytes: &'a [u8]) -> Result<Page<'a>> {
        todo!("chapter 4, step 1: check the length, then read id, flags, count and overflow")
    }

    /// The bytes of element `i`'s fixed part, checked. For `leaf`, `branch`
    /// and `key`: it returns where the element starts (`pos` counts from
    /// there) and its 16 bytes.
    ///
    /// Hints: element `i` starts at `HEADER_LEN + ELEMENT_LEN * i`. Take its
    /// bytes with `get` (and `first_chunk`, which gives the fixed-size array),
    /// not by indexing: a `count` read from a hostile file may claim more
    /// elements than the page holds, and that is `Error::corrupt(self.id, …)`.
    #[inline]
    fn element(&self, i: usize) -> Result<(usize, &'a [u8; ELEMENT_LEN])> {
        todo!("chapter 4, step 1: the element's offset and its 16 bytes, bounds-checked")
    }

    /// `len` bytes of the page from `start`, checked. For keys and values;
    /// `what` and `i` name them in the error.
    ///
    /// Hints: `pos`, the key size and the value size are `u32`s from the file,
    /// so `start + len` can overflow on a 32-bit target and can lie anywhere:
    /// use `checked_add`, then `self.bytes.get(start..end)`.
    #[inline]
    fn slice(&self, start: usize, len: usize, what: &str, i: usize) -> Result<&'a [u8]> {
        todo!("chapter 4, step 1: checked_add, then get, else Error::corrupt")
    }

    /// Leaf element `i`.
    ///
    /// Hints: the leaf element is flags, pos, key size, value size (four
    /// little-endian `u32`s). The key starts `pos` bytes after the *element*
    /// (not after the page start; bbolt's `leafPageElement.key`), and the value
    /// follows the key. Checked by `suite::page::a_leaf_page_decodes_as_bbolt_lays_it_out`
    /// and, for every field that points past the page,
    /// `leaf_elements_that_leave_the_page_are_errors`.
    #[inline]
    pub fn leaf(&self, i: usize) -> Result<LeafElement<'a>> {
        todo!("chapter 4, step 1: decode flags, pos, key size and value size; slice key and value")
    }

    /// Branch element `i`.
    ///
    /// Hints: the branch element is pos (`u32`), key size (`u32`), child page
    /// id (`u64`); `pos` counts from the element as in a leaf. Checked by
    /// `suite::page::a_branch_page_decodes_as_bbolt_lays_it_out` and
    /// `branch_elements_that_leave_the_page_are_errors`.
    #[inline]
    pub fn branch(&self, i: usize) -> Result<BranchElement<'a>> {
        todo!("chapter 4, step 1: decode pos, key size and child; slice the key")
    }

    /// The key of element `i`, branch or leaf.
    ///
    /// Hints: a search reads only keys, so read only the key, without
    /// decoding (or checking) a leaf's value. In a branch element, pos is at
    /// offset 0 and the key size at 4; in a leaf element, at 4 and 8.
    #[inline]
    pub fn key(&self, i: usize) -> Result<&'a [u8]> {
        todo!("chapter 4, step 1: pos and key size at the offsets for this page's kind")
    }

    /// The index of the first element whose key is ≥ `key` (`count` if none).
    ///
    /// Hints: a binary search over `0..count` with [`Page::key`], ordering keys
    /// with [`compare_keys`] (bytewise, as Go's `bytes.Compare`). It works the
    /// same on branch and leaf pages; in a leaf it is where `key` is, or would
    /// be. (A branch picks its child with [`Page::search_after`] instead: see
    /// there.) A key that cannot be read is an error, not a guess. Checked by
    /// `suite::page::search_finds_the_first_key_not_below`.
    #[inline]
    pub fn search(&self, key: &[u8]) -> Result<usize> {
        todo!("chapter 4, step 1: bisect for the first key >= `key`")
    }

    /// The index of the first element whose key is > `key` (`count` if none).
    ///
    /// Hints: the same bisection as [`Page::search`], with ≤ in place of <.
    /// It is how a branch page picks its child: the child to follow for `key`
    /// is the one before the first key above it (bbolt's "first ≥, step back
    /// unless exact", in one search), which the given `NodeRef::search` does
    /// for you. So every lookup and seek through a committed branch page goes
    /// through it: `suite::cursor` checks it, once steps 2 to 4 are done. Test
    /// it on its own first, on a page of your own.
    #[inline]
    pub fn search_after(&self, key: &[u8]) -> Result<usize> {
        todo!("chapter 4, step 1: bisect for the first key > `key`")
    }
}
