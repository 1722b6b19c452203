//! Chapter 4's behavioural suite. It names the crate under test `bptree` (see
//! the including file), so it runs unchanged against the reference crate and
//! against the learner's.
//!
//! In the order the book builds things: `page` (the bytes of branch and leaf
//! pages), `meta` (the two meta pages and which one wins), `freelist` (its
//! page and its rules), `node` (nodes written as bbolt lays them out, and
//! split), `cursor` (walking trees both ways, seeking, deleting under a
//! cursor), `write` (puts, deletes, splits and merges through transactions,
//! and the errors they return), `buckets` (nested, inline, page-backed,
//! deleted, sequences), `commit` (a crash at every step of a commit, a torn
//! meta page), `power_loss` (a power cut at every moment of a workload),
//! `concurrency` (readers beside the writer, locks, batches),
//! `model` (random operations against a `BTreeMap`), `hostile` (truncated and
//! bit-flipped files), `snapshot` (the annotated pages of a fresh file).
//!
//! Each part can be run alone: `cargo test -p chapter-04 suite::cursor`.

mod buckets;
mod commit;
mod concurrency;
mod cursor;
mod freelist;
mod hostile;
mod meta;
mod model;
mod node;
mod page;
mod power_loss;
mod snapshot;
mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::bptree::page::Page;
use crate::bptree::{Bucket, BucketMut, DB, Options, ReadTx, WriteTx};

/// Options for most tests: no syncs (the suite checks what is written, not
/// whether the disk kept it) and bbolt's default 4 KiB pages.
pub fn options() -> Options {
    Options {
        no_sync: true,
        ..Options::default()
    }
}

/// [`options`] with 1 KiB pages, so that a few hundred keys already make a
/// tree of several levels.
pub fn small_pages() -> Options {
    Options {
        page_size: 1024,
        ..options()
    }
}

/// A fresh directory and the path of a database file in it (not created).
pub fn temp_file() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.bolt");
    (dir, path)
}

/// A new database with `options`; keep the directory alive while it is used.
pub fn create(options: Options) -> (tempfile::TempDir, PathBuf, DB) {
    let (dir, path) = temp_file();
    let db = DB::open(&path, options).unwrap();
    (dir, path, db)
}

/// Key `i`: fixed width, so keys sort as their numbers do.
pub fn key(i: u32) -> Vec<u8> {
    format!("key-{i:06}").into_bytes()
}

/// A value of `len` bytes that differs for every `i` (and `salt`).
pub fn value(i: u32, salt: u32, len: usize) -> Vec<u8> {
    let mut seed = u64::from(i) << 32 | u64::from(salt);
    (0..len)
        .map(|_| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 56) as u8
        })
        .collect()
}

/// Everything in a bucket: its sequence, its values and its nested buckets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contents {
    /// The bucket's sequence.
    pub sequence: u64,
    /// Keys holding values.
    pub values: BTreeMap<Vec<u8>, Vec<u8>>,
    /// Keys holding nested buckets.
    pub buckets: BTreeMap<Vec<u8>, Contents>,
}

impl Contents {
    /// The nested bucket at `path`, if it exists.
    pub fn get_mut(&mut self, path: &[&[u8]]) -> Option<&mut Contents> {
        let mut at = self;
        for name in path {
            at = at.buckets.get_mut(*name)?;
        }
        Some(at)
    }

    /// The nested bucket at `path`, creating every missing bucket on the way.
    pub fn create_path(&mut self, path: &[&[u8]]) -> &mut Contents {
        let mut at = self;
        for name in path {
            at = at.buckets.entry(name.to_vec()).or_default();
        }
        at
    }

    /// How many values there are, in this bucket and every nested one.
    pub fn total_values(&self) -> usize {
        self.values.len()
            + self
                .buckets
                .values()
                .map(Contents::total_values)
                .sum::<usize>()
    }
}

/// Everything in `bucket`, read through its cursor and nested buckets.
pub fn read_contents(bucket: &Bucket<'_>) -> Contents {
    let mut contents = Contents {
        sequence: bucket.sequence(),
        ..Contents::default()
    };
    let mut nested = Vec::new();
    bucket
        .for_each(|k, v| {
            match v {
                Some(v) => {
                    contents.values.insert(k.to_vec(), v.to_vec());
                }
                None => nested.push(k.to_vec()),
            }
            Ok(())
        })
        .unwrap();
    for name in nested {
        let child = bucket
            .bucket(&name)
            .unwrap()
            .expect("for_each named a bucket");
        contents.buckets.insert(name, read_contents(&child));
    }
    contents
}

/// Everything the latest committed state holds.
pub fn committed(db: &DB) -> Contents {
    db.view(|tx| Ok(read_contents(&tx.root()))).unwrap()
}

/// Everything a write transaction sees, its own changes included.
pub fn write_contents(tx: &mut WriteTx<'_>) -> Contents {
    let mut names = Vec::new();
    let mut cursor = tx.cursor();
    let mut entry = cursor.first().unwrap();
    while let Some(e) = entry {
        assert!(e.is_bucket(), "the root bucket holds only buckets");
        names.push(e.key.to_vec());
        entry = cursor.next().unwrap();
    }
    let mut contents = Contents::default();
    for name in names {
        let mut bucket = tx.bucket(&name).unwrap().expect("the cursor named it");
        contents
            .buckets
            .insert(name, bucket_mut_contents(&mut bucket));
    }
    contents
}

/// Everything in a bucket of a write transaction.
pub fn bucket_mut_contents(bucket: &mut BucketMut<'_>) -> Contents {
    let mut contents = Contents {
        sequence: bucket.sequence(),
        ..Contents::default()
    };
    let mut nested = Vec::new();
    bucket
        .for_each(|k, v| {
            match v {
                Some(v) => {
                    contents.values.insert(k.to_vec(), v.to_vec());
                }
                None => nested.push(k.to_vec()),
            }
            Ok(())
        })
        .unwrap();
    for name in nested {
        let mut child = bucket
            .bucket(&name)
            .unwrap()
            .expect("for_each named a bucket");
        contents
            .buckets
            .insert(name, bucket_mut_contents(&mut child));
    }
    contents
}

/// Runs `f` on the bucket at `path` in a write transaction. With `create`,
/// missing buckets on the way are created; without, a missing one gives `None`.
pub fn with_bucket<T>(
    tx: &mut WriteTx<'_>,
    path: &[&[u8]],
    create: bool,
    f: impl FnOnce(&mut BucketMut<'_>) -> crate::bptree::Result<T>,
) -> crate::bptree::Result<Option<T>> {
    let (first, rest) = path.split_first().expect("a bucket path is not empty");
    let mut bucket = if create {
        tx.create_bucket_if_not_exists(first)?
    } else {
        match tx.bucket(first)? {
            Some(b) => b,
            None => return Ok(None),
        }
    };
    descend(&mut bucket, rest, create, f)
}

fn descend<T>(
    bucket: &mut BucketMut<'_>,
    path: &[&[u8]],
    create: bool,
    f: impl FnOnce(&mut BucketMut<'_>) -> crate::bptree::Result<T>,
) -> crate::bptree::Result<Option<T>> {
    let Some((name, rest)) = path.split_first() else {
        return f(bucket).map(Some);
    };
    let mut child = if create {
        bucket.create_bucket_if_not_exists(name)?
    } else {
        match bucket.bucket(name)? {
            Some(b) => b,
            None => return Ok(None),
        }
    };
    descend(&mut child, rest, create, f)
}

/// The bucket at `path` in a read transaction, if it exists.
pub fn bucket_at<'t>(tx: &'t ReadTx, path: &[&[u8]]) -> Option<Bucket<'t>> {
    let mut bucket = tx.root();
    for name in path {
        bucket = bucket.bucket(name).unwrap()?;
    }
    Some(bucket)
}

/// The root page stored in the value of the bucket at `path` (0: inline).
pub fn bucket_root(tx: &ReadTx, path: &[&[u8]]) -> u64 {
    let (name, parent) = path.split_last().expect("a bucket path is not empty");
    let parent = bucket_at(tx, parent).expect("the parent exists");
    let entry = parent
        .cursor()
        .seek(name)
        .unwrap()
        .expect("the bucket exists");
    assert!(
        entry.key == *name && entry.is_bucket(),
        "{path:?} is a bucket"
    );
    u64::from_le_bytes(entry.value[..8].try_into().unwrap())
}

/// What a walk of a bucket's pages finds on one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageInfo {
    /// The page id.
    pub id: u64,
    /// 0 at the root.
    pub depth: usize,
    /// Leaf or branch.
    pub is_leaf: bool,
    /// Its elements.
    pub count: usize,
    /// The extra pages it spans.
    pub overflow: u32,
    /// The bytes it uses: header and every element, key and value.
    pub used: usize,
}

/// Every page of the tree rooted at page `root`, depth first, read straight
/// from the file's pages. Asserts the format's rules on the way: keys in
/// order, and each branch key equal to its child's first key (Go relies on
/// that to modify a file).
pub fn tree_pages(tx: &ReadTx, root: u64) -> Vec<PageInfo> {
    let mut out = Vec::new();
    walk_pages(tx, root, 0, &mut out);
    out
}

fn first_key<'a>(page: &Page<'a>) -> &'a [u8] {
    if page.is_leaf() {
        page.leaf(0).unwrap().key
    } else {
        page.branch(0).unwrap().key
    }
}

fn walk_pages(tx: &ReadTx, id: u64, depth: usize, out: &mut Vec<PageInfo>) {
    let page = tx.pages().page(id).unwrap();
    assert!(
        page.is_leaf() || page.is_branch(),
        "page {id} is a tree page"
    );
    let count = usize::from(page.count);
    let mut used = 16 + 16 * count;
    let mut keys = Vec::new();
    for i in 0..count {
        if page.is_leaf() {
            let e = page.leaf(i).unwrap();
            used += e.key.len() + e.value.len();
            keys.push(e.key);
        } else {
            let e = page.branch(i).unwrap();
            used += e.key.len();
            keys.push(e.key);
        }
    }
    assert!(
        keys.windows(2).all(|w| w[0] < w[1]),
        "page {id}: keys out of order"
    );
    out.push(PageInfo {
        id,
        depth,
        is_leaf: page.is_leaf(),
        count,
        overflow: page.overflow,
        used,
    });
    if page.is_branch() {
        assert!(count > 0, "page {id}: an empty branch");
        for i in 0..count {
            let e = page.branch(i).unwrap();
            let child = tx.pages().page(e.child).unwrap();
            assert!(
                child.count > 0,
                "page {}: an empty child of a branch",
                e.child
            );
            assert_eq!(
                e.key,
                first_key(&child),
                "page {id} element {i}: a branch key must equal its child's first key"
            );
            walk_pages(tx, e.child, depth + 1, out);
        }
    } else {
        for i in 0..count {
            let e = page.leaf(i).unwrap();
            if e.is_bucket() {
                let root = u64::from_le_bytes(e.value[..8].try_into().unwrap());
                if root != 0 {
                    // A nested bucket's tree: checked, but not part of this tree.
                    tree_pages(tx, root);
                }
            }
        }
    }
}

/// Every page of the tree rooted at page `root` and of every page-backed
/// bucket nested in it (checked as [`tree_pages`] checks them).
pub fn pages_with_nested(tx: &ReadTx, root: u64) -> Vec<PageInfo> {
    let mut pages = tree_pages(tx, root);
    let mut nested = Vec::new();
    for info in pages.iter().filter(|p| p.is_leaf) {
        let page = tx.pages().page(info.id).unwrap();
        for i in 0..info.count {
            let e = page.leaf(i).unwrap();
            let child = u64::from_le_bytes(e.value[..8].try_into().unwrap());
            if e.is_bucket() && child != 0 {
                nested.push(child);
            }
        }
    }
    for child in nested {
        pages.extend(pages_with_nested(tx, child));
    }
    pages
}

/// Asserts that a snapshot is consistent: bbolt's check finds nothing, and
/// every bucket's tree keeps the format's rules (see [`tree_pages`]).
pub fn assert_consistent(tx: &ReadTx) {
    let problems = tx.check();
    assert!(problems.is_empty(), "check found problems: {problems:#?}");
    tree_pages(tx, tx.meta().root);
}

/// The high-water mark of the latest committed state: pages in use.
pub fn pgid(db: &DB) -> u64 {
    db.begin_read().meta().pgid
}

/// The file's length in bytes.
pub fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().len()
}

/// A small deterministic random number generator (xorshift64*), so that
/// tests which want many varied inputs repeat exactly.
pub struct Rng(u64);

impl Rng {
    /// A generator from a non-zero seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// Proptest settings for this suite. Failures found against the reference
/// crate are kept beside the suite as regression seeds; failures of another
/// crate running the suite (a learner's) are not written there.
pub fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    let reference = env!("CARGO_PKG_NAME").starts_with("strata-");
    proptest::test_runner::Config {
        cases,
        failure_persistence: if reference {
            proptest::test_runner::Config::default().failure_persistence
        } else {
            None
        },
        ..proptest::test_runner::Config::default()
    }
}
