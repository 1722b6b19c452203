//! The keydir: for every live key, where its latest entry is.
//!
//! Every key lives in memory, so the keydir's size per key decides how many
//! keys a machine can hold. A `HashMap<Vec<u8>, Location>` would spend about
//! 80 bytes per key beyond the key itself (a 24-byte `Vec`, a 24-byte value,
//! the table's empty slots and a heap allocation per key). This one spends
//! about 30:
//!
//! - Each key is stored once, with its location, in a *record* in a chunked
//!   arena: file id (4 bytes), entry size (4), tstamp (4), offset (5), key
//!   length (2), the key, padded to a multiple of 4 bytes.
//! - The hash table holds only a `u32` per key: the record's position in the
//!   arena, in units of 4 bytes (so the arena can hold 16 GiB of records).
//!   A slot costs 4 bytes plus hashbrown's 1 control byte.
//! - A chunk grows by doubling up to 1 MiB, then the next chunk starts, so a
//!   small keydir stays small and a large one never copies more than 1 MiB
//!   while growing.
//! - A removed key leaves its record behind as garbage; when garbage exceeds
//!   the live records, the arena is rebuilt without it.
//!
//! Offsets are 40 bits (files up to 1 TiB), which is more than any bitcask
//! file reaches: entries start below `max_file_size`.

use hashbrown::DefaultHashBuilder;
use hashbrown::HashTable;
use std::hash::BuildHasher;

// ANCHOR: location
/// Where a key's latest entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// The data file's id.
    pub file_id: u32,
    /// Where the entry starts.
    pub offset: u64,
    /// The entry's total size.
    pub entry_len: u32,
    /// The entry's tstamp.
    pub tstamp: u32,
}
// ANCHOR_END: location

/// The largest offset a [`Location`] can hold (1 TiB).
pub const MAX_OFFSET: u64 = (1 << 40) - 1;
/// file id, entry size, tstamp, offset (5 bytes), key length.
const FIXED: usize = 4 + 4 + 4 + 5 + 2;
/// Records are aligned to this many bytes; positions count in these units.
const ALIGN: usize = 4;
/// Bytes per arena chunk: large enough for the largest record (a 64 KiB key).
const CHUNK: usize = 1 << 20;

/// The map from key to [`Location`]; see the module docs.
#[derive(Default)]
pub struct Keydir {
    table: HashTable<u32>,
    hasher: DefaultHashBuilder,
    chunks: Vec<Vec<u8>>,
    live_bytes: usize,
    garbage_bytes: usize,
    key_bytes: usize,
}

impl std::fmt::Debug for Keydir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keydir")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

impl Keydir {
    /// An empty keydir.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Where `key`'s latest entry is.
    pub fn get(&self, key: &[u8]) -> Option<Location> {
        let hash = self.hasher.hash_one(key);
        let pos = *self.table.find(hash, |&pos| self.key_at(pos) == key)?;
        Some(self.location_at(pos))
    }

    // ANCHOR: insert
    /// Points `key` at `location`, returning where it pointed before.
    pub fn insert(&mut self, key: &[u8], location: Location) -> Option<Location> {
        let hash = self.hasher.hash_one(key);
        if let Some(&pos) = self.table.find(hash, |&pos| self.key_at(pos) == key) {
            let previous = self.location_at(pos);
            self.write_location(pos, location);
            return Some(previous);
        }
        let pos = self.push_record(key, location);
        let Keydir {
            table,
            hasher,
            chunks,
            ..
        } = self;
        table.insert_unique(hash, pos, |&p| hasher.hash_one(read_key(chunks, p)));
        None
    }
    // ANCHOR_END: insert

    /// Removes `key`, returning where it pointed.
    pub fn remove(&mut self, key: &[u8]) -> Option<Location> {
        let hash = self.hasher.hash_one(key);
        let Keydir { table, chunks, .. } = self;
        let entry = table
            .find_entry(hash, |&pos| read_key(chunks, pos) == key)
            .ok()?;
        let (pos, _) = entry.remove();
        let location = self.location_at(pos);
        let size = record_len(key.len());
        self.live_bytes -= size;
        self.garbage_bytes += size;
        self.key_bytes -= key.len();
        if self.garbage_bytes > self.live_bytes.max(CHUNK) {
            self.compact();
        }
        Some(location)
    }

    /// Every key and its location, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], Location)> {
        self.table
            .iter()
            .map(|&pos| (self.key_at(pos), self.location_at(pos)))
    }

    /// Bytes of memory the keydir holds, for measuring its cost per key.
    pub fn heap_bytes(&self) -> usize {
        self.table.allocation_size() + self.chunks.iter().map(Vec::capacity).sum::<usize>()
    }

    /// The total length of the keys held (what a keydir cannot do without).
    pub fn key_bytes(&self) -> usize {
        self.key_bytes
    }

    /// Copies the live records into fresh chunks, dropping the garbage.
    fn compact(&mut self) {
        let live: Vec<(Vec<u8>, Location)> = self.iter().map(|(k, l)| (k.to_vec(), l)).collect();
        *self = Keydir {
            hasher: self.hasher.clone(),
            ..Keydir::default()
        };
        for (key, location) in live {
            self.insert(&key, location);
        }
    }

    fn push_record(&mut self, key: &[u8], location: Location) -> u32 {
        let len = record_len(key.len());
        let fits = self.chunks.last().is_some_and(|c| c.len() + len <= CHUNK);
        if !fits {
            self.chunks.push(Vec::new());
        }
        let chunk_index = self.chunks.len() - 1;
        let chunk = &mut self.chunks[chunk_index];
        let start = chunk.len();
        if chunk.capacity() < start + len {
            // Double, but never past the chunk's size: positions are offsets
            // within a chunk, so a chunk may move when it grows.
            let target = (chunk.capacity() * 2).max(start + len).clamp(4096, CHUNK);
            chunk.reserve_exact(target - start);
        }
        chunk.resize(start + len, 0);
        chunk[start + FIXED - 2..start + FIXED].copy_from_slice(&(key.len() as u16).to_le_bytes());
        chunk[start + FIXED..start + FIXED + key.len()].copy_from_slice(key);
        let pos = ((chunk_index * CHUNK + start) / ALIGN) as u32;
        self.write_location(pos, location);
        self.live_bytes += len;
        self.key_bytes += key.len();
        pos
    }

    fn key_at(&self, pos: u32) -> &[u8] {
        read_key(&self.chunks, pos)
    }

    fn location_at(&self, pos: u32) -> Location {
        let r = record(&self.chunks, pos);
        let u32_at = |i: usize| u32::from_le_bytes([r[i], r[i + 1], r[i + 2], r[i + 3]]);
        let mut offset = [0; 8];
        offset[..5].copy_from_slice(&r[12..17]);
        Location {
            file_id: u32_at(0),
            entry_len: u32_at(4),
            tstamp: u32_at(8),
            offset: u64::from_le_bytes(offset),
        }
    }

    fn write_location(&mut self, pos: u32, location: Location) {
        let (chunk, start) = split(pos);
        let r = &mut self.chunks[chunk][start..start + FIXED];
        r[0..4].copy_from_slice(&location.file_id.to_le_bytes());
        r[4..8].copy_from_slice(&location.entry_len.to_le_bytes());
        r[8..12].copy_from_slice(&location.tstamp.to_le_bytes());
        r[12..17].copy_from_slice(&location.offset.to_le_bytes()[..5]);
    }
}

/// A record's length for a key of `key_len` bytes, padded to [`ALIGN`].
fn record_len(key_len: usize) -> usize {
    (FIXED + key_len).div_ceil(ALIGN) * ALIGN
}

fn split(pos: u32) -> (usize, usize) {
    let byte = pos as usize * ALIGN;
    (byte / CHUNK, byte % CHUNK)
}

/// The record at `pos`, from its first byte to the end of its chunk.
fn record(chunks: &[Vec<u8>], pos: u32) -> &[u8] {
    let (chunk, start) = split(pos);
    &chunks[chunk][start..]
}

fn read_key(chunks: &[Vec<u8>], pos: u32) -> &[u8] {
    let r = record(chunks, pos);
    let len = usize::from(u16::from_le_bytes([r[FIXED - 2], r[FIXED - 1]]));
    &r[FIXED..FIXED + len]
}
