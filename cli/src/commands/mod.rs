//! One module per family of commands; this one dispatches and opens.

mod bench;
mod check;
mod copy;
mod inspect;
mod keys;
mod serve;

use std::path::Path;

use strata::{Engine, Options, Store};

use crate::args::{Cli, Command};
use crate::failure::{Failure, Result};
use crate::output::Output;

/// Runs the command; `Ok` carries the exit code (0, or 1 for a key not found).
pub fn run(cli: &Cli, out: &mut Output) -> Result<u8> {
    let at = Context {
        engine: cli.engine.map(Engine::from),
        bucket: crate::bytes::parse(&cli.bucket)?,
    };
    match &cli.command {
        Command::Create { path } => keys::create(&at, path, out),
        Command::Info { path } => inspect::info(&at, path, out),
        Command::Check { path } => check::check(&at, path, out),
        Command::Stats { path } => inspect::stats(&at, path, out),
        Command::Keys { path, prefix } => keys::keys(&at, path, prefix.as_deref(), out),
        Command::Get { path, key } => keys::get(&at, path, key, out),
        Command::Put { path, key, value } => keys::put(&at, path, key, value, out),
        Command::Del { path, key } => keys::del(&at, path, key, out),
        Command::Scan {
            path,
            from,
            to,
            prefix,
        } => keys::scan(
            &at,
            path,
            from.as_deref(),
            to.as_deref(),
            prefix.as_deref(),
            out,
        ),
        Command::Dump { path } => inspect::dump(&at, path, out),
        Command::Pages { path } => inspect::pages(&at, path, out),
        Command::Page { path, id } => inspect::page(&at, path, *id, out),
        Command::Files { path } => inspect::files(&at, path, out),
        Command::Hints { path } => inspect::hints(&at, path, out),
        Command::Segments { path } => inspect::segments(&at, path, out),
        Command::Records { path } => inspect::records(&at, path, out),
        Command::Merge { path } => copy::merge(&at, path, out),
        Command::Checkpoint { path } => copy::checkpoint(&at, path, out),
        Command::Compact { path, output } => copy::compact(&at, path, output.as_deref(), out),
        Command::Copy { src, dst, to } => copy::copy(&at, src, dst, Engine::from(*to), out),
        Command::Bench(args) => bench::bench(&at, args, out),
        Command::Serve(args) => serve::serve(&at, args),
    }
}

/// What every command needs to open a path: the engine named on the
/// command line, if any, and the B+tree bucket.
pub struct Context {
    engine: Option<Engine>,
    bucket: Vec<u8>,
}

impl Context {
    fn options(&self) -> Options {
        Options::new().bucket(self.bucket.clone())
    }

    /// Opens `path` to read only: nothing on disk changes.
    pub fn open_read(&self, path: &Path) -> Result<Store> {
        self.open(path, self.options().read_only(true))
    }

    /// Opens `path` to write.
    pub fn open_write(&self, path: &Path) -> Result<Store> {
        self.open(path, self.options())
    }

    fn open(&self, path: &Path, options: Options) -> Result<Store> {
        Ok(match self.engine {
            Some(engine) => Store::open_as(path, engine, options)?,
            None => Store::open_with(path, options)?,
        })
    }

    /// The engine of what is at `path`: the one named, or the one detected.
    pub fn engine_at(&self, path: &Path) -> Result<Engine> {
        if let Some(engine) = self.engine {
            return Ok(engine);
        }
        strata::detect(path)?.ok_or_else(|| {
            Failure::Store(strata::Error::NotFound {
                path: path.to_path_buf(),
            })
        })
    }

    /// Fails unless what is at `path` is `engine`'s (for its own views).
    pub fn expect(&self, path: &Path, engine: Engine, command: &'static str) -> Result<()> {
        match self.engine_at(path)? {
            found if found == engine => Ok(()),
            found => Err(Failure::Unsupported {
                command,
                engine: found,
            }),
        }
    }

    /// The engine named with `--engine`, if one was.
    pub fn engine(&self) -> Option<Engine> {
        self.engine
    }

    pub fn bucket(&self) -> &[u8] {
        &self.bucket
    }
}
