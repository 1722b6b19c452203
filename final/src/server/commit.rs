//! One thread writes for every connection, as Redis's event loop does: it
//! takes every write waiting, from every client, applies them as one
//! [`Store::write_each`] (one transaction where the engine has them, one
//! sync under [`SyncPolicy::Always`](crate::SyncPolicy::Always)), and only
//! then lets their replies go. While it syncs, the next group gathers.
//!
//! Being the only writer also makes the writes that look first exact:
//! `SET … NX`/`XX` and `DEL`'s count see the store as the writes before
//! them in the group left it.
//!
//! A store under [`SyncPolicy::OnFlush`](crate::SyncPolicy::OnFlush) has no
//! sync to share: its connections [`apply`] their writes themselves, one
//! connection at a time, without the trip to this thread and back.

use std::ops::Range;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::resp::Reply;
use crate::{Batch, BatchOp, Store};

/// The most commands in one group.
const MAX_GROUP: usize = 4096;

/// The longest the committer waits for a group to fill, however slow the sync.
const MAX_PATIENCE: Duration = Duration::from_millis(1);

/// A write a client asked for.
#[derive(Debug)]
pub enum Write {
    /// `SET key value`; with `NX` (`only_if: Some(false)`) only if absent,
    /// with `XX` (`Some(true)`) only if present.
    Set {
        key: Vec<u8>,
        value: Vec<u8>,
        only_if: Option<bool>,
    },
    /// `DEL key…`: replies how many existed.
    Delete(Vec<Vec<u8>>),
    /// `MSET key value …`.
    MSet(Vec<(Vec<u8>, Vec<u8>)>),
}

/// One connection's consecutive writes, and where their replies go.
struct Job {
    writes: Vec<Write>,
    done: oneshot::Sender<Vec<Reply>>,
}

/// The writing thread, and the way to it.
#[derive(Debug)]
pub struct Committer {
    jobs: Mutex<Option<Sender<Job>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Committer {
    pub fn start(store: Store) -> Committer {
        let (jobs, incoming) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("strata-committer".into())
            .spawn(move || commit_groups(&store, &incoming))
            .expect("a thread for the committer");
        Committer {
            jobs: Mutex::new(Some(jobs)),
            thread: Mutex::new(Some(thread)),
        }
    }

    /// Writes `writes` with whatever else is waiting; their replies, once
    /// durable as the store's policy says.
    pub async fn submit(&self, writes: Vec<Write>) -> Vec<Reply> {
        let count = writes.len();
        let (done, replies) = oneshot::channel();
        let sent = match &*self.jobs.lock().unwrap_or_else(PoisonError::into_inner) {
            Some(jobs) => jobs.send(Job { writes, done }).is_ok(),
            None => false,
        };
        match (sent, replies.await) {
            (true, Ok(replies)) => replies,
            _ => vec![Reply::err("the server is stopping"); count],
        }
    }

    /// Lets the thread finish the groups sent, and waits for it.
    pub fn stop(&self) {
        self.jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}

impl Drop for Committer {
    /// A server dropped without running (or a run that ended early) still
    /// ends its thread, which holds a handle on the store, before the store
    /// can be closed.
    fn drop(&mut self) {
        self.stop();
    }
}

// ANCHOR: commit_groups
/// The committer's loop. A group is every job waiting when the last one
/// ended, and, as chapter 2's leader does, the jobs the last group's
/// connections send right after their replies: it waits for as many jobs as
/// the last group had, for at most as long as the last group took (capped),
/// then writes whatever came.
fn commit_groups(store: &Store, incoming: &Receiver<Job>) {
    let (mut expect, mut patience) = (1, Duration::ZERO);
    while let Ok(first) = incoming.recv() {
        let deadline = Instant::now() + patience;
        let mut count = first.writes.len();
        let mut group = vec![first];
        let mut timed_out = false;
        while count < MAX_GROUP {
            let job = match incoming.try_recv() {
                Ok(job) => job,
                Err(_) if group.len() >= expect => break,
                Err(_) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    match incoming.recv_timeout(left) {
                        Ok(job) => job,
                        Err(_) => {
                            timed_out = true;
                            break;
                        }
                    }
                }
            };
            count += job.writes.len();
            group.push(job);
        }
        // What this group teaches the next: fewer came than expected, so
        // expect what came.
        expect = if timed_out {
            group.len()
        } else {
            expect.max(group.len())
        };
        let started = Instant::now();
        let (writes, done): (Vec<_>, Vec<_>) =
            group.into_iter().map(|job| (job.writes, job.done)).unzip();
        for (replies, done) in apply(store, writes).into_iter().zip(done) {
            let _ = done.send(replies);
        }
        patience = started.elapsed().min(MAX_PATIENCE);
    }
}
// ANCHOR_END: commit_groups

// ANCHOR: apply
/// Applies groups of writes as one [`Store::write_each`]; each group's
/// replies. (A relaxed store's connections call it directly, one at a time.)
/// If the whole fails, each write is tried alone, in order, so that a write
/// the engine refuses (a key too long, say) fails only itself.
pub fn apply(store: &Store, groups: Vec<Vec<Write>>) -> Vec<Vec<Reply>> {
    let mut batch = Batch::new();
    // Each write's reply, and the span of its operations in the batch.
    let planned: Vec<Vec<(Reply, Range<usize>)>> = groups
        .into_iter()
        .map(|writes| {
            (writes.into_iter())
                .map(|write| {
                    let start = batch.len();
                    let reply = plan(store, write, &mut batch);
                    (reply, start..batch.len())
                })
                .collect()
        })
        .collect();
    let all_written = batch.is_empty() || store.write_each(&batch).is_ok();
    let ops = batch.ops();
    (planned.into_iter())
        .map(|writes| {
            (writes.into_iter())
                .map(|(reply, span)| {
                    if all_written || span.is_empty() {
                        return reply;
                    }
                    // Writing operations again is harmless: the same keys
                    // get the same values, or stay deleted.
                    let alone: Batch = ops[span].iter().cloned().collect();
                    match store.write_each(&alone) {
                        Ok(()) => reply,
                        Err(e) => Reply::err(e),
                    }
                })
                .collect()
        })
        .collect()
}
// ANCHOR_END: apply

/// Whether `key` is present, counting the operations already in `batch`
/// (searched from the end: only the writes that look first ask, and they
/// are few).
fn is_present(store: &Store, batch: &Batch, key: &[u8]) -> crate::Result<bool> {
    for op in batch.ops().iter().rev() {
        match op {
            BatchOp::Put { key: k, .. } if k == key => return Ok(true),
            BatchOp::Delete { key: k } if k == key => return Ok(false),
            _ => {}
        }
    }
    Ok(store.get(key)?.is_some())
}

/// Adds `write`'s operations to `batch`, and says what it will reply.
fn plan(store: &Store, write: Write, batch: &mut Batch) -> Reply {
    match write {
        Write::Set {
            key,
            value,
            only_if,
        } => {
            if let Some(must_exist) = only_if {
                match is_present(store, batch, &key) {
                    Ok(here) if here != must_exist => return Reply::Nil,
                    Ok(_) => {}
                    Err(e) => return Reply::err(e),
                }
            }
            batch.push(BatchOp::Put { key, value });
            Reply::OK
        }
        Write::Delete(keys) => {
            let mut deleted = 0;
            for key in keys {
                match is_present(store, batch, &key) {
                    Ok(true) => {
                        batch.push(BatchOp::Delete { key });
                        deleted += 1;
                    }
                    Ok(false) => {}
                    Err(e) => return Reply::err(e),
                }
            }
            Reply::Integer(deleted)
        }
        Write::MSet(pairs) => {
            for (key, value) in pairs {
                batch.push(BatchOp::Put { key, value });
            }
            Reply::OK
        }
    }
}
