//! `strata serve` as a process, with the real Redis tools (Debian's
//! redis-tools): a redis-cli session, a bounded redis-benchmark run, kill -9
//! while clients write (every acknowledged SET survives), and SIGTERM (a
//! clean stop). Without redis-cli the tests print a skip message and pass,
//! unless `STRATA_INTEROP=require` (set by CI).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use strata::{Engine, Store};

const SKIP: &str = "skipping: redis-tools not installed (apt-get install redis-tools)";

/// Whether redis-cli runs here; a skip message, or a panic under
/// `STRATA_INTEROP=require`, when it does not.
fn redis_tools() -> bool {
    let found = Command::new("redis-cli")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var("STRATA_INTEROP").as_deref() == Ok("require") {
            panic!("{SKIP}\nSTRATA_INTEROP=require makes this a failure");
        }
        eprintln!("{SKIP}");
    }
    found
}

/// A `strata serve` process on a loopback port the system chose.
struct Serving {
    child: Child,
    addr: SocketAddr,
    stderr: BufReader<std::process::ChildStderr>,
}

fn serve(dir: &Path, engine: Engine, extra: &[&str]) -> Serving {
    let mut child = Command::new(env!("CARGO_BIN_EXE_strata"))
        .current_dir(dir)
        .args([
            "--engine",
            engine.name(),
            "serve",
            "db",
            "--bind",
            "127.0.0.1:0",
        ])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    // "strata: serving the wal store db on 127.0.0.1:PORT"
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .rsplit(' ')
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    Serving {
        child,
        addr,
        stderr,
    }
}

impl Serving {
    fn cli(&self, args: &[&str]) -> String {
        let out = Command::new("redis-cli")
            .args(["-h", "127.0.0.1", "-p", &self.addr.port().to_string()])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "redis-cli {args:?}");
        String::from_utf8(out.stdout).unwrap()
    }

    /// SIGTERM, and what the server said until it exited.
    fn terminate(mut self) -> (i32, String) {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let status = self.child.wait().unwrap();
        let mut said = String::new();
        let _ = std::io::Read::read_to_string(&mut self.stderr, &mut said);
        (status.code().unwrap_or(-1), said)
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_redis_cli_session() {
    if !redis_tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), Engine::Wal, &[]);
    let mut session = String::new();
    for command in [
        "PING",
        "SET apple red",
        "GET apple",
        "SET apple green NX",
        "MSET banana yellow cherry red",
        "MGET apple banana plum",
        "EXISTS apple plum",
        "DBSIZE",
        "SCAN 0 COUNT 2",
        "RANGE [b + LIMIT 1",
        "PREFIX ch",
        "DEL apple plum",
        "KEYS *",
        "CONFIG GET appendonly",
        "FROBNICATE",
    ] {
        let args: Vec<&str> = command.split(' ').collect();
        session.push_str(&format!("$ redis-cli {command}\n{}", server.cli(&args)));
    }
    insta::assert_snapshot!(session);
    let (code, said) = server.terminate();
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("stopped; the store is closed"), "{said}");
    let store = Store::open(dir.path().join("db")).unwrap();
    assert_eq!(store.get("cherry").unwrap().as_deref(), Some(&b"red"[..]));
}

#[test]
fn a_bounded_redis_benchmark_run() {
    if !redis_tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), Engine::Bitcask, &[]);
    let out = Command::new("timeout")
        .args(["120", "redis-benchmark", "-h", "127.0.0.1", "-p"])
        .arg(server.addr.port().to_string())
        .args(["-t", "set,get", "-n", "2000", "-c", "8", "-P", "4", "-q"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for test in ["SET: ", "GET: "] {
        assert!(
            // Progress lines end in `\r`; the final one per test in `\n`.
            stdout
                .split(['\r', '\n'])
                .map(str::trim)
                .any(|l| l.starts_with(test) && l.contains("requests per second")),
            "{stdout}"
        );
    }
    let (code, said) = server.terminate();
    assert_eq!(code, 0, "{said}");
    // redis-benchmark's SETs are all in the store: one key, `key:__rand_int__`.
    let store = Store::open(dir.path().join("db")).unwrap();
    assert!(store.get("key:__rand_int__").unwrap().is_some());
}

/// Clients write while the server is killed with SIGKILL: every SET whose
/// `OK` came back is in the store when it is reopened.
fn acknowledged_sets_survive_kill_9(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let mut server = serve(dir.path(), engine, &[]);
    let url = format!("redis://{}/", server.addr);
    let (acked_some, enough) = std::sync::mpsc::channel();
    let writers: Vec<_> = (0..4)
        .map(|t| {
            let mut c = redis::Client::open(url.as_str())
                .unwrap()
                .get_connection()
                .unwrap();
            let acked_some = acked_some.clone();
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                for i in 0u64.. {
                    let key = format!("t{t}-{i}");
                    if redis::cmd("SET")
                        .arg(&key)
                        .arg(i)
                        .query::<()>(&mut c)
                        .is_err()
                    {
                        break;
                    }
                    acked.push((key, i));
                    if acked.len() == 25 {
                        let _ = acked_some.send(());
                    }
                }
                acked
            })
        })
        .collect();
    // Kill once every writer has had some writes acknowledged.
    for _ in 0..4 {
        enough.recv().unwrap();
    }
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    let acked: Vec<(String, u64)> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let store = Store::open(dir.path().join("db")).unwrap();
    for (key, value) in &acked {
        assert_eq!(
            store.get(key).unwrap(),
            Some(value.to_string().into_bytes()),
            "{engine}: the acknowledged SET {key} is lost"
        );
    }
}

macro_rules! every_engine {
    ($run:ident) => {
        mod $run {
            #[test]
            fn flat_file() {
                super::$run(strata::Engine::FlatFile);
            }
            #[test]
            fn wal() {
                super::$run(strata::Engine::Wal);
            }
            #[test]
            fn bitcask() {
                super::$run(strata::Engine::Bitcask);
            }
            #[test]
            fn bptree() {
                super::$run(strata::Engine::Bptree);
            }
        }
    };
}
every_engine!(acknowledged_sets_survive_kill_9);
