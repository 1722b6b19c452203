//! Bucket statistics, as bbolt's `Bucket.Stats` counts them: pages, keys,
//! depth and how full the pages are, for a bucket and every bucket inside it.

use std::fmt;

use crate::page::{ELEMENT_LEN, HEADER_LEN, Page};
use crate::tx::{Bucket, Root};
use crate::{Error, Result};

/// Deeper than any real file: a page cycle.
const MAX_DEPTH: usize = 256;

/// What [`Bucket::stats`] counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BucketStats {
    /// Branch pages (logical pages: an overflowing page counts once).
    pub branch_pages: u64,
    /// Extra physical pages that branch pages overflow into.
    pub branch_overflow: u64,
    /// Leaf pages, inline buckets' pages not included.
    pub leaf_pages: u64,
    /// Extra physical pages that leaf pages overflow into.
    pub leaf_overflow: u64,
    /// Keys holding values, and nested buckets (each counts as a key).
    pub keys: u64,
    /// The deepest tree's levels, counting nested buckets' trees from the top.
    pub depth: u64,
    /// Bytes of branch pages allocated.
    pub branch_alloc: u64,
    /// Bytes of branch pages in use.
    pub branch_inuse: u64,
    /// Bytes of leaf pages allocated.
    pub leaf_alloc: u64,
    /// Bytes of leaf pages in use.
    pub leaf_inuse: u64,
    /// Buckets, this one included.
    pub buckets: u64,
    /// Buckets stored inline in their parent's leaf.
    pub inline_buckets: u64,
    /// Bytes used by inline buckets' pages.
    pub inline_inuse: u64,
}

impl BucketStats {
    fn add(&mut self, other: &BucketStats) {
        self.branch_pages += other.branch_pages;
        self.branch_overflow += other.branch_overflow;
        self.leaf_pages += other.leaf_pages;
        self.leaf_overflow += other.leaf_overflow;
        self.keys += other.keys;
        self.depth = self.depth.max(other.depth);
        self.branch_alloc += other.branch_alloc;
        self.branch_inuse += other.branch_inuse;
        self.leaf_alloc += other.leaf_alloc;
        self.leaf_inuse += other.leaf_inuse;
        self.buckets += other.buckets;
        self.inline_buckets += other.inline_buckets;
        self.inline_inuse += other.inline_inuse;
    }
}

/// The pages a walk has counted. Without it, a damaged tree that reaches
/// its pages along many paths (forty pages can make 2^40) is counted forever.
struct Seen(Vec<bool>);

impl Seen {
    fn new(bucket: &Bucket<'_>) -> Result<Seen> {
        let pgid = bucket.pages().pgid();
        let len = usize::try_from(pgid)
            .map_err(|_| Error::corrupt(0, format!("{pgid} pages do not fit in memory")))?;
        Ok(Seen(vec![false; len]))
    }

    /// Fails if page `id` has been counted before.
    fn first_visit(&mut self, id: u64) -> Result<()> {
        let slot = usize::try_from(id)
            .ok()
            .and_then(|i| self.0.get_mut(i))
            .ok_or_else(|| Error::corrupt(id, "beyond the high-water mark"))?;
        if std::mem::replace(slot, true) {
            return Err(Error::corrupt(id, "reachable twice"));
        }
        Ok(())
    }
}

/// The bytes a branch or leaf page uses: header, elements, keys and values.
fn in_use(page: &Page<'_>) -> Result<u64> {
    let mut used = HEADER_LEN + ELEMENT_LEN * usize::from(page.count);
    for i in 0..usize::from(page.count) {
        used += if page.is_leaf() {
            let e = page.leaf(i)?;
            e.key.len() + e.value.len()
        } else {
            page.branch(i)?.key.len()
        };
    }
    Ok(used as u64)
}

impl Bucket<'_> {
    /// Counts this bucket's pages and keys, and those of every bucket in it.
    ///
    /// # Errors
    /// A damaged tree, such as one that reaches a page twice.
    pub fn stats(&self) -> Result<BucketStats> {
        let mut stats = BucketStats::default();
        let mut seen = Seen::new(self)?;
        self.collect_stats(&mut stats, &mut seen, 0)?;
        Ok(stats)
    }

    fn collect_stats(&self, stats: &mut BucketStats, seen: &mut Seen, depth: u64) -> Result<()> {
        stats.buckets += 1;
        match self.root_ref() {
            Root::Inline(page) => {
                stats.inline_buckets += 1;
                stats.inline_inuse += in_use(&page)?;
                stats.keys += u64::from(page.count);
                stats.depth = stats.depth.max(depth + 1);
                Ok(())
            }
            Root::Page(id) => self.page_stats(id, stats, seen, depth + 1),
            Root::Node(_) => unreachable!(
                "a read transaction's bucket is made of pages, never of a write transaction's nodes"
            ),
        }
    }

    fn page_stats(
        &self,
        id: u64,
        stats: &mut BucketStats,
        seen: &mut Seen,
        depth: u64,
    ) -> Result<()> {
        if depth as usize > MAX_DEPTH {
            return Err(Error::corrupt(
                id,
                "deeper than any real file: a page cycle?",
            ));
        }
        seen.first_visit(id)?;
        let page = self.pages().page(id)?;
        let page_size = self.pages().page_size() as u64;
        let alloc = (u64::from(page.overflow) + 1) * page_size;
        stats.depth = stats.depth.max(depth);
        if page.is_branch() {
            stats.branch_pages += 1;
            stats.branch_overflow += u64::from(page.overflow);
            stats.branch_alloc += alloc;
            stats.branch_inuse += in_use(&page)?;
            for i in 0..usize::from(page.count) {
                self.page_stats(page.branch(i)?.child, stats, seen, depth + 1)?;
            }
            return Ok(());
        }
        if !page.is_leaf() {
            return Err(Error::corrupt(id, "neither a branch nor a leaf page"));
        }
        stats.leaf_pages += 1;
        stats.leaf_overflow += u64::from(page.overflow);
        stats.leaf_alloc += alloc;
        stats.leaf_inuse += in_use(&page)?;
        stats.keys += u64::from(page.count);
        for i in 0..usize::from(page.count) {
            let e = page.leaf(i)?;
            if e.is_bucket() {
                let mut child = BucketStats::default();
                self.open_child(e.value)?
                    .collect_stats(&mut child, seen, depth)?;
                stats.add(&child);
            }
        }
        Ok(())
    }
}

impl fmt::Display for BucketStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let percent =
            |inuse: u64, alloc: u64| inuse.saturating_mul(100).checked_div(alloc).unwrap_or(0);
        writeln!(
            f,
            "buckets          {} ({} inline, {} bytes)",
            self.buckets, self.inline_buckets, self.inline_inuse
        )?;
        writeln!(f, "keys             {}", self.keys)?;
        writeln!(f, "depth            {}", self.depth)?;
        writeln!(
            f,
            "branch pages     {} (+{} overflow), {} of {} bytes used ({}%)",
            self.branch_pages,
            self.branch_overflow,
            self.branch_inuse,
            self.branch_alloc,
            percent(self.branch_inuse, self.branch_alloc)
        )?;
        write!(
            f,
            "leaf pages       {} (+{} overflow), {} of {} bytes used ({}%)",
            self.leaf_pages,
            self.leaf_overflow,
            self.leaf_inuse,
            self.leaf_alloc,
            percent(self.leaf_inuse, self.leaf_alloc)
        )
    }
}
