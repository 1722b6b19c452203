//! The freelist page: the ids of pages no longer in use.
//!
//! After the header come the ids, as sorted `u64`s. A page header's count is a
//! `u16`, so when there are 0xFFFF ids or more the count is 0xFFFF and the
//! real count is the first `u64`, with the ids after it.

use crate::page::{HEADER_LEN, Header, Page, put_u64, u64_at};
use crate::{Error, Result};

// ANCHOR: decode
/// Decodes the ids on a freelist page. A count larger than the page can hold
/// is an error, never an allocation.
pub fn decode(page: &Page<'_>) -> Result<Vec<u64>> {
    let (count, start) = if page.count == 0xFFFF {
        let n = page
            .bytes
            .get(HEADER_LEN..HEADER_LEN + 8)
            .map(|b| u64_at(b, 0));
        (
            n.ok_or_else(|| Error::corrupt(page.id, "freelist count missing"))?,
            HEADER_LEN + 8,
        )
    } else {
        (u64::from(page.count), HEADER_LEN)
    };
    let room = (page.bytes.len().saturating_sub(start) / 8) as u64;
    if count > room {
        return Err(Error::corrupt(
            page.id,
            format!("freelist claims {count} ids, the page holds at most {room}"),
        ));
    }
    let ids = &page.bytes[start..start + count as usize * 8];
    Ok(ids.chunks_exact(8).map(|c| u64_at(c, 0)).collect())
}
// ANCHOR_END: decode

/// The size in bytes of a freelist page holding `n` ids (header included).
pub fn encoded_len(n: usize) -> usize {
    HEADER_LEN + 8 * n + if n >= 0xFFFF { 8 } else { 0 }
}

/// Writes the header (type and count) and ids of a freelist page into `page`
/// (whose id and overflow the caller sets). `ids` must be sorted. A count of
/// 0xFFFF or more is stored in the first id's place, with 0xFFFF in the header.
pub fn encode_into(ids: &[u64], page: &mut [u8]) {
    let mut at = HEADER_LEN;
    let count = match u16::try_from(ids.len()) {
        Ok(count) if count < 0xFFFF => count,
        _ => {
            put_u64(page, at, ids.len() as u64);
            at += 8;
            0xFFFF
        }
    };
    let header = Header {
        flags: crate::page::FREELIST,
        count,
        ..Header::default()
    };
    header.write(page);
    for id in ids {
        put_u64(page, at, *id);
        at += 8;
    }
}

/// The free pages in memory, and the pages freed by transactions that readers
/// may still see.
///
/// A page freed by write transaction T stays *pending* under T: a reader that
/// started before T committed can still reach it. Pending pages become free
/// (allocatable) only once every such reader has finished, which the database
/// signals with [`Freelist::release`]. A file's freelist page stores free and
/// pending ids together, since after a restart no reader can hold any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Freelist {
    free: Vec<u64>,
    pending: std::collections::BTreeMap<u64, Vec<u64>>,
    /// Every pending id, for the double-free check.
    pending_ids: std::collections::HashSet<u64>,
}

impl Freelist {
    /// A freelist holding `ids` (as read from a freelist page) as free.
    pub fn from_ids(mut ids: Vec<u64>) -> Freelist {
        ids.sort_unstable();
        ids.dedup();
        Freelist {
            free: ids,
            ..Freelist::default()
        }
    }

    // ANCHOR: allocate
    /// Takes the lowest run of `n` contiguous free ids and returns its first,
    /// or `None` if there is no such run (the caller then grows the file).
    pub fn allocate(&mut self, n: usize) -> Option<u64> {
        if n == 0 {
            return None;
        }
        let mut run_start = 0;
        for i in 0..self.free.len() {
            if i > 0 && self.free[i] != self.free[i - 1] + 1 {
                run_start = i;
            }
            if i + 1 - run_start == n {
                let first = self.free[run_start];
                self.free.drain(run_start..=i);
                return Some(first);
            }
        }
        None
    }
    // ANCHOR_END: allocate

    /// Frees `pages` contiguous pages from `id`, pending under `txid`.
    ///
    /// # Errors
    /// A page that is already free or pending: freeing it twice would let two
    /// owners allocate it, so the caller must treat this as corruption. A
    /// run that goes past the largest page id.
    pub fn free(&mut self, txid: u64, id: u64, pages: u64) -> Result<()> {
        let end = id
            .checked_add(pages)
            .ok_or_else(|| Error::corrupt(id, format!("a run of {pages} pages has no end")))?;
        for page in id..end {
            if self.pending_ids.contains(&page) || self.free.binary_search(&page).is_ok() {
                return Err(Error::corrupt(page, "freed twice"));
            }
        }
        self.pending.entry(txid).or_default().extend(id..end);
        self.pending_ids.extend(id..end);
        Ok(())
    }

    // ANCHOR: release
    /// Makes the pages freed by transactions up to and including `txid` free:
    /// call it with the oldest open reader's txid (or the last commit's, when
    /// no reader is open). A reader of txid R sees the tree that transaction
    /// R committed, which no longer holds the pages R itself freed.
    pub fn release(&mut self, txid: u64) {
        let later = match txid.checked_add(1) {
            Some(next) => self.pending.split_off(&next),
            None => Default::default(),
        };
        let released = std::mem::replace(&mut self.pending, later);
        let mut ids: Vec<u64> = released.into_values().flatten().collect();
        if ids.is_empty() {
            return;
        }
        for id in &ids {
            self.pending_ids.remove(id);
        }
        ids.extend_from_slice(&self.free);
        ids.sort_unstable();
        self.free = ids;
    }
    // ANCHOR_END: release

    /// Forgets the pages `txid` freed (its rollback).
    pub fn rollback(&mut self, txid: u64) {
        for id in self.pending.remove(&txid).unwrap_or_default() {
            self.pending_ids.remove(&id);
        }
    }

    /// Returns pages to the free set (pages a rolled-back transaction allocated).
    pub fn reclaim(&mut self, id: u64, pages: u64) {
        self.free.extend(id..id + pages);
        self.free.sort_unstable();
    }

    /// Free and pending ids together, sorted: what a freelist page stores.
    pub fn all_ids(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .pending
            .values()
            .flatten()
            .copied()
            .chain(self.free.iter().copied())
            .collect();
        ids.sort_unstable();
        ids
    }

    /// The number of free (allocatable) pages.
    pub fn free_count(&self) -> usize {
        self.free.len()
    }

    /// The number of pending pages.
    pub fn pending_count(&self) -> usize {
        self.pending.values().map(Vec::len).sum()
    }
}
