//! Scans read in chunks: the way a scan can own no lock between two `next`s.
//!
//! An iterator that held a store's read lock for its whole life would stall
//! every writer behind a slow consumer (or deadlock one that writes while it
//! scans). Instead a [`Chunked`] scan asks its engine for the next few
//! entries after the last key it returned, keeps them, and hands them out
//! one by one. Chunks start small, so that a scan read only for its first
//! entry costs little, and grow, so that a long one costs few lookups.

use std::collections::VecDeque;

use crate::{Entry, KeyRange, Result};

const FIRST_CHUNK: usize = 16;
const LARGEST_CHUNK: usize = 1024;

/// An iterator over `range` that reads it `fetch`'s chunks at a time.
///
/// `fetch(range, n)` returns the first `n` entries of `range` in key order
/// (fewer only at its end).
pub(crate) struct Chunked<F> {
    range: KeyRange,
    fetch: F,
    chunk: VecDeque<Entry>,
    next_size: usize,
    /// No more chunks: the last was short, or failed.
    done: bool,
}

impl<F> Chunked<F>
where
    F: FnMut(&KeyRange, usize) -> Result<Vec<Entry>>,
{
    pub(crate) fn new(range: KeyRange, fetch: F) -> Chunked<F> {
        let done = range.is_empty();
        Chunked {
            range,
            fetch,
            chunk: VecDeque::new(),
            next_size: FIRST_CHUNK,
            done,
        }
    }

    fn refill(&mut self) -> Result<()> {
        let size = self.next_size;
        self.next_size = (size * 2).min(LARGEST_CHUNK);
        let chunk = (self.fetch)(&self.range, size)?;
        if chunk.len() < size {
            self.done = true;
        }
        if let Some((last, _)) = chunk.last() {
            self.range = self.range.after(last);
        }
        self.chunk.extend(chunk);
        Ok(())
    }
}

impl<F> Iterator for Chunked<F>
where
    F: FnMut(&KeyRange, usize) -> Result<Vec<Entry>>,
{
    type Item = Result<Entry>;

    fn next(&mut self) -> Option<Result<Entry>> {
        if self.chunk.is_empty()
            && !self.done
            && let Err(e) = self.refill()
        {
            self.done = true;
            return Some(Err(e));
        }
        self.chunk.pop_front().map(Ok)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn map(n: u32) -> BTreeMap<Vec<u8>, Vec<u8>> {
        (0..n)
            .map(|i| (i.to_be_bytes().to_vec(), i.to_le_bytes().to_vec()))
            .collect()
    }

    fn fetch_from(
        map: &BTreeMap<Vec<u8>, Vec<u8>>,
    ) -> impl FnMut(&KeyRange, usize) -> Result<Vec<Entry>> + '_ {
        |range, n| {
            Ok(map
                .range::<[u8], _>((range.start(), range.end()))
                .take(n)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect())
        }
    }

    #[test]
    fn every_entry_comes_once_in_order_across_chunk_sizes() {
        for n in [0, 1, 15, 16, 17, 48, 1000, 5000] {
            let map = map(n);
            let all: Vec<Entry> = Chunked::new(KeyRange::all(), fetch_from(&map))
                .collect::<Result<_>>()
                .unwrap();
            let expected: Vec<Entry> = map.clone().into_iter().collect();
            assert_eq!(all, expected, "{n} entries");
        }
    }

    #[test]
    fn a_range_stops_at_its_end_and_an_error_ends_the_scan() {
        let map = map(100);
        let range = KeyRange::from(10u32.to_be_bytes()..=40u32.to_be_bytes());
        let got: Vec<Entry> = Chunked::new(range, fetch_from(&map))
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(got.len(), 31);

        let failing = Chunked::new(KeyRange::all(), |_: &KeyRange, _| {
            Err(crate::Error::Poisoned)
        });
        let items: Vec<_> = failing.collect();
        assert_eq!(items.len(), 1);
        assert!(items[0].is_err());
    }
}
