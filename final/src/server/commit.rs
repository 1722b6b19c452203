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

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Mutex, PoisonError};
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use super::resp::Reply;
use crate::{Batch, BatchOp, Store};

/// The most commands in one group.
const MAX_GROUP: usize = 4096;

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

// ANCHOR: commit_groups
/// The committer's loop: a group is every job waiting when the last one ended.
fn commit_groups(store: &Store, incoming: &Receiver<Job>) {
    while let Ok(first) = incoming.recv() {
        let mut count = first.writes.len();
        let mut group = vec![first];
        while count < MAX_GROUP {
            let Ok(job) = incoming.try_recv() else { break };
            count += job.writes.len();
            group.push(job);
        }
        let (writes, done): (Vec<_>, Vec<_>) =
            group.into_iter().map(|job| (job.writes, job.done)).unzip();
        for (replies, done) in apply(store, writes).into_iter().zip(done) {
            let _ = done.send(replies);
        }
    }
}
// ANCHOR_END: commit_groups

// ANCHOR: apply
/// Applies groups of writes as one [`Store::write_each`]; each group's
/// replies. (A relaxed store's connections call it directly, one at a time.)
pub fn apply(store: &Store, groups: Vec<Vec<Write>>) -> Vec<Vec<Reply>> {
    let mut batch = Batch::new();
    let replies: Vec<Vec<Reply>> = groups
        .into_iter()
        .map(|writes| {
            (writes.into_iter())
                .map(|write| plan(store, write, &mut batch))
                .collect()
        })
        .collect();
    let written = if batch.is_empty() {
        Ok(())
    } else {
        store.write_each(&batch)
    };
    match written {
        Ok(()) => replies,
        Err(e) => (replies.iter())
            .map(|group| vec![Reply::err(&e); group.len()])
            .collect(),
    }
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
