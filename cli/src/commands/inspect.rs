//! Looking inside: `info`, `stats`, `dump`, and each engine's own views
//! (`pages` and `page` for the B+tree, `files` and `hints` for Bitcask,
//! `segments` and `records` for the log). All of them read only.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use strata::bitcask::Bitcask;
use strata::bptree::DB;
use strata::{Engine, Store};

use super::Context;
use crate::failure::{Failure, Result};
use crate::output::Output;

/// Reads a whole file, as an error the command can report.
fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| Failure::Io(format!("{}: {e}", path.display())))
}

/// Opens a B+tree file read-only, as bbolt's tools do.
fn bptree(path: &Path) -> Result<DB> {
    Ok(DB::open(path, strata::bptree::Options::read_only()).map_err(strata::Error::from)?)
}

/// Opens a Bitcask directory read-only, beside any writer.
fn bitcask(path: &Path) -> Result<Bitcask> {
    Ok(
        Bitcask::open_read_only(path, strata::bitcask::Options::default())
            .map_err(strata::Error::from)?,
    )
}

/// A log directory's snapshots and segments, oldest first.
fn wal_files(path: &Path) -> Result<strata::wal::segment::Listing> {
    let dir = strata::wal::fs::Dir::new(path);
    Ok(strata::wal::segment::list(&dir).map_err(strata::Error::from)?)
}

/// A Bitcask directory's data and hint files, by id.
fn bitcask_files(path: &Path) -> Result<Vec<(u32, PathBuf, PathBuf)>> {
    let ids = strata::bitcask::files::list_data_files(path).map_err(strata::Error::from)?;
    Ok(ids
        .into_iter()
        .map(|id| {
            let data = strata::bitcask::files::data_path(path, id);
            let hint = strata::bitcask::files::hint_path(path, id);
            (id, data, hint)
        })
        .collect())
}

fn size(path: &Path) -> u64 {
    fs::metadata(path).map_or(0, |m| m.len())
}

/// Prints `name: value` rows, or one JSON object of them.
fn table(rows: &[(&str, Value)], out: &mut Output) {
    for (name, value) in rows {
        let shown = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        out.line(format!("{:<19}{shown}", format!("{name}:")));
    }
    let object: serde_json::Map<String, Value> = rows
        .iter()
        .map(|(name, value)| (name.replace(' ', "_"), value.clone()))
        .collect();
    out.json(Value::Object(object));
}

fn engine_rows(store: &Store) -> Result<Vec<(&'static str, Value)>> {
    let stats = store.stats()?;
    Ok(rows_of(
        store.path(),
        store.engine(),
        stats.keys,
        stats.disk_bytes,
    ))
}

/// The rows every engine has: path, engine, capabilities, keys, bytes.
fn rows_of(path: &Path, engine: Engine, keys: u64, disk_bytes: u64) -> Vec<(&'static str, Value)> {
    let capabilities: Vec<String> = engine
        .capabilities()
        .iter()
        .map(|c| c.to_string())
        .collect();
    vec![
        ("path", json!(path.display().to_string())),
        ("engine", json!(engine.name())),
        (
            "capabilities",
            json!(if capabilities.is_empty() {
                "none".to_string()
            } else {
                capabilities.join(", ")
            }),
        ),
        ("keys", json!(keys)),
        ("disk bytes", json!(disk_bytes)),
    ]
}

pub fn info(at: &Context, path: &Path, out: &mut Output) -> Result<u8> {
    let store = at.open_read(path)?;
    let mut rows = engine_rows(&store)?;
    match store.engine() {
        Engine::FlatFile => rows.push(("format", json!("STRATAFF, one checksummed map"))),
        Engine::Wal => {
            let files = wal_files(path)?;
            rows.push(("snapshots", json!(files.snapshots.len())));
            rows.push(("segments", json!(files.segments.len())));
        }
        Engine::Bitcask => {
            rows.push(("data files", json!(bitcask_files(path)?.len())));
        }
        Engine::Bptree => {
            drop(store); // bbolt's shared lock, taken once
            let (meta, buckets) = bptree(path)?
                .view(|tx| {
                    let mut names = Vec::new();
                    tx.root().for_each(|name, _| {
                        names.push(crate::bytes::to_text(name));
                        Ok(())
                    })?;
                    Ok((*tx.meta(), names))
                })
                .map_err(strata::Error::from)?;
            // The keys above are those of one bucket (`--bucket`); a file
            // Go wrote names its own.
            rows.push(("buckets", json!(buckets.join(", "))));
            rows.push(("page size", json!(meta.page_size)));
            rows.push(("transaction", json!(meta.txid)));
            rows.push(("pages", json!(meta.pgid)));
            rows.push(("root page", json!(meta.root)));
            rows.push(("freelist page", json!(meta.freelist)));
        }
        _ => {}
    }
    table(&rows, out);
    Ok(0)
}

pub fn stats(at: &Context, path: &Path, out: &mut Output) -> Result<u8> {
    // Bitcask's own figures need its own handle: open only that one (a
    // second open would read every hint file again).
    if at.engine_at(path)? == Engine::Bitcask {
        let cask = bitcask(path)?;
        // As the store counts its bytes: every file in the directory.
        let disk_bytes = fs::read_dir(path)
            .map_err(|e| Failure::Io(format!("{}: {e}", path.display())))?
            .filter_map(|entry| entry.ok()?.metadata().ok())
            .filter(fs::Metadata::is_file)
            .map(|meta| meta.len())
            .sum();
        let mut rows = rows_of(path, Engine::Bitcask, cask.len() as u64, disk_bytes);
        let (memory, key_bytes) = cask.keydir_bytes();
        rows.push(("keydir memory", json!(memory)));
        rows.push(("keydir key bytes", json!(key_bytes)));
        let (mut live, mut total) = (0, 0);
        for (_, file) in cask.file_stats() {
            live += file.live_bytes;
            total += file.total_bytes;
        }
        rows.push(("live bytes", json!(live)));
        rows.push(("dead bytes", json!(total - live.min(total))));
        table(&rows, out);
        return Ok(0);
    }
    let store = at.open_read(path)?;
    let mut rows = engine_rows(&store)?;
    if store.engine() == Engine::Bptree {
        drop(store);
        let bucket = at.bucket().to_vec();
        let stats = bptree(path)?
            .view(|tx| match tx.bucket(&bucket)? {
                Some(bucket) => bucket.stats().map(Some),
                None => Ok(None),
            })
            .map_err(strata::Error::from)?;
        if let Some(s) = stats {
            rows.push(("depth", json!(s.depth)));
            rows.push(("branch pages", json!(s.branch_pages)));
            rows.push(("leaf pages", json!(s.leaf_pages)));
            rows.push(("overflow pages", json!(s.branch_overflow + s.leaf_overflow)));
            rows.push(("leaf bytes used", json!(s.leaf_inuse)));
            rows.push(("leaf bytes", json!(s.leaf_alloc)));
            rows.push(("inline buckets", json!(s.inline_buckets)));
            rows.push(("inline bytes used", json!(s.inline_inuse)));
            rows.push(("nested buckets", json!(s.buckets.saturating_sub(1))));
        }
    }
    table(&rows, out);
    Ok(0)
}

pub fn dump(at: &Context, path: &Path, out: &mut Output) -> Result<u8> {
    let engine = at.engine_at(path)?;
    let mut files: Vec<(String, String)> = Vec::new();
    match engine {
        Engine::FlatFile => {
            files.push((
                name(path),
                strata::flat_file::inspect::annotate(&read(path)?),
            ));
        }
        Engine::Wal => {
            let listing = wal_files(path)?;
            for (_, snapshot) in &listing.snapshots {
                let dump = strata::flat_file::inspect::annotate(&read(snapshot)?);
                files.push((name(snapshot), dump));
            }
            for (_, segment) in &listing.segments {
                files.push((
                    name(segment),
                    strata::wal::inspect::annotate(&read(segment)?),
                ));
            }
        }
        Engine::Bitcask => {
            for (_, data, hint) in bitcask_files(path)? {
                let dump = strata::bitcask::inspect::annotate_data(&read(&data)?);
                files.push((name(&data), dump));
                if hint.exists() {
                    files.push((
                        name(&hint),
                        strata::bitcask::inspect::annotate_hint(&read(&hint)?),
                    ));
                }
            }
        }
        Engine::Bptree => {
            let db = bptree(path)?;
            db.view(|tx| {
                let mut id = 0;
                while id < tx.meta().pgid {
                    let header = tx.pages().header(id)?;
                    let dump = strata::bptree::inspect::page_dump(tx, id)?;
                    files.push((format!("page {id}"), dump));
                    id += u64::from(header.overflow) + 1;
                }
                Ok(())
            })
            .map_err(strata::Error::from)?;
        }
        _ => {
            return Err(Failure::Unsupported {
                command: "dump",
                engine,
            });
        }
    }
    for (name, dump) in &files {
        out.line(format!("== {name}"));
        out.text(dump);
    }
    out.json(Value::Array(
        files
            .iter()
            .map(|(name, dump)| json!({ "file": name, "dump": dump }))
            .collect(),
    ));
    Ok(0)
}

fn name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

pub fn pages(at: &Context, path: &Path, out: &mut Output) -> Result<u8> {
    at.expect(path, Engine::Bptree, "pages")?;
    let table = bptree(path)?
        .view(strata::bptree::inspect::pages_table)
        .map_err(strata::Error::from)?;
    out.text(&table);
    out.json(json!({ "pages": table }));
    Ok(0)
}

pub fn page(at: &Context, path: &Path, id: u64, out: &mut Output) -> Result<u8> {
    at.expect(path, Engine::Bptree, "page")?;
    let dump = bptree(path)?
        .view(|tx| strata::bptree::inspect::page_dump(tx, id))
        .map_err(strata::Error::from)?;
    out.text(&dump);
    out.json(json!({ "page": id, "dump": dump }));
    Ok(0)
}

pub fn files(at: &Context, path: &Path, out: &mut Output) -> Result<u8> {
    at.expect(path, Engine::Bitcask, "files")?;
    let cask = bitcask(path)?;
    let stats: std::collections::BTreeMap<u32, strata::bitcask::FileStats> =
        cask.file_stats().collect();
    out.line("FILE                   BYTES   LIVE KEYS  LIVE BYTES  ALL KEYS  HINT");
    let mut list = Vec::new();
    for (id, data, hint) in bitcask_files(path)? {
        let s = stats.get(&id).copied().unwrap_or_default();
        let has_hint = hint.exists();
        out.line(format!(
            "{:<20} {:>7} {:>10} {:>11} {:>9}  {}",
            name(&data),
            size(&data),
            s.live_keys,
            s.live_bytes,
            s.total_keys,
            if has_hint { "yes" } else { "no" }
        ));
        list.push(json!({
            "file": name(&data), "bytes": size(&data), "live_keys": s.live_keys,
            "live_bytes": s.live_bytes, "total_keys": s.total_keys, "hint": has_hint,
        }));
    }
    out.json(Value::Array(list));
    Ok(0)
}

pub fn hints(at: &Context, path: &Path, out: &mut Output) -> Result<u8> {
    at.expect(path, Engine::Bitcask, "hints")?;
    let mut list = Vec::new();
    for (_, _, hint) in bitcask_files(path)? {
        if !hint.exists() {
            continue;
        }
        let dump = strata::bitcask::inspect::annotate_hint(&read(&hint)?);
        out.line(format!("== {}", name(&hint)));
        out.text(&dump);
        list.push(json!({ "file": name(&hint), "dump": dump }));
    }
    out.json(Value::Array(list));
    Ok(0)
}

pub fn segments(at: &Context, path: &Path, out: &mut Output) -> Result<u8> {
    at.expect(path, Engine::Wal, "segments")?;
    let listing = wal_files(path)?;
    out.line("KIND      SEQUENCE  BYTES     FILE");
    let mut list = Vec::new();
    let kinds = [
        ("snapshot", &listing.snapshots),
        ("segment", &listing.segments),
    ];
    for (kind, files) in kinds {
        for (seq, file) in files {
            out.line(format!(
                "{kind:<9} {seq:>8}  {:<9} {}",
                size(file),
                name(file)
            ));
            list.push(json!({ "kind": kind, "seq": seq, "bytes": size(file), "file": name(file) }));
        }
    }
    out.json(Value::Array(list));
    Ok(0)
}

pub fn records(at: &Context, path: &Path, out: &mut Output) -> Result<u8> {
    use strata::wal::record::{Frame, decode};
    at.expect(path, Engine::Wal, "records")?;
    let mut list = Vec::new();
    for (_, segment) in wal_files(path)?.segments {
        let bytes = read(&segment)?;
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            let Frame::Record { record, len } = decode(rest) else {
                let at_byte = bytes.len() - rest.len();
                let line = format!(
                    "{} @{at_byte}: {} bytes that are no intact record",
                    name(&segment),
                    rest.len()
                );
                out.line(&line);
                list.push(json!({ "segment": name(&segment), "damage_at": at_byte }));
                break;
            };
            let what = strata::wal::inspect::describe(&record.op);
            out.line(format!("{:>8}  {what}", record.seq));
            list.push(json!({ "seq": record.seq, "op": what }));
            rest = &rest[len..];
        }
    }
    out.json(Value::Array(list));
    Ok(0)
}
