//! The meta page: the root of everything, written twice.
//!
//! ```text
//! page offset  size  field (little-endian)
//! 16           u32   magic 0xED0CDAED
//! 20           u32   version 2
//! 24           u32   page size
//! 28           u32   flags (always 0)
//! 32           u64   root bucket: root page id
//! 40           u64   root bucket: sequence
//! 48           u64   freelist page id (all ones: no freelist stored)
//! 56           u64   pgid: pages in use (the high-water mark)
//! 64           u64   txid
//! 72           u64   FNV-1a 64 of bytes 16..72
//! ```
//!
//! Pages 0 and 1 both hold a meta; a commit writes the one at `txid % 2`. The
//! valid meta with the larger txid wins, so a crash while writing one meta
//! leaves the other, and the previous transaction, intact.

use crate::page::{HEADER_LEN, u32_at, u64_at};

/// The magic number.
pub const MAGIC: u32 = 0xED0C_DAED;
/// The file format version.
pub const VERSION: u32 = 2;
/// The freelist field's value when no freelist is stored.
pub const NO_FREELIST: u64 = u64::MAX;
/// Bytes of the meta after the page header, checksum included.
pub const META_LEN: usize = 64;

/// A decoded meta page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    /// The page size.
    pub page_size: u32,
    /// The flags (always 0).
    pub flags: u32,
    /// The root bucket's root page.
    pub root: u64,
    /// The root bucket's sequence.
    pub sequence: u64,
    /// The freelist page, or [`NO_FREELIST`].
    pub freelist: u64,
    /// Pages in use: ids `0..pgid`.
    pub pgid: u64,
    /// The transaction that wrote this meta.
    pub txid: u64,
}

// ANCHOR: fnv
/// 64-bit FNV-1a, as Go's `hash/fnv.New64a`.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
// ANCHOR_END: fnv

impl Meta {
    // ANCHOR: decode
    /// Decodes and validates the meta in `page` (a whole meta page, or at
    /// least its first 80 bytes). A stored checksum of 0 is accepted, as bbolt
    /// accepts it.
    pub fn decode(page: &[u8]) -> Result<Meta, String> {
        let m = page
            .get(HEADER_LEN..HEADER_LEN + META_LEN)
            .ok_or("too short for a meta page")?;
        let magic = u32_at(m, 0);
        if magic != MAGIC {
            return Err(format!("bad magic {magic:#010x}"));
        }
        let version = u32_at(m, 4);
        if version != VERSION {
            return Err(format!("unsupported version {version}"));
        }
        let stored = u64_at(m, 56);
        let computed = fnv1a64(&m[..56]);
        if stored != 0 && stored != computed {
            return Err(format!(
                "checksum mismatch: stored {stored:#018x}, computed {computed:#018x}"
            ));
        }
        Ok(Meta {
            page_size: u32_at(m, 8),
            flags: u32_at(m, 12),
            root: u64_at(m, 16),
            sequence: u64_at(m, 24),
            freelist: u64_at(m, 32),
            pgid: u64_at(m, 40),
            txid: u64_at(m, 48),
        })
    }
    // ANCHOR_END: decode

    /// The meta page bytes for this meta: a zeroed page of `page_size` bytes
    /// with the header (id `txid % 2`, flags meta) and the checksummed meta.
    pub fn encode(&self) -> Vec<u8> {
        let mut page = vec![0; self.page_size as usize];
        page[0..8].copy_from_slice(&(self.txid % 2).to_le_bytes());
        page[8..10].copy_from_slice(&crate::page::META.to_le_bytes());
        let m = &mut page[HEADER_LEN..HEADER_LEN + META_LEN];
        m[0..4].copy_from_slice(&MAGIC.to_le_bytes());
        m[4..8].copy_from_slice(&VERSION.to_le_bytes());
        m[8..12].copy_from_slice(&self.page_size.to_le_bytes());
        m[12..16].copy_from_slice(&self.flags.to_le_bytes());
        m[16..24].copy_from_slice(&self.root.to_le_bytes());
        m[24..32].copy_from_slice(&self.sequence.to_le_bytes());
        m[32..40].copy_from_slice(&self.freelist.to_le_bytes());
        m[40..48].copy_from_slice(&self.pgid.to_le_bytes());
        m[48..56].copy_from_slice(&self.txid.to_le_bytes());
        let sum = fnv1a64(&m[..56]);
        m[56..64].copy_from_slice(&sum.to_le_bytes());
        page
    }
}
