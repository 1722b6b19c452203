//! Read transactions, buckets and their page access.

use std::sync::Arc;

use crate::cursor::Cursor;
use crate::db::{Readers, Snapshot};
use crate::meta::Meta;
use crate::page::{HEADER_LEN, LEAF, Page, u64_at};
use crate::{Error, Result};

/// The pages of one consistent state of the file.
#[derive(Debug, Clone, Copy)]
pub struct Pages<'t> {
    bytes: &'t [u8],
    page_size: usize,
    pgid: u64,
}

impl<'t> Pages<'t> {
    pub(crate) fn new(bytes: &'t [u8], page_size: usize, pgid: u64) -> Pages<'t> {
        Pages {
            bytes,
            page_size,
            pgid,
        }
    }

    /// Page `id`, with all its overflow pages, bounds-checked.
    #[inline]
    pub fn page(&self, id: u64) -> Result<Page<'t>> {
        if id < 2 || id >= self.pgid {
            return Err(Error::corrupt(
                id,
                format!("page id outside 2..{}", self.pgid),
            ));
        }
        let start = self
            .offset(id)
            .filter(|&s| self.bytes.len().saturating_sub(s) >= HEADER_LEN)
            .ok_or_else(|| Error::corrupt(id, "page lies past the end of the file"))?;
        let header = Page::parse(id, &self.bytes[start..start + HEADER_LEN])?;
        if header.id != id {
            return Err(Error::corrupt(
                id,
                format!("header says page {}", header.id),
            ));
        }
        let pages = u64::from(header.overflow) + 1;
        if id.checked_add(pages).is_none_or(|end| end > self.pgid) {
            return Err(Error::corrupt(
                id,
                format!("its {pages} pages run past the high-water mark"),
            ));
        }
        let bytes = self
            .offset(pages)
            .and_then(|len| self.bytes.get(start..start.checked_add(len)?))
            .ok_or_else(|| Error::corrupt(id, "page runs past the end of the file"))?;
        // The header is parsed; only the span of bytes grows.
        Ok(Page { bytes, ..header })
    }

    /// The header of page `id` (any id in use, meta pages included).
    pub fn header(&self, id: u64) -> Result<Page<'t>> {
        Page::parse(id, self.raw(id, 0)?.get(..HEADER_LEN).unwrap_or_default())
    }

    /// The raw bytes of `extra + 1` pages starting at `id`, bounds-checked
    /// against the high-water mark and the file.
    pub fn raw(&self, id: u64, extra: u64) -> Result<&'t [u8]> {
        if id.checked_add(extra).is_none_or(|last| last >= self.pgid) {
            return Err(Error::corrupt(
                id,
                format!("page id outside 0..{}", self.pgid),
            ));
        }
        let past_the_end = || Error::corrupt(id, "page lies past the end of the file");
        let start = self.offset(id).ok_or_else(past_the_end)?;
        let end = self
            .offset(extra + 1)
            .and_then(|len| start.checked_add(len))
            .ok_or_else(past_the_end)?;
        self.bytes.get(start..end).ok_or_else(past_the_end)
    }

    /// The byte offset of page `id` (or the length of `id` pages), if it
    /// fits in a `usize`.
    fn offset(&self, id: u64) -> Option<usize> {
        usize::try_from(id).ok()?.checked_mul(self.page_size)
    }

    /// The page size.
    pub fn page_size(&self) -> usize {
        self.page_size
    }

    /// The high-water mark: the pages in use are `0..pgid`.
    pub fn pgid(&self) -> u64 {
        self.pgid
    }
}

/// A read transaction: one consistent snapshot of the file.
///
/// Keys and values it returns borrow from the memory map and live as long as
/// the transaction.
#[derive(Debug)]
pub struct ReadTx {
    snapshot: Snapshot,
    meta: Meta,
    /// Where it is registered, so the writer does not reuse pages it sees.
    readers: Option<Arc<Readers>>,
}

impl Drop for ReadTx {
    fn drop(&mut self) {
        if let Some(readers) = &self.readers {
            readers.leave(self.meta.txid);
        }
    }
}

impl ReadTx {
    pub(crate) fn new(snapshot: Snapshot, meta: Meta, readers: Option<Arc<Readers>>) -> ReadTx {
        ReadTx {
            snapshot,
            meta,
            readers,
        }
    }

    /// The meta this transaction reads.
    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    /// The transaction id of the snapshot.
    pub fn id(&self) -> u64 {
        self.meta.txid
    }

    /// The pages of this snapshot.
    pub fn pages(&self) -> Pages<'_> {
        self.snapshot.pages(&self.meta)
    }

    /// The root bucket, which holds the top-level buckets.
    pub fn root(&self) -> Bucket<'_> {
        Bucket {
            pages: self.pages(),
            root: Root::Page(self.meta.root),
            sequence: self.meta.sequence,
        }
    }

    /// Verifies the snapshot as bbolt's `tx.Check()` does; see [`crate::check`].
    pub fn check(&self) -> Vec<String> {
        crate::check::check(self)
    }

    /// The top-level bucket `name`.
    pub fn bucket(&self, name: &[u8]) -> Result<Option<Bucket<'_>>> {
        self.root().bucket(name)
    }
}

/// Where a bucket's tree starts.
#[derive(Debug, Clone, Copy)]
pub enum Root<'t> {
    /// A tree of pages.
    Page(u64),
    /// An inline bucket: a single leaf page stored in its parent's value.
    Inline(Page<'t>),
    /// A tree a write transaction has changed.
    Node(&'t crate::tree::DirtyNode),
}

/// A bucket in a read transaction.
#[derive(Debug, Clone, Copy)]
pub struct Bucket<'t> {
    pages: Pages<'t>,
    root: Root<'t>,
    sequence: u64,
}

/// The 16-byte header at the start of a bucket's value.
const BUCKET_HEADER_LEN: usize = 16;

impl<'t> Bucket<'t> {
    /// The bucket's sequence number.
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// Where the bucket's tree starts.
    pub fn root_ref(&self) -> Root<'t> {
        self.root
    }

    /// The pages of the snapshot this bucket belongs to.
    pub fn pages(&self) -> Pages<'t> {
        self.pages
    }

    /// A cursor over the bucket's keys, in order.
    pub fn cursor(&self) -> Cursor<'t> {
        Cursor::new(self.pages, self.root)
    }

    // ANCHOR: read_get
    /// The value of `key`, if it holds a value (not a bucket).
    #[inline]
    pub fn get(&self, key: &[u8]) -> Result<Option<&'t [u8]>> {
        Ok(match crate::cursor::lookup(self.pages, self.root, key)? {
            Some(e) if !e.is_bucket() => Some(e.value),
            _ => None,
        })
    }
    // ANCHOR_END: read_get

    /// The nested bucket `name`, if there is one.
    pub fn bucket(&self, name: &[u8]) -> Result<Option<Bucket<'t>>> {
        match crate::cursor::lookup(self.pages, self.root, name)? {
            Some(e) if e.is_bucket() => Ok(Some(self.open_child(e.value)?)),
            _ => Ok(None),
        }
    }

    /// Opens the bucket whose value (header, maybe inline page) is `value`.
    pub fn open_child(&self, value: &'t [u8]) -> Result<Bucket<'t>> {
        let header = value
            .get(..BUCKET_HEADER_LEN)
            .ok_or_else(|| Error::corrupt(0, "bucket value shorter than its header"))?;
        let (root, sequence) = (u64_at(header, 0), u64_at(header, 8));
        let root = if root == 0 {
            let page = Page::parse(0, &value[BUCKET_HEADER_LEN..])?;
            if page.flags != LEAF {
                return Err(Error::corrupt(0, "an inline bucket's page is not a leaf"));
            }
            Root::Inline(page)
        } else {
            Root::Page(root)
        };
        Ok(Bucket {
            pages: self.pages,
            root,
            sequence,
        })
    }

    /// Calls `f` with every key in order, and its value (`None` for a nested bucket).
    pub fn for_each(&self, f: impl FnMut(&'t [u8], Option<&'t [u8]>) -> Result<()>) -> Result<()> {
        self.cursor().for_each(f)
    }
}
