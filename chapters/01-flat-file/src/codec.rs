//! The one module that knows how records are encoded.
//!
//! Records are encoded with bincode 2 (its `standard` configuration: lengths are
//! little-endian varints). bincode's final release, 3.0.0, is a deliberate
//! `compile_error!`: the project has stopped. We pin 2.0.1 and keep every use of
//! it here, and snapshot tests pin the exact bytes, so replacing it later (for
//! instance with a bincode-compatible crate) is a change to this file alone.
//!
//! Decoding *borrows* keys and values from the input instead of allocating: a
//! hostile length can only fail against the bytes actually present, it can never
//! make us allocate memory the file does not contain.

use bincode::config::{Configuration, standard};
use serde::{Deserialize, Serialize};

const CONFIG: Configuration = standard();

/// Appends the encoding of `value` to `out`.
pub fn encode_into<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) {
    // Writing to a Vec cannot fail, and our record types always serialize.
    if let Err(e) = bincode::serde::encode_into_std_write(value, out, CONFIG) {
        unreachable!("encoding into a Vec failed: {e}")
    }
}

/// Why a decode failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The bytes ended before the value did (the input was cut short).
    RanOut,
    /// The bytes are not a valid encoding.
    Invalid(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::RanOut => f.write_str("the bytes end before the value does"),
            DecodeError::Invalid(why) => f.write_str(why),
        }
    }
}

// ANCHOR: decode_borrowed
/// Decodes one `T` from the front of `bytes`, borrowing from them where `T` holds
/// references. Returns the value and the number of bytes it took.
pub fn decode_borrowed<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<(T, usize), DecodeError> {
    bincode::serde::borrow_decode_from_slice(bytes, CONFIG).map_err(|e| match e {
        bincode::error::DecodeError::UnexpectedEnd { .. } => DecodeError::RanOut,
        other => DecodeError::Invalid(other.to_string()),
    })
}
// ANCHOR_END: decode_borrowed

/// Serializes a byte slice as bytes (length, then the bytes in one piece) rather
/// than as a sequence of `u8`s one call each: the same bincode bytes, written
/// faster. Use it as `#[serde(serialize_with = "codec::bytes")]`.
pub fn bytes<S: serde::Serializer>(value: &&[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_bytes(value)
}

/// Appends the encoding of a value of any serde type to `out`, which may
/// fail for types bincode cannot encode (a sequence of unknown length).
pub fn try_encode_into<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> Result<(), String> {
    bincode::serde::encode_into_std_write(value, out, CONFIG)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Encodes a value of any serde type (used by [`FlatFile::put_as`](crate::FlatFile::put_as)).
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, String> {
    bincode::serde::encode_to_vec(value, CONFIG).map_err(|e| e.to_string())
}

/// Decodes a value of any owned serde type; all of `bytes` must be used.
pub fn from_slice<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let (value, used) =
        bincode::serde::decode_from_slice(bytes, CONFIG).map_err(|e| e.to_string())?;
    if used != bytes.len() {
        return Err(format!("{} bytes left over", bytes.len() - used));
    }
    Ok(value)
}
