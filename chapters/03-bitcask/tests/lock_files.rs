//! Riak's lock files, and what a crash at any step of taking or rewriting one
//! leaves behind. (Reference crate only: lock files are given to the learner.)
//!
//! A crash is simulated by leaving the directory in each state that the steps
//! of `Lock::acquire` (temporary file written, linked to the lock's name,
//! temporary name removed) and of `Lock::set_active` (temporary file written,
//! renamed over the lock) can leave, with the pid of a process that has exited.

use std::fs::{self, File};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

use strata_bitcask::disk::std_disk;
use strata_bitcask::lock::{Lock, LockKind, UNPARSED_GRACE, is_stale};
use strata_bitcask::{Bitcask, Error, Options};

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

/// The pid of a process that has exited (and been reaped).
fn dead_pid() -> u32 {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .arg("--list")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    child.wait().unwrap();
    assert!(is_stale(&format!("{pid} \n")), "pid {pid} still exists");
    pid
}

/// What a lock held by `pid` says before and after it names its active file.
fn fresh_contents(pid: u32) -> String {
    format!("{pid} \n")
}
fn active_contents(pid: u32, dir: &Path) -> String {
    format!("{pid} {}\n", dir.join("1.bitcask.data").display())
}

fn lock_path(dir: &Path, kind: LockKind) -> std::path::PathBuf {
    dir.join(kind.file_name())
}
fn temp_path(dir: &Path, kind: LockKind) -> std::path::PathBuf {
    dir.join(kind.temp_name())
}

/// Sets a file's modification time `ago` into the past.
fn age(path: &Path, ago: Duration) {
    File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(SystemTime::now() - ago)
        .unwrap();
}

/// The directory states a crash can leave, for a holder with `pid`.
#[derive(Debug, Clone, Copy)]
enum Crash {
    /// acquire: the temporary file is (partly) written, not linked.
    TempOnly,
    /// acquire: linked, the temporary name not yet removed.
    TempAndLock,
    /// set_active: the new contents are in the temporary file, not renamed.
    OldContentsAndTemp,
    /// set_active: renamed (the lock names the active file).
    NewContents,
}

const CRASHES: [Crash; 4] = [
    Crash::TempOnly,
    Crash::TempAndLock,
    Crash::OldContentsAndTemp,
    Crash::NewContents,
];

/// Leaves `dir` as a crash at `crash` by a holder `pid` of `kind` would.
/// Returns whether a lock file is left.
fn leave(dir: &Path, kind: LockKind, crash: Crash, pid: u32) -> bool {
    let (lock, temp) = (lock_path(dir, kind), temp_path(dir, kind));
    match crash {
        Crash::TempOnly => {
            fs::write(&temp, &fresh_contents(pid)[..2]).unwrap();
            false
        }
        Crash::TempAndLock => {
            fs::write(&temp, fresh_contents(pid)).unwrap();
            fs::hard_link(&temp, &lock).unwrap();
            true
        }
        Crash::OldContentsAndTemp => {
            fs::write(&lock, fresh_contents(pid)).unwrap();
            fs::write(&temp, active_contents(pid, dir)).unwrap();
            true
        }
        Crash::NewContents => {
            fs::write(&lock, active_contents(pid, dir)).unwrap();
            true
        }
    }
}

/// A cask holding one key, closed: no lock left.
fn cask_with_a_key(dir: &Path) {
    let mut db = Bitcask::open(dir, Options::default()).unwrap();
    db.put(b"k", b"v").unwrap();
    db.close().unwrap();
}

fn assert_no_temp(dir: &Path, kind: LockKind, what: &str) {
    assert!(
        !temp_path(dir, kind).exists(),
        "{what}: the crashed holder's temporary file is still there"
    );
}

#[test]
fn a_crash_at_any_step_of_the_write_lock_never_blocks_the_next_open() {
    let kind = LockKind::Write;
    for crash in CRASHES {
        let dir = tempfile::tempdir().unwrap();
        cask_with_a_key(dir.path());
        leave(dir.path(), kind, crash, dead_pid());
        let mut db = Bitcask::open(dir.path(), Options::default())
            .unwrap_or_else(|e| panic!("{crash:?}: {e}"));
        assert_no_temp(dir.path(), kind, &format!("{crash:?}"));
        let held = fs::read_to_string(lock_path(dir.path(), kind)).unwrap();
        assert_eq!(held, fresh_contents(std::process::id()), "{crash:?}");
        db.put(b"k2", b"v2").unwrap();
        assert_eq!(db.get(b"k").unwrap(), Some(b"v".to_vec()), "{crash:?}");
        db.close().unwrap();
        assert!(!lock_path(dir.path(), kind).exists(), "{crash:?}");
    }
}

#[test]
fn a_crash_at_any_step_of_the_merge_lock_never_blocks_the_next_merge() {
    let kind = LockKind::Merge;
    for crash in CRASHES {
        let dir = tempfile::tempdir().unwrap();
        cask_with_a_key(dir.path());
        let mut db = Bitcask::open(dir.path(), Options::default()).unwrap();
        leave(dir.path(), kind, crash, dead_pid());
        let report = db.merge().unwrap_or_else(|e| panic!("{crash:?}: {e}"));
        assert_eq!(report.entries_copied, 1, "{crash:?}");
        assert_no_temp(dir.path(), kind, &format!("{crash:?}"));
        assert!(!lock_path(dir.path(), kind).exists(), "{crash:?}");
        assert_eq!(db.get(b"k").unwrap(), Some(b"v".to_vec()), "{crash:?}");
    }
}

#[test]
fn a_lock_left_at_any_step_by_a_live_holder_keeps_others_out() {
    for kind in [LockKind::Write, LockKind::Merge] {
        for crash in CRASHES {
            let dir = tempfile::tempdir().unwrap();
            if !leave(dir.path(), kind, crash, std::process::id()) {
                continue; // no lock file: nothing holds the lock
            }
            let what = format!("{kind:?} {crash:?}");
            match Lock::acquire(&std_disk(), dir.path(), kind) {
                Err(Error::Locked { holder, .. }) => {
                    assert!(
                        holder.starts_with(&std::process::id().to_string()),
                        "{what}"
                    )
                }
                other => panic!("{what}: want Locked, got {other:?}"),
            }
            assert!(
                lock_path(dir.path(), kind).exists(),
                "{what}: the lock was removed"
            );
        }
    }
}

#[test]
fn a_lock_whose_contents_do_not_parse_is_stale_only_once_old() {
    for kind in [LockKind::Write, LockKind::Merge] {
        for contents in ["", "123", "not a pid\n", "99999999999 \n"] {
            let what = format!("{kind:?} {contents:?}");
            let dir = tempfile::tempdir().unwrap();
            let lock = lock_path(dir.path(), kind);
            fs::write(&lock, contents).unwrap();
            // Fresh: maybe a live Riak between creating the file and writing it.
            age(&lock, UNPARSED_GRACE - Duration::from_secs(2));
            assert!(
                matches!(
                    Lock::acquire(&std_disk(), dir.path(), kind),
                    Err(Error::Locked { .. })
                ),
                "{what}: a fresh lock must keep others out"
            );
            age(&lock, UNPARSED_GRACE + Duration::from_secs(1));
            let held = Lock::acquire(&std_disk(), dir.path(), kind)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(
                fs::read_to_string(&lock).unwrap(),
                fresh_contents(std::process::id()),
                "{what}"
            );
            drop(held);
            assert!(!lock.exists(), "{what}: released");
        }
    }
}

#[test]
fn an_empty_write_lock_left_by_a_crash_lets_the_cask_open_once_old() {
    let dir = tempfile::tempdir().unwrap();
    cask_with_a_key(dir.path());
    let lock = lock_path(dir.path(), LockKind::Write);
    File::create(&lock).unwrap();
    assert!(matches!(
        Bitcask::open(dir.path(), Options::default()),
        Err(Error::Locked { .. })
    ));
    age(&lock, Duration::from_secs(3600));
    let db = Bitcask::open(dir.path(), Options::default()).unwrap();
    assert_eq!(db.get(b"k").unwrap(), Some(b"v".to_vec()));
}

#[test]
fn lock_contents_are_riaks_and_no_temporary_file_stays() {
    let dir = tempfile::tempdir().unwrap();
    let me = std::process::id();
    let mut lock = Lock::acquire(&std_disk(), dir.path(), LockKind::Merge).unwrap();
    let path = lock_path(dir.path(), LockKind::Merge);
    assert_eq!(fs::read_to_string(&path).unwrap(), format!("{me} \n"));
    let active = dir.path().join("7.bitcask.data");
    lock.set_active(&active).unwrap();
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        format!("{me} {}\n", active.display())
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "Riak's mode");
    }
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["bitcask.merge.lock"]);
    drop(lock);
    assert!(!path.exists());
}
