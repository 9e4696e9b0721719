//! The accept loop, the plain-HTTP endpoints, and the handle that publishes and shuts down.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::hub::Hub;

/// What to do with a subscriber that falls more than the channel capacity behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SlowConsumerPolicy {
    /// Skip the missed events and tell the client how many: `{"lagged": topic, "missed": n}`.
    #[default]
    Notify,
    /// Close the connection with status 1008 ("slow consumer").
    Disconnect,
}

/// Server settings. `Config::default()` suits production-like use; tests shrink the timings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Largest frame payload and largest reassembled message accepted from a client (close 1009 beyond),
    /// and largest body accepted by `POST /publish/{topic}` (413 beyond).
    pub max_message_bytes: usize,
    /// Events each topic buffers for its slowest subscriber before that subscriber lags.
    pub channel_capacity: usize,
    /// Events queued per connection between the topic channels and the socket writer.
    pub client_queue: usize,
    /// What happens to a lagging subscriber.
    pub slow_consumer: SlowConsumerPolicy,
    /// How often the server pings each client.
    pub heartbeat_interval: Duration,
    /// A client that sends nothing (not even a pong) for this long is closed with 1001.
    pub idle_timeout: Duration,
    /// How long a client may take to send its request head (and a publish body).
    pub handshake_timeout: Duration,
    /// After the server sends a close frame, how long it waits for the client to hang up.
    pub close_timeout: Duration,
    /// How long `shutdown` waits for connections to finish before aborting them.
    pub shutdown_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_message_bytes: 64 * 1024,
            channel_capacity: 256,
            client_queue: 32,
            slow_consumer: SlowConsumerPolicy::Notify,
            heartbeat_interval: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(75),
            handshake_timeout: Duration::from_secs(10),
            close_timeout: Duration::from_secs(2),
            shutdown_timeout: Duration::from_secs(5),
        }
    }
}

/// A running server.
///
/// Dropping the handle also starts a graceful shutdown, but does not wait for it.
#[derive(Debug)]
pub struct ServerHandle {
    addr: SocketAddr,
    hub: Arc<Hub>,
    /// Sending on (or dropping) this tells the accept loop and every connection to stop.
    stop: watch::Sender<()>,
    /// The accept loop, which finishes once every connection has finished.
    task: JoinHandle<()>,
}

impl ServerHandle {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The hub, for publishing from inside the process: `handle.hub().publish("orders", &payload)`.
    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    /// Stops accepting, sends every WebSocket client a close frame with status 1001, and waits until all
    /// connections have finished (or `shutdown_timeout` has passed, after which they are aborted).
    pub async fn shutdown(self) -> Result<(), tokio::task::JoinError> {
        todo!()
    }
}

/// Starts serving on `listener` in a background task. Must be called inside a Tokio runtime.
///
/// Every accepted connection gets its own task, which reads one HTTP/1.1 request head and then:
///
/// * `GET /ws` with a valid upgrade: answers `101 Switching Protocols` and runs a WebSocket session;
///   an invalid upgrade gets 400 or 426 (see [`crate::handshake::HandshakeError`]);
/// * `POST /publish/{topic}` with a `Content-Length` JSON body: publishes it through the hub and answers
///   `202 {"topic": topic, "subscribers": n}`; 400 for bad JSON or a bad topic name, 411 without
///   `Content-Length`, 413 when the body exceeds `max_message_bytes`;
/// * any other method on those paths: 405 with an `Allow` header; any other path: 404; a malformed
///   request head: 400.
///
/// Plain HTTP responses are JSON (`{"error": "..."}` for errors) and end with `Connection: close`.
pub fn serve(listener: TcpListener, config: Config) -> io::Result<ServerHandle> {
    todo!()
}
