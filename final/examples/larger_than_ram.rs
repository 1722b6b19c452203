//! A typed table larger than the memory it is read with: writes about 1 GiB
//! of 1 KiB records into a B+tree table, then, in a fresh process, reopens
//! it and reads 100,000 random keys, and reports the reader's anonymous
//! memory (`RssAnon`: what the process allocated, as opposed to the file's
//! pages the kernel maps in and can drop at will).
//!
//! ```text
//! cargo run --release -p strata --example larger_than_ram [-- DIR [MIB]]
//! ```
//!
//! DIR defaults to a temporary directory (removed afterwards), MIB to 1024.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use strata::{Engine, Options, Store, SyncPolicy, Table};

/// One row: an id and about a kilobyte of payload (1 KiB encoded).
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    id: u64,
    payload: Vec<u8>,
}

const RECORD_BYTES: u64 = 1024;
/// Bytes of payload that make a record `RECORD_BYTES` once encoded (the id
/// takes 8 bytes, the payload's length up to 9).
const PAYLOAD: usize = 1024 - 8 - 3;
const BATCH: u64 = 10_000;
const READS: u64 = 100_000;

type Records = Table<u64, Record>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [phase, path, rows] = args.as_slice()
        && phase == "read"
    {
        return read(Path::new(path), rows.parse()?);
    }
    let temp = tempfile::tempdir()?;
    let dir = args
        .first()
        .map_or_else(|| temp.path().to_path_buf(), PathBuf::from);
    let mib: u64 = args.get(1).map_or(Ok(1024), |m| m.parse())?;
    let rows = mib * 1024 * 1024 / RECORD_BYTES;
    let path = dir.join("records.db");

    let start = Instant::now();
    write(&path, rows)?;
    let size = std::fs::metadata(&path)?.len();
    println!(
        "wrote {rows} records of {RECORD_BYTES} bytes ({mib} MiB) in {:.1} s; the file is {} MiB",
        start.elapsed().as_secs_f64(),
        size >> 20
    );
    println!("writer: {}", memory());

    // The reader is a fresh process, so nothing the writer allocated counts.
    let status = Command::new(std::env::current_exe()?)
        .args(["read", &path.display().to_string(), &rows.to_string()])
        .status()?;
    if !status.success() {
        return Err(format!("the reader failed: {status}").into());
    }
    Ok(())
}

fn write(path: &Path, rows: u64) -> strata::Result<()> {
    // Bulk load: sync once at the end, not at each batch.
    let store = Store::create(
        path,
        Engine::Bptree,
        Options::new().sync(SyncPolicy::OnFlush),
    )?;
    let records: Records = Table::open(&store, "records")?;
    let mut id = 0;
    while id < rows {
        let end = (id + BATCH).min(rows);
        records.insert_many((id..end).map(|id| (id, record(id))))?;
        id = end;
    }
    drop(records);
    store.close()
}

fn record(id: u64) -> Record {
    Record {
        id,
        payload: vec![(id % 251) as u8; PAYLOAD],
    }
}

fn read(path: &Path, rows: u64) -> Result<(), Box<dyn std::error::Error>> {
    println!("reader before opening: {}", memory());
    let store = Store::open(path)?;
    let records: Records = Table::open(&store, "records")?;
    let start = Instant::now();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..READS {
        // xorshift: random keys spread over the whole file.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let id = x % rows;
        let found = records.get(&id)?.ok_or("a record is missing")?;
        if found.id != id || found.payload.len() != PAYLOAD || found.payload[0] != (id % 251) as u8
        {
            return Err(format!("record {id} came back wrong").into());
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "read {READS} random records in {elapsed:.2} s ({:.0} per second)",
        READS as f64 / elapsed
    );
    println!("reader after the reads: {}", memory());
    Ok(())
}

/// The anonymous, file-backed and peak resident memory of this process.
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .map_or("?".to_string(), |l| l[name.len()..].trim().to_string())
    };
    format!(
        "RssAnon {}, RssFile {}, VmHWM {}",
        field("RssAnon:"),
        field("RssFile:"),
        field("VmHWM:")
    )
}
