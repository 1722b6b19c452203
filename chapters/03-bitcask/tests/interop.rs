//! Interop with Riak's real bitcask 2.1.0: each side reads what the other wrote.
//!
//! Riak's side is `interop/riak.escript`, a small command-line tool around Debian's
//! `erlang-bitcask` (see `interop/README.md`). It writes named scenarios, applies lists of puts,
//! deletes and merges, and dumps a cask's live keys and values as sorted hex lines. Every check
//! here compares strata-bitcask's view of a directory with Riak's own `dump` of it, never with a
//! recomputed expectation, so the two implementations are judged by each other.
//!
//! Without Erlang and bitcask the tests print a skip message and pass, unless
//! `STRATA_INTEROP=require` (set by CI) makes a missing tool a failure. Run them alone with
//! `cargo test -p strata-bitcask riak_`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use strata_bitcask::{Bitcask, Error, Options};

#[path = "support/riak.rs"]
mod riak;

use riak::{Content, escript, parse_dump, path_str, riak, riak_available, riak_dump};

/// Small files, so every directory spans many of them (Riak's `apply` uses the same size).
fn small_files() -> Options {
    Options {
        max_file_size: 64 * 1024,
        ..Options::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Skipping

// ---------------------------------------------------------------------------------------------
// Driving riak.escript

/// `riak_dump`, but bitcask's warnings (an invalid hint, say) are allowed, and so is a write
/// lock, whose file is then left out as bitcask's read-only open does.
fn riak_dump_lenient(dir: &Path) -> Content {
    parse_dump(riak(&["--lenient", "dump", path_str(dir)]))
}

/// Riak's `verify`: every live data file has a hint file that bitcask accepts and whose
/// records match the data entries one for one (tombstone flags included), nothing trails the
/// last entry, and no lock file is left. Content comparisons cannot see these: bitcask falls
/// back to scanning the data when a hint is invalid, and hides flagless tombstones.
fn riak_verify(dir: &Path) {
    riak(&["verify", path_str(dir)]);
}

/// Riak reads `dir` after strata wrote it: its files check out and its dump is `expected`.
#[track_caller]
fn assert_riak_reads(what: &str, dir: &Path, expected_name: &str, expected: &Content) {
    riak_verify(dir);
    assert_same(what, dir, expected_name, expected, "riak", &riak_dump(dir));
}

fn riak_scenario(dir: &Path, name: &str) {
    riak(&["scenario", path_str(dir), name]);
}

/// One line of an ops file for `riak.escript apply`.
enum Op {
    Put(Vec<u8>, Vec<u8>),
    Delete(Vec<u8>),
    /// Merge every file but the active one.
    Merge,
    /// Merge only these data files (a partial merge unless they are the oldest ones).
    MergeFiles(Vec<u32>),
    /// Keep the cask open this many milliseconds.
    Sleep(u32),
    /// Stop the VM at once, without closing: the write lock stays with a dead pid and the
    /// active file's hint has no trailer. Later ops are not applied.
    Crash,
}

impl Op {
    fn put(key: &[u8], value: &[u8]) -> Op {
        Op::Put(key.to_vec(), value.to_vec())
    }

    fn delete(key: &[u8]) -> Op {
        Op::Delete(key.to_vec())
    }
}

/// What `ops` do to a cask's content (a merge changes nothing visible).
fn apply_to_model(ops: &[Op], model: &mut BTreeMap<Vec<u8>, Vec<u8>>) {
    for op in ops {
        match op {
            Op::Put(k, v) => {
                model.insert(k.clone(), v.clone());
            }
            Op::Delete(k) => {
                model.remove(k);
            }
            Op::Merge | Op::MergeFiles(_) | Op::Sleep(_) => {}
            Op::Crash => break,
        }
    }
}

/// Riak opens `dir` read-write (64 KiB files), applies `ops` in order and closes. The ops file
/// lives beside the cask, never in it.
fn riak_apply(dir: &Path, ops: &[Op]) {
    let ops_file = write_ops(dir, ops);
    riak(&["apply", path_str(dir), path_str(&ops_file)]);
}

/// `riak_apply`, but bitcask's warnings (an invalid hint, say) are allowed.
fn riak_apply_lenient(dir: &Path, ops: &[Op]) {
    let ops_file = write_ops(dir, ops);
    riak(&["--lenient", "apply", path_str(dir), path_str(&ops_file)]);
}

/// Writes `ops` to a file beside `dir` for `riak.escript apply`.
fn write_ops(dir: &Path, ops: &[Op]) -> PathBuf {
    let mut text = String::new();
    for op in ops {
        match op {
            Op::Put(k, v) => writeln!(text, "put {} {}", hex(k), hex(v)),
            Op::Delete(k) => writeln!(text, "delete {}", hex(k)),
            Op::Merge => writeln!(text, "merge"),
            Op::MergeFiles(ids) => {
                let ids: Vec<String> = ids.iter().map(u32::to_string).collect();
                writeln!(text, "merge {}", ids.join(" "))
            }
            Op::Sleep(ms) => writeln!(text, "sleep {ms}"),
            Op::Crash => writeln!(text, "crash"),
        }
        .unwrap();
    }
    let ops_file = dir.with_extension("ops");
    std::fs::write(&ops_file, text).unwrap();
    ops_file
}

/// `-` is the empty string; everything else is lowercase hex (riak.escript accepts either case).
fn hex(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "-".to_owned();
    }
    bytes.iter().fold(String::new(), |mut s, b| {
        write!(s, "{b:02x}").unwrap();
        s
    })
}

// ---------------------------------------------------------------------------------------------
// strata's view and the comparison

fn content(db: &Bitcask) -> Content {
    let mut out: Content = db
        .keys()
        .into_iter()
        .map(|key| {
            let value = db
                .get(&key)
                .unwrap_or_else(|e| panic!("strata get of listed key {}: {e}", short(&key)))
                .unwrap_or_else(|| panic!("strata lists key {} but get is None", short(&key)));
            (key, value)
        })
        .collect();
    out.sort();
    out
}

fn model_content(model: &BTreeMap<Vec<u8>, Vec<u8>>) -> Content {
    model.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// A key or value for a message: hex, cut short.
fn short(bytes: &[u8]) -> String {
    let h = hex(&bytes[..bytes.len().min(32)]);
    if bytes.len() > 32 {
        format!("{h}… ({} bytes)", bytes.len())
    } else {
        h
    }
}

/// Panics with a summary of how `theirs` differs from `ours`: counts, the first few keys only
/// one side has, and the first differing value. `what` says who is compared at which step.
#[track_caller]
fn assert_same(
    what: &str,
    dir: &Path,
    ours_name: &str,
    ours: &Content,
    theirs_name: &str,
    theirs: &Content,
) {
    if ours == theirs {
        return;
    }
    let a: BTreeMap<&[u8], &[u8]> = ours.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    let b: BTreeMap<&[u8], &[u8]> = theirs.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    let only_a: Vec<&[u8]> = a.keys().filter(|k| !b.contains_key(*k)).copied().collect();
    let only_b: Vec<&[u8]> = b.keys().filter(|k| !a.contains_key(*k)).copied().collect();
    let differ: Vec<&[u8]> = a
        .iter()
        .filter(|(k, v)| b.get(*k).is_some_and(|w| w != *v))
        .map(|(k, _)| *k)
        .collect();
    let mut msg = format!(
        "{what}: {ours_name} and {theirs_name} disagree\n  \
         {ours_name}: {} keys, {theirs_name}: {} keys\n  \
         only in {ours_name}: {}, only in {theirs_name}: {}, different values: {}\n",
        ours.len(),
        theirs.len(),
        only_a.len(),
        only_b.len(),
        differ.len(),
    );
    for k in only_a.iter().take(5) {
        writeln!(
            msg,
            "  only in {ours_name}: key {} = {}",
            short(k),
            short(a[k])
        )
        .unwrap();
    }
    for k in only_b.iter().take(5) {
        writeln!(
            msg,
            "  only in {theirs_name}: key {} = {}",
            short(k),
            short(b[k])
        )
        .unwrap();
    }
    for k in differ.iter().take(5) {
        let (x, y) = (a[k], b[k]);
        let at = x
            .iter()
            .zip(y)
            .position(|(p, q)| p != q)
            .unwrap_or(x.len().min(y.len()));
        writeln!(
            msg,
            "  key {}: {ours_name} has {} bytes, {theirs_name} {} bytes, first difference at byte {at}: {} vs {}",
            short(k),
            x.len(),
            y.len(),
            short(&x[at.min(x.len())..]),
            short(&y[at.min(y.len())..]),
        )
        .unwrap();
    }
    msg.push_str(&describe_dir(dir));
    panic!("{msg}");
}

/// The directory's files with sizes and modes, for failure messages.
fn describe_dir(dir: &Path) -> String {
    use std::os::unix::fs::PermissionsExt as _;
    let mut names: Vec<(u64, String, u64, u32)> = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return format!("  (cannot list {})\n", dir.display());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let id = name
            .split('.')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(u64::MAX);
        let meta = entry.metadata().ok();
        let size = meta.as_ref().map_or(0, |m| m.len());
        let mode = meta.map_or(0, |m| m.permissions().mode() & 0o7777);
        names.push((id, name, size, mode));
    }
    names.sort();
    let mut out = format!("  files in {}:\n", dir.display());
    for (_, name, size, mode) in names {
        writeln!(out, "    {mode:04o} {size:>10} {name}").unwrap();
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Riak writes, strata reads

/// Riak writes scenario `name`; strata opens it read-only, then read-write, and each time sees
/// exactly Riak's dump. After strata's read-write open and close (no writes), Riak still reads
/// the same content.
fn riak_writes_strata_reads(name: &str) {
    if !riak_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(name);
    riak_scenario(&dir, name);
    riak_verify(&dir); // Riak's own files pass the check strata's files must pass
    let riak = riak_dump(&dir);
    assert!(!riak.is_empty(), "scenario {name}: Riak's dump is empty");

    // Read-only first: it must not need to clean up after Riak (pending-delete files stay).
    let db = Bitcask::open_read_only(&dir, Options::default())
        .unwrap_or_else(|e| panic!("scenario {name}: strata open_read_only: {e}"));
    let strata = content(&db);
    db.close()
        .unwrap_or_else(|e| panic!("scenario {name}: strata close (read-only): {e}"));
    let what = format!("scenario {name}, strata read-only");
    assert_same(&what, &dir, "riak", &riak, "strata", &strata);

    let db = Bitcask::open(&dir, Options::default())
        .unwrap_or_else(|e| panic!("scenario {name}: strata open: {e}"));
    let strata = content(&db);
    db.close()
        .unwrap_or_else(|e| panic!("scenario {name}: strata close: {e}"));
    let what = format!("scenario {name}, strata read-write");
    assert_same(&what, &dir, "riak", &riak, "strata", &strata);

    let what = format!("scenario {name}, Riak after strata opened and closed it");
    assert_riak_reads(&what, &dir, "riak before", &riak);
}

/// The scenarios riak.escript knows. `riak_scenario_list_is_complete` keeps this in step.
const SCENARIOS: &[&str] = &[
    "many",
    "merged",
    "merged_then_written",
    "big",
    "edge",
    "partial_merge",
    "sessions",
];

#[test]
fn riak_scenario_list_is_complete() {
    if !riak_available() {
        return;
    }
    let listed = String::from_utf8(riak(&["scenarios"])).unwrap();
    let listed: Vec<&str> = listed.lines().collect();
    assert_eq!(
        listed, SCENARIOS,
        "riak.escript's scenarios and this file's tests differ"
    );
}

/// 5,000 keys over ~20 files, with overwrites, deletes, binary and empty keys, empty values.
#[test]
fn riak_scenario_many() {
    riak_writes_strata_reads("many");
}

/// `many`, then a Riak merge: merge output ids above the active file, and the merged inputs
/// left behind with the pending-delete mode bit.
#[test]
fn riak_scenario_merged() {
    riak_writes_strata_reads("merged");
}

/// `merged`, then writes that overwrite keys held in the merge output files.
#[test]
fn riak_scenario_merged_then_written() {
    riak_writes_strata_reads("merged_then_written");
}

/// 1 MiB values, each a data file larger than the 256 KiB limit.
#[test]
fn riak_scenario_big() {
    riak_writes_strata_reads("big");
}

/// A 65,535-byte key, values that start with `bitcask_tombstone` (deletes to every reader),
/// keys deleted and put again across files.
#[test]
fn riak_scenario_edge() {
    riak_writes_strata_reads("edge");
}

/// A partial merge, which appends v2 tombstones to older files and rewrites their hint trailers.
#[test]
fn riak_scenario_partial_merge() {
    riak_writes_strata_reads("partial_merge");
}

/// Five sessions in one VM: file ids with gaps, later sessions overwriting earlier ones.
#[test]
fn riak_scenario_sessions() {
    riak_writes_strata_reads("sessions");
}

// ---------------------------------------------------------------------------------------------
// strata writes, Riak reads; then both keep going

/// splitmix64: deterministic test data without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// strata's handle plus a `BTreeMap` model of what it should hold.
struct Strata {
    db: Bitcask,
    model: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl Strata {
    fn put(&mut self, key: &[u8], value: &[u8]) {
        self.db
            .put(key, value)
            .unwrap_or_else(|e| panic!("strata put {}: {e}", short(key)));
        self.model.insert(key.to_vec(), value.to_vec());
    }

    fn delete(&mut self, key: &[u8]) {
        self.db
            .delete(key)
            .unwrap_or_else(|e| panic!("strata delete {}: {e}", short(key)));
        self.model.remove(key);
    }

    /// strata agrees with its model (so a later disagreement with Riak is about the files).
    #[track_caller]
    fn check(&self, what: &str, dir: &Path) {
        let what = format!("{what} (strata against its own model)");
        assert_same(
            &what,
            dir,
            "model",
            &model_content(&self.model),
            "strata",
            &content(&self.db),
        );
    }
}

/// The keys strata writes: edge cases first, then printable and binary keys.
fn roundtrip_keys(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut keys: Vec<Vec<u8>> = vec![
        vec![],
        vec![0],
        vec![255],
        vec![0, 0],
        vec![255, 0, 255],
        b"key".to_vec(),
        b"key\0".to_vec(),
        b"\n".to_vec(),
        vec![0xab; 65_535], // the largest key bitcask allows
    ];
    for i in 0..3000u32 {
        if i % 2 == 0 {
            keys.push(format!("strata-{i:05}").into_bytes());
        } else {
            let len = rng.below(40) as usize;
            let mut key = i.to_be_bytes().to_vec();
            key.extend(rng.bytes(len));
            keys.push(key);
        }
    }
    keys
}

fn small_value(rng: &mut Rng) -> Vec<u8> {
    match rng.below(10) {
        0 => Vec::new(),
        _ => {
            let len = rng.below(300) as usize;
            rng.bytes(len)
        }
    }
}

/// The full round trip: strata writes, Riak reads; strata merges, Riak reads; Riak writes and
/// merges into strata's directory, strata reads; strata writes on, Riak reads; Riak merges
/// again, strata reads.
#[test]
fn riak_roundtrip_strata_writes_riak_merges() {
    if !riak_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cask");
    std::fs::create_dir(&dir).unwrap();
    let mut rng = Rng(0x5EED_0003);
    let keys = roundtrip_keys(&mut rng);

    // 1. strata writes: every key, then overwrites (mostly across files), deletes, a 1 MiB value.
    let db = Bitcask::open(&dir, small_files()).expect("strata open (new directory)");
    let mut s = Strata {
        db,
        model: BTreeMap::new(),
    };
    for key in &keys {
        let value = small_value(&mut rng);
        s.put(key, &value);
    }
    for (i, key) in keys.iter().enumerate() {
        match i % 7 {
            0 | 3 => {
                let value = small_value(&mut rng);
                s.put(key, &value);
            }
            5 => s.delete(key),
            _ => {}
        }
    }
    s.delete(b"never written");
    s.put(b"", b"");
    s.put(b"big", &rng.bytes(1 << 20));
    for key in keys.iter().skip(1).step_by(11).take(100) {
        s.put(key, b"overwritten in the same file");
    }
    s.check("step 1, strata's first session", &dir);
    let model = model_content(&s.model);
    s.db.close().expect("strata close after step 1");
    assert_riak_reads("step 1: strata wrote and closed", &dir, "strata", &model);

    // 2. strata reopens, writes a little, merges everything but its active file, writes over
    //    keys now held by the merge output, closes.
    s.db = Bitcask::open(&dir, small_files()).expect("strata reopen for step 2");
    s.check("step 2, strata reopened", &dir);
    for key in keys.iter().step_by(13) {
        let value = small_value(&mut rng);
        s.put(key, &value);
    }
    s.delete(&keys[20]);
    s.db.merge().expect("strata merge");
    s.check("step 2, after strata's merge", &dir);
    for key in keys.iter().skip(3).step_by(17) {
        s.put(key, b"after strata's merge");
    }
    s.delete(&keys[40]);
    s.delete(b"big");
    let model = model_content(&s.model);
    s.db.close().expect("strata close after step 2");
    assert_riak_reads("step 2: strata merged and closed", &dir, "strata", &model);

    // 3. Riak writes into strata's directory: overwrites and deletes of strata's keys, new keys,
    //    a merge, then more writes after the merge.
    let mut ops: Vec<Op> = Vec::new();
    for key in keys.iter().skip(5).step_by(9) {
        ops.push(Op::put(key, b"riak was here"));
    }
    for key in keys.iter().skip(6).step_by(10) {
        ops.push(Op::delete(key));
    }
    for i in 0..1500u32 {
        ops.push(Op::Put(
            format!("riak-{i}").into_bytes(),
            small_value(&mut rng),
        ));
    }
    ops.push(Op::put(b"", b"riak's empty key"));
    ops.push(Op::Merge);
    for key in keys.iter().skip(7).step_by(23) {
        ops.push(Op::put(key, b"riak after its merge"));
    }
    ops.push(Op::delete(b"riak-7"));
    riak_apply(&dir, &ops);
    apply_to_model(&ops, &mut s.model);
    riak_verify(&dir);
    let riak = riak_dump(&dir);
    assert_same(
        "step 3: Riak applied its writes and merge",
        &dir,
        "model",
        &model_content(&s.model),
        "riak",
        &riak,
    );

    let db = Bitcask::open_read_only(&dir, Options::default())
        .expect("strata read-only open after step 3");
    let strata = content(&db);
    db.close().expect("strata close (read-only) after step 3");
    assert_same(
        "step 3: strata read-only reads Riak's writes",
        &dir,
        "riak",
        &riak,
        "strata",
        &strata,
    );

    // 4. strata writes on top of Riak's files (including over keys in Riak's merge output).
    s.db = Bitcask::open(&dir, small_files()).expect("strata reopen for step 4");
    assert_same(
        "step 4: strata read-write reads Riak's writes",
        &dir,
        "riak",
        &riak,
        "strata",
        &content(&s.db),
    );
    for key in keys.iter().skip(8).step_by(19) {
        s.put(key, b"strata again");
    }
    s.put(b"riak-1", b"strata over riak");
    s.delete(b"riak-2");
    s.delete(b"");
    s.put(b"strata-final", &rng.bytes(100_000));
    s.check("step 4, strata wrote over Riak's files", &dir);
    let model = model_content(&s.model);
    s.db.close().expect("strata close after step 4");
    assert_riak_reads("step 4: strata wrote on and closed", &dir, "strata", &model);

    // 5. Riak merges strata's latest files; strata reads the result.
    let ops = [Op::Merge, Op::put(b"last", b"word")];
    riak_apply(&dir, &ops);
    apply_to_model(&ops, &mut s.model);
    let riak = riak_dump(&dir);
    assert_same(
        "step 5: Riak merged again",
        &dir,
        "model",
        &model_content(&s.model),
        "riak",
        &riak,
    );
    let db = Bitcask::open(&dir, Options::default()).expect("strata open after step 5");
    let strata = content(&db);
    db.close().expect("strata close after step 5");
    riak_verify(&dir);
    assert_same(
        "step 5: strata reads Riak's second merge",
        &dir,
        "riak",
        &riak,
        "strata",
        &strata,
    );
}

/// Each implementation deletes keys the other wrote and then merges: the deleted keys stay
/// deleted for both (no value comes back from a file the merge left alone or rewrote).
#[test]
fn riak_deletes_survive_the_other_sides_merge() {
    if !riak_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cask");
    std::fs::create_dir(&dir).unwrap();
    let key = |i: u32| format!("d-{i:04}").into_bytes();
    let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();

    // strata: values over many files.
    let mut db = Bitcask::open(&dir, small_files()).expect("strata open");
    for i in 0..2000 {
        let v = vec![i as u8; 100];
        db.put(&key(i), &v).unwrap();
        model.insert(key(i), v);
    }
    db.close().unwrap();
    riak_verify(&dir);

    // Riak: delete every other key (tombstones naming strata's files), merge, close.
    let mut ops: Vec<Op> = (0..2000).step_by(2).map(|i| Op::Delete(key(i))).collect();
    ops.push(Op::Merge);
    riak_apply(&dir, &ops);
    apply_to_model(&ops, &mut model);
    let riak = riak_dump(&dir);
    assert_same(
        "Riak deleted and merged strata's keys",
        &dir,
        "model",
        &model_content(&model),
        "riak",
        &riak,
    );

    // strata: merge Riak's tombstones away, close; deleted keys must stay deleted for both.
    let mut db = Bitcask::open(&dir, small_files()).expect("strata reopen");
    assert_same(
        "strata reads Riak's deletes",
        &dir,
        "riak",
        &riak,
        "strata",
        &content(&db),
    );
    for i in (1..2000).step_by(4) {
        db.delete(&key(i)).unwrap();
        model.remove(&key(i));
    }
    db.merge().expect("strata merge");
    db.close().unwrap();
    assert_riak_reads(
        "Riak reads strata's deletes and merge",
        &dir,
        "model",
        &model_content(&model),
    );

    // Riak merges strata's files once more: strata's deletes hold.
    riak_apply(&dir, &[Op::Merge]);
    let riak = riak_dump(&dir);
    assert_same(
        "Riak merged strata's merge output",
        &dir,
        "model",
        &model_content(&model),
        "riak",
        &riak,
    );
    let db = Bitcask::open_read_only(&dir, Options::default()).expect("strata read-only open");
    assert_same(
        "strata after Riak's last merge",
        &dir,
        "riak",
        &riak,
        "strata",
        &content(&db),
    );
    db.close().expect("strata close (read-only)");
}

/// The ids of the data files in `dir`, smallest first.
fn data_file_ids(dir: &Path) -> Vec<u32> {
    let mut ids: Vec<u32> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().ok()?;
            name.strip_suffix(".bitcask.data")?.parse().ok()
        })
        .collect();
    ids.sort_unstable();
    ids
}

/// A partial Riak merge of strata's files keeps strata's deletes. Three strata sessions write
/// three files: values; overwrites of some of them; deletes. Riak then merges only the second
/// and third files. The overwritten-then-deleted keys stay deleted only because strata wrote a
/// tombstone for the first file's value when it overwrote it across files (fact sheet §4); the
/// keys deleted straight from the first file stay deleted because Riak appends the tombstones
/// to strata's first file and rewrites its hint trailer (§9), which strata then has to read.
#[test]
fn riak_partial_merge_keeps_strata_deletes() {
    if !riak_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cask");
    std::fs::create_dir(&dir).unwrap();
    let key = |i: u32| format!("p-{i:03}").into_bytes();
    let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    // One session, one file (the default 2 GiB limit never rolls over here): values, then
    // overwrites of keys 0..25, then deletes of overwritten keys 0..10 and first-file keys 25..35.
    for session in 0..3 {
        let mut db = Bitcask::open(&dir, Options::default()).expect("strata open");
        for i in 0..50 {
            match session {
                0 => {
                    let v = format!("first value of {i}").into_bytes();
                    db.put(&key(i), &v).unwrap();
                    model.insert(key(i), v);
                }
                1 if i < 25 => {
                    let v = format!("second value of {i}").into_bytes();
                    db.put(&key(i), &v).unwrap();
                    model.insert(key(i), v);
                }
                2 if i < 10 || (25..35).contains(&i) => {
                    db.delete(&key(i)).unwrap();
                    model.remove(&key(i));
                }
                _ => {}
            }
        }
        db.close().expect("strata close");
    }
    let ids = data_file_ids(&dir);
    assert_eq!(
        ids.len(),
        3,
        "three sessions, three data files\n{}",
        describe_dir(&dir)
    );
    riak_verify(&dir);
    let expected = model_content(&model);
    assert_same(
        "strata's three sessions",
        &dir,
        "model",
        &expected,
        "riak",
        &riak_dump(&dir),
    );

    riak_apply(&dir, &[Op::MergeFiles(ids[1..].to_vec())]);
    riak_verify(&dir);
    let riak = riak_dump(&dir);
    assert_same(
        "Riak's partial merge of strata's files",
        &dir,
        "model",
        &expected,
        "riak",
        &riak,
    );

    let db = Bitcask::open_read_only(&dir, Options::default()).expect("strata read-only open");
    let strata = content(&db);
    db.close().unwrap();
    assert_same(
        "strata after Riak's partial merge (read-only)",
        &dir,
        "riak",
        &riak,
        "strata",
        &strata,
    );
    let db = Bitcask::open(&dir, Options::default()).expect("strata open");
    let strata = content(&db);
    db.close().unwrap();
    assert_same(
        "strata after Riak's partial merge",
        &dir,
        "riak",
        &riak,
        "strata",
        &strata,
    );
}

// ---------------------------------------------------------------------------------------------
// The write lock and crashed writers

/// `n` keys `{prefix}-{i}` with short values, as puts (for Riak) and in the model.
fn puts(prefix: &str, n: u32, model: &mut BTreeMap<Vec<u8>, Vec<u8>>) -> Vec<Op> {
    (0..n)
        .map(|i| {
            let (k, v) = (format!("{prefix}-{i}"), format!("{prefix} value {i}"));
            model.insert(k.clone().into_bytes(), v.clone().into_bytes());
            Op::Put(k.into_bytes(), v.into_bytes())
        })
        .collect()
}

/// One writer at a time across both implementations, through Riak's `bitcask.write.lock`
/// protocol; a reader beside the other's writer sees the closed files and leaves out the file
/// the lock names, as bitcask's read-only open does.
#[test]
fn riak_and_strata_share_the_write_lock() {
    if !riak_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cask");
    let mut model = BTreeMap::new();
    riak_apply(&dir, &puts("closed", 100, &mut model));

    // strata writes: Riak cannot.
    let mut db = Bitcask::open(&dir, small_files()).expect("strata open");
    db.put(b"strata", b"holds the lock").unwrap();
    let ops_file = write_ops(&dir, &[Op::put(b"riak", b"must not get in")]);
    let out = escript(&["apply", path_str(&dir), path_str(&ops_file)]).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("locked"),
        "Riak wrote while strata held the write lock ({}):\n{stderr}",
        out.status
    );
    db.close().unwrap();
    model.insert(b"strata".to_vec(), b"holds the lock".to_vec());
    assert_riak_reads(
        "after strata's session",
        &dir,
        "model",
        &model_content(&model),
    );
    let closed_then = model_content(&model);

    // Riak writes and holds the cask open: strata cannot write, but can read beside it.
    let mut riak_ops = puts("riak-open", 50, &mut model);
    riak_ops.push(Op::Sleep(3_000));
    let ops_file = write_ops(&dir, &riak_ops);
    let mut child = Command::new("escript")
        .arg(riak::escript_path())
        .args(["apply", path_str(&dir), path_str(&ops_file)])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn riak.escript apply");
    // Wait until Riak's lock names the file it writes.
    let lock = dir.join("bitcask.write.lock");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = std::fs::read_to_string(&lock).unwrap_or_default();
        if text.ends_with(".bitcask.data\n") {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "Riak's apply ended before it locked"
        );
        assert!(Instant::now() < deadline, "Riak took no write lock in 30 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    let refused = Bitcask::open(&dir, small_files());
    let beside = Bitcask::open_read_only(&dir, Options::default()).map(|db| {
        let c = content(&db);
        db.close().unwrap();
        c
    });
    let still_running = child.try_wait().unwrap().is_none();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "Riak's apply failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        still_running,
        "Riak's apply ended before strata's attempts; they proved nothing (raise the sleep)"
    );
    match refused {
        Err(Error::Locked { .. }) => {}
        Err(e) => panic!("strata open beside Riak's writer: want Error::Locked, got {e}"),
        Ok(_) => panic!("strata opened for writing while Riak held the write lock"),
    }
    let beside = beside.expect("strata open_read_only beside Riak's writer");
    assert_same(
        "strata reading beside Riak's writer",
        &dir,
        "closed files",
        &closed_then,
        "strata",
        &beside,
    );

    // Riak closed: strata writes again and sees everything.
    let db = Bitcask::open(&dir, small_files()).expect("strata open after Riak closed");
    assert_same(
        "strata after Riak closed",
        &dir,
        "model",
        &model_content(&model),
        "strata",
        &content(&db),
    );
    db.close().unwrap();
}

/// Riak's writer dies without closing: its write lock stays behind with a dead pid, and its last
/// hint file has no trailer. Readers of both kinds leave that file out while the lock is there;
/// strata's read-write open removes the stale lock, recovers every write from the data file,
/// and writes on; Riak then reads it all.
#[test]
fn riak_crash_strata_recovers() {
    if !riak_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cask");
    let mut model = BTreeMap::new();
    riak_apply(&dir, &puts("before", 300, &mut model));
    let before_crash = model_content(&model);
    let mut ops = puts("lost-hint", 300, &mut model);
    ops.push(Op::delete(b"before-7"));
    ops.push(Op::put(b"before-8", b"overwritten before the crash"));
    ops.push(Op::Crash);
    ops.push(Op::put(b"never", b"written"));
    riak_apply(&dir, &ops);
    apply_to_model(&ops, &mut model);
    assert!(
        dir.join("bitcask.write.lock").exists(),
        "the crash left no write lock"
    );

    let riak_ro = riak_dump_lenient(&dir);
    assert_same(
        "Riak read-only after the crash",
        &dir,
        "before the crash",
        &before_crash,
        "riak",
        &riak_ro,
    );
    let db = Bitcask::open_read_only(&dir, Options::default()).expect("strata read-only open");
    let strata = content(&db);
    db.close().unwrap();
    assert_same(
        "strata read-only after Riak's crash",
        &dir,
        "riak",
        &riak_ro,
        "strata",
        &strata,
    );

    let mut db = Bitcask::open(&dir, small_files()).expect("strata open after Riak's crash");
    assert_same(
        "strata read-write after Riak's crash",
        &dir,
        "model",
        &model_content(&model),
        "strata",
        &content(&db),
    );
    db.put(b"after", b"the crash").unwrap();
    db.delete(b"lost-hint-0").unwrap();
    db.close().unwrap();
    model.insert(b"after".to_vec(), b"the crash".to_vec());
    model.remove(&b"lost-hint-0"[..]);
    assert!(
        !dir.join("bitcask.write.lock").exists(),
        "strata left a write lock"
    );
    // Riak still warns about the crashed file's hint (no trailer), hence lenient.
    assert_same(
        "Riak after strata recovered",
        &dir,
        "model",
        &model_content(&model),
        "riak",
        &riak_dump_lenient(&dir),
    );
}

/// strata's writer dies without closing (simulated: its handle is leaked after a sync, and the
/// pid in its lock is replaced by one that no longer exists). Riak's readers leave the file the
/// stale lock names out; Riak's writer removes the lock, recovers the file from its data (the
/// hint has no trailer) and writes on; strata then reads what Riak wrote.
#[test]
fn riak_recovers_after_strata_crash() {
    if !riak_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cask");
    let mut model = BTreeMap::new();
    let mut db = Bitcask::open(&dir, small_files()).expect("strata open");
    for i in 0..300 {
        let (k, v) = (format!("clean-{i}"), format!("closed cleanly {i}"));
        db.put(k.as_bytes(), v.as_bytes()).unwrap();
        model.insert(k.into_bytes(), v.into_bytes());
    }
    db.close().unwrap();
    let before_crash = model_content(&model);

    let mut db = Bitcask::open(&dir, small_files()).expect("strata reopen");
    for i in 0..300 {
        let (k, v) = (format!("crashed-{i}"), format!("synced, never closed {i}"));
        db.put(k.as_bytes(), v.as_bytes()).unwrap();
        model.insert(k.into_bytes(), v.into_bytes());
    }
    db.delete(b"clean-3").unwrap();
    model.remove(&b"clean-3"[..]);
    db.sync().expect("strata sync");
    // The crash: no close, no unlock; then the writer's pid is gone.
    std::mem::forget(db);
    let lock = dir.join("bitcask.write.lock");
    let text = std::fs::read_to_string(&lock).expect("strata's write lock");
    let (_, active) = text
        .split_once(' ')
        .unwrap_or_else(|| panic!("lock content {text:?}"));
    let mut gone = Command::new("true").spawn().expect("spawn `true`");
    let dead_pid = gone.id();
    gone.wait().unwrap();
    std::fs::write(&lock, format!("{dead_pid} {active}")).unwrap();

    let riak_ro = riak_dump_lenient(&dir);
    assert_same(
        "Riak read-only after strata's crash",
        &dir,
        "before the crash",
        &before_crash,
        "riak",
        &riak_ro,
    );

    let ops = [Op::put(b"riak", b"after strata's crash")];
    riak_apply_lenient(&dir, &ops);
    apply_to_model(&ops, &mut model);
    assert!(
        !lock.exists(),
        "Riak left the stale lock (or its own) behind"
    );
    let riak = riak_dump_lenient(&dir);
    assert_same(
        "Riak recovered strata's crashed file",
        &dir,
        "model",
        &model_content(&model),
        "riak",
        &riak,
    );
    let db = Bitcask::open(&dir, small_files()).expect("strata open after Riak's recovery");
    assert_same(
        "strata after Riak's recovery",
        &dir,
        "riak",
        &riak,
        "strata",
        &content(&db),
    );
    db.close().unwrap();
}
