//! `strata::server` as clients see it: a Redis client library and raw
//! sockets against a server on a loopback port, for every engine. The
//! commands reply as Redis's do; the limits are told and closed on; a
//! stopped server has every acknowledged write in its store.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

use redis::{Commands, Value};

// The conformance suite's `per_engine!`: one test per engine this build has.
#[allow(dead_code)]
#[path = "conformance/harness.rs"]
mod harness;
use strata::server::{Config, Server};
use strata::{Engine, Options, Store};

/// A server on a loopback port, run on its own thread.
struct Running {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<strata::Result<()>>>,
    path: PathBuf,
    _dir: tempfile::TempDir,
}

fn start(engine: Engine, config: Config) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let store = Store::create(&path, engine, Options::new()).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (tell, told) = std::sync::mpsc::channel();
    let config = Config {
        bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        ..config
    };
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let server = Server::bind(store.clone(), config).await.unwrap();
            tell.send(server.local_addr()).unwrap();
            server.run(async { stopped.await.unwrap_or(()) }).await?;
            store.close()
        })
    });
    Running {
        addr: told.recv().unwrap(),
        stop: Some(stop),
        thread: Some(thread),
        path,
        _dir: dir,
    }
}

impl Running {
    fn client(&self) -> redis::Connection {
        let url = format!("redis://{}/", self.addr);
        redis::Client::open(url).unwrap().get_connection().unwrap()
    }

    fn socket(&self) -> TcpStream {
        TcpStream::connect(self.addr).unwrap()
    }

    /// Stops the server (as at SIGTERM) and reopens its store.
    fn stop(mut self) -> Store {
        let _ = self.stop.take().unwrap().send(());
        self.thread.take().unwrap().join().unwrap().unwrap();
        Store::open(&self.path).unwrap()
    }
}

/// Sends `request` and reads until the server closes the connection.
fn exchange_until_closed(mut socket: TcpStream, request: &[u8]) -> String {
    socket.write_all(request).unwrap();
    let mut reply = Vec::new();
    let _ = socket.read_to_end(&mut reply);
    String::from_utf8_lossy(&reply).into_owned()
}

fn commands_reply_as_redis_does(engine: Engine) {
    let server = start(engine, Config::default());
    let mut c = server.client();
    let pong: String = redis::cmd("PING").query(&mut c).unwrap();
    assert_eq!(pong, "PONG");
    let echo: String = redis::cmd("ECHO").arg("hi").query(&mut c).unwrap();
    assert_eq!(echo, "hi");

    let () = c.set("apple", "red").unwrap();
    assert_eq!(
        c.get::<_, Option<String>>("apple").unwrap().as_deref(),
        Some("red")
    );
    assert_eq!(c.get::<_, Option<String>>("plum").unwrap(), None);
    // NX: only if absent; XX: only if present.
    let nx: Value = redis::cmd("SET")
        .arg("apple")
        .arg("green")
        .arg("NX")
        .query(&mut c)
        .unwrap();
    assert_eq!(nx, Value::Nil);
    let xx: Value = redis::cmd("SET")
        .arg("plum")
        .arg("purple")
        .arg("XX")
        .query(&mut c)
        .unwrap();
    assert_eq!(xx, Value::Nil);
    let ok: Value = redis::cmd("SET")
        .arg("plum")
        .arg("purple")
        .arg("NX")
        .query(&mut c)
        .unwrap();
    assert_eq!(ok, Value::Okay);

    let () = redis::cmd("MSET")
        .arg(&["a", "1", "b", "2", "c", "3"])
        .query(&mut c)
        .unwrap();
    let got: Vec<Option<String>> = redis::cmd("MGET")
        .arg(&["a", "zz", "c"])
        .query(&mut c)
        .unwrap();
    assert_eq!(got, [Some("1".into()), None, Some("3".into())]);
    assert_eq!(
        redis::cmd("EXISTS")
            .arg(&["a", "b", "zz"])
            .query::<i64>(&mut c)
            .unwrap(),
        2
    );
    assert_eq!(
        redis::cmd("DEL")
            .arg(&["b", "zz"])
            .query::<i64>(&mut c)
            .unwrap(),
        1
    );
    assert_eq!(redis::cmd("DBSIZE").query::<i64>(&mut c).unwrap(), 4);
    let mut keys: Vec<String> = redis::cmd("KEYS").arg("[ap]*").query(&mut c).unwrap();
    keys.sort();
    assert_eq!(keys, ["a", "apple", "plum"]);

    // SCAN, a few keys at a time, finds every key once.
    for i in 0..25 {
        let () = c.set(format!("n{i:02}"), i).unwrap();
    }
    let mut cursor = 0u64;
    let mut seen = Vec::new();
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg("n*")
            .arg("COUNT")
            .arg(4)
            .query(&mut c)
            .unwrap();
        seen.extend(keys);
        if next == 0 {
            break;
        }
        cursor = next;
    }
    seen.sort();
    assert_eq!(
        seen,
        (0..25).map(|i| format!("n{i:02}")).collect::<Vec<_>>()
    );

    // Ranges: the ordered engines answer, Bitcask says why not.
    let range: redis::RedisResult<Vec<String>> = redis::cmd("RANGE")
        .arg("[a")
        .arg("(b")
        .arg("LIMIT")
        .arg(5)
        .query(&mut c);
    let prefix: redis::RedisResult<Vec<String>> = redis::cmd("PREFIX").arg("n0").query(&mut c);
    if engine == Engine::Bitcask {
        assert!(range.unwrap_err().to_string().contains("ordered scans"));
        assert!(prefix.is_err());
    } else {
        assert_eq!(range.unwrap(), ["a", "1", "apple", "red"]);
        assert_eq!(prefix.unwrap().len(), 20);
    }

    let info: String = redis::cmd("INFO").query(&mut c).unwrap();
    assert!(info.contains(&format!("engine:{engine}")), "{info}");
    let config: Vec<String> = redis::cmd("CONFIG")
        .arg("GET")
        .arg("appendonly")
        .query(&mut c)
        .unwrap();
    assert_eq!(config, ["appendonly", "yes"]);

    for (command, error) in [
        (
            redis::cmd("FROBNICATE").arg("x").clone(),
            "unknown command 'frobnicate'",
        ),
        (
            redis::cmd("GET").clone(),
            "wrong number of arguments for 'get'",
        ),
        (
            redis::cmd("SET")
                .arg("k")
                .arg("v")
                .arg("EX")
                .arg(10)
                .clone(),
            "expiry is not supported",
        ),
        (redis::cmd("SCAN").arg("42").clone(), "invalid cursor"),
    ] {
        let e = command.query::<Value>(&mut c).unwrap_err();
        assert!(e.to_string().contains(error), "{e}");
    }
    // The connection is still good after errors.
    assert_eq!(c.get::<_, String>("apple").unwrap(), "red");
    drop(c);
    let store = server.stop();
    assert_eq!(store.get("plum").unwrap().as_deref(), Some(&b"purple"[..]));
    assert_eq!(store.len().unwrap(), 29);
}
crate::per_engine!(commands_reply_as_redis_does);

/// Telnet's inline commands and clients' arrays share the port; bytes that
/// break the protocol get a reason and a closed connection.
#[test]
fn inline_commands_and_protocol_errors() {
    let server = start(Engine::Wal, Config::default());
    let reply = exchange_until_closed(
        server.socket(),
        b"SET greeting \"hello world\"\r\nGET greeting\r\n\r\n*1\r\n$4\r\nPING\r\nQUIT\r\nPING\r\n",
    );
    assert_eq!(reply, "+OK\r\n$11\r\nhello world\r\n+PONG\r\n+OK\r\n");
    let reply = exchange_until_closed(server.socket(), b"*1\r\n:5\r\n");
    assert_eq!(reply, "-ERR Protocol error: expected '$', got ':'\r\n");
}

#[test]
fn limits_are_told_and_the_connection_closed() {
    let config = Config {
        max_connections: 1,
        limits: strata::server::Limits {
            max_bulk: 16,
            max_args: 8,
            max_inline: 64,
        },
        max_pipeline: 2,
        // No idle timeout here: a loaded machine could let one fire between
        // a connect and its first write. It has its own server below.
        idle_timeout: None,
        ..Config::default()
    };
    let server = start(Engine::Bitcask, config);
    let reply = exchange_until_closed(server.socket(), b"*2\r\n$3\r\nGET\r\n$17\r\n");
    assert_eq!(reply, "-ERR Protocol error: invalid bulk length\r\n");
    let reply = exchange_until_closed(server.socket(), &[b'x'; 100]);
    assert_eq!(reply, "-ERR Protocol error: too big inline request\r\n");
    let reply = exchange_until_closed(server.socket(), b"PING\r\nPING\r\nPING\r\n");
    assert!(
        reply.starts_with("-ERR more than 2 commands pipelined"),
        "{reply}"
    );
    // One connection at a time: a second is refused while the first is open.
    let mut first = server.socket();
    first.write_all(b"PING\r\n").unwrap();
    let mut pong = [0u8; 7];
    first.read_exact(&mut pong).unwrap();
    // (Sending nothing: closing with the request unread could reset the
    // connection before the reply is read.)
    let reply = exchange_until_closed(server.socket(), b"");
    assert_eq!(reply, "-ERR max number of clients reached\r\n");
    drop(first);
    server.stop();
}

/// Silence is told after the idle timeout, and closed (the client's read
/// waits for it, however long it takes).
#[test]
fn an_idle_connection_is_told_and_closed() {
    let config = Config {
        idle_timeout: Some(Duration::from_millis(100)),
        ..Config::default()
    };
    let server = start(Engine::Wal, config);
    let reply = exchange_until_closed(server.socket(), b"");
    assert_eq!(reply, "-ERR idle timeout: closing the connection\r\n");
    server.stop();
}

#[test]
fn nothing_but_auth_before_authenticating() {
    let config = Config {
        requirepass: Some("secret".into()),
        ..Config::default()
    };
    let server = start(Engine::Bptree, config);
    let reply = exchange_until_closed(
        server.socket(),
        b"GET k\r\nAUTH wrong\r\nAUTH secret\r\nSET k v\r\nGET k\r\nQUIT\r\n",
    );
    assert_eq!(
        reply,
        "-NOAUTH Authentication required.\r\n\
         -WRONGPASS invalid username-password pair or user is disabled.\r\n\
         +OK\r\n+OK\r\n$1\r\nv\r\n+OK\r\n"
    );
    server.stop();
}

/// Whatever a stop interrupts, every write whose reply went out is in the
/// store afterwards.
fn acknowledged_writes_survive_a_stop(engine: Engine) {
    let server = start(engine, Config::default());
    let (fifty, fifty_reached) = std::sync::mpsc::channel();
    let writers: Vec<_> = (0..4)
        .map(|t| {
            let mut c = server.client();
            let fifty = fifty.clone();
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                // Until the server stops under them.
                for i in 0.. {
                    let key = format!("t{t}-{i}");
                    if c.set::<_, _, ()>(&key, i).is_err() {
                        break;
                    }
                    acked.push(key);
                    if acked.len() == 50 {
                        let _ = fifty.send(());
                    }
                }
                acked
            })
        })
        .collect();
    // Stop while the writers write, once one has fifty acknowledgements.
    fifty_reached.recv().unwrap();
    let store = server.stop();
    let acked: Vec<String> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    assert!(acked.len() >= 50);
    for key in &acked {
        assert!(
            store.get(key).unwrap().is_some(),
            "{engine}: acknowledged {key} is gone"
        );
    }
}
crate::per_engine!(acknowledged_writes_survive_a_stop);

/// A write the engine refuses (bbolt takes no empty key) is an error for
/// that command; the connection and the store go on.
#[test]
fn a_refused_write_fails_alone() {
    let server = start(Engine::Bptree, Config::default());
    let reply = exchange_until_closed(
        server.socket(),
        b"SET k v\r\n*3\r\n$3\r\nSET\r\n$0\r\n\r\n$1\r\nx\r\nGET k\r\nSET k w\r\nGET k\r\nQUIT\r\n",
    );
    assert_eq!(
        reply,
        "+OK\r\n-ERR a key must not be empty\r\n$1\r\nv\r\n+OK\r\n$1\r\nw\r\n+OK\r\n"
    );
    let store = server.stop();
    assert_eq!(store.get("k").unwrap().as_deref(), Some(&b"w"[..]));
}

/// Reads and writes pipelined together on the B+tree (whose reads in a run
/// share one read transaction), small enough for many to arrive together,
/// then large enough to grow the file: every read sees the write before it.
#[test]
fn pipelined_reads_and_growing_writes() {
    pipelined_reads_and_writes(100);
    pipelined_reads_and_writes(64 << 10);
}

fn pipelined_reads_and_writes(len: usize) {
    let value = |i: usize| {
        let digits = i.to_string();
        "0".repeat(len - digits.len()) + &digits
    };
    let server = start(Engine::Bptree, Config::default());
    let mut request = Vec::new();
    let mut expected = String::from("$-1\r\n+OK\r\n");
    for i in 0..40 {
        request.extend_from_slice(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
        request.extend_from_slice(format!("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${len}\r\n").as_bytes());
        request.extend_from_slice(value(i).as_bytes());
        request.extend_from_slice(b"\r\n");
        if i > 0 {
            expected.push_str(&format!("${len}\r\n{}\r\n+OK\r\n", value(i - 1)));
        }
    }
    request.extend_from_slice(b"QUIT\r\n");
    expected.push_str("+OK\r\n");
    let reply = exchange_until_closed(server.socket(), &request);
    assert!(
        reply == expected,
        "replies differ ({} bytes, expected {})",
        reply.len(),
        expected.len()
    );
    server.stop();
}
