//! The one place this crate's bytes are encoded: chapter 1's codec (bincode 2,
//! `standard` configuration), so the whole book pins one encoder in one module.

pub use strata_flat_file::codec::{DecodeError, bytes, decode_borrowed, encode_into};

/// Appends `n` as the codec writes an integer: one byte below 251, else a
/// marker byte (251, 252, 253 for 2, 4, 8 bytes) then the number in that
/// many little-endian bytes. [`record`](crate::record) encodes a batch by
/// hand with it; a test there checks it against the codec.
pub fn varint(n: u64, out: &mut Vec<u8>) {
    if n < 251 {
        out.push(n as u8);
    } else if let Ok(n) = u16::try_from(n) {
        out.push(251);
        out.extend_from_slice(&n.to_le_bytes());
    } else if let Ok(n) = u32::try_from(n) {
        out.push(252);
        out.extend_from_slice(&n.to_le_bytes());
    } else {
        out.push(253);
        out.extend_from_slice(&n.to_le_bytes());
    }
}

/// Appends a byte string as the codec writes one: its length, then the bytes.
pub fn byte_string(bytes: &[u8], out: &mut Vec<u8>) {
    varint(bytes.len() as u64, out);
    out.extend_from_slice(bytes);
}
