//! Committing a write transaction, in bbolt's order.
//!
//! 1. Rebalance and spill every changed bucket, innermost first: each one's
//!    nodes go to newly allocated pages, and its new value (root page and
//!    sequence, or an inline page) is put into its parent.
//! 2. Free the old freelist page; allocate and lay out the new freelist.
//! 3. Grow the file if the high-water mark moved past its end.
//! 4. Write every page in ascending order, then sync.
//! 5. Write the meta page at slot `txid % 2`, then sync.
//!
//! Until step 5 nothing reachable from the current meta has changed: every
//! page written was free. A crash anywhere before the meta is durable leaves
//! the previous transaction's state, which the other meta page points at. No
//! log is needed: copy-on-write *is* the recovery mechanism.

use std::io;

use crate::db::{DB, Writer};
use crate::file::DbFile;
use crate::freelist;
use crate::meta::NO_FREELIST;
use crate::node::Node;
use crate::page::{BUCKET_LEAF_FLAG, Header};
use crate::spill::{PageBuf, PageWriter, bucket_value, inlineable, spill_tree};
use crate::tree::{self, Child, DirtyNode, Edit};
use crate::write::TxCore;
use crate::{Error, Result};

/// The points at which a commit can be stopped, as a crash would stop it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitStep {
    /// The file has grown (if it had to).
    Grown,
    /// Every new page is written, not yet synced.
    PagesWritten,
    /// The pages are durable; the meta is not written yet.
    PagesSynced,
    /// The meta page is written, not yet synced.
    MetaWritten,
}

impl CommitStep {
    /// Every step, in order.
    pub const ALL: [CommitStep; 4] = [
        CommitStep::Grown,
        CommitStep::PagesWritten,
        CommitStep::PagesSynced,
        CommitStep::MetaWritten,
    ];
}

/// Commits `core`. On error nothing is published and the caller rolls the
/// freelist back; pages taken from the freelist are returned here.
pub(crate) fn commit(
    db: &DB,
    writer: &mut Writer,
    core: &mut TxCore,
    mut after: impl FnMut(CommitStep) -> io::Result<()>,
) -> Result<()> {
    let mut from_freelist = Vec::new();
    let result = write_all(db, writer, core, &mut from_freelist, &mut after);
    if result.is_err() {
        for (id, n) in from_freelist {
            core.freelist.reclaim(id, n);
        }
    }
    result
}

// ANCHOR: write_all
fn write_all(
    db: &DB,
    writer: &mut Writer,
    core: &mut TxCore,
    from_freelist: &mut Vec<(u64, u64)>,
    after: &mut dyn FnMut(CommitStep) -> io::Result<()>,
) -> Result<()> {
    let page_size = core.meta.page_size as usize;
    let (pages, pgid) = spill_buckets(core, from_freelist)?;
    let mut out = PageWriter {
        freelist: &mut core.freelist,
        pgid,
        page_size,
        pages,
        from_freelist,
    };

    // The old freelist page is freed like any rewritten page; Go trusts its
    // overflow field, and so do we.
    if core.meta.freelist != NO_FREELIST {
        let old = core.snapshot.pages(&core.meta).header(core.meta.freelist)?;
        out.freelist.free(
            core.meta.txid,
            core.meta.freelist,
            u64::from(old.overflow) + 1,
        )?;
    }
    core.meta.freelist = if db.options().no_freelist_sync {
        NO_FREELIST
    } else {
        // Sized for the ids before allocating, as bbolt does: the page may
        // end up a little larger than it needs.
        let size = freelist::encoded_len(out.freelist.free_count() + out.freelist.pending_count());
        let n = size / page_size + 1;
        let id = out.allocate(n);
        let mut bytes = vec![0; n * page_size];
        freelist::encode_into(&out.freelist.all_ids(), &mut bytes);
        let header = Header {
            id,
            overflow: (n - 1) as u32,
            ..Header::read(&bytes)
        };
        header.write(&mut bytes);
        out.pages.push((id, bytes));
        id
    };
    core.meta.pgid = out.pgid;
    let mut pages = std::mem::take(&mut out.pages);

    let file = db.file();
    let path = db.path();
    let io_err = |e| Error::io(path, e);
    grow(file, writer, core.meta.pgid, page_size).map_err(io_err)?;
    after(CommitStep::Grown).map_err(io_err)?;
    write_pages(file, &mut pages, page_size).map_err(io_err)?;
    after(CommitStep::PagesWritten).map_err(io_err)?;
    if !db.options().no_sync {
        file.sync_data().map_err(io_err)?;
    }
    after(CommitStep::PagesSynced).map_err(io_err)?;

    // From here a failure leaves the file's state unknown (the meta may or
    // may not be on disk), so the database refuses further writes.
    let meta_result = (|| {
        let offset = (core.meta.txid % 2) * page_size as u64;
        file.write_at(&core.meta.encode(), offset)?;
        after(CommitStep::MetaWritten)?;
        if !db.options().no_sync {
            file.sync_data()?;
        }
        Ok(())
    })();
    if let Err(e) = meta_result {
        db.poison();
        return Err(io_err(e));
    }
    db.publish(core.meta, writer.file_len).map_err(io_err)
}
// ANCHOR_END: write_all

// ANCHOR: spill_buckets
/// Rebalances and spills every changed bucket, innermost first, putting each
/// one's new value into its parent; the root bucket's new root goes into the
/// meta. Returns the pages to write and the new high-water mark.
fn spill_buckets(
    core: &mut TxCore,
    from_freelist: &mut Vec<(u64, u64)>,
) -> Result<(Vec<PageBuf>, u64)> {
    let page_size = core.meta.page_size as usize;
    let txid = core.meta.txid;
    let mut pages = Vec::new();
    let mut pgid = core.meta.pgid;
    // Children always come after their parents in the arena.
    for idx in (0..core.buckets.len()).rev() {
        let bucket = &core.buckets[idx];
        if bucket.deleted || !bucket.dirty {
            continue;
        }
        let fill_percent = bucket.fill_percent;
        let mut root = std::mem::replace(&mut core.buckets[idx].root, Child::Clean(0));
        let mut edit = Edit {
            pages: core.snapshot.pages(&core.meta),
            freelist: &mut core.freelist,
            txid,
            fill_percent,
        };
        tree::rebalance(&mut root, &mut edit)?;
        let parent = core.buckets[idx].parent;
        let sequence = core.buckets[idx].sequence;
        let value = match root {
            // The root bucket is never inline: its root page is the meta's.
            Child::Dirty(node) if parent.is_some() && inlineable(&node, page_size) => {
                let DirtyNode::Leaf { inodes, .. } = *node else {
                    return Err(Error::corrupt(
                        0,
                        "an inlineable bucket root that is not a leaf",
                    ));
                };
                bucket_value(
                    0,
                    sequence,
                    Some(&Node {
                        is_leaf: true,
                        inodes,
                    }),
                )
            }
            root => {
                let mut out = PageWriter {
                    freelist: &mut core.freelist,
                    pgid,
                    page_size,
                    pages: std::mem::take(&mut pages),
                    from_freelist: &mut *from_freelist,
                };
                let id = spill_tree(root, &mut out, fill_percent)?;
                (pgid, pages) = (out.pgid, out.pages);
                if parent.is_none() {
                    core.meta.root = id;
                }
                bucket_value(id, sequence, None)
            }
        };
        let Some(parent) = parent else {
            continue;
        };
        let name = std::mem::take(&mut core.buckets[idx].name);
        core.put(parent, &name, value, BUCKET_LEAF_FLAG)?;
    }
    Ok((pages, pgid))
}
// ANCHOR_END: spill_buckets

// ANCHOR: grow
/// Grows the file when the high-water mark passes its end, as bbolt does:
/// to the next power of two from 32 KiB while under 16 MiB, then to what it
/// needs plus 16 MiB, so growth (and remapping) is rare.
fn grow(file: &dyn DbFile, writer: &mut Writer, pgid: u64, page_size: usize) -> io::Result<()> {
    const MIN: u64 = 32 << 10;
    const STEP: u64 = 16 << 20;
    let needed = (pgid + 1) * page_size as u64;
    if needed <= writer.file_len {
        return Ok(());
    }
    let size = if needed < STEP {
        needed.max(MIN).next_power_of_two()
    } else {
        needed + STEP
    };
    file.set_len(size)?;
    writer.file_len = size;
    Ok(())
}
// ANCHOR_END: grow

/// Writes pages in ascending id order, one write per run of adjacent pages.
fn write_pages(file: &dyn DbFile, pages: &mut [PageBuf], page_size: usize) -> io::Result<()> {
    pages.sort_unstable_by_key(|(id, _)| *id);
    let mut run: Vec<u8> = Vec::new();
    let mut run_start = 0;
    for (id, bytes) in pages.iter() {
        let next = run_start + (run.len() / page_size) as u64;
        if !run.is_empty() && *id != next {
            file.write_at(&run, run_start * page_size as u64)?;
            run.clear();
        }
        if run.is_empty() {
            run_start = *id;
        }
        run.extend_from_slice(bytes);
    }
    if !run.is_empty() {
        file.write_at(&run, run_start * page_size as u64)?;
    }
    Ok(())
}
