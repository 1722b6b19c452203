//! The freelist page: the ids of pages no longer in use.
//!
//! After the header come the ids, as sorted `u64`s. A page header's count is a
//! `u16`, so when there are 0xFFFF ids or more the count is 0xFFFF and the
//! real count is the first `u64`, with the ids after it.

use crate::page::{HEADER_LEN, Page, u64_at};
use crate::{Error, Result};

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

/// The size in bytes of a freelist page holding `n` ids (header included).
pub fn encoded_len(n: usize) -> usize {
    HEADER_LEN + 8 * n + if n >= 0xFFFF { 8 } else { 0 }
}

/// Writes the header fields and ids of a freelist page into `page` (whose
/// first 8 bytes, the id, and overflow the caller sets). `ids` must be sorted.
pub fn encode_into(ids: &[u64], page: &mut [u8]) {
    page[8..10].copy_from_slice(&crate::page::FREELIST.to_le_bytes());
    let mut at = HEADER_LEN;
    if ids.len() >= 0xFFFF {
        page[10..12].copy_from_slice(&0xFFFFu16.to_le_bytes());
        page[at..at + 8].copy_from_slice(&(ids.len() as u64).to_le_bytes());
        at += 8;
    } else {
        page[10..12].copy_from_slice(&(ids.len() as u16).to_le_bytes());
    }
    for id in ids {
        page[at..at + 8].copy_from_slice(&id.to_le_bytes());
        at += 8;
    }
}
