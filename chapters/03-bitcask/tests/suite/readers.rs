//! Read-only opens beside a writer that merges: a reader sees one moment of
//! the directory, whatever step the merge reaches while it opens, and keeps
//! reading every key after the merge has removed the files it opened.

use std::io;
use std::sync::mpsc;

use super::{contents, data_files, open, options};
use crate::bitcask::{Bitcask, Error, MergeStep, OpenStep};

/// Every live key and value, sorted by key.
type Contents = Vec<(Vec<u8>, Vec<u8>)>;

/// A closed cask of several files with overwrites and deletes, reopened for
/// writing with nothing written yet (so no file is left out as active).
/// Returns it and its contents.
fn merge_ready(dir: &std::path::Path) -> (Bitcask, Contents) {
    let mut db = open(dir);
    for round in 0..3u8 {
        for i in 0..30u32 {
            db.put(format!("key{i:02}").as_bytes(), &[round; 30])
                .unwrap();
        }
    }
    for i in 0..8u32 {
        db.delete(format!("key{i:02}").as_bytes()).unwrap();
    }
    db.close().unwrap();
    let db = open(dir);
    let expected = contents(&db);
    (db, expected)
}

/// A merge running in its own thread, which waits before it starts and after
/// each step until it is told to go on. Its stages: 0 (not started), then
/// each of [`MergeStep::ALL`], then [`FINISHED`].
struct SteppedMerge {
    stage: usize,
    reached: mpsc::Receiver<usize>,
    resume: mpsc::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

const FINISHED: usize = MergeStep::ALL.len() + 1;

impl SteppedMerge {
    fn start(mut db: Bitcask) -> SteppedMerge {
        let (report, reached) = mpsc::channel();
        let (resume, resumed) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            resumed.recv().unwrap();
            db.merge_with(|step| {
                let stage = MergeStep::ALL.iter().position(|&s| s == step).unwrap() + 1;
                report.send(stage).unwrap();
                resumed.recv().map_err(io::Error::other)
            })
            .unwrap();
            report.send(FINISHED).unwrap();
        });
        SteppedMerge {
            stage: 0,
            reached,
            resume,
            thread,
        }
    }

    /// Lets the merge run until it has reached `stage`.
    fn run_to(&mut self, stage: usize) {
        while self.stage < stage {
            self.resume.send(()).unwrap();
            self.stage = self.reached.recv().unwrap();
        }
    }

    fn finish(mut self) {
        self.run_to(FINISHED);
        self.thread.join().unwrap();
    }
}

#[test]
fn a_reader_sees_one_moment_whatever_a_merge_does_while_it_opens() {
    // Where in the reader's open the merge moves on: after the listing, after
    // the first data file is opened (before the others), or after the last.
    let files = {
        let dir = tempfile::tempdir().unwrap();
        drop(merge_ready(dir.path()));
        data_files(dir.path()).len() as u32
    };
    let points = [
        OpenStep::Listed,
        OpenStep::Pinned(1),
        OpenStep::Pinned(files),
    ];
    // The merge is at stage `before` when the open starts, and moves on to
    // stage `during` at `point`.
    for before in 0..=FINISHED {
        for during in before..=FINISHED {
            for &point in &points {
                let dir = tempfile::tempdir().unwrap();
                let (db, expected) = merge_ready(dir.path());
                let mut merge = SteppedMerge::start(db);
                merge.run_to(before);
                let reader = Bitcask::open_read_only_with(dir.path(), options(), |now| {
                    if now == point {
                        merge.run_to(during);
                    }
                });
                let what = format!("merge at stage {before}, then {during} at {point:?}");
                let reader = reader.unwrap_or_else(|e| panic!("{what}: {e}"));
                assert_eq!(contents(&reader), expected, "{what}");
                merge.finish();
                assert_eq!(contents(&reader), expected, "{what}, after the merge");
            }
        }
    }
}

#[test]
fn a_reader_opened_before_a_merge_reads_every_key_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut db, expected) = merge_ready(dir.path());
    let before = data_files(dir.path());
    let reader = Bitcask::open_read_only(dir.path(), options()).unwrap();
    let report = db.merge().unwrap();
    assert!(!report.inputs.is_empty());
    for file in &before {
        assert!(!file.exists(), "{} was merged away", file.display());
    }
    assert_eq!(contents(&reader), expected);
}

#[test]
fn readers_opening_beside_repeated_merges_always_see_every_key() {
    let dir = tempfile::tempdir().unwrap();
    let (mut db, expected) = merge_ready(dir.path());
    let (go, merges) = mpsc::channel::<()>();
    let (done, merged) = mpsc::channel::<()>();
    let merger = std::thread::spawn(move || {
        // One merge per open, started just before it: the two overlap.
        for () in merges {
            db.merge().unwrap();
            done.send(()).unwrap();
        }
    });
    for i in 0..40 {
        go.send(()).unwrap();
        match Bitcask::open_read_only(dir.path(), options()) {
            Ok(reader) => assert_eq!(contents(&reader), expected, "open {i}"),
            // A clear refusal is allowed; a wrong answer or another error is not.
            Err(Error::KeptChanging { .. }) => {}
            Err(e) => panic!("open {i}: {e}"),
        }
        merged.recv().unwrap();
    }
    drop(go);
    merger.join().unwrap();
}
