//! Binding, the accept loop, connection limits and graceful shutdown.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::ToSocketAddrs;
use tokio::task::JoinError;

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
    ///
    /// Bind the listener here (so bind errors reach the caller), then spawn the accept loop and
    /// return at once; the server runs in background tasks until [`ServerHandle::shutdown`].
    pub async fn bind_with_config(
        addr: impl ToSocketAddrs,
        config: Config,
    ) -> io::Result<(SocketAddr, ServerHandle)> {
        let _ = (addr, config);
        todo!("bind, spawn the accept loop, return the address and a handle")
    }
}

/// Controls a running server. Dropping the handle does not stop the server; call
/// [`ServerHandle::shutdown`].
#[derive(Debug)]
pub struct ServerHandle {
    addr: SocketAddr,
    // Add what you need to signal shutdown and to wait for it, for example a
    // `tokio_util::sync::CancellationToken` and the accept loop's `JoinHandle`.
}

impl ServerHandle {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server gracefully: stop accepting, send every client `BYE shutdown` and close its
    /// connection, then wait (at most [`Config::shutdown_grace`], after which stragglers are aborted)
    /// until every task the server started has finished.
    ///
    /// Returns an error only if the server task itself panicked.
    pub async fn shutdown(self) -> Result<(), JoinError> {
        todo!("signal shutdown and wait for the server to finish")
    }
}
