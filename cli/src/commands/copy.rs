//! Commands that write: `copy` between engines, `compact`, and the engines'
//! own upkeep, `merge` (Bitcask) and `checkpoint` (log).

use std::path::Path;

use serde_json::json;
use strata::bptree::{Bucket, BucketMut, DB};
use strata::{Batch, BatchOp, Capability, Engine, Options, Store, SyncPolicy};

use super::Context;
use crate::failure::{Failure, Result};
use crate::output::Output;
use crate::progress;

/// Entries per batch when copying into an engine that has batches.
const BATCH: usize = 1000;

pub fn copy(at: &Context, src: &Path, dst: &Path, to: Engine, out: &mut Output) -> Result<u8> {
    let from = at.open_read(src)?;
    let total = from.len()?;
    // One sync at the end: a copy that fails halfway is removed, not resumed.
    let options = Options::new()
        .sync(SyncPolicy::OnFlush)
        .bucket(at.bucket().to_vec());
    let into = Store::create(dst, to, options)?;
    if let Err(failure) = fill(&from, into, total, out.is_json()) {
        // Half a copy is no copy: remove what was made.
        let _ = if dst.is_dir() {
            std::fs::remove_dir_all(dst)
        } else {
            std::fs::remove_file(dst)
        };
        return Err(failure);
    }

    // Read both back: every entry of the source, the same in the copy.
    let copy = Store::open_as(
        dst,
        to,
        Options::new().read_only(true).bucket(at.bucket().to_vec()),
    )?;
    let bar = progress::bar(Some(total), "verifying", out.is_json());
    let mut checked = 0u64;
    for entry in from.entries()? {
        let (key, value) = entry?;
        if copy.get(&key)?.as_deref() != Some(&value[..]) {
            return Err(Failure::Usage(format!(
                "the copy differs from the source at key {}",
                crate::bytes::to_text(&key)
            )));
        }
        checked += 1;
        bar.inc(1);
    }
    bar.finish_and_clear();
    let copied = copy.len()?;
    if copied != checked {
        return Err(Failure::Usage(format!(
            "the copy holds {copied} keys, the source {checked}"
        )));
    }
    out.line(format!(
        "copied {checked} entries from {} ({}) to {} ({to}); read back: both hold the same {checked}",
        src.display(),
        from.engine(),
        dst.display(),
    ));
    out.json(json!({ "from": from.engine().name(), "to": to.name(), "entries": checked, "verified": true }));
    Ok(0)
}

/// Writes every entry of `from` into `into`, in batches where it has them,
/// and closes it (the one sync).
fn fill(from: &Store, into: Store, total: u64, json: bool) -> Result<()> {
    let batches = into.capabilities().contains(Capability::AtomicBatches);
    let bar = progress::bar(Some(total), "copying", json);
    let mut batch = Batch::new();
    for entry in from.entries()? {
        let (key, value) = entry?;
        if batches {
            batch.push(BatchOp::Put { key, value });
            if batch.len() == BATCH {
                into.write(&std::mem::take(&mut batch))?;
            }
        } else {
            into.put(&key, &value)?;
        }
        bar.inc(1);
    }
    if !batch.is_empty() {
        into.write(&batch)?;
    }
    into.close()?;
    bar.finish_and_clear();
    Ok(())
}

pub fn compact(at: &Context, path: &Path, output: Option<&Path>, out: &mut Output) -> Result<u8> {
    match at.engine_at(path)? {
        Engine::Wal => checkpoint(at, path, out),
        Engine::Bitcask => merge(at, path, out),
        Engine::FlatFile => {
            out.line("a flat file is rewritten whole at every save: there is nothing to compact");
            out.json(json!({ "engine": "flat-file", "compacted": false }));
            Ok(0)
        }
        Engine::Bptree => {
            let output = output.ok_or_else(|| {
                Failure::Usage("a B+tree is compacted into a new file: give --output".into())
            })?;
            compact_bptree(path, output, out)
        }
        engine => Err(Failure::Unsupported {
            command: "compact",
            engine,
        }),
    }
}

/// Copies every bucket of `path` into a new file at `output`, each
/// top-level bucket in one transaction, as `bbolt compact` does.
fn compact_bptree(path: &Path, output: &Path, out: &mut Output) -> Result<u8> {
    if output.exists() {
        return Err(strata::Error::AlreadyExists {
            path: output.to_path_buf(),
            found: "something".into(),
        }
        .into());
    }
    let bar = progress::bar(None, "compacting", out.is_json());
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    let src = DB::open(path, strata::bptree::Options::read_only()).map_err(strata::Error::from)?;
    let dst = DB::open(output, strata::bptree::Options::default()).map_err(strata::Error::from)?;
    let copied = src
        .view(|tx| {
            let root = tx.root();
            let mut names = Vec::new();
            root.for_each(|name, _| {
                names.push(name);
                Ok(())
            })?;
            for name in &names {
                let Some(bucket) = tx.bucket(name)? else {
                    continue;
                };
                let mut write = dst.begin_write()?;
                copy_bucket(&bucket, &mut write.create_bucket(name)?)?;
                write.commit()?;
            }
            Ok(names.len())
        })
        .map_err(strata::Error::from)?;
    drop(dst);
    bar.finish_and_clear();
    let (before, after) = (size(path), size(output));
    out.line(format!(
        "{copied} buckets copied: {before} bytes -> {after} bytes"
    ));
    out.json(json!({ "buckets": copied, "bytes_before": before, "bytes_after": after }));
    Ok(0)
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// Copies `src`'s keys and nested buckets (and their sequences) into `dst`.
fn copy_bucket(src: &Bucket<'_>, dst: &mut BucketMut<'_>) -> strata::bptree::Result<()> {
    dst.set_sequence(src.sequence())?;
    let mut cursor = src.cursor();
    let mut entry = cursor.first()?;
    while let Some(e) = entry {
        if e.is_bucket() {
            let child = src.open_child(e.value)?;
            copy_bucket(&child, &mut dst.create_bucket(e.key)?)?;
        } else {
            dst.put(e.key, e.value)?;
        }
        entry = cursor.next()?;
    }
    Ok(())
}

pub fn merge(at: &Context, path: &Path, out: &mut Output) -> Result<u8> {
    at.expect(path, Engine::Bitcask, "merge")?;
    let bar = progress::bar(None, "merging", out.is_json());
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    let mut cask = strata::bitcask::Bitcask::open(path, strata::bitcask::Options::default())
        .map_err(strata::Error::from)?;
    let report = cask.merge().map_err(strata::Error::from)?;
    cask.close().map_err(strata::Error::from)?;
    bar.finish_and_clear();
    out.line(format!(
        "merged {} file(s) into {}: {} live entries copied, {} bytes read, {} written",
        report.inputs.len(),
        report.outputs.len(),
        report.entries_copied,
        report.bytes_in,
        report.bytes_out
    ));
    out.json(json!({ "inputs": report.inputs, "outputs": report.outputs,
        "entries_copied": report.entries_copied, "bytes_in": report.bytes_in,
        "bytes_out": report.bytes_out }));
    Ok(0)
}

pub fn checkpoint(at: &Context, path: &Path, out: &mut Output) -> Result<u8> {
    at.expect(path, Engine::Wal, "checkpoint")?;
    let options = strata::wal::Options::new(strata::wal::SyncPolicy::Always)
        .create(strata::wal::Create::Never);
    let store = strata::wal::Store::open(path, options).map_err(strata::Error::from)?;
    let before = store.stats().log_len;
    store.checkpoint().map_err(strata::Error::from)?;
    let stats = store.stats();
    store.close().map_err(strata::Error::from)?;
    out.line(format!(
        "checkpoint at record {}: the log went from {before} bytes to {}",
        stats.last_seq, stats.log_len
    ));
    out.json(json!({ "seq": stats.last_seq, "log_bytes_before": before, "log_bytes_after": stats.log_len }));
    Ok(0)
}
