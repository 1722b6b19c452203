//! Pages: the 16-byte header and the elements of branch and leaf pages.
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

use crate::{Error, Result};

mod layout;

pub use layout::{
    BRANCH, BUCKET_LEAF_FLAG, BranchElement, ELEMENT_LEN, FREELIST, HEADER_LEN, Header, LEAF,
    LeafElement, META, Page, compare_keys, header, put_u16, put_u32, put_u64, u16_at, u32_at,
    u64_at,
};

impl<'a> Page<'a> {
    // ANCHOR: parse
    /// Reads the header at the start of `bytes` (which hold the whole page).
    #[inline]
    pub fn parse(id: u64, bytes: &'a [u8]) -> Result<Page<'a>> {
        if bytes.len() < HEADER_LEN {
            return Err(Error::corrupt(id, "shorter than a page header"));
        }
        let Header {
            id,
            flags,
            count,
            overflow,
        } = Header::read(bytes);
        Ok(Page {
            id,
            flags,
            count,
            overflow,
            bytes,
        })
    }
    // ANCHOR_END: parse

    /// The bytes of element `i`'s fixed part, checked.
    #[inline]
    fn element(&self, i: usize) -> Result<(usize, &'a [u8; ELEMENT_LEN])> {
        let at = HEADER_LEN + ELEMENT_LEN * i;
        match self.bytes.get(at..).and_then(<[u8]>::first_chunk) {
            Some(fixed) => Ok((at, fixed)),
            None => Err(self.past_the_page("element", i)),
        }
    }

    /// The error for part of element `i` lying past the page; out of line,
    /// since it is never the hot path.
    #[cold]
    fn past_the_page(&self, what: &str, i: usize) -> Error {
        Error::corrupt(self.id, format!("{what} of element {i} lies past the page"))
    }

    #[inline]
    fn slice(&self, start: usize, len: usize, what: &str, i: usize) -> Result<&'a [u8]> {
        match start
            .checked_add(len)
            .and_then(|end| self.bytes.get(start..end))
        {
            Some(bytes) => Ok(bytes),
            None => Err(self.past_the_page(what, i)),
        }
    }

    // ANCHOR: leaf
    /// Leaf element `i`.
    #[inline]
    pub fn leaf(&self, i: usize) -> Result<LeafElement<'a>> {
        let (at, e) = self.element(i)?;
        let (flags, pos, ksize, vsize) = (
            u32_at(e, 0),
            u32_at(e, 4) as usize,
            u32_at(e, 8) as usize,
            u32_at(e, 12) as usize,
        );
        // The value follows the key: one bounds check covers both.
        let (key, value) = self
            .slice(
                at.saturating_add(pos),
                ksize.saturating_add(vsize),
                "key and value",
                i,
            )?
            .split_at(ksize);
        Ok(LeafElement { flags, key, value })
    }
    // ANCHOR_END: leaf

    /// Branch element `i`.
    #[inline]
    pub fn branch(&self, i: usize) -> Result<BranchElement<'a>> {
        let (at, e) = self.element(i)?;
        let (pos, ksize, child) = (u32_at(e, 0) as usize, u32_at(e, 4) as usize, u64_at(e, 8));
        let key = self.slice(at.saturating_add(pos), ksize, "key", i)?;
        Ok(BranchElement { key, child })
    }

    /// The key of element `i`, branch or leaf.
    #[inline]
    pub fn key(&self, i: usize) -> Result<&'a [u8]> {
        let (at, e) = self.element(i)?;
        // Branch: pos at 0, key size at 4. Leaf: pos at 4, key size at 8.
        let (pos, ksize) = if self.is_branch() {
            (u32_at(e, 0), u32_at(e, 4))
        } else {
            (u32_at(e, 4), u32_at(e, 8))
        };
        self.slice(at.saturating_add(pos as usize), ksize as usize, "key", i)
    }

    // ANCHOR: search
    /// The index of the first element whose key is ≥ `key` (`count` if none).
    #[inline]
    pub fn search(&self, key: &[u8]) -> Result<usize> {
        self.bisect(|k| compare_keys(k, key).is_lt())
    }

    /// The index of the first element whose key is > `key` (`count` if none).
    #[inline]
    pub fn search_after(&self, key: &[u8]) -> Result<usize> {
        self.bisect(|k| compare_keys(k, key).is_le())
    }

    /// How many elements, from the first, have keys that are `before` the
    /// place sought (`before` holds for a run of them, then never again):
    /// `slice::partition_point` by bisection, for keys that can fail to read.
    #[inline]
    fn bisect(&self, before: impl Fn(&[u8]) -> bool) -> Result<usize> {
        let (mut lo, mut hi) = (0, usize::from(self.count));
        while lo < hi {
            let mid = (lo + hi) / 2;
            if before(self.key(mid)?) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Ok(lo)
    }
    // ANCHOR_END: search
}
