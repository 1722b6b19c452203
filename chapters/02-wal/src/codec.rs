//! The one place this crate's bytes are encoded: chapter 1's codec (bincode 2,
//! `standard` configuration), so the whole book pins one encoder in one module.

pub use strata_flat_file::codec::{DecodeError, bytes, decode_borrowed, encode_into};
