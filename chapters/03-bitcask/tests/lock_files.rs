//! Riak's rule for stale locks. (Reference crate only: lock files are given
//! to the learner.)

use strata_bitcask::lock::is_stale;

#[test]
fn staleness_follows_riaks_pattern() {
    let me = std::process::id();
    assert!(!is_stale(&format!("{me} \n")), "our own process is alive");
    assert!(!is_stale(&format!("{me} cask/1.bitcask.data\n")));
    assert!(is_stale("4000000000 cask/1.bitcask.data\n"), "no such pid");
    assert!(is_stale("4000000000 \n"));
    assert!(!is_stale("4000000000"), "no trailing newline: never stale");
    assert!(!is_stale("garbage\n"));
    assert!(!is_stale(""));
}
