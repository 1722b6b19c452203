//! The page format's fixed parts: its constants, the little-endian readers,
//! key order, and the types a page decodes into. Decoding itself, the
//! bounds-checked part, is in the parent module.

/// Where each field of a page's header is, each right after the one before:
/// the page id (`u64`), the page type (`u16`), the element count (`u16`) and
/// the pages it spans beyond the first (`u32`), little-endian.
pub mod header {
    /// The page id.
    pub const ID: usize = 0;
    /// The page type: [`BRANCH`](super::BRANCH), [`LEAF`](super::LEAF), ...
    pub const FLAGS: usize = ID + 8;
    /// How many elements (or freelist ids) the page holds.
    pub const COUNT: usize = FLAGS + 2;
    /// Extra pages the page spans.
    pub const OVERFLOW: usize = COUNT + 2;
    /// The first byte after the header.
    pub const END: usize = OVERFLOW + 4;
}

/// The header's size.
pub const HEADER_LEN: usize = header::END;
/// An element's size, branch or leaf.
pub const ELEMENT_LEN: usize = 16;
/// A branch page.
pub const BRANCH: u16 = 0x01;
/// A leaf page.
pub const LEAF: u16 = 0x02;
/// A meta page.
pub const META: u16 = 0x04;
/// A freelist page.
pub const FREELIST: u16 = 0x10;
/// A leaf element whose value is a bucket.
pub const BUCKET_LEAF_FLAG: u32 = 0x01;

/// Reads a little-endian `u16` at `at`; the caller has checked the bounds.
#[inline]
pub fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

/// Reads a little-endian `u32` at `at`; the caller has checked the bounds.
#[inline]
pub fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// Reads a little-endian `u64` at `at`; the caller has checked the bounds.
#[inline]
pub fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(b)
}

/// Writes a little-endian `u16` at `at`; the caller has checked the bounds.
#[inline]
pub fn put_u16(bytes: &mut [u8], at: usize, value: u16) {
    bytes[at..at + 2].copy_from_slice(&value.to_le_bytes());
}

/// Writes a little-endian `u32` at `at`; the caller has checked the bounds.
#[inline]
pub fn put_u32(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

/// Writes a little-endian `u64` at `at`; the caller has checked the bounds.
#[inline]
pub fn put_u64(bytes: &mut [u8], at: usize, value: u64) {
    bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

/// A page's header: the four fields every page starts with, read and
/// written at the offsets of [`header`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Header {
    /// The page id.
    pub id: u64,
    /// The page type.
    pub flags: u16,
    /// How many elements it holds.
    pub count: u16,
    /// Extra pages it spans.
    pub overflow: u32,
}

impl Header {
    /// Reads the header from the start of `page`, which holds at least
    /// [`HEADER_LEN`] bytes (the caller has checked).
    #[inline]
    pub fn read(page: &[u8]) -> Header {
        Header {
            id: u64_at(page, header::ID),
            flags: u16_at(page, header::FLAGS),
            count: u16_at(page, header::COUNT),
            overflow: u32_at(page, header::OVERFLOW),
        }
    }

    /// Writes the header at the start of `page`.
    pub fn write(&self, page: &mut [u8]) {
        put_u64(page, header::ID, self.id);
        put_u16(page, header::FLAGS, self.flags);
        put_u16(page, header::COUNT, self.count);
        put_u32(page, header::OVERFLOW, self.overflow);
    }
}

/// Orders keys bytewise, as bbolt does (memcmp). Most keys differ in their
/// first eight bytes, so those are compared as one big-endian integer first:
/// a binary search then rarely calls the general comparison.
#[inline]
pub fn compare_keys(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    if let (Some(a8), Some(b8)) = (a.first_chunk::<8>(), b.first_chunk::<8>()) {
        let (x, y) = (u64::from_be_bytes(*a8), u64::from_be_bytes(*b8));
        if x != y {
            return x.cmp(&y);
        }
    }
    a.cmp(b)
}

/// A page borrowed from the file (or an inline bucket's value).
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    /// The page id (0 for an inline bucket's page).
    pub id: u64,
    /// The page type.
    pub flags: u16,
    /// How many elements it holds.
    pub count: u16,
    /// Extra pages it spans.
    pub overflow: u32,
    /// All of its bytes, header included.
    pub bytes: &'a [u8],
}

/// One element of a leaf page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeafElement<'a> {
    /// Element flags ([`BUCKET_LEAF_FLAG`]).
    pub flags: u32,
    /// The key.
    pub key: &'a [u8],
    /// The value (a bucket header and maybe an inline page, for a bucket).
    pub value: &'a [u8],
}

impl LeafElement<'_> {
    /// Whether the value is a bucket.
    pub fn is_bucket(&self) -> bool {
        self.flags & BUCKET_LEAF_FLAG != 0
    }
}

/// One element of a branch page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BranchElement<'a> {
    /// The first key of the child's subtree.
    pub key: &'a [u8],
    /// The child page.
    pub child: u64,
}

impl Page<'_> {
    /// Whether this is a leaf page.
    #[inline]
    pub fn is_leaf(&self) -> bool {
        self.flags == LEAF
    }

    /// Whether this is a branch page.
    #[inline]
    pub fn is_branch(&self) -> bool {
        self.flags == BRANCH
    }

    /// Checks that this page can be part of a tree: a leaf, or a branch with
    /// at least one child.
    pub fn check_tree_page(&self) -> crate::Result<()> {
        if !self.is_leaf() && !self.is_branch() {
            return Err(crate::Error::corrupt(
                self.id,
                format!(
                    "expected a branch or leaf page, found flags {:#x}",
                    self.flags
                ),
            ));
        }
        if self.is_branch() && self.count == 0 {
            return Err(crate::Error::corrupt(self.id, "an empty branch page"));
        }
        Ok(())
    }
}
