//! The pages a commit writes: the allocator that collects them, and the
//! values that point a parent bucket at a spilled or inline bucket.

use crate::freelist::Freelist;
use crate::node::Node;
use crate::page::{HEADER_LEN, LEAF};

/// Pages to write: the first page id, and bytes spanning one or more pages.
pub type PageBuf = (u64, Vec<u8>);

/// Allocates pages and collects their bytes for one commit.
#[derive(Debug)]
pub struct PageWriter<'a> {
    /// Where pages come from first.
    pub freelist: &'a mut Freelist,
    /// The high-water mark: the next page id past the file's used pages.
    pub pgid: u64,
    /// The page size.
    pub page_size: usize,
    /// Pages to write: (first id, bytes spanning one or more pages).
    pub pages: Vec<PageBuf>,
    /// Runs taken from the freelist, to give back if the commit fails.
    pub from_freelist: &'a mut Vec<(u64, u64)>,
}

impl PageWriter<'_> {
    /// Allocates `n` contiguous pages: the lowest free run, or new pages at
    /// the end of the file.
    pub fn allocate(&mut self, n: usize) -> u64 {
        if let Some(id) = self.freelist.allocate(n) {
            self.from_freelist.push((id, n as u64));
            return id;
        }
        let id = self.pgid;
        self.pgid += n as u64;
        id
    }
}

/// The value of a bucket in its parent: root page and sequence, and for an
/// inline bucket the image of its leaf page after them.
pub fn bucket_value(root: u64, sequence: u64, inline: Option<&Node>) -> Vec<u8> {
    let size = inline.map_or(0, Node::size);
    let mut value = vec![0; 16 + size];
    value[0..8].copy_from_slice(&root.to_le_bytes());
    value[8..16].copy_from_slice(&sequence.to_le_bytes());
    if let Some(node) = inline {
        node.write(&mut value[16..]);
    }
    value
}

/// An inline bucket's value for a new, empty bucket: 16 header bytes and an
/// empty leaf page header.
pub fn empty_bucket_value() -> Vec<u8> {
    let mut value = vec![0; 16 + HEADER_LEN];
    value[16 + 8..16 + 10].copy_from_slice(&LEAF.to_le_bytes());
    value
}
