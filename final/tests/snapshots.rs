//! Snapshots (insta) of what a user sees: each engine's files after one
//! canonical script, as annotated hex, and the text of every error the API
//! can return. A change to a format or a message shows up in review as a
//! snapshot diff; accept it with `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test -p strata --test snapshots`) once it is meant.

// The snapshots show every engine at once.
#![cfg(all(
    feature = "flat-file",
    feature = "wal",
    feature = "bitcask",
    feature = "bptree"
))]

use std::fs;
use std::path::Path;

use strata::{Batch, Capability, Engine, Error, KeyRange, Options, Store, SyncPolicy, Table};

/// The script every engine runs before its files are shown.
fn canonical(store: &Store) {
    store.put("apple", "red").unwrap();
    store.put("banana", "yellow").unwrap();
    store.delete("apple").unwrap();
    store.put("cherry", "dark red").unwrap();
}

/// Options that make every byte reproducible: Bitcask's timestamps come
/// from a fixed clock.
fn reproducible() -> Options {
    let mut options = Options::new();
    options.bitcask.clock = strata::bitcask::Clock::Fixed(1_700_000_000);
    options
}

/// The annotated bytes of every file at `path`, by name.
fn dump(engine: Engine, path: &Path) -> String {
    let mut out = String::new();
    let mut files: Vec<_> = if path.is_dir() {
        fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect()
    } else {
        vec![path.to_path_buf()]
    };
    files.sort();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = fs::read(&file).unwrap();
        let annotated = match (engine, name.as_str()) {
            (Engine::FlatFile, _) => strata::flat_file::inspect::annotate(&bytes),
            (Engine::Wal, n) if n.ends_with(".log") => strata::wal::inspect::annotate(&bytes),
            (Engine::Wal, n) if n.ends_with(".strata") => {
                strata::flat_file::inspect::annotate(&bytes)
            }
            (Engine::Bitcask, n) if n.ends_with(".data") => {
                strata::bitcask::inspect::annotate_data(&bytes)
            }
            (Engine::Bitcask, n) if n.ends_with(".hint") => {
                strata::bitcask::inspect::annotate_hint(&bytes)
            }
            (Engine::Bptree, _) => {
                let db =
                    strata::bptree::DB::open(&file, strata::bptree::Options::read_only()).unwrap();
                let tx = db.begin_read();
                let mut text = strata::bptree::inspect::pages_table(&tx).unwrap();
                for id in 0..tx.meta().pgid {
                    text.push('\n');
                    text.push_str(&strata::bptree::inspect::page_dump(&tx, id).unwrap());
                }
                text
            }
            _ => format!("({} bytes)\n", bytes.len()),
        };
        out.push_str(&format!("== {name}\n{annotated}\n"));
    }
    out
}

#[test]
fn each_engines_files_after_the_canonical_script() {
    for engine in Engine::ALL {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let store = Store::create(&path, engine, reproducible()).unwrap();
        canonical(&store);
        store.close().unwrap();
        insta::assert_snapshot!(format!("files_{}", engine.name()), dump(engine, &path));
    }
}

/// Every error the API returns, made the way a user would meet it, with the
/// test directory written `<dir>`.
#[test]
fn the_text_of_every_error() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    let mut errors: Vec<(String, Error)> = Vec::new();

    let cask = Store::create(at("cask"), Engine::Bitcask, Options::new()).unwrap();
    errors.push((
        "a range on Bitcask".into(),
        cask.range(KeyRange::all()).unwrap_err(),
    ));
    errors.push((
        "a batch on Bitcask".into(),
        cask.write(&Batch::new().put("k", "v")).unwrap_err(),
    ));
    errors.push((
        "a transaction on Bitcask".into(),
        cask.begin_read().map(|_| ()).unwrap_err(),
    ));
    errors.push((
        "a table on Bitcask".into(),
        Table::<u64, u64>::open(&cask, "t").map(|_| ()).unwrap_err(),
    ));
    errors.push((
        "a reserved Bitcask value".into(),
        cask.put("k", "bitcask_tombstone2").unwrap_err(),
    ));
    errors.push((
        "a second Bitcask writer".into(),
        Store::open(at("cask")).unwrap_err(),
    ));
    let reader = Store::open_with(at("cask"), Options::new().read_only(true)).unwrap();
    errors.push((
        "a put on a read-only store".into(),
        reader.put("k", "v").unwrap_err(),
    ));
    errors.push((
        "creating a read-only store".into(),
        Store::create(at("new"), Engine::Wal, Options::new().read_only(true))
            .map(|_| ())
            .unwrap_err(),
    ));
    drop((cask, reader));
    errors.push((
        "an engine the build leaves out".into(),
        Error::FeatureDisabled {
            engine: Engine::Bitcask,
        },
    ));
    errors.push((
        "nothing at the path".into(),
        Store::open(at("nothing")).unwrap_err(),
    ));

    let flat = Store::create(at("flat"), Engine::FlatFile, Options::new()).unwrap();
    errors.push((
        "a second flat-file writer".into(),
        Store::open(at("flat")).unwrap_err(),
    ));
    errors.push((
        "creating over a database".into(),
        Store::create(at("flat"), Engine::Bptree, Options::new()).unwrap_err(),
    ));
    drop(flat);
    let log = Store::create(at("log"), Engine::Wal, Options::new()).unwrap();
    errors.push((
        "a second log writer".into(),
        Store::open(at("log")).unwrap_err(),
    ));
    errors.push((
        "a transaction on the log".into(),
        log.begin_write().map(|_| ()).unwrap_err(),
    ));
    drop(log);
    let tree = Store::create(at("tree"), Engine::Bptree, Options::new()).unwrap();
    errors.push((
        "a second B+tree writer".into(),
        Store::open(at("tree")).unwrap_err(),
    ));
    errors.push((
        "an empty key on the B+tree".into(),
        tree.put("", "v").unwrap_err(),
    ));
    let numbers: Table<u64, String> = Table::open(&tree, "numbers").unwrap();
    numbers.insert(&1, &"one".to_string()).unwrap();
    let as_strings: Table<String, String> = Table::open(&tree, "numbers").unwrap();
    errors.push((
        "a key of another type".into(),
        as_strings.iter().unwrap().next().unwrap().unwrap_err(),
    ));
    let as_bools: Table<u64, bool> = Table::open(&tree, "numbers").unwrap();
    errors.push((
        "a value of another type".into(),
        as_bools.get(&1).unwrap_err(),
    ));
    drop((tree, numbers, as_strings, as_bools));

    fs::write(at("notes.txt"), "dear diary").unwrap();
    errors.push((
        "a file no engine wrote".into(),
        Store::open(at("notes.txt")).unwrap_err(),
    ));
    fs::write(at("zero"), "").unwrap();
    errors.push(("an empty file".into(), Store::open(at("zero")).unwrap_err()));
    fs::create_dir(at("empty")).unwrap();
    errors.push((
        "an empty directory".into(),
        Store::open(at("empty")).unwrap_err(),
    ));
    fs::create_dir(at("photos")).unwrap();
    fs::write(at("photos/cat.jpg"), "meow").unwrap();
    errors.push((
        "a directory no engine wrote".into(),
        Store::open(at("photos")).unwrap_err(),
    ));

    // Damage: one byte of each engine's file changed.
    // The middle of a file is inside an early record; a Bitcask's last byte
    // is the last value's, which a get reads.
    let middle = |len: usize| len / 2;
    let last = |len: usize| len - 1;
    let log = "wal-00000000000000000001.log";
    for (engine, name, file, at_byte) in [
        (
            Engine::FlatFile,
            "damaged-flat",
            None,
            &middle as &dyn Fn(usize) -> usize,
        ),
        (Engine::Wal, "damaged-log", Some(log), &middle),
        (
            Engine::Bitcask,
            "damaged-cask",
            Some("1.bitcask.data"),
            &last,
        ),
    ] {
        let store =
            Store::create(at(name), engine, reproducible().sync(SyncPolicy::Always)).unwrap();
        canonical(&store);
        store.close().unwrap();
        let file = file.map_or_else(|| at(name), |f| at(name).join(f));
        let mut bytes = fs::read(&file).unwrap();
        let at_byte = at_byte(bytes.len());
        bytes[at_byte] ^= 0x40;
        fs::write(&file, bytes).unwrap();
        // Read every key: Bitcask trusts its hint file at open, and finds
        // the damage when it reads the entry.
        let e = Store::open(at(name)).and_then(|s| {
            s.get("banana")?;
            s.get("cherry")
        });
        errors.push((format!("a damaged {engine} file"), e.unwrap_err()));
    }

    let text: String = errors
        .iter()
        .map(|(what, e)| {
            let message = e
                .to_string()
                .replace(&dir.path().display().to_string(), "<dir>")
                // Bitcask's lock names the process holding it: this one.
                .replace(&std::process::id().to_string(), "<pid>");
            format!("{what}:\n  {message}\n  kind: {:?}\n", e.kind())
        })
        .collect();
    insta::assert_snapshot!("errors", text);
    // Every capability a lacking engine can be asked for appears above.
    for capability in Capability::ALL {
        assert!(text.contains(capability.describe()), "{capability}");
    }
}
