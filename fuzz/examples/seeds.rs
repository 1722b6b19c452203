//! Writes the seed corpora, `corpus/<target>/<seed>`, with each engine's own
//! writer: small valid files the fuzzer starts from and mutates.
//!
//! ```text
//! cargo run --manifest-path fuzz/Cargo.toml --example seeds [-- <corpus folder>]
//! ```
//!
//! The output is deterministic (fixed clocks, fixed workloads), so running it
//! again rewrites the committed seeds byte for byte.

use std::collections::BTreeMap;
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use strata_bitcask::files::{data_path, hint_path};
use strata_bitcask::{Bitcask, Clock, entry};
use strata_bptree::DB;
use strata_bptree::db::{choose_meta, initial_file};
use strata_bptree::page::{BRANCH, LEAF, Page};
use strata_flat_file::simfs::SimFs;
use strata_flat_file::{Map, codec, format};
use strata_fuzz::{CaskDir, WalDir};
use strata_schema::{
    Config, List, LookupList, LookupSet, LookupTable, OrderedTable, Schema, Single,
};
use strata_wal::fs::Dir;
use strata_wal::segment::{segment_path, snapshot_path};
use strata_wal::{Batch, Options, Store, SyncPolicy};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

fn main() -> Result<()> {
    let root = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/corpus").into()),
    );
    let corpus = Corpus { root };
    flat_file(&corpus)?;
    wal(&corpus)?;
    bitcask(&corpus)?;
    bptree(&corpus)?;
    schema(&corpus)?;
    resp(&corpus)?;
    Ok(())
}

/// Requests as clients send them: arrays of bulk strings, pipelined, and
/// inline lines with quotes.
fn resp(corpus: &Corpus) -> Result<()> {
    let t = "resp_parse";
    corpus.seed(
        t,
        "array.resp",
        b"*3\r\n$3\r\nSET\r\n$5\r\napple\r\n$3\r\nred\r\n",
    )?;
    corpus.seed(
        t,
        "pipeline.resp",
        b"*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$0\r\n\r\n",
    )?;
    corpus.seed(
        t,
        "inline.resp",
        b"SET k \"a b\\n\\x41\" 'it\\'s'\r\nGET k\r\n\r\n",
    )?;
    corpus.seed(t, "partial.resp", b"*2\r\n$3\r\nGET\r\n$10\r\nabc")?;
    Ok(())
}

/// The corpus folder: one folder per target.
struct Corpus {
    root: PathBuf,
}

impl Corpus {
    /// Writes seed `name` of `target`.
    fn seed(&self, target: &str, name: &str, bytes: &[u8]) -> Result<()> {
        let folder = self.root.join(target);
        fs::create_dir_all(&folder)?;
        fs::write(folder.join(name), bytes)?;
        println!("{target}/{name}: {} bytes", bytes.len());
        Ok(())
    }
}

/// A map of `n` keys `key-000`.., with values of growing length.
fn numbered_map(n: usize) -> Map {
    (0..n)
        .map(|i| (format!("key-{i:03}").into_bytes(), vec![b'v'; i]))
        .collect()
}

/// The same value type as the `flat_file_decode` target's.
#[derive(Serialize, Deserialize)]
enum Shape {
    #[allow(dead_code)]
    Unit,
    #[allow(dead_code)]
    Newtype(u64),
    #[allow(dead_code)]
    Tuple(String, Vec<u8>),
    Struct {
        name: String,
        tags: Vec<String>,
        size: Option<u32>,
    },
}

fn flat_file(corpus: &Corpus) -> Result<()> {
    let t = "flat_file_decode";
    corpus.seed(t, "empty.strata", &format::encode(&Map::new()))?;
    corpus.seed(t, "three.strata", &format::encode(&numbered_map(3)))?;
    let binary: Map = [(vec![0, 255], vec![]), (vec![], vec![1; 200])].into();
    corpus.seed(t, "binary.strata", &format::encode(&binary))?;
    corpus.seed(t, "string.bin", &codec::to_vec("a string")?)?;
    corpus.seed(t, "strings.bin", &codec::to_vec(&["one", "two"])?)?;
    let shape = Shape::Struct {
        name: "shape".into(),
        tags: vec!["a".into(), "b".into()],
        size: Some(7),
    };
    corpus.seed(t, "enum.bin", &codec::to_vec(&shape)?)?;
    let counts: BTreeMap<String, u64> = [("x".to_string(), 1), ("y".to_string(), 300)].into();
    corpus.seed(t, "map.bin", &codec::to_vec(&counts)?)?;
    Ok(())
}

/// A store on a simulated disk, in folder `db`.
fn sim_store(disk: &SimFs) -> Result<Store> {
    let dir = Dir::on(Arc::new(disk.clone()), "db");
    Ok(Store::open_in(&dir, Options::new(SyncPolicy::Always))?)
}

fn wal(corpus: &Corpus) -> Result<()> {
    let folder = Path::new("db");
    // Puts, an overwrite and a delete.
    let disk = SimFs::new();
    let store = sim_store(&disk)?;
    store.put("a", "1")?;
    store.put("b", "22")?;
    store.put("a", "333")?;
    store.delete("b")?;
    store.close()?;
    let puts = disk.read(&segment_path(folder, 1))?;
    // A batch between two puts.
    let disk = SimFs::new();
    let store = sim_store(&disk)?;
    store.put("first", "x")?;
    store.write(Batch::new().put("k1", "v1").delete("first").put("k2", "v2"))?;
    store.put("last", "y")?;
    store.close()?;
    let batch = disk.read(&segment_path(folder, 1))?;
    let torn = &puts[..puts.len() - 3];
    for t in ["wal_frames", "wal_replay"] {
        corpus.seed(t, "puts.log", &puts)?;
        corpus.seed(t, "batch.log", &batch)?;
        corpus.seed(t, "torn.log", torn)?;
    }

    let t = "wal_open";
    let segment_only = |flags, segment: &[u8]| WalDir {
        flags,
        snapshot: None,
        segment: segment.to_vec(),
    };
    corpus.seed(t, "puts", &segment_only(0, &puts).to_bytes())?;
    corpus.seed(
        t,
        "batch-fixed",
        &segment_only(WalDir::FIX_SEGMENT, &batch).to_bytes(),
    )?;
    // Point in time (mode 2) over a torn tail.
    corpus.seed(
        t,
        "torn-point-in-time",
        &segment_only(0x20, torn).to_bytes(),
    )?;
    // Three records, a checkpoint (snapshot 3), then two more records.
    let disk = SimFs::new();
    let store = sim_store(&disk)?;
    store.put("a", "1")?;
    store.put("b", "2")?;
    store.put("c", "3")?;
    store.checkpoint()?;
    store.put("d", "4")?;
    store.delete("a")?;
    store.close()?;
    let with_snapshot = WalDir {
        flags: WalDir::FIX_SNAPSHOT | WalDir::FIX_SEGMENT,
        snapshot: Some((3, disk.read(&snapshot_path(folder, 3))?)),
        segment: disk.read(&segment_path(folder, 4))?,
    };
    corpus.seed(t, "snapshot", &with_snapshot.to_bytes())?;
    Ok(())
}

fn bitcask(corpus: &Corpus) -> Result<()> {
    let t = "bitcask_entry";
    let mut one = Vec::new();
    entry::encode(1_700_000_000, b"key", b"value", &mut one);
    corpus.seed(t, "put", &one)?;
    let mut empty = Vec::new();
    entry::encode(0, b"", b"", &mut empty);
    corpus.seed(t, "empty", &empty)?;
    let mut tombstone = Vec::new();
    entry::encode(
        1_700_000_000,
        b"key",
        &entry::tombstone_v2(1),
        &mut tombstone,
    );
    corpus.seed(t, "tombstone", &tombstone)?;

    // A cask of puts, an overwrite and a delete, closed (the hint written).
    let dir = tempfile::tempdir()?;
    let options = strata_bitcask::Options {
        clock: Clock::Fixed(1_700_000_000),
        ..strata_bitcask::Options::default()
    };
    let mut cask = Bitcask::open(dir.path(), options)?;
    cask.put(b"alpha", b"1")?;
    cask.put(b"beta", b"two")?;
    cask.put(b"alpha", b"three")?;
    cask.put(b"gamma", &[7; 40])?;
    cask.delete(b"beta")?;
    cask.close()?;
    let data = fs::read(data_path(dir.path(), 1))?;
    let hint = fs::read(hint_path(dir.path(), 1))?;
    corpus.seed("bitcask_hint", "cask.hint", &hint)?;

    let t = "bitcask_open";
    let cask_dir = |flags, hint: Option<&Vec<u8>>| CaskDir {
        flags,
        hint: hint.cloned(),
        data: data.clone(),
    };
    corpus.seed(t, "data-and-hint", &cask_dir(0, Some(&hint)).to_bytes())?;
    corpus.seed(t, "data", &cask_dir(0, None).to_bytes())?;
    let fixed = CaskDir::FIX_DATA | CaskDir::FIX_HINT;
    corpus.seed(t, "fixed", &cask_dir(fixed, Some(&hint)).to_bytes())?;
    Ok(())
}

/// A bbolt file with `page_size`-byte pages, after `write` ran in one
/// transaction and `then` in a second one.
fn bbolt_file(
    page_size: u32,
    write: impl FnOnce(&mut strata_bptree::WriteTx<'_>) -> strata_bptree::Result<()>,
    then: impl FnOnce(&mut strata_bptree::WriteTx<'_>) -> strata_bptree::Result<()>,
) -> Result<Vec<u8>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("seed.db");
    let options = strata_bptree::Options {
        page_size,
        ..strata_bptree::Options::default()
    };
    let db = DB::open(&path, options)?;
    db.update(write)?;
    db.update(then)?;
    drop(db);
    // The file grows ahead of its use; the pages past the high-water mark
    // are zeros that would only slow the fuzzer down.
    let mut file = fs::read(&path)?;
    let meta = choose_meta(&file)?;
    file.truncate(usize::try_from(meta.pgid * u64::from(meta.page_size))?);
    Ok(file)
}

/// Some keys, a nested bucket and an inline one.
fn some_buckets(tx: &mut strata_bptree::WriteTx<'_>) -> strata_bptree::Result<()> {
    let mut fruit = tx.create_bucket(b"fruit")?;
    fruit.put(b"apple", b"red")?;
    fruit.put(b"banana", b"yellow")?;
    let mut citrus = fruit.create_bucket(b"citrus")?;
    citrus.put(b"lemon", b"sour")?;
    let mut big = tx.create_bucket(b"big")?;
    for i in 0..150u32 {
        big.put(format!("key-{i:05}").as_bytes(), &[b'x'; 16])?;
    }
    big.put(b"huge", &[b'h'; 4200])?;
    Ok(())
}

/// Deletes some keys, so that the freelist has pages.
fn some_deletes(tx: &mut strata_bptree::WriteTx<'_>) -> strata_bptree::Result<()> {
    let mut big = tx.bucket(b"big")?.expect("the first transaction made it");
    for i in (0..150u32).step_by(3) {
        big.delete(format!("key-{i:05}").as_bytes())?;
    }
    big.delete(b"huge")?;
    Ok(())
}

/// Page `id` of `file` (no overflow).
fn page_of(file: &[u8], page_size: usize, id: usize) -> &[u8] {
    &file[id * page_size..(id + 1) * page_size]
}

fn bptree(corpus: &Corpus) -> Result<()> {
    let size = 4096;
    let nothing = |_: &mut strata_bptree::WriteTx<'_>| Ok(());
    let fresh = initial_file(size);
    let buckets = bbolt_file(size, some_buckets, nothing)?;
    let deleted = bbolt_file(size, some_buckets, some_deletes)?;
    let t = "bbolt_open_check";
    corpus.seed(t, "fresh.db", &fresh)?;
    corpus.seed(t, "buckets.db", &buckets)?;
    corpus.seed(t, "deleted.db", &deleted)?;

    // One leaf and one branch page, and the freelist, of the last file.
    let page_size = size as usize;
    let pages = deleted.len() / page_size;
    let of_kind = |flags| {
        (2..pages)
            .map(|id| page_of(&deleted, page_size, id))
            .find(|bytes| Page::parse(0, bytes).is_ok_and(|p| p.flags == flags && p.count > 1))
            .ok_or("no page of that kind")
    };
    corpus.seed("bbolt_page", "leaf", of_kind(LEAF)?)?;
    corpus.seed("bbolt_page", "branch", of_kind(BRANCH)?)?;
    let db_dir = tempfile::tempdir()?;
    let path = db_dir.path().join("deleted.db");
    fs::write(&path, &deleted)?;
    let db = DB::open(&path, strata_bptree::Options::read_only())?;
    let freelist = db.begin_read().meta().freelist;
    let id = usize::try_from(freelist)?;
    corpus.seed(
        "bbolt_freelist",
        "freelist",
        page_of(&deleted, page_size, id),
    )?;
    corpus.seed("bbolt_freelist", "empty", page_of(&fresh, page_size, 2))?;

    // Both metas of small-page files: 2 KiB each.
    let small = 1024;
    let metas = |file: &[u8]| file[..2 * small].to_vec();
    corpus.seed("bbolt_meta", "fresh", &metas(&initial_file(small as u32)))?;
    let used = bbolt_file(small as u32, some_buckets, some_deletes)?;
    corpus.seed("bbolt_meta", "used", &metas(&used))?;
    Ok(())
}

/// The same settings type as the `schema_replay` target's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Settings {
    owner: String,
    quota: u32,
}

/// The same schema as the `schema_replay` target's.
#[derive(Schema)]
#[schema(crate = "strata_schema")]
struct Db {
    settings: Single<Settings>,
    files: LookupTable<u64, String>,
    paths: OrderedTable<String, u64>,
    events: List<String>,
    by_owner: LookupList<String, u64>,
    shares: LookupSet<u64, String>,
}

fn schema(corpus: &Corpus) -> Result<()> {
    let t = "schema_replay";
    // Every table written once.
    let dir = tempfile::tempdir()?;
    let mut db = Db::open(Config::in_folder(dir.path()))?;
    db.settings.insert(Settings {
        owner: "ada".into(),
        quota: 10,
    })?;
    db.files.insert(1, "a.txt".into())?;
    db.paths.insert("/a.txt".into(), 1)?;
    db.events.push("created".into())?;
    db.by_owner.push("ada".into(), 1)?;
    db.shares.insert(1, "bob".into())?;
    drop(db);
    corpus.seed(t, "tables.log", &fs::read(segment_path(dir.path(), 1))?)?;

    // A transaction, then removals.
    let dir = tempfile::tempdir()?;
    let mut db = Db::open(Config::in_folder(dir.path()))?;
    db.transaction(|db| {
        db.files.insert(2, "b.txt".into())?;
        db.files.insert(3, "c.txt".into())?;
        db.events.push("two files".into())?;
        db.shares.insert(2, "carol".into())?;
        Ok(())
    })?;
    db.files.remove(&2)?;
    db.events.remove(0)?;
    db.shares.remove(&2, &"carol".to_string())?;
    db.settings.clear()?;
    drop(db);
    corpus.seed(
        t,
        "transaction.log",
        &fs::read(segment_path(dir.path(), 1))?,
    )?;
    Ok(())
}
