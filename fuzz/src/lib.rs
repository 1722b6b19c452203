//! What Strata's fuzz targets share: how one fuzz input is split into the
//! files a target writes, and the fix-ups that make a mutated file's
//! checksums right again.
//!
//! A fuzzer that flips a byte of a checksummed file almost always breaks the
//! checksum, and the parser then stops before it reaches the code behind it.
//! So most targets parse the bytes twice: as given (the checksum path), and
//! with every checksum recomputed (the decoding behind it). The fix-ups only
//! rewrite checksum fields, in place, and never change a file's length.
//!
//! The input layouts live here, next to their encoders, so that the seed
//! generator (`examples/seeds.rs`) writes exactly what the targets read.

use strata_bitcask::{entry, hint};
use strata_bptree::{meta, page};
use strata_wal::record;

/// Reads the parts of a fuzz input from the front. Reading past the end is
/// not an error: a number is then short (its missing bytes are zero) and a
/// slice is shorter than asked, so every input splits somehow.
#[derive(Debug)]
pub struct Input<'a> {
    bytes: &'a [u8],
}

impl<'a> Input<'a> {
    /// An input reading `bytes`.
    pub fn new(bytes: &'a [u8]) -> Input<'a> {
        Input { bytes }
    }

    /// The next byte, or 0 at the end.
    pub fn byte(&mut self) -> u8 {
        self.take(1).first().copied().unwrap_or(0)
    }

    /// The next two bytes as a little-endian `u16`.
    pub fn u16(&mut self) -> u16 {
        let mut le = [0; 2];
        let part = self.take(2);
        le[..part.len()].copy_from_slice(part);
        u16::from_le_bytes(le)
    }

    /// The next `n` bytes, or all that are left if fewer.
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let (part, rest) = self.bytes.split_at(n.min(self.bytes.len()));
        self.bytes = rest;
        part
    }

    /// Everything not read yet.
    pub fn rest(self) -> &'a [u8] {
        self.bytes
    }
}

/// Appends `part` to `out` behind its length as a `u16`, as [`Input::u16`]
/// and [`Input::take`] read it back.
///
/// # Panics
/// If `part` is longer than `u16::MAX`: seeds are small by design.
pub fn push_part(out: &mut Vec<u8>, part: &[u8]) {
    let len = u16::try_from(part.len()).expect("a seed part fits a u16 length");
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(part);
}

/// Recomputes the CRC-32 at the end of a chapter 1 flat file.
pub fn fix_flat_file_checksum(file: &mut [u8]) {
    let checksum_len = strata_flat_file::format::CHECKSUM_LEN;
    let Some(split) = file.len().checked_sub(checksum_len) else {
        return;
    };
    let (content, stored) = file.split_at_mut(split);
    stored.copy_from_slice(&crc32fast::hash(content).to_le_bytes());
}

/// Recomputes the CRC of every whole frame of a chapter 2 log segment, from
/// the start to the first frame that runs past the end.
pub fn fix_wal_checksums(segment: &mut [u8]) {
    let mut at = 0;
    while let Some(header) = segment.get(at..at + record::HEADER_LEN) {
        let payload_len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
        let start = at + record::HEADER_LEN;
        let Some(end) = start
            .checked_add(payload_len as usize)
            .filter(|&end| end <= segment.len())
        else {
            return;
        };
        let checksum = crc32fast::hash(&segment[start..end]);
        segment[at + 4..start].copy_from_slice(&checksum.to_le_bytes());
        at = end;
    }
}

/// Recomputes the CRC of every whole entry of a chapter 3 data file, from the
/// start to the first entry that runs past the end.
pub fn fix_bitcask_checksums(data: &mut [u8]) {
    let mut at = 0;
    while let Some(header) = data.get(at..).and_then(entry::Header::parse) {
        let Some(end) = usize::try_from(header.entry_len())
            .ok()
            .and_then(|len| at.checked_add(len))
            .filter(|&end| end <= data.len())
        else {
            return;
        };
        let checksum = crc32fast::hash(&data[at + 4..end]);
        data[at..at + 4].copy_from_slice(&checksum.to_be_bytes());
        at = end;
    }
}

/// Recomputes the CRC in a chapter 3 hint file's trailer (the last 18 bytes)
/// over the records before it. The trailer's other fields stay as they are.
pub fn fix_hint_checksum(hint: &mut [u8]) {
    let Some(split) = hint.len().checked_sub(hint::TRAILER_LEN) else {
        return;
    };
    let checksum = crc32fast::hash(&hint[..split]);
    // The trailer is shaped like a record: the CRC sits in the total-size slot.
    hint[split + 6..split + 10].copy_from_slice(&checksum.to_be_bytes());
}

/// Recomputes the FNV-1a checksums of a chapter 4 file's two meta pages:
/// meta 0 at the start, meta 1 one page further, at the page size meta 0
/// states (when that is a plausible page size).
pub fn fix_meta_checksums(file: &mut [u8]) {
    fix_meta_checksum(file, 0);
    let Some(size) = file.get(page::HEADER_LEN + 8..page::HEADER_LEN + 12) else {
        return;
    };
    let page_size = u32::from_le_bytes([size[0], size[1], size[2], size[3]]);
    if page_size.is_power_of_two() && (512..=65536).contains(&page_size) {
        fix_meta_checksum(file, page_size as usize);
    }
}

/// Recomputes the checksum of the meta page at byte `at`, if it is all there.
fn fix_meta_checksum(file: &mut [u8], at: usize) {
    let start = at + page::HEADER_LEN;
    let Some(meta) = file.get_mut(start..start + meta::META_LEN) else {
        return;
    };
    let checksum = meta::fnv1a64(&meta[..56]);
    meta[56..].copy_from_slice(&checksum.to_le_bytes());
}

/// The input of the `wal_open` target: a log directory of one segment and,
/// maybe, a snapshot.
///
/// ```text
/// 1 byte   flags: see the constants below; bits 4-5 pick the recovery mode
/// if SNAPSHOT: u16 length, the snapshot's bytes, 1 byte (its sequence number, mod 4)
/// rest     the segment: `wal-<n>.log`, n one past the snapshot's number (or 1)
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalDir {
    /// The flag bits.
    pub flags: u8,
    /// The snapshot's sequence number and bytes.
    pub snapshot: Option<(u64, Vec<u8>)>,
    /// The segment's bytes.
    pub segment: Vec<u8>,
}

impl WalDir {
    /// A snapshot is present.
    pub const SNAPSHOT: u8 = 0x01;
    /// Recompute the snapshot's checksum.
    pub const FIX_SNAPSHOT: u8 = 0x02;
    /// Recompute the segment's checksums.
    pub const FIX_SEGMENT: u8 = 0x04;

    /// Splits a fuzz input; the checksums are fixed as the flags say.
    pub fn parse(bytes: &[u8]) -> WalDir {
        let mut input = Input::new(bytes);
        let flags = input.byte();
        let snapshot = (flags & Self::SNAPSHOT != 0).then(|| {
            let len = input.u16();
            let mut snapshot = input.take(usize::from(len)).to_vec();
            if flags & Self::FIX_SNAPSHOT != 0 {
                fix_flat_file_checksum(&mut snapshot);
            }
            (u64::from(input.byte() % 4), snapshot)
        });
        let mut segment = input.rest().to_vec();
        if flags & Self::FIX_SEGMENT != 0 {
            fix_wal_checksums(&mut segment);
        }
        WalDir {
            flags,
            snapshot,
            segment,
        }
    }

    /// The first sequence number in the segment's name: the one after the
    /// snapshot's, as a checkpoint names them, or 1 without a snapshot.
    pub fn segment_seq(&self) -> u64 {
        self.snapshot.as_ref().map_or(1, |(seq, _)| seq + 1)
    }

    /// The recovery mode the flags pick.
    pub fn recovery(&self) -> strata_wal::RecoveryMode {
        RECOVERY_MODES[usize::from(self.flags >> 4) % RECOVERY_MODES.len()]
    }

    /// The fuzz input that [`parse`](WalDir::parse) splits into `self`
    /// (its snapshot's sequence number must be below 4).
    pub fn to_bytes(&self) -> Vec<u8> {
        let snapshot_flag = if self.snapshot.is_some() {
            Self::SNAPSHOT
        } else {
            0
        };
        let mut out = vec![(self.flags & !Self::SNAPSHOT) | snapshot_flag];
        if let Some((seq, snapshot)) = &self.snapshot {
            push_part(&mut out, snapshot);
            out.push(u8::try_from(*seq).expect("a seed snapshot's number fits a byte"));
        }
        out.extend_from_slice(&self.segment);
        out
    }
}

/// Every recovery mode, in a fixed order.
pub const RECOVERY_MODES: [strata_wal::RecoveryMode; 4] = [
    strata_wal::RecoveryMode::TolerateCorruptedTailRecords,
    strata_wal::RecoveryMode::AbsoluteConsistency,
    strata_wal::RecoveryMode::PointInTime,
    strata_wal::RecoveryMode::SkipAnyCorruptedRecords,
];

/// The input of the `bitcask_open` target: one data file and, maybe, its hint.
///
/// ```text
/// 1 byte   flags: see the constants below
/// if HINT: u16 length, the hint file's bytes
/// rest     the data file `1.bitcask.data`
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaskDir {
    /// The flag bits.
    pub flags: u8,
    /// The hint file's bytes.
    pub hint: Option<Vec<u8>>,
    /// The data file's bytes.
    pub data: Vec<u8>,
}

impl CaskDir {
    /// A hint file is present.
    pub const HINT: u8 = 0x01;
    /// Recompute the hint trailer's checksum.
    pub const FIX_HINT: u8 = 0x02;
    /// Recompute the data entries' checksums.
    pub const FIX_DATA: u8 = 0x04;

    /// Splits a fuzz input; the checksums are fixed as the flags say.
    pub fn parse(bytes: &[u8]) -> CaskDir {
        let mut input = Input::new(bytes);
        let flags = input.byte();
        let hint = (flags & Self::HINT != 0).then(|| {
            let len = input.u16();
            let mut hint = input.take(usize::from(len)).to_vec();
            if flags & Self::FIX_HINT != 0 {
                fix_hint_checksum(&mut hint);
            }
            hint
        });
        let mut data = input.rest().to_vec();
        if flags & Self::FIX_DATA != 0 {
            fix_bitcask_checksums(&mut data);
        }
        CaskDir { flags, hint, data }
    }

    /// The fuzz input that [`parse`](CaskDir::parse) splits into `self`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let hint_flag = if self.hint.is_some() { Self::HINT } else { 0 };
        let mut out = vec![(self.flags & !Self::HINT) | hint_flag];
        if let Some(hint) = &self.hint {
            push_part(&mut out, hint);
        }
        out.extend_from_slice(&self.data);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_reads_short_at_its_end() {
        let mut input = Input::new(&[7, 1]);
        assert_eq!(input.byte(), 7);
        assert_eq!(input.u16(), 1);
        assert_eq!(input.take(3), b"");
        assert_eq!(input.byte(), 0);
    }

    #[test]
    fn fixed_wal_checksums_make_a_damaged_frame_decode() {
        let mut segment = Vec::new();
        let op = strata_wal::Op::Put {
            key: b"k",
            value: b"v",
        };
        record::encode(1, &op, &mut segment).unwrap();
        let last = segment.len() - 1;
        segment[last] ^= b'v' ^ b'w';
        assert!(matches!(
            record::decode(&segment),
            record::Frame::Invalid(_)
        ));
        fix_wal_checksums(&mut segment);
        assert!(matches!(
            record::decode(&segment),
            record::Frame::Record { .. }
        ));
    }

    #[test]
    fn fixed_bitcask_checksums_make_a_damaged_entry_decode() {
        let mut data = Vec::new();
        entry::encode(5, b"key", b"value", &mut data);
        let last = data.len() - 1;
        data[last] ^= 1;
        assert!(entry::decode(&data).is_err());
        fix_bitcask_checksums(&mut data);
        assert_eq!(entry::decode(&data).unwrap().value, b"valud");
    }

    #[test]
    fn a_fixed_hint_trailer_validates() {
        let mut file = Vec::new();
        let record = hint::HintRecord {
            tstamp: 1,
            key: b"k",
            entry_len: 20,
            offset: 0,
            tombstone: false,
        };
        hint::encode(&record, &mut file);
        hint::encode_trailer(0, &mut file);
        assert!(hint::validated(&file).is_none());
        fix_hint_checksum(&mut file);
        assert_eq!(hint::records(hint::validated(&file).unwrap()).count(), 1);
    }

    #[test]
    fn fixed_meta_checksums_make_both_metas_valid() {
        let mut file = strata_bptree::db::initial_file(1024);
        file[page::HEADER_LEN + 48] = 7; // meta 0's txid
        file[1024 + page::HEADER_LEN + 48] = 8; // meta 1's txid
        assert!(meta::Meta::decode(&file).is_err());
        fix_meta_checksums(&mut file);
        assert_eq!(meta::Meta::decode(&file).unwrap().txid, 7);
        assert_eq!(meta::Meta::decode(&file[1024..]).unwrap().txid, 8);
    }

    #[test]
    fn a_fixed_flat_file_decodes() {
        let mut map = strata_flat_file::Map::new();
        map.insert(b"k".to_vec(), b"v".to_vec());
        let mut file = strata_flat_file::format::encode(&map);
        let at = file.len() - 5;
        file[at] ^= b'v' ^ b'w';
        let path = std::path::Path::new("f");
        assert!(strata_flat_file::format::decode(path, &file).is_err());
        fix_flat_file_checksum(&mut file);
        let decoded = strata_flat_file::format::decode(path, &file).unwrap();
        assert_eq!(decoded[&b"k"[..]], b"w");
    }

    #[test]
    fn split_inputs_round_trip() {
        let dir = WalDir {
            flags: WalDir::FIX_SEGMENT | 0x20,
            snapshot: Some((3, b"snapshot".to_vec())),
            segment: b"segment".to_vec(),
        };
        assert_eq!(WalDir::parse(&dir.to_bytes()).snapshot, dir.snapshot);
        assert_eq!(dir.recovery(), strata_wal::RecoveryMode::PointInTime);
        let cask = CaskDir {
            flags: CaskDir::HINT,
            hint: Some(b"hint".to_vec()),
            data: b"data".to_vec(),
        };
        assert_eq!(CaskDir::parse(&cask.to_bytes()), cask);
    }
}
