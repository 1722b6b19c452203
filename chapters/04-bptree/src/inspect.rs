//! Looking inside a file: logical dumps, page tables and annotated pages, as
//! the `inspect` example prints them and the book shows them.
//!
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

use strata_flat_file::hexdump::{HexDump, show_bytes};

use crate::Result;
use crate::db::{DB, Options};
use crate::freelist;
use crate::meta::{Meta, NO_FREELIST, field};
use crate::page::{self, ELEMENT_LEN, HEADER_LEN, Header, Page, header, u32_at};
use crate::tx::{Bucket, ReadTx};

/// The logical dump of the file at `path`, opened read-only.
pub fn logical_dump(path: &Path) -> Result<String> {
    let db = DB::open(path, Options::read_only())?;
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
    // A table rather than `write!` per byte: dumps of large files are mostly hex.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
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

/// What a page id is, for the page table.
fn page_type(flags: u16) -> &'static str {
    match flags {
        page::BRANCH => "branch",
        page::LEAF => "leaf",
        page::META => "meta",
        page::FREELIST => "freelist",
        _ => "unknown",
    }
}

/// A table of every page in use, like `bbolt pages`: id, type, elements and
/// overflow; free pages are marked as such.
pub fn pages_table(tx: &ReadTx) -> Result<String> {
    let meta = *tx.meta();
    let mut free = std::collections::BTreeSet::new();
    if meta.freelist != NO_FREELIST {
        free.extend(freelist::decode(&tx.pages().page(meta.freelist)?)?);
    }
    let mut out = String::from("ID       TYPE       ITEMS  OVRFLW\n");
    let mut id = 0;
    while id < meta.pgid {
        if free.contains(&id) {
            let _ = writeln!(out, "{id:<8} free");
            id += 1;
            continue;
        }
        let header = tx.pages().header(id)?;
        let items = if header.flags == page::FREELIST && header.count == 0xFFFF {
            "many".to_string()
        } else {
            header.count.to_string()
        };
        let _ = writeln!(
            out,
            "{id:<8} {:<10} {items:<6} {}",
            page_type(header.flags),
            header.overflow
        );
        id += u64::from(header.overflow) + 1;
    }
    Ok(out)
}

/// An annotated hex dump of page `id`: its header, then what its type holds (a
/// meta page's fields, a freelist's ids, or a node's elements, keys and values).
pub fn page_dump(tx: &ReadTx, id: u64) -> Result<String> {
    // The meta pages are read raw: the page cache serves only pages of a tree.
    let (bytes, flags) = if id < 2 {
        let header = tx.pages().header(id)?;
        (tx.pages().raw(id, 1)?, header.flags)
    } else {
        let page = tx.pages().page(id)?;
        (page.bytes, page.flags)
    };
    let page = Page::parse(id, bytes)?;
    let mut dump = HexDump::new();
    dump_header(&mut dump, &page, flags);
    match flags {
        page::META => dump_meta(&mut dump, id, bytes)?,
        page::FREELIST => dump_freelist(&mut dump, &page)?,
        page::BRANCH | page::LEAF => dump_node(&mut dump, id, &page)?,
        _ => {}
    }
    Ok(dump.finish())
}

/// The 16-byte header every page starts with.
fn dump_header(dump: &mut HexDump, page: &Page<'_>, flags: u16) {
    let bytes = page.bytes;
    let h = Header::read(bytes);
    dump.field(
        &bytes[header::ID..header::FLAGS],
        format!("page id {}", h.id),
    );
    dump.field(
        &bytes[header::FLAGS..header::COUNT],
        format!("flags {:#06x} ({})", h.flags, page_type(flags)),
    );
    dump.field(
        &bytes[header::COUNT..header::OVERFLOW],
        format!("count {}", h.count),
    );
    dump.field(
        &bytes[header::OVERFLOW..header::END],
        format!("overflow {}", h.overflow),
    );
}

/// A meta page's fields, after the header.
fn dump_meta(dump: &mut HexDump, id: u64, bytes: &[u8]) -> Result<()> {
    let meta = Meta::decode(bytes).map_err(|reason| crate::Error::corrupt(id, reason))?;
    let m = &bytes[HEADER_LEN..];
    let fields = [
        (field::MAGIC, field::VERSION, "magic".to_string()),
        (field::VERSION, field::PAGE_SIZE, "version 2".to_string()),
        (
            field::PAGE_SIZE,
            field::FLAGS,
            format!("page size {}", meta.page_size),
        ),
        (field::FLAGS, field::ROOT, "flags".to_string()),
        (
            field::ROOT,
            field::SEQUENCE,
            format!("root bucket: root page {}", meta.root),
        ),
        (
            field::SEQUENCE,
            field::FREELIST,
            format!("root bucket: sequence {}", meta.sequence),
        ),
        (
            field::FREELIST,
            field::PGID,
            format!("freelist page {}", meta.freelist),
        ),
        (
            field::PGID,
            field::TXID,
            format!("pgid (pages in use) {}", meta.pgid),
        ),
        (field::TXID, field::CHECKSUM, format!("txid {}", meta.txid)),
        (
            field::CHECKSUM,
            field::END,
            format!("checksum: FNV-1a of the {} bytes above", field::CHECKSUM),
        ),
    ];
    for (start, end, label) in fields {
        dump.field(&m[start..end], label);
    }
    Ok(())
}

/// A freelist page's ids (after a count in the first id's place when the
/// header's count field overflows).
fn dump_freelist(dump: &mut HexDump, page: &Page<'_>) -> Result<()> {
    let ids = freelist::decode(page)?;
    let start = HEADER_LEN + if page.count == 0xFFFF { 8 } else { 0 };
    for (i, free) in ids.iter().enumerate() {
        dump.field(
            &page.bytes[start + 8 * i..start + 8 * i + 8],
            format!("free page {free}"),
        );
    }
    Ok(())
}

/// A branch or leaf: every element's fixed 16 bytes, then every key (and, in a
/// leaf, value) where the elements point.
fn dump_node(dump: &mut HexDump, id: u64, page: &Page<'_>) -> Result<()> {
    let count = usize::from(page.count);
    for i in 0..count {
        let at = HEADER_LEN + ELEMENT_LEN * i;
        let e = page
            .bytes
            .get(at..at + ELEMENT_LEN)
            .ok_or_else(|| crate::Error::corrupt(id, format!("element {i} lies past the page")))?;
        let label = if page.is_leaf() {
            let kind = if u32_at(e, 0) & page::BUCKET_LEAF_FLAG != 0 {
                "bucket"
            } else {
                "value"
            };
            format!(
                "element {i} ({kind}): pos {}, key size {}, value size {}",
                u32_at(e, 4),
                u32_at(e, 8),
                u32_at(e, 12)
            )
        } else {
            format!(
                "element {i}: pos {}, key size {}, child page {}",
                u32_at(e, 0),
                u32_at(e, 4),
                page.branch(i)?.child
            )
        };
        dump.field(e, label);
    }
    for i in 0..count {
        if page.is_leaf() {
            let el = page.leaf(i)?;
            dump.field(el.key, format!("key {i}: {}", show_bytes(el.key)));
            let what = if el.is_bucket() {
                "bucket header".to_string()
            } else {
                format!("value {i}: {}", show_bytes(el.value))
            };
            dump.field(el.value, what);
        } else {
            let el = page.branch(i)?;
            dump.field(el.key, format!("key {i}: {}", show_bytes(el.key)));
        }
    }
    Ok(())
}
