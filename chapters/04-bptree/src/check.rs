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
///
/// Each page is walked once, however many places point at it, so the check
/// takes time and memory linear in the file's pages even when a damaged
/// tree reaches its pages along exponentially many paths.
pub fn check(tx: &ReadTx) -> Vec<String> {
    let mut checker = match Checker::new(tx) {
        Ok(checker) => checker,
        Err(e) => return vec![e.to_string()],
    };
    checker.mark(0, Use::Meta);
    checker.mark(1, Use::Meta);
    let meta = *tx.meta();
    if meta.freelist != NO_FREELIST {
        match tx.pages().page(meta.freelist) {
            Ok(page) => {
                checker.mark_pages(&page, Use::Freelist);
                match freelist::decode(&page) {
                    Ok(ids) => {
                        for id in ids {
                            checker.mark(id, Use::Free);
                        }
                    }
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
    let mut checker = Checker::new(tx)?;
    checker.mark(0, Use::Meta);
    checker.mark(1, Use::Meta);
    checker.bucket(&tx.root(), 0)?;
    if let Some((page, what)) = checker.first {
        return Err(Error::corrupt(page, what));
    }
    Ok((0..tx.meta().pgid)
        .filter(|&id| checker.uses[id as usize] == Use::Unseen)
        .collect())
}

/// Deeper than any real file (trees plus nested buckets): a cycle.
const MAX_DEPTH: usize = 256;

struct Checker {
    /// What each page in use is for: one entry per page below the
    /// high-water mark.
    uses: Vec<Use>,
    problems: Vec<String>,
    /// The first problem found on a page: the page, and what is wrong.
    first: Option<(u64, String)>,
}

impl Checker {
    /// A checker with every page of `tx` unseen.
    ///
    /// # Errors
    /// A meta that counts more pages than the file holds. Opening the file
    /// refuses such a meta already; checking again costs nothing and keeps
    /// a hostile count from ever becoming a huge table.
    fn new(tx: &ReadTx) -> Result<Checker> {
        let pgid = tx.meta().pgid;
        // The last page in use must lie in the file.
        tx.pages().raw(pgid.saturating_sub(1), 0)?;
        let len = usize::try_from(pgid)
            .map_err(|_| Error::corrupt(0, format!("{pgid} pages do not fit in memory")))?;
        Ok(Checker {
            uses: vec![Use::Unseen; len],
            problems: Vec::new(),
            first: None,
        })
    }

    fn problem(&mut self, id: u64, what: String) {
        self.problems.push(format!("page {id}: {what}"));
        self.first.get_or_insert((id, what));
    }

    /// Marks page `id` as used for `usage`, and reports it if it was used
    /// already. Returns what it was used for before.
    fn mark(&mut self, id: u64, usage: Use) -> Use {
        let Some(slot) = usize::try_from(id).ok().and_then(|i| self.uses.get_mut(i)) else {
            self.problem(id, "beyond the high-water mark".into());
            return Use::Unseen;
        };
        let before = *slot;
        if before == Use::Unseen {
            *slot = usage;
            return before;
        }
        // Later visits from a tree must see that a tree has been here.
        if usage == Use::Tree {
            *slot = Use::Tree;
        }
        let what = |u: Use| match u {
            Use::Meta => "a meta page",
            Use::Freelist => "the freelist",
            Use::Free => "free",
            Use::Tree => "in a tree",
            Use::Unseen => "unseen",
        };
        let problem = if (before, usage) == (Use::Tree, Use::Tree) {
            "reachable twice".to_string()
        } else {
            format!("{} and also {}", what(before), what(usage))
        };
        self.problem(id, problem);
        before
    }

    /// Marks `page` and its overflow pages as used for `usage`. Returns
    /// whether the page is new to the trees: a page a tree has reached
    /// already must not be walked again.
    fn mark_pages(&mut self, page: &Page<'_>, usage: Use) -> bool {
        let first = self.mark(page.id, usage);
        if first == Use::Tree {
            return false;
        }
        for id in (page.id + 1..).take(page.overflow as usize) {
            // Two overlapping spans: one report is enough, and stopping
            // keeps the work linear however many spans overlap.
            if self.mark(id, usage) == Use::Tree {
                break;
            }
        }
        true
    }

    fn bucket(&mut self, bucket: &Bucket<'_>, depth: usize) -> Result<()> {
        let page = match bucket.root_ref() {
            Root::Page(id) => {
                let page = bucket.pages().page(id)?;
                if !self.mark_pages(&page, Use::Tree) {
                    return Ok(());
                }
                page
            }
            Root::Inline(page) => page,
            Root::Node(_) => unreachable!(
                "a read transaction's bucket is made of pages, never of a write transaction's nodes"
            ),
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
                self.problem(page.id, format!("keys out of order at element {i}"));
            }
            if i == 0 && low.is_some_and(|l| l != key) {
                self.problem(
                    page.id,
                    "first key differs from its parent's branch key".into(),
                );
            }
            if high.is_some_and(|h| key >= h) {
                self.problem(
                    page.id,
                    format!("key at element {i} belongs to a later sibling"),
                );
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
                if self.mark_pages(&child, Use::Tree) {
                    self.tree(bucket, child, Some(element.key), next, depth + 1)?;
                }
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
