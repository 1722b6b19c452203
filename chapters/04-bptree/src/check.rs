//! Verifying a file as bbolt's `tx.Check()` does: every page in use is a meta
//! page, a freelist page, or reachable from exactly one place in the bucket
//! trees, or else free, and never two of these; keys are in order; every
//! branch key is exactly its child's first key (Go relies on that to modify a
//! file); no page lies beyond the high-water mark.

use crate::freelist;
use crate::meta::NO_FREELIST;
use crate::page::Page;
use crate::tx::{Bucket, ReadTx, Root};
use crate::{Error, Result};

/// What a page is used for, as far as the check has seen.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    Unseen,
    Meta,
    Freelist,
    Free,
    Tree,
}

/// Every problem found in the transaction's snapshot, in the order found.
/// An empty list means the file is consistent.
pub fn check(tx: &ReadTx) -> Vec<String> {
    let mut checker = Checker {
        uses: vec![Use::Unseen; tx.meta().pgid as usize],
        problems: Vec::new(),
    };
    checker.mark(0, Use::Meta);
    checker.mark(1, Use::Meta);
    let meta = *tx.meta();
    if meta.freelist != NO_FREELIST {
        match tx.pages().page(meta.freelist) {
            Ok(page) => {
                checker.mark_pages(&page, Use::Freelist);
                match freelist::decode(&page) {
                    Ok(ids) => ids.into_iter().for_each(|id| checker.mark(id, Use::Free)),
                    Err(e) => checker.problems.push(e.to_string()),
                }
            }
            Err(e) => checker.problems.push(e.to_string()),
        }
    }
    if let Err(e) = checker.bucket(&tx.root(), 0) {
        checker.problems.push(e.to_string());
    }
    if meta.freelist != NO_FREELIST {
        for (id, used) in checker.uses.iter().enumerate() {
            if *used == Use::Unseen {
                checker
                    .problems
                    .push(format!("page {id}: unreachable and not free"));
            }
        }
    }
    checker.problems
}

/// The pages no bucket tree reaches (meta pages aside): the free pages of a
/// file that stores no freelist.
///
/// # Errors
/// The first problem found, if the trees are damaged.
pub(crate) fn unreachable(tx: &ReadTx) -> Result<Vec<u64>> {
    let mut checker = Checker {
        uses: vec![Use::Unseen; tx.meta().pgid as usize],
        problems: Vec::new(),
    };
    checker.mark(0, Use::Meta);
    checker.mark(1, Use::Meta);
    checker.bucket(&tx.root(), 0)?;
    if let Some(problem) = checker.problems.first() {
        return Err(Error::corrupt(0, problem.clone()));
    }
    Ok((0..tx.meta().pgid)
        .filter(|&id| checker.uses[id as usize] == Use::Unseen)
        .collect())
}

/// Deeper than any real file (trees plus nested buckets): a cycle.
const MAX_DEPTH: usize = 256;

struct Checker {
    uses: Vec<Use>,
    problems: Vec<String>,
}

impl Checker {
    fn mark(&mut self, id: u64, usage: Use) {
        match self.uses.get_mut(id as usize) {
            None => self
                .problems
                .push(format!("page {id}: beyond the high-water mark")),
            Some(slot) if *slot == Use::Unseen => *slot = usage,
            Some(slot) => {
                let what = |u: Use| match u {
                    Use::Meta => "a meta page",
                    Use::Freelist => "the freelist",
                    Use::Free => "free",
                    Use::Tree => "in a tree",
                    Use::Unseen => "unseen",
                };
                self.problems.push(format!(
                    "page {id}: {} and also {}",
                    what(*slot),
                    what(usage)
                ));
            }
        }
    }

    fn mark_pages(&mut self, page: &Page<'_>, usage: Use) {
        for id in page.id..=page.id + u64::from(page.overflow) {
            self.mark(id, usage);
        }
    }

    fn bucket(&mut self, bucket: &Bucket<'_>, depth: usize) -> Result<()> {
        let page = match bucket.root_ref() {
            Root::Page(id) => {
                let page = bucket.pages().page(id)?;
                self.mark_pages(&page, Use::Tree);
                page
            }
            Root::Inline(page) => page,
            Root::Node(_) => return Err(Error::corrupt(0, "a write transaction's tree")),
        };
        self.tree(bucket, page, None, None, depth + 1)?;
        Ok(())
    }

    /// Checks the subtree at `page`, whose keys must be ≥ `low` (and its first
    /// key equal to it, when `low` comes from a branch) and < `high`.
    fn tree(
        &mut self,
        bucket: &Bucket<'_>,
        page: Page<'_>,
        low: Option<&[u8]>,
        high: Option<&[u8]>,
        depth: usize,
    ) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(Error::corrupt(
                page.id,
                "deeper than any real file: a page cycle?",
            ));
        }
        let count = usize::from(page.count);
        if !page.is_leaf() && !page.is_branch() {
            return Err(Error::corrupt(
                page.id,
                format!("flags {:#x} where a tree page belongs", page.flags),
            ));
        }
        let mut previous: Option<&[u8]> = None;
        for i in 0..count {
            let key = page.key(i)?;
            if previous.is_some_and(|p| p >= key) {
                self.problems.push(format!(
                    "page {}: keys out of order at element {i}",
                    page.id
                ));
            }
            if i == 0 && low.is_some_and(|l| l != key) {
                self.problems.push(format!(
                    "page {}: first key differs from its parent's branch key",
                    page.id
                ));
            }
            if high.is_some_and(|h| key >= h) {
                self.problems.push(format!(
                    "page {}: key at element {i} belongs to a later sibling",
                    page.id
                ));
            }
            previous = Some(key);
        }
        if page.is_branch() {
            for i in 0..count {
                let element = page.branch(i)?;
                let next = if i + 1 < count {
                    Some(page.branch(i + 1)?.key)
                } else {
                    high
                };
                let child = bucket.pages().page(element.child)?;
                self.mark_pages(&child, Use::Tree);
                self.tree(bucket, child, Some(element.key), next, depth + 1)?;
            }
            return Ok(());
        }
        for i in 0..count {
            let element = page.leaf(i)?;
            if element.is_bucket() {
                let child = bucket.open_child(element.value)?;
                self.bucket(&child, depth + 1)?;
            }
        }
        Ok(())
    }
}
