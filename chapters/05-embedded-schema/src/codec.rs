//! The one place this crate's values are encoded: chapter 1's codec (bincode
//! 2, `standard` configuration), behind the error type of this crate.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Error, Result};

/// Appends the encoding of `value` to `out`.
pub fn encode_into<T: Serialize + ?Sized>(
    table: &'static str,
    value: &T,
    out: &mut Vec<u8>,
) -> Result<()> {
    // Straight into `out`: no buffer of its own to copy from.
    strata_flat_file::codec::try_encode_into(value, out)
        .map_err(|reason| Error::Encode { table, reason })
}

/// Decodes a `T` that fills all of `bytes`.
pub fn decode<T: DeserializeOwned>(table: &str, bytes: &[u8]) -> Result<T> {
    strata_flat_file::codec::from_slice(bytes).map_err(|reason| Error::Decode {
        table: table.to_string(),
        reason,
    })
}

/// Decodes a `T` from the front of `bytes`; returns it and the rest.
pub fn decode_front<'b, T: DeserializeOwned>(
    table: &str,
    bytes: &'b [u8],
) -> Result<(T, &'b [u8])> {
    let (value, used) =
        strata_flat_file::codec::decode_borrowed::<T>(bytes).map_err(|e| Error::Decode {
            table: table.to_string(),
            reason: e.to_string(),
        })?;
    Ok((value, &bytes[used..]))
}
