//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Look inside, check, edit, convert and benchmark Strata databases: flat
/// files, write-ahead logs, Bitcask directories (Riak's too) and B+tree
/// files (Go bbolt's too). What is at a path is recognised by what is on
/// disk; `--engine` overrides.
///
/// Keys and values are text, `hex:6869`, `@file` (its bytes), or `text:…`
/// for text that looks like one of those. Exit codes: 0 ok, 1 not found,
/// 2 usage or unsupported, 3 damaged, 4 locked, 5 other failures.
#[derive(Debug, Parser)]
#[command(name = "strata", version, max_term_width = 100)]
pub struct Cli {
    /// Open the path as this engine, whatever is on disk.
    #[arg(long, global = true, value_enum)]
    pub engine: Option<EngineArg>,
    /// How keys, values and results are printed.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Shorthand for `--format json`.
    #[arg(long, global = true)]
    json: bool,
    /// The B+tree bucket the keys live in (bbolt files keep keys in
    /// buckets); text, `hex:…` or `@file` like a key.
    #[arg(long, global = true, default_value = "strata")]
    pub bucket: String,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The output format, `--json` included.
    pub fn format(&self) -> Format {
        if self.json { Format::Json } else { self.format }
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable text; unprintable bytes escaped.
    Text,
    /// Keys and values in hex.
    Hex,
    /// One JSON document; bytes that are not UTF-8 as `hex:…` strings.
    Json,
}

/// The engines, by their command-line names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineArg {
    /// Chapter 1's flat file.
    FlatFile,
    /// Chapter 2's write-ahead log (chapter 5's stores too).
    Wal,
    /// Chapter 3's Bitcask (Riak's format).
    Bitcask,
    /// Chapter 4's B+tree (bbolt's format).
    Bptree,
}

impl From<EngineArg> for strata::Engine {
    fn from(engine: EngineArg) -> strata::Engine {
        match engine {
            EngineArg::FlatFile => strata::Engine::FlatFile,
            EngineArg::Wal => strata::Engine::Wal,
            EngineArg::Bitcask => strata::Engine::Bitcask,
            EngineArg::Bptree => strata::Engine::Bptree,
        }
    }
}

/// Write and read orders for `bench`, as bbolt's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Order {
    /// Keys in increasing order.
    Seq,
    /// Keys in a shuffled order.
    Rnd,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Makes a new, empty database of the engine named with `--engine`.
    Create { path: PathBuf },
    /// What the database is: engine, capabilities, size, engine details.
    Info { path: PathBuf },
    /// Checks every page (B+tree) or every checksum (the others).
    Check { path: PathBuf },
    /// Counters: keys, bytes on disk, and the engine's own.
    Stats { path: PathBuf },
    /// Every key, in order where the engine keeps one.
    Keys {
        path: PathBuf,
        /// Only keys starting with this (ordered engines: a range scan).
        #[arg(long)]
        prefix: Option<String>,
    },
    /// The value of a key (exit code 1 if missing).
    Get { path: PathBuf, key: String },
    /// Sets a key to a value, durably.
    Put {
        path: PathBuf,
        key: String,
        value: String,
    },
    /// Removes a key, durably (removing a missing key is not an error).
    Del { path: PathBuf, key: String },
    /// Keys and values in key order, between `--from` (inclusive) and
    /// `--to` (exclusive); ordered engines only.
    Scan {
        path: PathBuf,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        prefix: Option<String>,
    },
    /// Every file's bytes, annotated field by field.
    Dump { path: PathBuf },
    /// B+tree: the table of pages (as `bbolt pages`).
    Pages { path: PathBuf },
    /// B+tree: one page, annotated (as `bbolt page`).
    Page { path: PathBuf, id: u64 },
    /// Bitcask: the data files, their live and total entries and bytes.
    Files { path: PathBuf },
    /// Bitcask: every hint file, annotated.
    Hints { path: PathBuf },
    /// Bitcask: merges the data files into new ones holding only live entries.
    Merge { path: PathBuf },
    /// Log: the snapshots and segments, with their sequence numbers.
    Segments { path: PathBuf },
    /// Log: every record, one line each.
    Records { path: PathBuf },
    /// Log: writes a snapshot and starts a fresh segment.
    Checkpoint { path: PathBuf },
    /// Reclaims space: a checkpoint (log), a merge (Bitcask), a rewrite
    /// (flat file), a compacted copy to `--output` (B+tree).
    Compact {
        path: PathBuf,
        /// Where the B+tree's compacted copy goes.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Copies every entry into a new database of another engine, then
    /// reads both to check that they agree.
    Copy {
        src: PathBuf,
        dst: PathBuf,
        /// The new database's engine.
        #[arg(long, value_enum)]
        to: EngineArg,
    },
    /// Writes then reads keys and reports the rates, as `bbolt bench`.
    Bench(BenchArgs),
    /// Serves the database over Redis's protocol (RESP2 and inline
    /// commands): redis-cli, redis-benchmark, Redis clients, telnet.
    /// Creates the database first if nothing is there and `--engine` names one.
    Serve(ServeArgs),
}

/// `serve`'s flags.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    pub path: PathBuf,
    /// Where to listen (loopback unless told otherwise).
    #[arg(long, default_value = "127.0.0.1:6380")]
    pub bind: std::net::SocketAddr,
    /// Clients must `AUTH` with this password before anything else.
    #[arg(long)]
    pub requirepass: Option<String>,
    /// Connections served at once.
    #[arg(long, default_value_t = 1024)]
    pub max_connections: usize,
    /// Seconds a connection may stay silent before it is closed (0: forever).
    #[arg(long, default_value_t = 300)]
    pub idle_timeout: u64,
    /// When a write is acknowledged: once durable (`always`), or once in
    /// the engine, durable at the next flush and at shutdown (`on-flush`).
    #[arg(long, value_enum, default_value_t = SyncArg::Always)]
    pub sync: SyncArg,
    /// Threads serving connections (default: half the CPUs, at least one;
    /// the other half is left to the thread that writes, and to clients).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Sync policies, by their command-line names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SyncArg {
    /// Every write durable before its reply.
    Always,
    /// Writes durable at flushes and at shutdown.
    OnFlush,
}

/// `bench`'s flags, named as bbolt bench's.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Where to make the database (default: a temporary directory).
    #[arg(long)]
    pub path: Option<PathBuf>,
    /// Keep the database afterwards (needs `--path`).
    #[arg(long)]
    pub work: bool,
    /// Keys written per transaction or batch.
    #[arg(long, default_value_t = 1000)]
    pub batch_size: u64,
    /// Keys written in all.
    #[arg(long, default_value_t = 10_000)]
    pub count: u64,
    /// Bytes per key (at least 8).
    #[arg(long, default_value_t = 8)]
    pub key_size: usize,
    /// Bytes per value.
    #[arg(long, default_value_t = 32)]
    pub value_size: usize,
    /// The order keys are written in.
    #[arg(long, value_enum, default_value_t = Order::Seq)]
    pub write_mode: Order,
    /// The order keys are read in.
    #[arg(long, value_enum, default_value_t = Order::Seq)]
    pub read_mode: Order,
    /// Skip the fsync after each batch (flush once at the end).
    #[arg(long)]
    pub no_sync: bool,
}
