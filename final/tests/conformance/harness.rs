//! Opening a fresh store of each engine, and running a test for each.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use strata::{Engine, Options, Store};

/// Every engine this build includes.
pub fn engines() -> Vec<Engine> {
    Engine::ALL.into_iter().filter(|e| e.is_enabled()).collect()
}

/// Where a store of `engine` lives inside the test directory `dir`.
pub fn store_path(dir: &Path, engine: Engine) -> PathBuf {
    dir.join(format!("{engine}.db"))
}

/// A new, empty store of `engine` in `dir`.
pub fn create(dir: &Path, engine: Engine, options: Options) -> Store {
    Store::create(store_path(dir, engine), engine, options)
        .unwrap_or_else(|e| panic!("creating a {engine} store: {e}"))
}

/// Every file under `path` (or `path` itself): its bytes and mtime; and the
/// directory's own mtime, which a created or removed file would change.
pub fn on_disk(path: &Path) -> BTreeMap<String, (Vec<u8>, SystemTime)> {
    let mut seen = BTreeMap::new();
    let mut record = |p: &Path| {
        let meta = fs::metadata(p).unwrap();
        let bytes = if meta.is_file() {
            fs::read(p).unwrap()
        } else {
            Vec::new()
        };
        seen.insert(p.display().to_string(), (bytes, meta.modified().unwrap()));
    };
    record(path.parent().unwrap());
    record(path);
    if path.is_dir() {
        for entry in fs::read_dir(path).unwrap() {
            record(&entry.unwrap().path());
        }
    }
    seen
}

// ANCHOR: per_engine
/// Generates one `#[test]` per engine, each calling `$run(engine)`, in a
/// module named after `$run`, so a failure names its engine.
#[macro_export]
macro_rules! per_engine {
    ($run:ident) => {
        mod $run {
            #[cfg(feature = "flat-file")]
            #[test]
            fn flat_file() {
                super::$run(strata::Engine::FlatFile);
            }
            #[cfg(feature = "wal")]
            #[test]
            fn wal() {
                super::$run(strata::Engine::Wal);
            }
            #[cfg(feature = "bitcask")]
            #[test]
            fn bitcask() {
                super::$run(strata::Engine::Bitcask);
            }
            #[cfg(feature = "bptree")]
            #[test]
            fn bptree() {
                super::$run(strata::Engine::Bptree);
            }
        }
    };
}
// ANCHOR_END: per_engine
