//! [`DB::batch`]: many small updates from many threads, one commit.
//!
//! Each commit costs two syncs, so a thousand threads each committing one put
//! are bound by the disk. A batch lets them share: the first caller waits a
//! moment (`max_batch_delay`) for others to join, then runs every queued call
//! in one write transaction. A call that fails is dropped from the batch (its
//! caller gets the error) and the rest are run again without it, so each
//! caller sees either its own changes committed or its own error, as if it
//! had called [`DB::update`]. Because a call may run twice, it is an `Fn`.

use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Instant;

use crate::db::DB;
use crate::write::WriteTx;
use crate::{Error, Result};

type Call = Box<dyn Fn(&mut WriteTx<'_>) -> Result<()> + Send>;

/// The calls waiting for the next batch.
#[derive(Default)]
pub(crate) struct Batcher {
    queue: Mutex<Vec<(Call, Sender<Result<()>>)>>,
    joined: Condvar,
}

impl std::fmt::Debug for Batcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batcher").finish_non_exhaustive()
    }
}

impl DB {
    // ANCHOR: batch
    /// Runs `f` in a write transaction shared with other threads' `batch`
    /// calls, and returns once that transaction is committed (or `f` failed).
    ///
    /// # Errors
    /// `f`'s own error, or the commit's.
    pub fn batch(&self, f: impl Fn(&mut WriteTx<'_>) -> Result<()> + Send + 'static) -> Result<()> {
        let (done, result) = channel();
        let lead = {
            let mut queue = self
                .batcher
                .queue
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            queue.push((Box::new(f), done));
            self.batcher.joined.notify_all();
            queue.len() == 1
        };
        if lead {
            self.lead_batch();
        }
        result.recv().unwrap_or(Err(Error::BatchPanicked))
    }
    // ANCHOR_END: batch

    /// Waits for the batch to fill (or the delay to pass), takes it, and runs it.
    fn lead_batch(&self) {
        let deadline = Instant::now() + self.options().max_batch_delay;
        let mut queue = self
            .batcher
            .queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while queue.len() < self.options().max_batch_size {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            queue = self
                .batcher
                .joined
                .wait_timeout(queue, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        // The next caller finds an empty queue and leads the next batch.
        let mut calls = std::mem::take(&mut *queue);
        drop(queue);
        loop {
            let mut failed = None;
            let outcome = self.update(|tx| {
                for (i, (call, _)) in calls.iter().enumerate() {
                    if let Err(e) = call(tx) {
                        failed = Some(i);
                        return Err(e);
                    }
                }
                Ok(())
            });
            match (outcome, failed) {
                (Err(error), Some(i)) => {
                    let (_, done) = calls.remove(i);
                    let _ = done.send(Err(error));
                }
                (Ok(()), _) => {
                    for (_, done) in calls {
                        let _ = done.send(Ok(()));
                    }
                    return;
                }
                (Err(error), _) => {
                    let error = Arc::new(error);
                    for (_, done) in calls {
                        let _ = done.send(Err(Error::Shared(Arc::clone(&error))));
                    }
                    return;
                }
            }
        }
    }
}
