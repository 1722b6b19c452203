//! `serve`: the store over Redis's protocol, until SIGTERM or Ctrl-C; then
//! in-flight commands finish, the store is flushed and closed.

use std::time::Duration;

use strata::server::{Config, Server};
use strata::{Options, Store, SyncPolicy};

use super::Context;
use crate::args::{ServeArgs, SyncArg};
use crate::failure::{Failure, Result};

pub fn serve(at: &Context, args: &ServeArgs) -> Result<u8> {
    let sync = match args.sync {
        SyncArg::Always => SyncPolicy::Always,
        SyncArg::OnFlush => SyncPolicy::OnFlush,
    };
    let options = Options::new().sync(sync).bucket(at.bucket().to_vec());
    let store = match (strata::detect(&args.path)?, at.engine()) {
        (None, Some(engine)) => Store::create(&args.path, engine, options)?,
        (_, Some(engine)) => Store::open_as(&args.path, engine, options)?,
        (Some(_), None) => Store::open_with(&args.path, options)?,
        (None, None) => {
            return Err(strata::Error::NotFound {
                path: args.path.clone(),
            }
            .into());
        }
    };
    let config = Config {
        bind: args.bind,
        requirepass: args.requirepass.clone(),
        max_connections: args.max_connections,
        idle_timeout: (args.idle_timeout > 0).then(|| Duration::from_secs(args.idle_timeout)),
        ..Config::default()
    };
    // Half the CPUs: on a small machine, tasks hopping between cores cost
    // more than a second core gives (measured with redis-benchmark on two).
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = args.threads.unwrap_or(cpus / 2).max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .map_err(|e| Failure::Io(format!("starting the runtime: {e}")))?;
    let served = runtime.block_on(async {
        let server = Server::bind(store.clone(), config)
            .await
            .map_err(|e| Failure::Io(format!("{}: {e}", args.bind)))?;
        eprintln!(
            "strata: serving the {} store {} on {}",
            store.engine(),
            args.path.display(),
            server.local_addr()
        );
        let stopping = async {
            stop_signal().await;
            eprintln!("strata: stopping: finishing the commands read (again to quit at once)");
            // A second signal does not wait for a client that will not read.
            tokio::spawn(async {
                stop_signal().await;
                eprintln!("strata: stopped at once; the store was not closed");
                std::process::exit(1);
            });
        };
        server.run(stopping).await.map_err(Failure::from)
    });
    served?;
    store.close()?;
    eprintln!("strata: stopped; the store is closed");
    Ok(0)
}

/// Completes at SIGTERM or SIGINT (Ctrl-C).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
