//! Write transactions and their buckets.
//!
//! A [`WriteTx`] holds the database's single writer slot. Buckets it opens
//! live in an arena inside the transaction, so a [`BucketMut`] is only an
//! index and a borrow of the transaction: Rust's borrow rules then do what
//! bbolt's documentation asks of Go callers (a value read in a write
//! transaction cannot be used after the next change; nothing is usable after
//! commit or rollback).

use std::collections::HashMap;
use std::io;
use std::sync::MutexGuard;

use crate::commit::{self, CommitStep};
use crate::cursor::{Cursor, Entry, lookup};
use crate::db::{DB, Snapshot, Writer};
use crate::freelist::Freelist;
use crate::meta::Meta;
use crate::page::{BUCKET_LEAF_FLAG, LEAF, Page, u64_at};
use crate::spill::empty_bucket_value;
use crate::tree::{self, Child, DirtyNode, Edit};
use crate::tx::{Pages, Root};
use crate::{Error, Result};

/// The longest key bbolt accepts.
pub const MAX_KEY_SIZE: usize = 32_768;
/// The longest value bbolt accepts.
pub const MAX_VALUE_SIZE: usize = (1 << 31) - 2;
/// bbolt's default fill percent: split pages half full.
pub const DEFAULT_FILL_PERCENT: f64 = 0.5;

/// A bucket opened by a write transaction.
#[derive(Debug)]
pub(crate) struct OpenBucket {
    pub name: Vec<u8>,
    /// The parent's index in the arena; `None` for the root bucket.
    pub parent: Option<usize>,
    pub root: Child,
    pub sequence: u64,
    /// Changed by this transaction: its value in the parent is rewritten.
    pub dirty: bool,
    /// Deleted by this transaction (or its parent was).
    pub deleted: bool,
    pub children: HashMap<Vec<u8>, usize>,
    pub fill_percent: f64,
}

/// Everything a write transaction owns besides the writer slot.
#[derive(Debug)]
pub(crate) struct TxCore {
    pub snapshot: Snapshot,
    /// The meta being built: txid is this transaction's.
    pub meta: Meta,
    pub freelist: Freelist,
    pub buckets: Vec<OpenBucket>,
}

impl TxCore {
    pub fn pages(&self) -> Pages<'_> {
        self.snapshot.pages(&self.meta)
    }

    /// The bucket at `idx` and an [`Edit`] context over the other fields.
    fn edit(&mut self, idx: usize) -> (&mut OpenBucket, Edit<'_, '_>) {
        let pages = self.snapshot.pages(&self.meta);
        let bucket = &mut self.buckets[idx];
        let edit = Edit {
            pages,
            freelist: &mut self.freelist,
            txid: self.meta.txid,
            fill_percent: bucket.fill_percent,
        };
        (bucket, edit)
    }

    fn root_of(&self, idx: usize) -> Root<'_> {
        match &self.buckets[idx].root {
            Child::Clean(id) => Root::Page(*id),
            Child::Dirty(node) => Root::Node(node),
        }
    }

    fn lookup(&self, idx: usize, key: &[u8]) -> Result<Option<(u32, &[u8])>> {
        Ok(lookup(self.pages(), self.root_of(idx), key)?.map(|e| (e.flags, e.value)))
    }

    /// Puts into bucket `idx`'s tree and marks it changed.
    pub fn put(&mut self, idx: usize, key: &[u8], value: Vec<u8>, flags: u32) -> Result<()> {
        let (bucket, mut edit) = self.edit(idx);
        tree::put(&mut bucket.root, &mut edit, key, value, flags)?;
        tree::split_root_if_large(&mut bucket.root, &edit)?;
        bucket.dirty = true;
        Ok(())
    }

    /// The arena index of bucket `name` under `parent`, opening it if needed.
    fn open_child(&mut self, parent: usize, name: &[u8]) -> Result<Option<usize>> {
        if let Some(&idx) = self.buckets[parent].children.get(name)
            && !self.buckets[idx].deleted
        {
            return Ok(Some(idx));
        }
        let (root, sequence) = match self.lookup(parent, name)? {
            Some((flags, value)) if flags & BUCKET_LEAF_FLAG != 0 => parse_bucket_value(value)?,
            _ => return Ok(None),
        };
        Ok(Some(self.push_bucket(parent, name, root, sequence, false)))
    }

    fn push_bucket(
        &mut self,
        parent: usize,
        name: &[u8],
        root: Child,
        sequence: u64,
        dirty: bool,
    ) -> usize {
        let idx = self.buckets.len();
        let fill_percent = self.buckets[parent].fill_percent;
        self.buckets.push(OpenBucket {
            name: name.to_vec(),
            parent: Some(parent),
            root,
            sequence,
            dirty,
            deleted: false,
            children: HashMap::new(),
            fill_percent,
        });
        self.buckets[parent].children.insert(name.to_vec(), idx);
        idx
    }

    fn create_child(&mut self, parent: usize, name: &[u8]) -> Result<usize> {
        if name.is_empty() {
            return Err(Error::BucketNameRequired);
        }
        check_key(name)?;
        match self.lookup(parent, name)? {
            Some((flags, _)) if flags & BUCKET_LEAF_FLAG != 0 => return Err(Error::BucketExists),
            Some(_) => return Err(Error::IncompatibleValue),
            None => {}
        }
        self.put(parent, name, empty_bucket_value(), BUCKET_LEAF_FLAG)?;
        let root = Child::Dirty(Box::new(DirtyNode::empty_leaf()));
        Ok(self.push_bucket(parent, name, root, 0, true))
    }

    // ANCHOR: delete_bucket
    /// Deletes bucket `name` under `parent` and every bucket inside it,
    /// freeing all their pages.
    fn delete_child(&mut self, parent: usize, name: &[u8]) -> Result<()> {
        match self.lookup(parent, name)? {
            Some((flags, _)) if flags & BUCKET_LEAF_FLAG != 0 => {}
            Some(_) => return Err(Error::IncompatibleValue),
            None => return Err(Error::BucketNotFound),
        }
        let first = match self.open_child(parent, name)? {
            Some(idx) => idx,
            None => return Err(Error::BucketNotFound),
        };
        // A work list rather than recursion: a hostile file cannot make it
        // overflow the stack, and a page cycle shows up as a double free.
        let mut open = vec![first];
        while let Some(idx) = open.pop() {
            self.buckets[idx].deleted = true;
            let root = std::mem::replace(&mut self.buckets[idx].root, Child::Clean(0));
            let (_, mut edit) = self.edit(idx);
            let mut nested = tree::free_tree(&root, &mut edit)?;
            while let Some((child_name, value)) = nested.pop() {
                if let Some(&c) = self.buckets[idx].children.get(&child_name) {
                    open.push(c);
                    continue;
                }
                let (root, _) = parse_bucket_value(&value)?;
                let (_, mut edit) = self.edit(idx);
                for (_, grandchild) in tree::free_tree(&root, &mut edit)? {
                    // Not open in this transaction: nothing of it is in memory.
                    nested.push((Vec::new(), grandchild));
                }
            }
        }
        self.buckets[parent].children.remove(name);
        let (bucket, mut edit) = self.edit(parent);
        tree::delete(&mut bucket.root, &mut edit, name)?;
        bucket.dirty = true;
        Ok(())
    }
    // ANCHOR_END: delete_bucket
}

/// Reads a bucket's value: its root (a page, or the inline page in memory)
/// and its sequence.
fn parse_bucket_value(value: &[u8]) -> Result<(Child, u64)> {
    let header = value
        .get(..16)
        .ok_or_else(|| Error::corrupt(0, "bucket value shorter than its header"))?;
    let (root, sequence) = (u64_at(header, 0), u64_at(header, 8));
    if root != 0 {
        return Ok((Child::Clean(root), sequence));
    }
    let page = Page::parse(0, &value[16..])?;
    if page.flags != LEAF {
        return Err(Error::corrupt(0, "an inline bucket's page is not a leaf"));
    }
    Ok((Child::Dirty(Box::new(DirtyNode::read(&page)?)), sequence))
}

fn check_key(key: &[u8]) -> Result<()> {
    if key.is_empty() {
        return Err(Error::KeyRequired);
    }
    if key.len() > MAX_KEY_SIZE {
        return Err(Error::KeyTooLarge { len: key.len() });
    }
    Ok(())
}

/// A read-write transaction. Commit it with [`commit`](WriteTx::commit);
/// dropping it (or [`rollback`](WriteTx::rollback)) discards every change.
#[derive(Debug)]
pub struct WriteTx<'db> {
    db: &'db DB,
    writer: MutexGuard<'db, Writer>,
    core: TxCore,
    done: bool,
}

impl<'db> WriteTx<'db> {
    /// A write transaction on `snapshot`, whose last commit wrote `meta`.
    ///
    /// # Errors
    /// `meta`'s txid is the largest a u64 holds, so no transaction can
    /// follow it (only a hostile file says so: a billion commits a second
    /// would take centuries to get there).
    pub(crate) fn new(
        db: &'db DB,
        mut writer: MutexGuard<'db, Writer>,
        snapshot: Snapshot,
        meta: Meta,
    ) -> Result<Self> {
        let txid = meta.txid.checked_add(1).ok_or_else(|| {
            Error::corrupt(
                meta.txid % 2,
                format!("txid {} leaves no room for another transaction", meta.txid),
            )
        })?;
        let freelist = std::mem::take(&mut writer.freelist);
        let root = OpenBucket {
            name: Vec::new(),
            parent: None,
            root: Child::Clean(meta.root),
            sequence: meta.sequence,
            dirty: false,
            deleted: false,
            children: HashMap::new(),
            fill_percent: DEFAULT_FILL_PERCENT,
        };
        let meta = Meta { txid, ..meta };
        Ok(WriteTx {
            db,
            writer,
            core: TxCore {
                snapshot,
                meta,
                freelist,
                buckets: vec![root],
            },
            done: false,
        })
    }

    /// This transaction's id (one more than the last committed one).
    pub fn id(&self) -> u64 {
        self.core.meta.txid
    }

    fn root(&mut self) -> BucketMut<'_> {
        BucketMut {
            tx: &mut self.core,
            idx: 0,
        }
    }

    /// The top-level bucket `name`, if there is one.
    pub fn bucket(&mut self, name: &[u8]) -> Result<Option<BucketMut<'_>>> {
        let Some(idx) = self.core.open_child(0, name)? else {
            return Ok(None);
        };
        Ok(Some(BucketMut {
            tx: &mut self.core,
            idx,
        }))
    }

    /// Creates the top-level bucket `name`.
    ///
    /// # Errors
    /// [`Error::BucketExists`], [`Error::BucketNameRequired`], [`Error::KeyTooLarge`].
    pub fn create_bucket(&mut self, name: &[u8]) -> Result<BucketMut<'_>> {
        let idx = self.core.create_child(0, name)?;
        Ok(BucketMut {
            tx: &mut self.core,
            idx,
        })
    }

    /// The top-level bucket `name`, created if it does not exist.
    pub fn create_bucket_if_not_exists(&mut self, name: &[u8]) -> Result<BucketMut<'_>> {
        let mut root = self.root();
        root.create_bucket_if_not_exists_idx(name)
            .map(|idx| BucketMut {
                tx: &mut self.core,
                idx,
            })
    }

    /// Deletes the top-level bucket `name`, with everything in it.
    ///
    /// # Errors
    /// [`Error::BucketNotFound`].
    pub fn delete_bucket(&mut self, name: &[u8]) -> Result<()> {
        self.core.delete_child(0, name)
    }

    /// A cursor over the top-level bucket names (values are bucket headers).
    pub fn cursor(&self) -> Cursor<'_> {
        Cursor::new(self.core.pages(), self.core.root_of(0))
    }

    /// Commits: writes the changed nodes to free pages, then the freelist,
    /// syncs, and writes the meta page that makes them the current state.
    pub fn commit(self) -> Result<()> {
        self.commit_with(|_| Ok(()))
    }

    /// [`commit`](WriteTx::commit), calling `after` after each
    /// [`CommitStep`]: an error from it stops the commit there, as a crash
    /// would (the tests use this to check that the previous state survives).
    pub fn commit_with(mut self, after: impl FnMut(CommitStep) -> io::Result<()>) -> Result<()> {
        self.done = true;
        let result = commit::commit(self.db, &mut self.writer, &mut self.core, after);
        if result.is_err() {
            self.core.freelist.rollback(self.core.meta.txid);
        }
        self.writer.freelist = std::mem::take(&mut self.core.freelist);
        result
    }

    /// Discards every change.
    pub fn rollback(self) {}
}

impl Drop for WriteTx<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.core.freelist.rollback(self.core.meta.txid);
            self.writer.freelist = std::mem::take(&mut self.core.freelist);
        }
    }
}

/// A bucket in a write transaction.
#[derive(Debug)]
pub struct BucketMut<'tx> {
    tx: &'tx mut TxCore,
    idx: usize,
}

impl BucketMut<'_> {
    /// The value of `key`, if it holds a value (not a bucket). It borrows the
    /// bucket: the next change to it ends the borrow.
    pub fn get(&self, key: &[u8]) -> Result<Option<&[u8]>> {
        Ok(match self.tx.lookup(self.idx, key)? {
            Some((flags, value)) if flags & BUCKET_LEAF_FLAG == 0 => Some(value),
            _ => None,
        })
    }

    /// Sets `key` to `value`.
    ///
    /// # Errors
    /// [`Error::KeyRequired`], [`Error::KeyTooLarge`], [`Error::ValueTooLarge`],
    /// [`Error::IncompatibleValue`] if `key` names a bucket.
    pub fn put(&mut self, key: &[u8], value: &[u8]) -> Result<()> {
        check_key(key)?;
        if value.len() > MAX_VALUE_SIZE {
            return Err(Error::ValueTooLarge { len: value.len() });
        }
        self.tx.put(self.idx, key, value.to_vec(), 0)
    }

    /// Removes `key`; nothing happens if it is not there.
    ///
    /// # Errors
    /// [`Error::IncompatibleValue`] if `key` names a bucket.
    pub fn delete(&mut self, key: &[u8]) -> Result<()> {
        match self.tx.lookup(self.idx, key)? {
            None => return Ok(()),
            Some((flags, _)) if flags & BUCKET_LEAF_FLAG != 0 => {
                return Err(Error::IncompatibleValue);
            }
            Some(_) => {}
        }
        let (bucket, mut edit) = self.tx.edit(self.idx);
        tree::delete(&mut bucket.root, &mut edit, key)?;
        bucket.dirty = true;
        Ok(())
    }

    /// The nested bucket `name`, if there is one.
    pub fn bucket(&mut self, name: &[u8]) -> Result<Option<BucketMut<'_>>> {
        let Some(idx) = self.tx.open_child(self.idx, name)? else {
            return Ok(None);
        };
        Ok(Some(BucketMut { tx: self.tx, idx }))
    }

    /// Creates the nested bucket `name`.
    ///
    /// # Errors
    /// [`Error::BucketExists`], [`Error::IncompatibleValue`] if `name` holds a
    /// value, [`Error::BucketNameRequired`], [`Error::KeyTooLarge`].
    pub fn create_bucket(&mut self, name: &[u8]) -> Result<BucketMut<'_>> {
        let idx = self.tx.create_child(self.idx, name)?;
        Ok(BucketMut { tx: self.tx, idx })
    }

    fn create_bucket_if_not_exists_idx(&mut self, name: &[u8]) -> Result<usize> {
        match self.tx.open_child(self.idx, name)? {
            Some(idx) => Ok(idx),
            None => self.tx.create_child(self.idx, name),
        }
    }

    /// The nested bucket `name`, created if it does not exist.
    pub fn create_bucket_if_not_exists(&mut self, name: &[u8]) -> Result<BucketMut<'_>> {
        let idx = self.create_bucket_if_not_exists_idx(name)?;
        Ok(BucketMut { tx: self.tx, idx })
    }

    /// Deletes the nested bucket `name` and everything in it.
    ///
    /// # Errors
    /// [`Error::BucketNotFound`], [`Error::IncompatibleValue`] if it is a value.
    pub fn delete_bucket(&mut self, name: &[u8]) -> Result<()> {
        self.tx.delete_child(self.idx, name)
    }

    /// A cursor over the bucket, seeing this transaction's changes.
    pub fn cursor(&self) -> Cursor<'_> {
        Cursor::new(self.tx.pages(), self.tx.root_of(self.idx))
    }

    /// A cursor that can also delete the entry it stands on.
    pub fn cursor_mut(&mut self) -> CursorMut<'_> {
        CursorMut {
            tx: self.tx,
            idx: self.idx,
            at: None,
            deleted: false,
        }
    }

    /// Calls `f` with every key in order, and its value (`None` for a bucket).
    pub fn for_each(&self, f: impl FnMut(&[u8], Option<&[u8]>) -> Result<()>) -> Result<()> {
        self.cursor().for_each(f)
    }

    /// The bucket's sequence number.
    pub fn sequence(&self) -> u64 {
        self.tx.buckets[self.idx].sequence
    }

    /// Sets the sequence number.
    pub fn set_sequence(&mut self, value: u64) -> Result<()> {
        let bucket = &mut self.tx.buckets[self.idx];
        bucket.sequence = value;
        bucket.dirty = true;
        Ok(())
    }

    /// Increments the sequence number and returns it (wrapping, as bbolt).
    pub fn next_sequence(&mut self) -> Result<u64> {
        let next = self.sequence().wrapping_add(1);
        self.set_sequence(next)?;
        Ok(next)
    }

    /// How full pages are left when a node splits (0.1..=1; default 0.5).
    /// Sequential inserts fill pages best at 1.0. Not stored in the file.
    pub fn set_fill_percent(&mut self, fill_percent: f64) {
        self.tx.buckets[self.idx].fill_percent = fill_percent.clamp(0.1, 1.0);
    }
}

/// A cursor in a write transaction that can delete.
///
/// It remembers its key rather than a path, so deletes under it are safe:
/// each move seeks again from the root. Each move must also go past the key
/// it remembers: in a damaged file whose tree reaches a page along two
/// paths, the seek can take one path and the step the other, and a cursor
/// that trusted them would go round the same keys forever.
#[derive(Debug)]
pub struct CursorMut<'tx> {
    tx: &'tx mut TxCore,
    idx: usize,
    at: Option<Vec<u8>>,
    /// The entry at `at` was deleted: `next` returns what follows it.
    deleted: bool,
}

/// The error for a [`CursorMut`] move that did not go past its key.
#[cold]
fn out_of_order() -> Error {
    Error::corrupt(
        0,
        "a cursor step did not move past its key: a page reachable twice?",
    )
}

impl CursorMut<'_> {
    fn land<'c>(
        at: &mut Option<Vec<u8>>,
        deleted: &mut bool,
        entry: Option<Entry<'c>>,
    ) -> Option<Entry<'c>> {
        *at = entry.map(|e| e.key.to_vec());
        *deleted = false;
        entry
    }

    /// The first entry.
    pub fn first(&mut self) -> Result<Option<Entry<'_>>> {
        let entry = Cursor::new(self.tx.pages(), self.tx.root_of(self.idx)).first()?;
        Ok(Self::land(&mut self.at, &mut self.deleted, entry))
    }

    /// The last entry.
    pub fn last(&mut self) -> Result<Option<Entry<'_>>> {
        let entry = Cursor::new(self.tx.pages(), self.tx.root_of(self.idx)).last()?;
        Ok(Self::land(&mut self.at, &mut self.deleted, entry))
    }

    /// The first entry whose key is ≥ `key`.
    pub fn seek(&mut self, key: &[u8]) -> Result<Option<Entry<'_>>> {
        let entry = Cursor::new(self.tx.pages(), self.tx.root_of(self.idx)).seek(key)?;
        Ok(Self::land(&mut self.at, &mut self.deleted, entry))
    }

    /// The entry after the current one.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Entry<'_>>> {
        let Some(at) = self.at.take() else {
            return Ok(None);
        };
        let mut cursor = Cursor::new(self.tx.pages(), self.tx.root_of(self.idx));
        let mut entry = cursor.seek(&at)?;
        if !self.deleted && entry.is_some_and(|e| e.key == at.as_slice()) {
            entry = cursor.next()?;
        }
        if entry.is_some_and(|e| e.key <= at.as_slice()) {
            return Err(out_of_order());
        }
        Ok(Self::land(&mut self.at, &mut self.deleted, entry))
    }

    /// The entry before the current one.
    pub fn prev(&mut self) -> Result<Option<Entry<'_>>> {
        let Some(at) = self.at.take() else {
            return Ok(None);
        };
        let mut cursor = Cursor::new(self.tx.pages(), self.tx.root_of(self.idx));
        let entry = match cursor.seek(&at)? {
            Some(_) => cursor.prev()?,
            None => cursor.last()?,
        };
        if entry.is_some_and(|e| e.key >= at.as_slice()) {
            return Err(out_of_order());
        }
        Ok(Self::land(&mut self.at, &mut self.deleted, entry))
    }

    /// Deletes the entry the cursor stands on; `next` then returns the entry
    /// after it.
    ///
    /// # Errors
    /// [`Error::IncompatibleValue`] on a bucket (use `delete_bucket`).
    pub fn delete(&mut self) -> Result<()> {
        let Some(at) = self.at.clone() else {
            return Ok(());
        };
        if self.deleted {
            return Ok(());
        }
        BucketMut {
            tx: self.tx,
            idx: self.idx,
        }
        .delete(&at)?;
        self.deleted = true;
        Ok(())
    }
}
