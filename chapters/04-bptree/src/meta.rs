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

use crate::page::{HEADER_LEN, Header, put_u32, put_u64, u32_at, u64_at};

/// Where each field of the meta is, counted from the end of the page header
/// (add [`HEADER_LEN`] for the page offsets above), each right after the
/// one before.
pub mod field {
    /// [`MAGIC`](super::MAGIC), a `u32`.
    pub const MAGIC: usize = 0;
    /// [`VERSION`](super::VERSION), a `u32`.
    pub const VERSION: usize = MAGIC + 4;
    /// The page size, a `u32`.
    pub const PAGE_SIZE: usize = VERSION + 4;
    /// The flags, a `u32` (always 0).
    pub const FLAGS: usize = PAGE_SIZE + 4;
    /// The root bucket's root page id, a `u64`.
    pub const ROOT: usize = FLAGS + 4;
    /// The root bucket's sequence, a `u64`.
    pub const SEQUENCE: usize = ROOT + 8;
    /// The freelist page id, a `u64`.
    pub const FREELIST: usize = SEQUENCE + 8;
    /// Pages in use, a `u64`.
    pub const PGID: usize = FREELIST + 8;
    /// The transaction id, a `u64`.
    pub const TXID: usize = PGID + 8;
    /// The FNV-1a checksum of every field before it, a `u64`.
    pub const CHECKSUM: usize = TXID + 8;
    /// The first byte after the meta.
    pub const END: usize = CHECKSUM + 8;
}

/// The magic number.
pub const MAGIC: u32 = 0xED0C_DAED;
/// The file format version.
pub const VERSION: u32 = 2;
/// The freelist field's value when no freelist is stored.
pub const NO_FREELIST: u64 = u64::MAX;
/// Bytes of the meta after the page header, checksum included.
pub const META_LEN: usize = field::END;

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
        let magic = u32_at(m, field::MAGIC);
        if magic != MAGIC {
            return Err(format!("bad magic {magic:#010x}"));
        }
        let version = u32_at(m, field::VERSION);
        if version != VERSION {
            return Err(format!("unsupported version {version}"));
        }
        let stored = u64_at(m, field::CHECKSUM);
        let computed = fnv1a64(&m[..field::CHECKSUM]);
        if stored != 0 && stored != computed {
            return Err(format!(
                "checksum mismatch: stored {stored:#018x}, computed {computed:#018x}"
            ));
        }
        Ok(Meta {
            page_size: u32_at(m, field::PAGE_SIZE),
            flags: u32_at(m, field::FLAGS),
            root: u64_at(m, field::ROOT),
            sequence: u64_at(m, field::SEQUENCE),
            freelist: u64_at(m, field::FREELIST),
            pgid: u64_at(m, field::PGID),
            txid: u64_at(m, field::TXID),
        })
    }
    // ANCHOR_END: decode

    /// The meta page bytes for this meta: a zeroed page of `page_size` bytes
    /// with the header (id `txid % 2`, flags meta) and the checksummed meta.
    pub fn encode(&self) -> Vec<u8> {
        let mut page = vec![0; self.page_size as usize];
        let header = Header {
            id: self.txid % 2,
            flags: crate::page::META,
            ..Header::default()
        };
        header.write(&mut page);
        let m = &mut page[HEADER_LEN..HEADER_LEN + META_LEN];
        put_u32(m, field::MAGIC, MAGIC);
        put_u32(m, field::VERSION, VERSION);
        put_u32(m, field::PAGE_SIZE, self.page_size);
        put_u32(m, field::FLAGS, self.flags);
        put_u64(m, field::ROOT, self.root);
        put_u64(m, field::SEQUENCE, self.sequence);
        put_u64(m, field::FREELIST, self.freelist);
        put_u64(m, field::PGID, self.pgid);
        put_u64(m, field::TXID, self.txid);
        let sum = fnv1a64(&m[..field::CHECKSUM]);
        put_u64(m, field::CHECKSUM, sum);
        page
    }
}
