//! Annotated hex dumps: bytes on the left, what they mean on the right.
//!
//! The book shows files this way, and the snapshot tests pin them, so any change
//! to a format shows up in review as a readable diff.

use std::fmt::Write;

/// Bytes shown per line.
const WIDTH: usize = 8;

/// Builds an annotated dump, one field at a time.
#[derive(Debug, Default)]
pub struct HexDump {
    out: String,
    offset: usize,
}

impl HexDump {
    /// An empty dump starting at offset 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `bytes` with `label` beside their first line; long fields wrap,
    /// and fields longer than four lines show their first and last lines only.
    pub fn field(&mut self, bytes: &[u8], label: impl AsRef<str>) -> &mut Self {
        let lines: Vec<&[u8]> = bytes.chunks(WIDTH).collect();
        let last = lines.len().saturating_sub(1);
        for (i, line) in lines.iter().enumerate() {
            let elided = lines.len() > 4 && (2..last).contains(&i);
            if elided && i == 2 {
                let hidden = bytes.len() - 2 * WIDTH - lines[last].len();
                let _ = writeln!(self.out, "{:8}  ... {hidden} more bytes ...", "");
            }
            if !elided {
                let label = if i == 0 { label.as_ref() } else { "" };
                self.line(self.offset + i * WIDTH, line, label);
            }
        }
        if bytes.is_empty() {
            self.line(self.offset, bytes, label.as_ref());
        }
        self.offset += bytes.len();
        self
    }

    fn line(&mut self, offset: usize, bytes: &[u8], label: &str) {
        let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let width = WIDTH * 3 - 1;
        let _ = writeln!(self.out, "{offset:08x}  {:<width$}  {label}", hex.join(" "));
    }

    /// The dump so far, with trailing spaces removed from every line.
    pub fn finish(&self) -> String {
        self.out
            .lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    }
}

/// Shows bytes as text when they are printable ASCII, else as hex.
pub fn show_bytes(bytes: &[u8]) -> String {
    if bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        format!("{:?}", String::from_utf8_lossy(bytes))
    } else {
        let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!("0x{}", hex.join(""))
    }
}
