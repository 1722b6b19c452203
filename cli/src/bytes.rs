//! Keys and values on the command line, and back out.
//!
//! In: `text` as its UTF-8 bytes; `hex:6869` as the bytes the hex spells;
//! `@path` as the bytes of a file; `text:@literal` for text that would
//! otherwise look like one of the others.
//! Out: text with anything unprintable escaped (`\x00`, `\n`), or hex.

use std::fmt::Write;

use crate::failure::{Failure, Result};

/// The bytes an argument stands for.
pub fn parse(arg: &str) -> Result<Vec<u8>> {
    if let Some(text) = arg.strip_prefix("text:") {
        return Ok(text.as_bytes().to_vec());
    }
    if let Some(hex) = arg.strip_prefix("hex:") {
        return from_hex(hex).ok_or_else(|| Failure::Usage(format!("not hex: {hex:?}")));
    }
    if let Some(path) = arg.strip_prefix('@') {
        return std::fs::read(path).map_err(|e| Failure::Io(format!("{path}: {e}")));
    }
    Ok(arg.as_bytes().to_vec())
}

fn from_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// `bytes` as lowercase hex.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// `bytes` as text, anything unprintable escaped.
pub fn to_text(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_name_their_bytes() {
        assert_eq!(parse("apple").unwrap(), b"apple");
        assert_eq!(parse("hex:00ff").unwrap(), [0, 255]);
        assert_eq!(parse("text:hex:00").unwrap(), b"hex:00");
        assert!(parse("hex:0").is_err());
        assert!(parse("hex:zz").is_err());
        assert!(parse("@/no/such/file").is_err());
    }

    #[test]
    fn bytes_come_back_readable() {
        assert_eq!(to_hex(&[0, 255]), "00ff");
        assert_eq!(to_text(b"a\x00\n"), "a\\x00\\n");
    }
}
