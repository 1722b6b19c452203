//! Group commit, measured: how many puts share one fsync as writer threads are
//! added, under `SyncPolicy::Always`.
//!
//! ```text
//! cargo run --release -p strata-wal --example group_commit
//! ```

use std::time::Instant;

use strata_wal::{Options, Store, SyncPolicy};

const PUTS_PER_THREAD: usize = 2_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("threads  puts/s   fsyncs  puts per fsync");
    for threads in [1, 2, 4, 8] {
        let dir = tempfile::tempdir()?;
        let db = Store::open(dir.path(), Options::new(SyncPolicy::Always))?;
        let start = Instant::now();
        std::thread::scope(|s| {
            for t in 0..threads {
                let db = &db;
                s.spawn(move || {
                    for i in 0..PUTS_PER_THREAD {
                        db.put(format!("{t}-{i}"), [0u8; 100]).expect("put");
                    }
                });
            }
        });
        let elapsed = start.elapsed().as_secs_f64();
        let stats = db.stats();
        println!(
            "{threads:>7}  {:>6.0}  {:>7}  {:>14.1}",
            stats.last_seq as f64 / elapsed,
            stats.log_syncs,
            stats.last_seq as f64 / stats.log_syncs as f64
        );
        db.close()?;
    }
    Ok(())
}
