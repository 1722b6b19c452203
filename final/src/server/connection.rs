//! One task per connection: read what the client sent, run every whole
//! command in it, write the replies, and go back to reading.
//!
//! Reads run right here; writes go to the committer (`commit`), which
//! makes every connection's waiting writes durable together. The replies go
//! out in order, in one write.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;

use super::Config;
use super::command::{self, After, Reads, Session, Shared, Step};
use super::commit::{self, Write};
use super::resp::{self, Parsed, Reply};
use crate::SyncPolicy;
use std::sync::PoisonError;

/// How much a read asks for at once.
const READ_CHUNK: usize = 16 << 10;

// ANCHOR: serve
/// Serves one client until it quits, breaks the protocol, idles too long,
/// or the server stops.
pub async fn serve(
    mut stream: TcpStream,
    shared: Arc<Shared>,
    config: Arc<Config>,
    mut stopping: watch::Receiver<bool>,
    slot: tokio::sync::OwnedSemaphorePermit,
) {
    use std::sync::atomic::Ordering::Relaxed;
    let _ = stream.set_nodelay(true);
    shared.connections.fetch_add(1, Relaxed);
    let mut session = Session::default();
    let mut input: Vec<u8> = Vec::with_capacity(READ_CHUNK);
    let mut output = Vec::new();
    loop {
        let (commands, fatal) = take_commands(&mut input, &config);
        if !commands.is_empty() {
            let (replies, after);
            (session, replies, after) = run_batch(&shared, session, commands).await;
            for reply in &replies {
                reply.encode(&mut output);
            }
            // A client that sends but never reads would fill its buffers
            // and hold this task (and a graceful stop) forever: the idle
            // timeout bounds a write as it bounds a read.
            let write = stream.write_all(&output);
            let written = match config.idle_timeout {
                Some(limit) => (tokio::time::timeout(limit, write).await)
                    .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into())),
                None => write.await,
            };
            if written.is_err() {
                break;
            }
            output.clear();
            if after == After::Close {
                break;
            }
        }
        if let Some(reason) = fatal {
            let _ = send_error(&mut stream, &reason).await;
            break;
        }
        if *stopping.borrow() {
            break;
        }
        input.reserve(READ_CHUNK);
        let read = stream.read_buf(&mut input);
        let read = async {
            match config.idle_timeout {
                Some(limit) => tokio::time::timeout(limit, read).await.ok(),
                None => Some(read.await),
            }
        };
        tokio::select! {
            result = read => match result {
                Some(Ok(0)) | Some(Err(_)) => break, // the client left
                Some(Ok(_)) => {}
                None => {
                    let _ = send_error(&mut stream, "idle timeout: closing the connection").await;
                    break;
                }
            },
            // Nothing read is lost: the client sent nothing since its last reply.
            _ = stopping.changed() => break,
        }
    }
    // The slot is free before the client sees the connection end, so that
    // a client that reconnects at once is never refused for its own.
    shared.connections.fetch_sub(1, Relaxed);
    drop(slot);
    let _ = stream.shutdown().await;
}
// ANCHOR_END: serve

/// Tells a client it cannot be served, and closes.
pub async fn refuse(mut stream: TcpStream, reason: &str) {
    let _ = send_error(&mut stream, reason).await;
    let _ = stream.shutdown().await;
}

async fn send_error(stream: &mut TcpStream, reason: &str) -> std::io::Result<()> {
    let mut bytes = Vec::new();
    Reply::err(reason).encode(&mut bytes);
    stream.write_all(&bytes).await
}

// ANCHOR: take_commands
/// Takes every whole command off the front of `input`; and the reason the
/// connection must close, if the input breaks the protocol or a limit.
fn take_commands(input: &mut Vec<u8>, config: &Config) -> (Vec<Vec<Vec<u8>>>, Option<String>) {
    let mut commands = Vec::new();
    let mut used = 0;
    let mut fatal = None;
    loop {
        match resp::parse(&input[used..], &config.limits) {
            Parsed::Command { args, len } => {
                used += len;
                // An empty line (Enter in telnet) is no command.
                if !args.is_empty() {
                    commands.push(args);
                }
                if commands.len() > config.max_pipeline {
                    fatal = Some(format!(
                        "more than {} commands pipelined without reading a reply",
                        config.max_pipeline
                    ));
                    commands.clear();
                    break;
                }
            }
            Parsed::Incomplete => break,
            Parsed::Invalid(reason) => {
                fatal = Some(format!("Protocol error: {reason}"));
                break;
            }
        }
    }
    input.drain(..used);
    (commands, fatal)
}
// ANCHOR_END: take_commands

// ANCHOR: run_batch
/// Runs `commands` in order, stopping after one that closes the connection.
/// Consecutive writes go to the committer together; a command after them
/// waits for their replies, so that it sees what they did.
async fn run_batch(
    shared: &Arc<Shared>,
    mut session: Session,
    commands: Vec<Vec<Vec<u8>>>,
) -> (Session, Vec<Reply>, After) {
    let mut replies: Vec<Option<Reply>> = Vec::with_capacity(commands.len());
    let mut writes: Vec<(usize, Write)> = Vec::new();
    let mut reads = Reads::default();
    for args in &commands {
        if !command::writes(args) && !writes.is_empty() {
            // It may read what the writes before it change.
            reads.end();
            commit(shared, &mut writes, &mut replies).await;
        }
        match command::execute(shared, &mut session, &mut reads, args) {
            Step::Write(write) => {
                writes.push((replies.len(), write));
                replies.push(None);
            }
            Step::Reply(reply, after) => {
                replies.push(Some(reply));
                if after == After::Close {
                    return (
                        session,
                        replies.into_iter().flatten().collect(),
                        After::Close,
                    );
                }
            }
        }
    }
    // No read transaction stays open while the writes wait: an open one
    // keeps the pages of its moment from being reused by the commit.
    reads.end();
    commit(shared, &mut writes, &mut replies).await;
    (
        session,
        replies.into_iter().flatten().collect(),
        After::Continue,
    )
}

/// Sends the waiting writes to the committer, and puts their replies in place.
async fn commit(shared: &Shared, writes: &mut Vec<(usize, Write)>, replies: &mut [Option<Reply>]) {
    if writes.is_empty() {
        return;
    }
    let (places, batch): (Vec<usize>, Vec<Write>) = writes.drain(..).unzip();
    let done = if shared.store.sync_policy() == SyncPolicy::Always {
        shared.committer.submit(batch).await
    } else {
        // Nothing to wait for: write here, one connection at a time (so
        // that the writes that look first see no one else's in between).
        let _turn = shared
            .write_turn
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        commit::apply(&shared.store, vec![batch])
            .pop()
            .unwrap_or_default()
    };
    for (place, reply) in places.into_iter().zip(done) {
        replies[place] = Some(reply);
    }
}
// ANCHOR_END: run_batch
