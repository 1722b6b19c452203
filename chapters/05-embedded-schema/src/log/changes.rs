//! What a table hands the log: changes encoded back to back in one buffer,
//! each with what it replaced, and the [`Recorder`] a table writes them
//! through.

use serde::Serialize;
use strata_wal::Change;

use crate::Result;
use crate::table::{ErasedSerialize, encode_key};

/// A list of changes to entries, their keys and values encoded back to back
/// in one buffer. Once its two vectors have grown, recording a change
/// allocates nothing: no vector per key or value.
///
/// Inside a transaction, each change also keeps the value its entry had
/// before, if it had one: undoing the change is putting that value back, or
/// deleting the entry. That costs nothing more for a new entry, and one
/// encoded value for an overwritten or deleted one.
#[derive(Debug, Default)]
pub struct Changes {
    bytes: Vec<u8>,
    spans: Vec<Span>,
}

/// Where one change is in [`Changes::bytes`]: its key, its value (none for
/// a delete), then the entry's old value (if one was kept).
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    key_end: usize,
    value_end: usize,
    old_end: usize,
    is_put: bool,
    had_value: bool,
}

impl Changes {
    /// The number of changes.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there are no changes.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The changes, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = Change<'_>> {
        self.spans.iter().map(|span| {
            let key = &self.bytes[span.start..span.key_end];
            if span.is_put {
                let value = &self.bytes[span.key_end..span.value_end];
                Change::Put { key, value }
            } else {
                Change::Delete { key }
            }
        })
    }

    /// The changes that undo these, newest first: each entry as it was
    /// before (kept only for changes recorded to be undone).
    pub fn undo(&self) -> impl Iterator<Item = Change<'_>> {
        self.spans.iter().rev().map(|span| {
            let key = &self.bytes[span.start..span.key_end];
            if span.had_value {
                let value = &self.bytes[span.value_end..span.old_end];
                Change::Put { key, value }
            } else {
                Change::Delete { key }
            }
        })
    }

    /// Removes every change, keeping the buffers for the next ones (up to a
    /// MiB each: one huge transaction does not keep its memory for ever).
    pub(crate) fn clear(&mut self) {
        const KEEP: usize = 1 << 20;
        self.bytes.clear();
        self.spans.clear();
        self.bytes.shrink_to(KEEP);
        self.spans.shrink_to(KEEP / size_of::<Span>());
    }

    /// Keeps the first `len` changes.
    pub(crate) fn truncate(&mut self, len: usize) {
        if let Some(span) = self.spans.get(len) {
            self.bytes.truncate(span.start);
        }
        self.spans.truncate(len);
    }

    /// Adds a change of the entry keyed `table ‖ 0x00 ‖ parts...`: a put of
    /// `value`, or a delete; `old` is the value to keep for undoing it.
    fn push(
        &mut self,
        table: &'static str,
        parts: &[&dyn ErasedSerialize],
        value: Option<&dyn ErasedSerialize>,
        old: Option<&dyn ErasedSerialize>,
    ) -> Result<()> {
        let start = self.bytes.len();
        match encode_change(&mut self.bytes, table, parts, value, old) {
            Ok((key_end, value_end)) => {
                self.spans.push(Span {
                    start,
                    key_end,
                    value_end,
                    old_end: self.bytes.len(),
                    is_put: value.is_some(),
                    had_value: old.is_some(),
                });
                Ok(())
            }
            Err(e) => {
                self.bytes.truncate(start);
                Err(e)
            }
        }
    }
}

/// Appends a change's key, its value and the old value, those it has;
/// returns where the key and the value end.
fn encode_change(
    out: &mut Vec<u8>,
    table: &'static str,
    parts: &[&dyn ErasedSerialize],
    value: Option<&dyn ErasedSerialize>,
    old: Option<&dyn ErasedSerialize>,
) -> Result<(usize, usize)> {
    encode_key(table, parts, out)?;
    let key_end = out.len();
    if let Some(value) = value {
        value.encode(table, out)?;
    }
    let value_end = out.len();
    if let Some(old) = old {
        old.encode(table, out)?;
    }
    Ok((key_end, value_end))
}

// ANCHOR: recorder
/// What a table writes one operation's changes into, with
/// [`Log::record`](crate::log::Log::record).
#[derive(Debug)]
pub struct Recorder<'a> {
    table: &'static str,
    changes: &'a mut Changes,
    /// Whether the changes may be undone (inside a transaction): only then
    /// are old values kept.
    undoable: bool,
}

impl<'a> Recorder<'a> {
    pub(crate) fn new(table: &'static str, changes: &'a mut Changes, undoable: bool) -> Self {
        Recorder {
            table,
            changes,
            undoable,
        }
    }

    /// Sets the entry keyed by `key` (its parts, encoded in turn after the
    /// table's name) to `value`. `old` is the entry's value now, if it has
    /// one: what undoing the change puts back.
    pub fn put<V: Serialize>(
        &mut self,
        key: &[&dyn ErasedSerialize],
        value: &V,
        old: Option<&V>,
    ) -> Result<()> {
        let old = old.filter(|_| self.undoable);
        (self.changes).push(self.table, key, Some(value), old.map(erase))
    }

    /// Deletes the entry keyed by `key`, whose value now is `old`.
    pub fn delete<V: Serialize>(
        &mut self,
        key: &[&dyn ErasedSerialize],
        old: Option<&V>,
    ) -> Result<()> {
        let old = old.filter(|_| self.undoable);
        (self.changes).push(self.table, key, None, old.map(erase))
    }
}
// ANCHOR_END: recorder

fn erase<V: Serialize>(value: &V) -> &dyn ErasedSerialize {
    value
}
