//! Opening a fresh store of each engine, and running a test for each.

use std::path::{Path, PathBuf};

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
