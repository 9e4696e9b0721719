//! Binding, the accept loop, connection limits and graceful shutdown.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::sync::Semaphore;
use tokio::task::{JoinError, JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;

use crate::connection;
use crate::hub;
use crate::protocol::ChatError;

/// Tunable limits. `Config::default()` suits interactive use; tests shrink them to provoke edge cases.
#[derive(Debug, Clone)]
pub struct Config {
    /// Longest accepted line in bytes, excluding the line terminator. Longer lines are answered with
    /// `ERR line-too-long` and discarded; the connection stays open.
    pub max_line_len: usize,
    /// How many lines may wait in one client's outbox. A client that falls this far behind (because
    /// it stops reading) is disconnected; see the README's slow-client policy.
    pub outbox_capacity: usize,
    /// Most simultaneous clients. Further connections get `ERR server-full` and are closed.
    pub max_connections: usize,
    /// How long [`ServerHandle::shutdown`] waits for connections to say goodbye before aborting them.
    pub shutdown_grace: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_line_len: 1024,
            outbox_capacity: 256,
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

/// Capacity of the hub's inbox. Connections wait (asynchronously) when it is full, which slows down
/// whoever is sending fastest instead of growing memory.
const HUB_INBOX: usize = 1024;

/// How long the accept loop backs off after an `accept` error (typically "too many open files").
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// The chat server. See the crate documentation for the protocol.
#[derive(Debug)]
pub struct Server;

impl Server {
    /// Binds `addr` with the default [`Config`] and starts serving in the background.
    ///
    /// Returns the bound address (useful with port 0) and the handle that shuts the server down.
    /// Must be called inside a Tokio runtime.
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<(SocketAddr, ServerHandle)> {
        Server::bind_with_config(addr, Config::default()).await
    }

    /// Like [`Server::bind`], with explicit limits. Zero limits are rejected with
    /// [`io::ErrorKind::InvalidInput`].
    pub async fn bind_with_config(
        addr: impl ToSocketAddrs,
        config: Config,
    ) -> io::Result<(SocketAddr, ServerHandle)> {
        if config.max_line_len == 0 || config.outbox_capacity == 0 || config.max_connections == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "chat server limits must be greater than zero",
            ));
        }
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(accept_loop(listener, config, shutdown.clone()));
        Ok((
            addr,
            ServerHandle {
                addr,
                shutdown,
                task,
            },
        ))
    }
}

/// Controls a running server. Dropping the handle does not stop the server; call
/// [`ServerHandle::shutdown`].
#[derive(Debug)]
pub struct ServerHandle {
    addr: SocketAddr,
    shutdown: CancellationToken,
    task: JoinHandle<()>,
}

impl ServerHandle {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server gracefully: stop accepting, send every client `BYE shutdown` and close its
    /// connection, then wait (at most [`Config::shutdown_grace`], after which stragglers are aborted)
    /// until every connection task and the hub have finished.
    ///
    /// Returns an error only if the server task itself panicked.
    pub async fn shutdown(self) -> Result<(), JoinError> {
        self.shutdown.cancel();
        self.task.await
    }
}

async fn accept_loop(listener: TcpListener, config: Config, shutdown: CancellationToken) {
    let (hub, hub_task) = hub::spawn(HUB_INBOX);
    let permits = Arc::new(Semaphore::new(config.max_connections));
    let mut connections = JoinSet::new();
    let mut next_id: hub::ClientId = 0;

    loop {
        tokio::select! {
            biased;

            _ = shutdown.cancelled() => break,
            // Reap finished connection tasks so the set does not grow for the server's lifetime.
            // (When the set is empty, `join_next` yields `None`, the pattern fails, and select!
            // just ignores this branch for this iteration.)
            Some(_) = connections.join_next() => {}
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _peer)) => stream,
                    Err(_) => {
                        // Usually EMFILE/ENFILE: back off instead of spinning on a hot error.
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                        continue;
                    }
                };
                match Arc::clone(&permits).try_acquire_owned() {
                    Ok(permit) => {
                        next_id += 1;
                        let conn = connection::serve(
                            next_id,
                            stream,
                            hub.clone(),
                            shutdown.clone(),
                            config.max_line_len,
                            config.outbox_capacity,
                        );
                        connections.spawn(async move {
                            conn.await;
                            // The slot frees up only when the connection task is completely done.
                            drop(permit);
                        });
                    }
                    Err(_) => {
                        connections.spawn(reject(stream));
                    }
                }
            }
        }
    }

    // Stop accepting right away: from here on, connection attempts are refused by the OS.
    drop(listener);

    // Connections observe the cancelled token (their tokens are children of it) and say goodbye.
    let drain = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(config.shutdown_grace, drain)
        .await
        .is_err()
    {
        // Clients that would not take their goodbye in time are cut off.
        connections.shutdown().await;
    }

    // The hub stops once the last handle is gone; connections dropped theirs when they ended.
    drop(hub);
    let _ = hub_task.await;
}

/// Tells a client the server is full and closes the connection, without waiting long for it.
async fn reject(mut stream: TcpStream) {
    let line = format!("{}\n", ChatError::ServerFull.to_line());
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(line.as_bytes()).await?;
        stream.shutdown().await
    })
    .await;
}
