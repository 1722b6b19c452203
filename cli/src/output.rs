//! Printing results: text, hex or one JSON document, to a buffered stdout.

use std::io::{BufWriter, Stdout, Write};

use serde_json::Value;

use crate::args::Format;
use crate::bytes;

/// Where results go, in the chosen format.
pub struct Output {
    format: Format,
    out: BufWriter<Stdout>,
}

impl Output {
    pub fn new(format: Format) -> Output {
        Output {
            format,
            out: BufWriter::new(std::io::stdout()),
        }
    }

    pub fn is_json(&self) -> bool {
        self.format == Format::Json
    }

    /// A line of text (ignored in JSON mode, where results are documents).
    pub fn line(&mut self, line: impl std::fmt::Display) {
        if !self.is_json() {
            // A closed pipe (`strata keys … | head`) ends the output, quietly.
            let _ = writeln!(self.out, "{line}");
        }
    }

    /// A block of text printed as is (text and hex modes).
    pub fn text(&mut self, text: &str) {
        if !self.is_json() {
            let _ = self.out.write_all(text.as_bytes());
        }
    }

    /// The JSON document (JSON mode only).
    pub fn json(&mut self, value: Value) {
        if self.is_json() {
            let _ = serde_json::to_writer_pretty(&mut self.out, &value);
            let _ = writeln!(self.out);
        }
    }

    /// Bytes as this format shows them in text.
    pub fn show(&self, bytes: &[u8]) -> String {
        match self.format {
            Format::Hex => bytes::to_hex(bytes),
            Format::Text | Format::Json => bytes::to_text(bytes),
        }
    }

    pub fn flush(&mut self) {
        let _ = self.out.flush();
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        self.flush();
    }
}

/// Bytes in a JSON document: the string itself when it is printable UTF-8,
/// otherwise `hex:…`, the form the command line reads back.
pub fn json_bytes(bytes: &[u8]) -> Value {
    match std::str::from_utf8(bytes) {
        Ok(s) if !s.chars().any(char::is_control) && !looks_prefixed(s) => Value::from(s),
        _ => Value::from(format!("hex:{}", bytes::to_hex(bytes))),
    }
}

/// Text that the command line would read as something else.
fn looks_prefixed(s: &str) -> bool {
    s.starts_with("hex:") || s.starts_with("text:") || s.starts_with('@')
}
