//! Nodes: a page's elements decoded into owned, editable form, and written
//! back exactly as bbolt lays them out.
//!
//! A write transaction turns the pages it changes into nodes, edits them, and
//! at commit splits each node that outgrew a page and writes it to new pages
//! (copy-on-write). The layout written is bbolt's, byte for byte: elements
//! after the header, then each element's key (and value) in element order,
//! with `pos` counted from the element.

use crate::Result;
use crate::page::{self, ELEMENT_LEN, HEADER_LEN, Page};

mod types;

use types::MIN_KEYS_PER_PAGE;
pub use types::{Inode, Node};

impl Node {
    /// Decodes a branch or leaf page.
    pub fn read(page: &Page<'_>) -> Result<Node> {
        let count = usize::from(page.count);
        let inodes = (0..count)
            .map(|i| {
                if page.is_leaf() {
                    let e = page.leaf(i)?;
                    Ok(Inode {
                        flags: e.flags,
                        key: e.key.to_vec(),
                        value: e.value.to_vec(),
                        child: 0,
                    })
                } else {
                    let e = page.branch(i)?;
                    Ok(Inode {
                        flags: 0,
                        key: e.key.to_vec(),
                        value: Vec::new(),
                        child: e.child,
                    })
                }
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Node {
            is_leaf: page.is_leaf(),
            inodes,
        })
    }

    // ANCHOR: write
    /// Writes the node's header (flags and count), elements, keys and values
    /// into `out`, which is at least [`size`](Node::size) bytes and zeroed. The
    /// page id and overflow are the caller's to set.
    pub fn write(&self, out: &mut [u8]) {
        let flags = if self.is_leaf {
            page::LEAF
        } else {
            page::BRANCH
        };
        // The id and overflow are left as they are: the caller knows them.
        page::put_u16(out, page::header::FLAGS, flags);
        page::put_u16(out, page::header::COUNT, self.inodes.len() as u16);
        let mut data = HEADER_LEN + ELEMENT_LEN * self.inodes.len();
        for (i, inode) in self.inodes.iter().enumerate() {
            let at = HEADER_LEN + ELEMENT_LEN * i;
            let pos = (data - at) as u32;
            let e = &mut out[at..at + ELEMENT_LEN];
            if self.is_leaf {
                e[0..4].copy_from_slice(&inode.flags.to_le_bytes());
                e[4..8].copy_from_slice(&pos.to_le_bytes());
                e[8..12].copy_from_slice(&(inode.key.len() as u32).to_le_bytes());
                e[12..16].copy_from_slice(&(inode.value.len() as u32).to_le_bytes());
            } else {
                e[0..4].copy_from_slice(&pos.to_le_bytes());
                e[4..8].copy_from_slice(&(inode.key.len() as u32).to_le_bytes());
                e[8..16].copy_from_slice(&inode.child.to_le_bytes());
            }
            out[data..data + inode.key.len()].copy_from_slice(&inode.key);
            data += inode.key.len();
            out[data..data + inode.value.len()].copy_from_slice(&inode.value);
            data += inode.value.len();
        }
    }
    // ANCHOR_END: write

    // ANCHOR: split
    /// Splits the node into nodes that each fit a page, as bbolt does at commit;
    /// see [`split_lengths`] for where the cuts fall.
    pub fn split(mut self, page_size: usize, fill_percent: f64) -> Vec<Node> {
        let sizes = self.inodes.iter().map(Node::element_size);
        let lengths = split_lengths(sizes, page_size, fill_percent);
        let mut nodes = Vec::with_capacity(lengths.len());
        for &len in lengths.iter().rev() {
            let right = self.inodes.split_off(self.inodes.len() - len);
            nodes.push(Node {
                is_leaf: self.is_leaf,
                inodes: right,
            });
        }
        nodes.reverse();
        nodes
    }
    // ANCHOR_END: split
}

// ANCHOR: split_lengths
/// Where bbolt cuts a node whose elements take `sizes` bytes each (element
/// header included): the lengths of the pieces, in order.
///
/// A node of at most four elements, or smaller than a page, stays whole.
/// Otherwise the first piece ends where the running size (from the 16-byte
/// header) would pass `page_size × fill_percent` (clamped to 0.1..=1), never
/// leaving fewer than two elements on either side; the rest is cut again. A
/// piece that still exceeds a page (a few huge values) spans several pages.
pub fn split_lengths(
    sizes: impl IntoIterator<Item = usize>,
    page_size: usize,
    fill_percent: f64,
) -> Vec<usize> {
    let threshold = (page_size as f64 * fill_percent.clamp(0.1, 1.0)) as usize;
    let all: Vec<usize> = sizes.into_iter().collect();
    let mut lengths = Vec::new();
    let mut rest = &all[..];
    loop {
        let total = HEADER_LEN + rest.iter().sum::<usize>();
        if rest.len() <= MIN_KEYS_PER_PAGE * 2 || total < page_size {
            lengths.push(rest.len());
            return lengths;
        }
        let mut size = HEADER_LEN;
        let mut index = 0;
        for (i, &element) in rest[..rest.len() - MIN_KEYS_PER_PAGE].iter().enumerate() {
            index = i;
            if i >= MIN_KEYS_PER_PAGE && size + element > threshold {
                break;
            }
            size += element;
        }
        lengths.push(index);
        rest = &rest[index..];
    }
}
// ANCHOR_END: split_lengths
