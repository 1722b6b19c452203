//! A server that speaks Redis's protocol over any engine: `redis-cli`,
//! `redis-benchmark`, any Redis client library, and telnet all work.
//! Behind the `server` feature (it brings tokio).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use strata::server::{Config, Server};
//! let store = strata::Store::open("fruit.db")?;
//! let server = Server::bind(store.clone(), Config::default()).await?;
//! println!("listening on {}", server.local_addr());
//! server.run(async { tokio::signal::ctrl_c().await.ok(); }).await?;
//! store.close()?;
//! # Ok(()) }
//! ```
//!
//! The modules: [`resp`], the protocol's framing; `command`, what each
//! command does to the store; `commit`, the one thread that writes;
//! `glob`, `KEYS`' and `SCAN`'s patterns; `connection`, one task per client.
//!
//! A write is acknowledged once the store's [`SyncPolicy`](crate::SyncPolicy)
//! says it is durable. One thread, the committer, writes for every
//! connection: it takes all the writes waiting and makes them durable with
//! one [`Store::write_each`](crate::Store::write_each), so that many
//! connections' writes share one sync, as Redis's event loop shares an fsync.

mod command;
mod commit;
mod connection;
mod glob;
pub mod resp;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

pub use resp::{Limits, Parsed, Reply};

use crate::Store;
use command::Shared;

// ANCHOR: config
/// How the server listens, and the limits it keeps.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen. Default: `127.0.0.1:6380`, loopback only.
    pub bind: SocketAddr,
    /// When set, a client must `AUTH` with it before any other command.
    pub requirepass: Option<String>,
    /// Connections served at once; one more is told so and closed. Default 1,024.
    pub max_connections: usize,
    /// The largest key, value, argument count and inline line.
    pub limits: Limits,
    /// Commands a client may send ahead of reading their replies, in one
    /// read; more is an error and closes the connection. Default 4,096.
    pub max_pipeline: usize,
    /// A connection that sends nothing this long is told so and closed.
    /// Default: 5 minutes; `None`: never.
    pub idle_timeout: Option<Duration>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 6380)),
            requirepass: None,
            max_connections: 1024,
            limits: Limits::default(),
            max_pipeline: 4096,
            idle_timeout: Some(Duration::from_secs(300)),
        }
    }
}
// ANCHOR_END: config

/// A bound server, ready to [`run`](Server::run).
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    shared: Arc<Shared>,
    config: Arc<Config>,
}

impl Server {
    /// Binds `config.bind` to serve `store`. Nothing is served until
    /// [`run`](Server::run).
    ///
    /// ```
    /// # #[cfg(feature = "wal")] {
    /// use std::io::ErrorKind;
    /// use std::net::SocketAddr;
    /// use strata::server::{Config, Server};
    /// use strata::{Engine, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("log"), Engine::Wal, Options::default())?;
    /// let runtime = tokio::runtime::Runtime::new()?;
    /// // Port 0: any free port.
    /// let config = Config { bind: SocketAddr::from(([127, 0, 0, 1], 0)), ..Config::default() };
    /// let server = runtime.block_on(Server::bind(store.clone(), config))?;
    /// // A second server cannot have the same address.
    /// let taken = Config { bind: server.local_addr(), ..Config::default() };
    /// let refused = runtime.block_on(Server::bind(store.clone(), taken)).unwrap_err();
    /// assert_eq!(refused.kind(), ErrorKind::AddrInUse);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// The operating system's, if the address cannot be bound.
    pub async fn bind(store: Store, config: Config) -> io::Result<Server> {
        let listener = TcpListener::bind(config.bind).await?;
        let password = config.requirepass.as_ref().map(|p| p.as_bytes().to_vec());
        Ok(Server {
            listener,
            shared: Arc::new(Shared::new(store, password)),
            config: Arc::new(config),
        })
    }

    /// The address bound (with the port the system chose, for port 0).
    ///
    /// ```
    /// # #[cfg(feature = "wal")] {
    /// use std::net::{SocketAddr, TcpStream};
    /// use strata::server::{Config, Server};
    /// use strata::{Engine, Options, Store};
    /// # let dir = tempfile::tempdir()?;
    /// let store = Store::create(dir.path().join("log"), Engine::Wal, Options::default())?;
    /// let config = Config { bind: SocketAddr::from(([127, 0, 0, 1], 0)), ..Config::default() };
    /// let runtime = tokio::runtime::Runtime::new()?;
    /// let server = runtime.block_on(Server::bind(store, config))?;
    /// let addr = server.local_addr();
    /// assert_eq!(addr.ip(), std::net::Ipv4Addr::LOCALHOST);
    /// assert_ne!(addr.port(), 0, "the system chose a port");
    /// // Bound and listening: a client can connect, though nothing is served until `run`.
    /// TcpStream::connect(addr)?;
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Panics
    /// Never: a bound listener has an address.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    // ANCHOR: run
    /// Serves until `shutdown` completes; then stops accepting, lets every
    /// connection finish the commands it has read and reply to them,
    /// closes the connections, and flushes the store.
    ///
    /// # Errors
    /// The store's, if the final flush fails.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> crate::Result<()> {
        let (stop, stopping) = watch::channel(false);
        let slots = Arc::new(Semaphore::new(self.config.max_connections));
        let mut connections = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = self.listener.accept() => {
                    let Ok((stream, _)) = accepted else {
                        // Out of file descriptors, most likely: give the
                        // connections a moment to end rather than spin.
                        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                        continue;
                    };
                    let (shared, config) = (self.shared.clone(), self.config.clone());
                    let slot = slots.clone().try_acquire_owned();
                    let stopping = stopping.clone();
                    connections.spawn(async move {
                        match slot {
                            Ok(slot) => connection::serve(stream, shared, config, stopping, slot).await,
                            Err(_) => connection::refuse(stream, "max number of clients reached").await,
                        }
                    });
                }
                // Reap finished connections as they go.
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        drop(self.listener);
        let _ = stop.send(true);
        while connections.join_next().await.is_some() {}
        // Every connection has its replies: the committer's work is done.
        let shared = self.shared.clone();
        tokio::task::spawn_blocking(move || shared.committer.stop())
            .await
            .map_err(|_| crate::Error::Poisoned)?;
        let store = self.shared.store.clone();
        tokio::task::spawn_blocking(move || store.flush())
            .await
            .map_err(|_| crate::Error::Poisoned)?
    }
    // ANCHOR_END: run
}
