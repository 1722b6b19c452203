//! Chapter 2's replay of one segment, in every recovery mode, as the newest
//! segment and as an older one.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use strata_fuzz::{RECOVERY_MODES, fix_wal_checksums};
use strata_wal::replay::replay;
use strata_wal::{Map, RecoveryMode};

fuzz_target!(|bytes: &[u8]| {
    let mut fixed = bytes.to_vec();
    fix_wal_checksums(&mut fixed);
    for segment in [bytes, &fixed] {
        for mode in RECOVERY_MODES {
            for is_newest in [false, true] {
                replay_once(segment, mode, is_newest);
            }
        }
    }
});

/// Replays `segment`: records come in increasing order, the report agrees
/// with what was applied, and an error names the segment.
fn replay_once(segment: &[u8], mode: RecoveryMode, is_newest: bool) {
    let path = Path::new("db/wal-00000000000000000001.log");
    let mut map = Map::new();
    let mut last = None;
    let result = replay(path, segment, mode, is_newest, |record| {
        assert!(
            last.is_none_or(|last| record.seq > last),
            "{record:?} after {last:?}"
        );
        last = Some(record.seq);
        record.op.apply(&mut map);
        Ok(())
    });
    match result {
        Ok(report) => {
            assert!(report.valid_len <= segment.len() as u64);
            assert_eq!(report.last_seq, last);
            if mode == RecoveryMode::AbsoluteConsistency {
                assert_eq!(report.valid_len, segment.len() as u64, "{report:?}");
            }
        }
        Err(e) => assert!(
            e.to_string().contains("wal-00000000000000000001.log"),
            "no path in: {e}"
        ),
    }
}
