//! The commands: what each does to the [`Store`], and what it replies.
//!
//! Every reply is the one Redis gives, so that clients written for Redis
//! understand it, except where Strata has no such thing (expiry, numbered
//! databases beyond 0) and says so. Two commands are Strata's own, for the
//! ordered engines: `RANGE` and `PREFIX`.

use std::collections::{HashMap, VecDeque};
use std::ops::Bound;
use std::sync::{Mutex, PoisonError};

use crate::server::commit::{Committer, Write};
use crate::server::glob;
use crate::server::resp::Reply;
use crate::{Capability, KeyRange, ReadTransaction, Store, SyncPolicy};

/// The most `SCAN` cursors kept; the oldest is forgotten first.
const MAX_CURSORS: usize = 1024;

/// `SCAN`'s default and largest `COUNT`.
const SCAN_COUNT: usize = 10;
const MAX_SCAN_COUNT: usize = 10_000;

/// What every connection shares: the store, and the state commands keep.
#[derive(Debug)]
pub struct Shared {
    pub(crate) store: Store,
    pub(crate) committer: Committer,
    /// Taken by a connection writing a relaxed store itself.
    pub(crate) write_turn: Mutex<()>,
    pub(crate) requirepass: Option<Vec<u8>>,
    cursors: Mutex<Cursors>,
    pub(crate) started: std::time::Instant,
    pub(crate) connections: std::sync::atomic::AtomicU64,
    pub(crate) commands: std::sync::atomic::AtomicU64,
}

/// One connection's state.
#[derive(Debug, Default)]
pub struct Session {
    pub(crate) authenticated: bool,
}

/// The reads of a run of read commands: on an engine with transactions,
/// one read transaction serves them all (the B+tree's cost of starting one
/// is paid once per run, not per GET). A connection drops it before its
/// next writes, so that the reads after them see them.
#[derive(Default)]
pub struct Reads<'s> {
    tx: Option<Box<dyn ReadTransaction + 's>>,
}

impl<'s> Reads<'s> {
    fn get(&mut self, store: &'s Store, key: &[u8]) -> crate::Result<Option<Vec<u8>>> {
        if self.tx.is_none() && store.capabilities().contains(Capability::Transactions) {
            self.tx = Some(store.begin_read()?);
        }
        match &self.tx {
            Some(tx) => tx.get(key),
            None => store.get(key),
        }
    }

    /// Ends the run: the next read sees the store as it is then.
    pub fn end(&mut self) {
        self.tx = None;
    }
}

impl std::fmt::Debug for Reads<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reads")
            .field("open", &self.tx.is_some())
            .finish()
    }
}

/// What a command comes to: a reply now, or a write for the committer.
#[derive(Debug)]
pub enum Step {
    /// The reply, and what the connection does next.
    Reply(Reply, After),
    /// A write, replied to once the committer has made it durable.
    Write(Write),
}

/// What a command asks of its connection, beside its reply.
#[derive(Debug, PartialEq, Eq)]
pub enum After {
    /// Go on reading.
    Continue,
    /// Send the reply, then close (QUIT).
    Close,
}

impl Shared {
    pub(crate) fn new(store: Store, requirepass: Option<Vec<u8>>) -> Shared {
        Shared {
            committer: Committer::start(store.clone()),
            write_turn: Mutex::new(()),
            store,
            requirepass,
            cursors: Mutex::new(Cursors::default()),
            started: std::time::Instant::now(),
            connections: Default::default(),
            commands: Default::default(),
        }
    }
}

/// Runs one command, or hands back the write it asks for.
pub fn execute<'s>(
    shared: &'s Shared,
    session: &mut Session,
    reads: &mut Reads<'s>,
    args: &[Vec<u8>],
) -> Step {
    let Some((name, args)) = args.split_first() else {
        return Step::Reply(Reply::err("empty command"), After::Continue);
    };
    // The name in capitals; on the stack, for every name there is.
    let mut stack = [0u8; 16];
    let long;
    let name: &str = match std::str::from_utf8(name) {
        Ok(text) if name.len() <= stack.len() => {
            stack[..name.len()].copy_from_slice(text.as_bytes());
            stack[..name.len()].make_ascii_uppercase();
            std::str::from_utf8(&stack[..name.len()]).unwrap_or_default()
        }
        _ => {
            long = String::from_utf8_lossy(name).to_ascii_uppercase();
            &long
        }
    };
    shared
        .commands
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if shared.requirepass.is_some() && !session.authenticated && !matches!(name, "AUTH" | "QUIT") {
        let reply = Reply::Error("NOAUTH Authentication required.".into());
        return Step::Reply(reply, After::Continue);
    }
    match name {
        "QUIT" => Step::Reply(Reply::OK, After::Close),
        "AUTH" => Step::Reply(auth(shared, session, args), After::Continue),
        _ if is_write(name) => match write(name, args) {
            Ok(write) => Step::Write(write),
            Err(reply) => Step::Reply(reply, After::Continue),
        },
        _ => Step::Reply(run(shared, reads, name, args), After::Continue),
    }
}

/// Whether the command named `name` (in capitals) writes.
fn is_write(name: &str) -> bool {
    matches!(name, "SET" | "DEL" | "UNLINK" | "MSET")
}

/// Whether the command `args` writes: the commands before it can wait, and
/// those after it must.
pub fn writes(args: &[Vec<u8>]) -> bool {
    args.first().is_some_and(|name| {
        ["SET", "DEL", "UNLINK", "MSET"]
            .iter()
            .any(|write| name.eq_ignore_ascii_case(write.as_bytes()))
    })
}

/// The write a SET, DEL or MSET asks for, or why it is wrong.
fn write(name: &str, args: &[Vec<u8>]) -> Result<Write, Reply> {
    match (name, args) {
        ("SET", [key, value, options @ ..]) => {
            let mut only_if: Option<bool> = None; // Some(true): XX, Some(false): NX
            for option in options {
                match option.to_ascii_uppercase().as_slice() {
                    b"NX" if only_if.is_none() => only_if = Some(false),
                    b"XX" if only_if.is_none() => only_if = Some(true),
                    b"EX" | b"PX" | b"EXAT" | b"PXAT" | b"KEEPTTL" => {
                        return Err(Reply::err("expiry is not supported by strata"));
                    }
                    _ => return Err(Reply::err("syntax error")),
                }
            }
            Ok(Write::Set {
                key: key.clone(),
                value: value.clone(),
                only_if,
            })
        }
        ("DEL" | "UNLINK", keys) if !keys.is_empty() => Ok(Write::Delete(keys.to_vec())),
        ("MSET", pairs) if !pairs.is_empty() && pairs.len() % 2 == 0 => Ok(Write::MSet(
            pairs
                .chunks_exact(2)
                .map(|p| (p[0].clone(), p[1].clone()))
                .collect(),
        )),
        _ => Err(arity(name)),
    }
}

fn auth(shared: &Shared, session: &mut Session, args: &[Vec<u8>]) -> Reply {
    // `AUTH password`, or `AUTH default password` (the one user there is).
    let (user, password) = match args {
        [password] => (None, password),
        [user, password] => (Some(user), password),
        _ => return arity("auth"),
    };
    match &shared.requirepass {
        None => Reply::err(
            "AUTH <password> called without any password configured for the default user. \
             Are you sure your configuration is correct?",
        ),
        Some(expected) if expected == password && user.is_none_or(|u| u == b"default") => {
            session.authenticated = true;
            Reply::OK
        }
        Some(_) => {
            Reply::Error("WRONGPASS invalid username-password pair or user is disabled.".into())
        }
    }
}

fn arity(command: &str) -> Reply {
    Reply::err(format!(
        "wrong number of arguments for '{}' command",
        command.to_ascii_lowercase()
    ))
}

fn unknown(name: &str, args: &[Vec<u8>]) -> Reply {
    let shown: String = args
        .iter()
        .take(3)
        .map(|a| format!("'{}' ", String::from_utf8_lossy(a)))
        .collect();
    Reply::err(format!(
        "unknown command '{}', with args beginning with: {shown}",
        name.to_ascii_lowercase()
    ))
}

/// A library error, as an `ERR` reply.
fn failed(e: crate::Error) -> Reply {
    Reply::err(e)
}

/// Runs a command other than AUTH and QUIT.
fn run<'s>(shared: &'s Shared, reads: &mut Reads<'s>, name: &str, args: &[Vec<u8>]) -> Reply {
    let store = &shared.store;
    let result = match (name, args) {
        ("PING", []) => Ok(Reply::Simple("PONG")),
        ("PING", [message]) | ("ECHO", [message]) => Ok(Reply::Bulk(message.clone())),
        ("GET", [key]) => reads.get(store, key).map(bulk_or_nil),
        ("EXISTS", keys) if !keys.is_empty() => keys
            .iter()
            .try_fold(0, |n, key| {
                Ok(n + i64::from(reads.get(store, key)?.is_some()))
            })
            .map(Reply::Integer),
        ("MGET", keys) if !keys.is_empty() => keys
            .iter()
            .map(|key| reads.get(store, key).map(bulk_or_nil))
            .collect::<crate::Result<_>>()
            .map(Reply::Array),
        ("DBSIZE", []) => store.len().map(|n| Reply::Integer(n as i64)),
        ("KEYS", [pattern]) => keys(store, pattern),
        ("SCAN", [cursor, options @ ..]) => return scan(shared, cursor, options),
        ("RANGE", [min, max, options @ ..]) => return range(store, min, max, options),
        ("PREFIX", [prefix, options @ ..]) => {
            return range_of(store, KeyRange::prefix(prefix), options);
        }
        ("INFO", [] | [_]) => info(shared).map(|text| Reply::Bulk(text.into_bytes())),
        ("SELECT", [db]) => Ok(if db == b"0" {
            Reply::OK
        } else {
            Reply::err("DB index is out of range")
        }),
        ("CONFIG", [sub, param]) if sub.eq_ignore_ascii_case(b"GET") => {
            Ok(config_get(shared, param))
        }
        ("COMMAND", [sub, ..]) if sub.eq_ignore_ascii_case(b"COUNT") => Ok(Reply::Integer(0)),
        // redis-cli asks for the commands' documentation on connect, for
        // its hints: none is a fine answer.
        ("COMMAND", _) => Ok(Reply::Array(Vec::new())),
        ("CLIENT", [_, ..]) => Ok(Reply::OK),
        (
            "PING" | "ECHO" | "GET" | "SET" | "DEL" | "UNLINK" | "EXISTS" | "MGET" | "MSET"
            | "DBSIZE" | "KEYS" | "SCAN" | "RANGE" | "PREFIX" | "INFO" | "SELECT" | "CONFIG",
            _,
        ) => return arity(name),
        _ => return unknown(name, args),
    };
    result.unwrap_or_else(failed)
}

fn bulk_or_nil(value: Option<Vec<u8>>) -> Reply {
    value.map_or(Reply::Nil, Reply::Bulk)
}

fn keys(store: &Store, pattern: &[u8]) -> crate::Result<Reply> {
    let mut found = Vec::new();
    for key in store.keys()? {
        let key = key?;
        if glob::matches(pattern, &key) {
            found.push(Reply::Bulk(key));
        }
    }
    Ok(Reply::Array(found))
}

/// Where a `SCAN` stopped.
#[derive(Debug)]
enum Cursor {
    /// Ordered engines: the last key returned; the next call starts after it.
    After(Vec<u8>),
    /// Unordered engines: the keys as they were at the first call, sorted,
    /// and how many were returned.
    Listed(std::sync::Arc<Vec<Vec<u8>>>, usize),
}

#[derive(Debug, Default)]
struct Cursors {
    next_id: u64,
    open: HashMap<u64, Cursor>,
    order: VecDeque<u64>,
}

impl Cursors {
    fn keep(&mut self, cursor: Cursor) -> u64 {
        self.next_id += 1;
        let id = self.next_id;
        self.open.insert(id, cursor);
        self.order.push_back(id);
        while self.open.len() > MAX_CURSORS {
            if let Some(old) = self.order.pop_front() {
                self.open.remove(&old);
            }
        }
        id
    }
}

/// `SCAN cursor [MATCH pattern] [COUNT n]`: up to `n` keys (default 10)
/// examined per call; cursor `0` starts, and a reply cursor of `0` ends.
/// Every key present from the first call to the last is returned once.
fn scan(shared: &Shared, cursor: &[u8], options: &[Vec<u8>]) -> Reply {
    let Some(id) = std::str::from_utf8(cursor)
        .ok()
        .and_then(|c| c.parse::<u64>().ok())
    else {
        return Reply::err("invalid cursor");
    };
    let (mut pattern, mut count, mut strings) = (None, SCAN_COUNT, true);
    let mut rest = options;
    while let [option, value, tail @ ..] = rest {
        match option.to_ascii_uppercase().as_slice() {
            b"MATCH" => pattern = Some(value.clone()),
            b"COUNT" => match std::str::from_utf8(value)
                .ok()
                .and_then(|v| v.parse::<usize>().ok())
            {
                Some(n) if n > 0 => count = n.min(MAX_SCAN_COUNT),
                _ => return Reply::err("value is not an integer or out of range"),
            },
            // Every value is a string: TYPE string is everything, others nothing.
            b"TYPE" => strings = value.eq_ignore_ascii_case(b"string"),
            _ => return Reply::err("syntax error"),
        }
        rest = tail;
    }
    if !rest.is_empty() {
        return Reply::err("syntax error");
    }
    let state = if id == 0 {
        None
    } else {
        let mut cursors = shared
            .cursors
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match cursors.open.remove(&id) {
            Some(state) => Some(state),
            None => return Reply::err("invalid cursor"),
        }
    };
    let (keys, next) = match scan_step(&shared.store, state, count) {
        Ok(step) => step,
        Err(e) => return failed(e),
    };
    let next = next.map_or(0, |state| {
        let mut cursors = shared
            .cursors
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        cursors.keep(state)
    });
    let keys = keys
        .into_iter()
        .filter(|key| strings && pattern.as_ref().is_none_or(|p| glob::matches(p, key)))
        .map(Reply::Bulk)
        .collect();
    Reply::Array(vec![
        Reply::Bulk(next.to_string().into_bytes()),
        Reply::Array(keys),
    ])
}

// ANCHOR: scan_step
/// The next `count` keys from `state`, and where to go on from (`None`: done).
fn scan_step(
    store: &Store,
    state: Option<Cursor>,
    count: usize,
) -> crate::Result<(Vec<Vec<u8>>, Option<Cursor>)> {
    if store.capabilities().contains(Capability::OrderedScans) {
        let range = match &state {
            Some(Cursor::After(last)) => KeyRange::new(Bound::Excluded(last), Bound::Unbounded),
            _ => KeyRange::all(),
        };
        // One more than asked, to know whether there is more.
        let mut keys: Vec<Vec<u8>> = store
            .range(range)?
            .take(count + 1)
            .map(|entry| entry.map(|(key, _)| key))
            .collect::<crate::Result<_>>()?;
        let more = keys.len() > count;
        keys.truncate(count);
        let next = match keys.last() {
            Some(last) if more => Some(Cursor::After(last.clone())),
            _ => None,
        };
        return Ok((keys, next));
    }
    let (all, from) = match state {
        Some(Cursor::Listed(all, from)) => (all, from),
        _ => {
            let mut all: Vec<Vec<u8>> = store.keys()?.collect::<crate::Result<_>>()?;
            all.sort_unstable();
            (std::sync::Arc::new(all), 0)
        }
    };
    let to = (from + count).min(all.len());
    let keys = all[from..to].to_vec();
    let next = (to < all.len()).then_some(Cursor::Listed(all, to));
    Ok((keys, next))
}
// ANCHOR_END: scan_step

/// `RANGE min max [LIMIT n]`, bounds written as `ZRANGEBYLEX`'s: `[a`
/// includes a, `(a` excludes it, `-` and `+` are the ends. Replies key,
/// value, key, value… in key order.
fn range(store: &Store, min: &[u8], max: &[u8], options: &[Vec<u8>]) -> Reply {
    let (Some(start), Some(end)) = (lex_bound(min, true), lex_bound(max, false)) else {
        return Reply::err("min or max not valid string range item");
    };
    let range = KeyRange::new(
        start.as_ref().map(Vec::as_slice),
        end.as_ref().map(Vec::as_slice),
    );
    range_of(store, range, options)
}

fn lex_bound(text: &[u8], is_min: bool) -> Option<Bound<Vec<u8>>> {
    match text.split_first()? {
        (b'-', []) if is_min => Some(Bound::Unbounded),
        (b'+', []) if !is_min => Some(Bound::Unbounded),
        (b'[', key) => Some(Bound::Included(key.to_vec())),
        (b'(', key) => Some(Bound::Excluded(key.to_vec())),
        _ => None,
    }
}

fn range_of(store: &Store, range: KeyRange, options: &[Vec<u8>]) -> Reply {
    let limit = match options {
        [] => usize::MAX,
        [word, n] if word.eq_ignore_ascii_case(b"LIMIT") => {
            match std::str::from_utf8(n).ok().and_then(|n| n.parse().ok()) {
                Some(n) => n,
                None => return Reply::err("value is not an integer or out of range"),
            }
        }
        _ => return Reply::err("syntax error"),
    };
    let scan = match store.range(range) {
        Ok(scan) => scan,
        Err(e) => return failed(e),
    };
    let mut items = Vec::new();
    for entry in scan.take(limit) {
        match entry {
            Ok((key, value)) => {
                items.push(Reply::Bulk(key));
                items.push(Reply::Bulk(value));
            }
            Err(e) => return failed(e),
        }
    }
    Reply::Array(items)
}

fn info(shared: &Shared) -> crate::Result<String> {
    use std::sync::atomic::Ordering::Relaxed;
    let store = &shared.store;
    let stats = store.stats()?;
    let durable = matches!(store.sync_policy(), SyncPolicy::Always);
    Ok(format!(
        "# Server\r\nstrata_version:{}\r\nengine:{}\r\nuptime_in_seconds:{}\r\n\
         # Clients\r\nconnected_clients:{}\r\n\
         # Persistence\r\nsync_policy:{}\r\nwrites:{}\r\nsyncs:{}\r\ndisk_bytes:{}\r\n\
         # Stats\r\ntotal_commands_processed:{}\r\n\
         # Keyspace\r\ndb0:keys={},expires=0,avg_ttl=0\r\n",
        env!("CARGO_PKG_VERSION"),
        store.engine(),
        shared.started.elapsed().as_secs(),
        shared.connections.load(Relaxed),
        if durable { "always" } else { "on-flush" },
        stats.writes,
        stats.syncs,
        stats.disk_bytes,
        shared.commands.load(Relaxed),
        stats.keys,
    ))
}

// ANCHOR: config_get
/// `CONFIG GET`: what clients ask on connect. `appendonly` says whether
/// every write is durable before its reply.
fn config_get(shared: &Shared, param: &[u8]) -> Reply {
    let value: &[u8] = match param.to_ascii_lowercase().as_slice() {
        b"save" => b"",
        b"appendonly" => match shared.store.sync_policy() {
            SyncPolicy::Always => b"yes",
            _ => b"no",
        },
        b"databases" => b"1",
        _ => return Reply::Array(Vec::new()),
    };
    Reply::Array(vec![
        Reply::Bulk(param.to_vec()),
        Reply::Bulk(value.to_vec()),
    ])
}
// ANCHOR_END: config_get
