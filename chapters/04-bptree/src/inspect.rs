//! Logical dumps: every bucket, sequence, key and value, in order. Two files
//! hold the same data exactly when their dumps are equal, whatever their page
//! layout, so the interop tests compare Rust and Go through this.
//!
//! ```text
//! B <depth> <hex name> <sequence>     a nested bucket; its contents follow at depth + 1
//! K <depth> <hex key> <hex value>     a key and its value
//! ```
//!
//! Top-level buckets are depth 0; empty hex is `-`.

use std::fmt::Write;
use std::path::Path;

use crate::Result;
use crate::db::{DB, Options};
use crate::tx::Bucket;

/// The logical dump of the file at `path`, opened read-only.
pub fn logical_dump(path: &Path) -> Result<String> {
    let db = DB::open(path, Options { read_only: true })?;
    db.view(|tx| {
        let mut out = String::new();
        dump_bucket(&tx.root(), 0, &mut out)?;
        Ok(out)
    })
}

fn hex(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "-".into();
    }
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn dump_bucket(bucket: &Bucket<'_>, depth: usize, out: &mut String) -> Result<()> {
    let mut cursor = bucket.cursor();
    let mut entry = cursor.first()?;
    while let Some(e) = entry {
        if e.is_bucket() {
            let child = bucket.open_child(e.value)?;
            let _ = writeln!(out, "B {depth} {} {}", hex(e.key), child.sequence());
            dump_bucket(&child, depth + 1, out)?;
        } else {
            let _ = writeln!(out, "K {depth} {} {}", hex(e.key), hex(e.value));
        }
        entry = cursor.next()?;
    }
    Ok(())
}
